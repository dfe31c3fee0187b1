#include "Gateway.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include "api/OpenAiChatRequest.h"
#include "api/OpenAiError.h"
#include "common/MonotonicClock.h"
#include "gateway/ChatCompletionExchange.h"
#include "http/HttpRequest.h"
#include "http/HttpResponder.h"

namespace sluice {

namespace {
HttpHeaders jsonHeaders()
{
    return HttpHeaders {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
}

bool isPath(const QByteArray &path, const char *expected)
{
    // Tolerate one trailing slash, as several SDKs build URLs by joining a base ending in '/'.
    const QByteArrayView view
        = path.endsWith('/') && path.size() > 1 ? QByteArrayView(path).chopped(1) : QByteArrayView(path);
    return view == expected;
}
} // namespace

Gateway::Gateway(const Config &config, const GatewaySecrets &secrets, UpstreamClient *client, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_hostGuard(config.gateway)
    , m_client(client)
{
    for (const auto &[name, secret] : secrets.tokens)
        m_tokens.addToken(name, secret);
    for (const ProviderConfig &provider : config.providers)
        m_providers.insert(provider.name,
                           OpenAiCompatibleProvider(provider, secrets.providerKeys.value(provider.name)));
}

Gateway::~Gateway() = default;

RequestRecord Gateway::newRecord(const HttpRequest &request) const
{
    RequestRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.startedAt = QDateTime::currentDateTimeUtc();
    if (m_config.logging.storeBodies) {
        const qint64 cap = m_config.logging.maxBodyBytes;
        record.requestBody = request.body.left(cap);
        record.bodiesTruncated = request.body.size() > cap;
    }
    return record;
}

void Gateway::handle(const HttpRequest &request, HttpResponder *responder)
{
    if (isPath(request.path, "/health") && request.method == "GET") {
        handleHealth(responder);
        return;
    }
    RequestRecord record = newRecord(request);
    record.endpoint = QString::fromLatin1(request.path);
    m_arrivedNs = request.arrivedNs;
    ++m_inFlight;

    if (const QString refusal = m_hostGuard.check(request); !refusal.isEmpty()) {
        respondError(responder, std::move(record),
                     OpenAiError {403, refusal, {}, QByteArrayLiteral("forbidden_host_or_origin"), {}},
                     ErrorClass::Forbidden);
        return;
    }
    if (m_paused) {
        respondError(responder, std::move(record),
                     OpenAiError {503,
                                  QStringLiteral("Sluice is paused. Resume it from the tray icon or the window."),
                                  QByteArrayLiteral("server_error"),
                                  QByteArrayLiteral("gateway_paused"),
                                  {}},
                     ErrorClass::Paused);
        return;
    }

    const bool chat = isPath(request.path, "/v1/chat/completions") || isPath(request.path, "/chat/completions");
    const bool models = isPath(request.path, "/v1/models") || isPath(request.path, "/models");
    if (!chat && !models) {
        respondError(
            responder, std::move(record),
            OpenAiError {404,
                         QStringLiteral("Sluice has no endpoint %1 %2. Available: POST /v1/chat/completions, "
                                        "GET /v1/models, GET /health.")
                             .arg(QString::fromLatin1(request.method), QString::fromLatin1(request.path.left(200))),
                         {},
                         QByteArrayLiteral("unknown_url"),
                         {}},
            ErrorClass::NotFound);
        return;
    }
    const QByteArray expectedMethod = chat ? QByteArrayLiteral("POST") : QByteArrayLiteral("GET");
    if (request.method != expectedMethod) {
        respondError(responder, std::move(record),
                     OpenAiError {405,
                                  QStringLiteral("%1 takes %2 requests, not %3.")
                                      .arg(QString::fromLatin1(request.path), QString::fromLatin1(expectedMethod),
                                           QString::fromLatin1(request.method)),
                                  QByteArrayLiteral("invalid_request_error"),
                                  QByteArrayLiteral("method_not_allowed"),
                                  {}},
                     ErrorClass::InvalidRequest);
        return;
    }

    if (m_tokens.isEmpty()) {
        respondError(responder, std::move(record),
                     OpenAiError {401,
                                  QStringLiteral("No gateway tokens are configured, so Sluice accepts no requests. Add "
                                                 "one under 'tokens:' in %1 (see docs/configuration.md).")
                                      .arg(m_config.sourcePath.isEmpty() ? QStringLiteral("the config file")
                                                                         : m_config.sourcePath),
                                  {},
                                  QByteArrayLiteral("no_gateway_tokens"),
                                  {}},
                     ErrorClass::Authentication);
        return;
    }
    record.tokenName = m_tokens.authenticate(request);
    if (record.tokenName.isEmpty()) {
        const bool presented = !TokenAuthenticator::presentedToken(request).isEmpty();
        respondError(responder, std::move(record),
                     OpenAiError {401,
                                  presented
                                      ? QStringLiteral("The gateway token is not valid. Use a token configured in "
                                                       "Sluice (Authorization: Bearer <token> or x-api-key).")
                                      : QStringLiteral("Missing gateway token. Send it as 'Authorization: Bearer "
                                                       "<token>' or 'x-api-key: <token>'."),
                                  {},
                                  QByteArrayLiteral("invalid_api_key"),
                                  {}},
                     ErrorClass::Authentication);
        return;
    }

    if (chat)
        handleChatCompletions(request, responder, std::move(record));
    else
        handleModels(responder, std::move(record));
}

void Gateway::handleChatCompletions(const HttpRequest &request, HttpResponder *responder, RequestRecord record)
{
    Result<OpenAiChatRequest> chat = OpenAiChatRequest::parse(request.body);
    if (!chat) {
        respondError(responder, std::move(record),
                     OpenAiError {400, chat.errorMessage(), {}, QByteArrayLiteral("invalid_request"), {}},
                     ErrorClass::InvalidRequest);
        return;
    }
    record.requestedModel = chat->model();
    record.stream = chat->stream();
    const ModelRoute *route = m_config.model(chat->model());
    if (!route) {
        QStringList names;
        for (const ModelRoute &model : std::as_const(m_config.models))
            names.append(model.name);
        respondError(responder, std::move(record),
                     OpenAiError {404,
                                  QStringLiteral("The model '%1' is not configured in Sluice. Configured models: %2.")
                                      .arg(chat->model(),
                                           names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "))),
                                  {},
                                  QByteArrayLiteral("model_not_found"),
                                  QByteArrayLiteral("model")},
                     ErrorClass::NotFound);
        return;
    }
    const OpenAiCompatibleProvider &provider = m_providers.find(route->provider).value();
    record.provider = provider.name();
    record.upstreamModel = route->upstreamModel.isEmpty() ? route->name : route->upstreamModel;

    const UpstreamRequest upstream
        = provider.chatCompletions(chat->upstreamBody(request.body, record.upstreamModel), chat->stream());
    const qint64 logLimit = m_config.logging.storeBodies ? m_config.logging.maxBodyBytes : 0;
    auto *exchange = new ChatCompletionExchange(
        responder, std::move(record), std::move(chat).value(), request.arrivedNs, logLimit,
        [this](RequestRecord &&done) { complete(std::move(done)); }, this);
    exchange->start(m_client, upstream);
}

void Gateway::handleModels(HttpResponder *responder, RequestRecord record)
{
    QJsonArray data;
    for (const ModelRoute &model : std::as_const(m_config.models)) {
        data.append(QJsonObject {{QStringLiteral("id"), model.name},
                                 {QStringLiteral("object"), QStringLiteral("model")},
                                 {QStringLiteral("created"), 0},
                                 {QStringLiteral("owned_by"), model.provider}});
    }
    const QByteArray body = QJsonDocument(QJsonObject {{QStringLiteral("object"), QStringLiteral("list")},
                                                       {QStringLiteral("data"), data}})
                                .toJson(QJsonDocument::Compact);
    responder->sendResponse(200, jsonHeaders(), body);
    record.latencyUs = (monotonicNowNs() - m_arrivedNs) / 1000;
    record.httpStatus = 200;
    if (m_config.logging.storeBodies)
        record.responseBody = body.left(m_config.logging.maxBodyBytes);
    complete(std::move(record));
}

void Gateway::handleHealth(HttpResponder *responder)
{
    const QByteArray body = QJsonDocument(QJsonObject {{QStringLiteral("status"),
                                                        m_paused ? QStringLiteral("paused") : QStringLiteral("ok")},
                                                       {QStringLiteral("version"), QStringLiteral(SLUICE_VERSION)}})
                                .toJson(QJsonDocument::Compact);
    responder->sendResponse(200, jsonHeaders(), body);
}

void Gateway::respondError(HttpResponder *responder, RequestRecord record, const OpenAiError &error,
                           const char *errorClass)
{
    const QByteArray body = error.toJson();
    HttpHeaders headers = jsonHeaders();
    headers.append(QByteArrayLiteral("x-sluice-request-id"), record.id.toLatin1());
    responder->sendResponse(error.status, headers, body);
    record.latencyUs = (monotonicNowNs() - m_arrivedNs) / 1000;
    record.httpStatus = error.status;
    record.errorClass = QString::fromLatin1(errorClass);
    record.errorMessage = error.message;
    if (m_config.logging.storeBodies)
        record.responseBody = body;
    complete(std::move(record));
}

void Gateway::complete(RequestRecord &&record)
{
    --m_inFlight;
    if (m_sink)
        m_sink(std::move(record));
}

} // namespace sluice
