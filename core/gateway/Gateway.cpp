#include "Gateway.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QThreadPool>
#include <QUrl>

#include "api/CanonicalError.h"
#include "api/FormatCodec.h"
#include "api/JsonMembers.h"
#include "api/OpenAiChatRequest.h"
#include "api/ResponseAssembler.h"
#include "cache/CacheKey.h"
#include "cache/CacheLogging.h"
#include "cache/CachePolicy.h"
#include "cache/ResponseCache.h"
#include "clients/ClientRecognizer.h"
#include "common/ByteBudget.h"
#include "common/MonotonicClock.h"
#include "common/RequestId.h"
#include "gateway/ProxyExchange.h"
#include "http/HttpRequest.h"
#include "http/HttpResponder.h"
#include "prompts/PromptRequestBuilder.h"
#include "routing/Router.h"
#include "store/SharedLimits.h"
#include "telemetry/GatewayMetrics.h"

namespace sluice {

namespace {
Q_LOGGING_CATEGORY(lcGateway, "sluice.gateway")

enum class Route { Proxy, CountTokens, Models, RoutingState, PromptCompletions, PromptRender, Unknown };

struct EndpointMatch
{
    EndpointMatch() = default;
    EndpointMatch(Route route_, ApiFormat format_, QByteArray method_)
        : route(route_)
        , format(format_)
        , method(std::move(method_))
    { }

    Route route = Route::Unknown;
    ApiFormat format = ApiFormat::OpenAiChat; // the client's wire format (also for its errors)
    QByteArray method;
    QString model; // Gemini: the model named in the path
    bool stream = false; // Gemini: :streamGenerateContent
};

// Gemini's /v1beta/models/{model}:{method} (the model percent-encoded, the method after the last colon).
EndpointMatch matchGeminiEndpoint(QByteArrayView path)
{
    const QByteArrayView tail = path.sliced(8); // after "/models/"
    const qsizetype colon = tail.lastIndexOf(':');
    EndpointMatch match;
    match.format = ApiFormat::Gemini;
    match.model = QUrl::fromPercentEncoding(tail.first(colon < 0 ? tail.size() : colon).toByteArray());
    if (match.model.isEmpty())
        return {};
    const QByteArrayView method = colon < 0 ? QByteArrayView() : tail.sliced(colon + 1);
    if (method.isEmpty()) {
        match.route = Route::Models; // one model's description
        match.method = QByteArrayLiteral("GET");
    } else if (method == "generateContent" || method == "streamGenerateContent") {
        match.route = Route::Proxy;
        match.method = QByteArrayLiteral("POST");
        match.stream = method == "streamGenerateContent";
    } else if (method == "countTokens") {
        match.route = Route::CountTokens;
        match.method = QByteArrayLiteral("POST");
    } else {
        return {};
    }
    return match;
}

// Tolerates one trailing slash, and paths without the /v1 prefix, as SDKs build URLs from base URLs either way.
EndpointMatch matchEndpoint(const QByteArray &rawPath)
{
    QByteArrayView path = rawPath;
    if (path.size() > 1 && path.endsWith('/'))
        path.chop(1);
    if (path.startsWith("/v1beta/")) {
        path = path.sliced(7);
        if (path == "/models")
            return {Route::Models, ApiFormat::Gemini, QByteArrayLiteral("GET")};
        return path.startsWith("/models/") ? matchGeminiEndpoint(path) : EndpointMatch();
    }
    if (path.startsWith("/v1/"))
        path = path.sliced(3);
    if (path.startsWith("/models/") && path.contains(':'))
        return matchGeminiEndpoint(path);
    if (path == "/chat/completions")
        return {Route::Proxy, ApiFormat::OpenAiChat, QByteArrayLiteral("POST")};
    if (path == "/messages")
        return {Route::Proxy, ApiFormat::AnthropicMessages, QByteArrayLiteral("POST")};
    if (path == "/messages/count_tokens")
        return {Route::CountTokens, ApiFormat::AnthropicMessages, QByteArrayLiteral("POST")};
    if (path == "/responses")
        return {Route::Proxy, ApiFormat::OpenAiResponses, QByteArrayLiteral("POST")};
    if (path == "/completions")
        return {Route::Proxy, ApiFormat::OpenAiCompletions, QByteArrayLiteral("POST")};
    if (path == "/embeddings")
        return {Route::Proxy, ApiFormat::OpenAiEmbeddings, QByteArrayLiteral("POST")};
    if (path == "/models")
        return {Route::Models, ApiFormat::OpenAiChat, QByteArrayLiteral("GET")};
    if (path.startsWith("/prompts/")) {
        // /v1/prompts/{name}/completions | /render; a name may hold '/'.
        const QByteArrayView rest = path.sliced(9);
        const qsizetype slash = rest.lastIndexOf('/');
        const QByteArrayView action = slash < 0 ? QByteArrayView() : rest.sliced(slash + 1);
        if (slash > 0 && (action == "completions" || action == "render")) {
            EndpointMatch match(action == "render" ? Route::PromptRender : Route::PromptCompletions,
                                ApiFormat::OpenAiChat, QByteArrayLiteral("POST"));
            match.model = QUrl::fromPercentEncoding(rest.first(slash).toByteArray());
            return match;
        }
    }
    if (rawPath == "/admin/routing")
        return {Route::RoutingState, ApiFormat::OpenAiChat, QByteArrayLiteral("GET")};
    return {};
}

struct PromptFailure
{
    const char *code;
    const char *errorClass;
};

// The error code and log class of a prompt that could not be resolved or rendered.
PromptFailure promptFailure(const PromptResolver::Outcome &outcome)
{
    switch (outcome.status) {
    case 404:
        return {"prompt_not_found", ErrorClass::NotFound};
    case 400:
        return {"invalid_prompt_variables", ErrorClass::InvalidRequest};
    default:
        return {"prompt_registry", ErrorClass::Internal};
    }
}

// The "model" member of a JSON body, or empty: for the log of a request refused before it was understood.
QString modelNamedIn(const QByteArray &body)
{
    return JsonMembers::stringMember(body, "model").left(200);
}

HttpHeaders jsonHeaders()
{
    return HttpHeaders {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Characters of text a request carries, for a token estimate (about four characters a token).
qint64 textCharacters(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().size();
    qint64 total = 0;
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            total += textCharacters(item);
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it.key() != QLatin1String("model") && it.key() != QLatin1String("type"))
                total += textCharacters(it.value());
        }
    }
    return total;
}
} // namespace

Gateway::Gateway(const Config &config, const GatewaySecrets &secrets, UpstreamClient *client,
                 std::shared_ptr<const Clock> clock, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_secrets(secrets)
    , m_scrubber(secrets.scrubber())
    , m_hostGuard(config.gateway)
    , m_guardrails(std::make_shared<const Guardrails>(config.guardrails))
    , m_admission(config, clock)
    , m_router(std::make_unique<Router>(config, clock))
    , m_client(client)
{
    for (const auto &[name, secret] : secrets.tokens)
        m_tokens.addToken(name, secret);
    if (!config.metrics.token.isNull())
        m_metricsToken.addToken(QStringLiteral("metrics"), secrets.key(config.metrics.token));
    for (const ProviderConfig &provider : config.providers)
        m_adapters.insert(provider.name, ProviderAdapter(provider));
    // Settings that are right on a server behind a firewall and wrong on a laptop: said once, at start.
    if (!config.gateway.listenAddress.isLoopback())
        qCWarning(lcGateway).noquote()
            << QStringLiteral("Sluice listens on %1, not only on this computer: anyone who can reach it can try "
                              "gateway tokens. Keep gateway.listen on 127.0.0.1 unless this is a server behind a "
                              "firewall.")
                   .arg(config.gateway.listenAddress.toString());
    if (config.gateway.allowedHosts.contains(QStringLiteral("*")))
        qCWarning(lcGateway).noquote() << QStringLiteral(
            "gateway.allowed_hosts has \"*\": any Host header is accepted, so a web page can reach "
            "Sluice through DNS rebinding. List the host names clients use instead.");
}

Gateway::~Gateway() = default;

Result<void> Gateway::setDatabasePath(const StoreLocation &path, int reloadIntervalMs)
{
    m_reloadTimer.stop();
    m_tokenStore.close();
    m_prompts.setDatabasePath(path);
    if (Result<void> opened = m_tokenStore.open(path, SqliteConnection::Mode::ReadOnly); !opened)
        return opened;
    m_dataVersion = -1;
    reloadStoredTokens();
    // On a store shared by several gateways, budgets and rate limits are kept in it (docs/team.md).
    m_admission.setSharedLimits(path.isPostgres() ? std::make_unique<SharedLimits>(path.postgresSettings()) : nullptr);
    // A cheap poll on the gateway thread: PRAGMA data_version changes only when another connection committed.
    connect(&m_reloadTimer, &QTimer::timeout, this, &Gateway::reloadStoredTokens, Qt::UniqueConnection);
    m_reloadTimer.start(reloadIntervalMs);
    return {};
}

void Gateway::reloadStoredTokens()
{
    m_admission.maintain();
    const Result<qint64> version = m_tokenStore.dataVersion();
    if (!version || *version == m_dataVersion)
        return;
    const Result<QList<StoredToken>> tokens = m_tokenStore.list();
    if (!tokens) {
        qCWarning(lcGateway) << "Cannot reload the gateway tokens:" << tokens.errorMessage();
        return;
    }
    m_dataVersion = *version;
    QHash<QByteArray, QString> names;
    for (const StoredToken &token : *tokens)
        names.insert(token.secretSha256, token.name);
    m_tokens.setStoredTokens(names);
    m_admission.setStoredTokens(*tokens, m_tokenStore.database());
}

RequestRecord Gateway::newRecord(const HttpRequest &request) const
{
    RequestRecord record;
    record.startedAt = QDateTime::currentDateTimeUtc();
    record.id = RequestId::create(record.startedAt.toMSecsSinceEpoch());
    record.endpoint = QString::fromLatin1(request.path.left(200));
    RequestAttribution attribution = ClientRecognizer::fromHeaders(request.headers);
    record.client = std::move(attribution.client);
    record.tags = std::move(attribution.tags);
    record.project = std::move(attribution.project);
    // A comparison run (docs/compare.md) names itself so its rows can be told apart and found again; only Sluice's
    // own runner may (a client's header is ignored), and only requests that carry the header pay for the check.
    if (const QByteArray run = request.headers.value(QByteArrayLiteral("x-sluice-compare"));
        !run.isEmpty() && TokenAuthenticator::isLocalCaller(request))
        record.compareRun = QString::fromLatin1(run.left(64)).trimmed();
    if (m_config.telemetry.enabled()) {
        record.traceParent = request.headers.value(QByteArrayLiteral("traceparent")).left(64);
        // The session a client names, so a trace backend groups an agent's requests: Sluice's own header first,
        // then the ones Claude Code and Codex send.
        for (const char *name : {"x-sluice-session", "x-claude-code-session-id", "session_id", "x-session-id"}) {
            const QByteArray value = request.headers.value(QByteArray::fromRawData(name, qstrlen(name)));
            if (!value.isEmpty()) {
                record.sessionId = QString::fromUtf8(value.left(200));
                break;
            }
        }
    }
    if (m_config.logging.storeBodies) {
        const qint64 cap = m_config.logging.maxBodyBytes;
        record.requestBody = request.body.left(cap);
        record.bodiesTruncated = request.body.size() > cap;
    }
    return record;
}

void Gateway::endInFlight(const QString &message)
{
    const QList<ProxyExchange *> exchanges = findChildren<ProxyExchange *>(Qt::FindDirectChildrenOnly);
    for (ProxyExchange *exchange : exchanges)
        exchange->endForShutdown(message);
}

bool Gateway::admitHeaders(const HttpRequest &request)
{
    if (request.method == "GET" || request.method == "HEAD")
        return true; // no body worth refusing early
    if (m_paused || !m_hostGuard.check(request).isEmpty())
        return false;
    return !m_tokens.authenticate(request).isEmpty(); // empty without configured tokens (but for a local caller)
}

bool Gateway::handleRefused(const HttpRequest &request, const HttpRefusal &refusal, HttpResponder *responder)
{
    RequestRecord record = newRecord(request);
    m_arrivedNs = request.arrivedNs;
    ++m_inFlight;
    record.tokenName = m_tokens.authenticate(request);
    if (record.project.isEmpty())
        record.project = record.tokenName;
    const EndpointMatch endpoint = matchEndpoint(request.path);
    record.requestedModel = endpoint.model;
    respondError(responder, std::move(record), endpoint.format,
                 CanonicalError::make(refusal.status, refusal.message, QString::fromLatin1(refusal.code)),
                 ErrorClass::InvalidRequest);
    return true;
}

void Gateway::handle(const HttpRequest &request, HttpResponder *responder)
{
    if (request.method == "GET" && (request.path == "/health" || request.path == "/health/")) {
        handleHealth(responder);
        return;
    }
    if (m_metrics && (request.path == "/metrics" || request.path == "/metrics/")) {
        handleMetrics(request, responder); // scrapes are not requests worth a log row
        return;
    }
    if (request.method == "HEAD" && request.path == "/") {
        // Clients probe the base URL before their first request: an answer, but nothing worth a log row.
        responder->sendResponse(200, HttpHeaders(), QByteArray());
        return;
    }
    RequestRecord record = newRecord(request);
    m_arrivedNs = request.arrivedNs;
    ++m_inFlight;
    const EndpointMatch endpoint = matchEndpoint(request.path);

    if (const QString refusal = m_hostGuard.check(request); !refusal.isEmpty()) {
        respondError(responder, std::move(record), endpoint.format,
                     CanonicalError::make(403, refusal, QStringLiteral("forbidden_host_or_origin")),
                     ErrorClass::Forbidden);
        return;
    }
    if (m_paused) {
        respondError(
            responder, std::move(record), endpoint.format,
            CanonicalError::make(503, QStringLiteral("Sluice is paused. Resume it from the tray icon or the window."),
                                 QStringLiteral("gateway_paused")),
            ErrorClass::Paused);
        return;
    }
    if (m_draining) {
        HttpHeaders retry {{QByteArrayLiteral("Retry-After"), QByteArrayLiteral("5")}};
        respondError(responder, std::move(record), endpoint.format,
                     CanonicalError::make(503, QStringLiteral("Sluice is shutting down; try again in a moment."),
                                          QStringLiteral("gateway_shutting_down")),
                     ErrorClass::ShuttingDown, retry);
        return;
    }
    if (endpoint.route != Route::Unknown && request.method != endpoint.method) {
        respondError(
            responder, std::move(record), endpoint.format,
            CanonicalError::make(405,
                                 QStringLiteral("%1 takes %2 requests, not %3.")
                                     .arg(QString::fromLatin1(request.path), QString::fromLatin1(endpoint.method),
                                          QString::fromLatin1(request.method)),
                                 QStringLiteral("method_not_allowed")),
            ErrorClass::InvalidRequest);
        return;
    }
    if (m_tokens.isEmpty() && !TokenAuthenticator::isLocalCaller(request)) {
        respondError(responder, std::move(record), endpoint.format,
                     CanonicalError::make(401,
                                          QStringLiteral("No gateway tokens are configured, so Sluice accepts no "
                                                         "requests. Make one with `sluice token create NAME`, or "
                                                         "add one under 'tokens:' in %1 (see "
                                                         "docs/configuration.md).")
                                              .arg(m_config.sourcePath.isEmpty() ? QStringLiteral("the config file")
                                                                                 : m_config.sourcePath),
                                          QStringLiteral("no_gateway_tokens")),
                     ErrorClass::Authentication);
        return;
    }
    record.tokenName = m_tokens.authenticate(request);
    if (record.project.isEmpty())
        record.project = record.tokenName;
    if (record.tokenName.isEmpty()) {
        const bool presented = !TokenAuthenticator::presentedToken(request).isEmpty();
        respondError(responder, std::move(record), endpoint.format,
                     CanonicalError::make(401,
                                          presented ? QStringLiteral("The gateway token is not valid. Use a token "
                                                                     "configured in Sluice (Authorization: Bearer "
                                                                     "<token> or x-api-key).")
                                                    : QStringLiteral("Missing gateway token. Send it as "
                                                                     "'Authorization: Bearer <token>' or "
                                                                     "'x-api-key: <token>'."),
                                          QStringLiteral("invalid_api_key")),
                     ErrorClass::Authentication);
        return;
    }

    if (endpoint.route == Route::Unknown) {
        respondError(responder, std::move(record), endpoint.format,
                     CanonicalError::make(
                         404,
                         QStringLiteral("Sluice has no endpoint %1 %2. Available: POST "
                                        "/v1/chat/completions, /v1/messages, /v1/responses, "
                                        "/v1/completions, /v1/embeddings, /v1/messages/count_tokens, "
                                        "/v1/prompts/NAME/completions, /v1/prompts/NAME/render, "
                                        "/v1beta/models/MODEL:generateContent (also :streamGenerateContent, "
                                        ":countTokens); GET /v1/models, /v1beta/models, /health.")
                             .arg(QString::fromLatin1(request.method), QString::fromLatin1(request.path.left(200))),
                         QStringLiteral("unknown_url")),
                     ErrorClass::NotFound);
        return;
    }
    switch (endpoint.route) {
    case Route::Proxy: {
        // A cheap look before the exact one: only a body that mentions "prompt: can name a prompt.
        const bool gemini = endpoint.format == ApiFormat::Gemini;
        if (gemini ? endpoint.model.startsWith(PromptReference::ModelPrefix) : request.body.contains("\"prompt:")) {
            const QString model = gemini ? endpoint.model : modelNamedIn(request.body);
            if (model.startsWith(PromptReference::ModelPrefix)) {
                handlePromptModel(request, responder, std::move(record), endpoint.format, model, endpoint.stream);
                return;
            }
        }
        handleProxied(request, responder, std::move(record), endpoint.format, endpoint.model, endpoint.stream);
        return;
    }
    case Route::PromptCompletions:
    case Route::PromptRender:
        handlePromptEndpoint(request, responder, std::move(record), endpoint.model,
                             endpoint.route == Route::PromptRender);
        return;
    case Route::CountTokens:
        handleCountTokens(request, responder, std::move(record), endpoint.format, endpoint.model);
        return;
    case Route::Models:
        if (endpoint.format == ApiFormat::Gemini)
            handleGeminiModels(responder, std::move(record), endpoint.model);
        else
            handleModels(responder, std::move(record));
        return;
    case Route::RoutingState:
        handleRoutingState(responder, std::move(record));
        return;
    case Route::Unknown:
        break;
    }
}

void Gateway::handleProxied(const HttpRequest &request, HttpResponder *responder, RequestRecord record,
                            ApiFormat format, const QString &pathModel, bool pathStream,
                            const HttpHeaders &promptHeaders)
{
    // Guardrails first: everything after (parsing, routing, the cache, the provider) sees the masked body.
    GuardrailCheck guard;
    if (!m_guardrails->isEmpty()) {
        const QString scopeModel = format == ApiFormat::Gemini ? pathModel : modelNamedIn(request.body);
        guard = m_guardrails->checkRequest(
            request.body,
            GuardrailScope {scopeModel, record.tokenName, request.headers.value(QByteArrayLiteral("user-agent"))});
        if (m_config.logging.storeBodies)
            record.requestBody = guard.storedBody.left(m_config.logging.maxBodyBytes);
        if (guard.blockedRule >= 0) {
            record.requestedModel = scopeModel;
            const QString message = guard.blockMessage();
            respondError(responder, std::move(record), format,
                         CanonicalError::make(400, message, QStringLiteral("guardrail_blocked")),
                         ErrorClass::GuardrailBlocked, {}, guard.session.get());
            return;
        }
    }
    const QByteArray &body = guard.session ? guard.upstreamBody : request.body;
    ClientRequest client;
    client.format = format;
    client.body = body;
    client.guardrails = guard.session;
    client.arrivedNs = request.arrivedNs;
    client.anthropicBeta = request.headers.value(QByteArrayLiteral("anthropic-beta"));
    // A body refused before it was understood: the row still says which model the client asked for.
    const auto refuseBody = [&](const QString &message) {
        record.requestedModel = format == ApiFormat::Gemini ? pathModel : modelNamedIn(body);
        respondError(responder, std::move(record), format,
                     CanonicalError::make(400, message, QStringLiteral("invalid_request")), ErrorClass::InvalidRequest);
    };
    if (format == ApiFormat::Gemini)
        client.jsonArrayStream = pathStream && !request.query.split('&').contains("alt=sse");
    if (format == ApiFormat::OpenAiChat) {
        Result<OpenAiChatRequest> chat = OpenAiChatRequest::parse(body);
        if (!chat) {
            refuseBody(chat.errorMessage());
            return;
        }
        client.model = chat->model();
        client.stream = chat->stream();
        client.includeUsage = chat->clientWantsUsage();
        client.openAiChat = std::move(chat).value();
    } else if (format == ApiFormat::OpenAiEmbeddings) {
        Result<OpenAiEmbeddingsRequest> embeddings = OpenAiEmbeddingsRequest::parse(body);
        if (!embeddings) {
            refuseBody(embeddings.errorMessage());
            return;
        }
        client.model = embeddings->model();
        client.embeddings = std::move(embeddings).value();
    } else {
        Result<CanonicalRequest> decoded = FormatCodec::forFormat(format).decodeRequest(body);
        if (!decoded) {
            refuseBody(decoded.errorMessage());
            return;
        }
        CanonicalRequest canonical = std::move(decoded).value();
        if (format == ApiFormat::Gemini) {
            // Gemini names the model and the streaming in the URL, not the body.
            canonical.model = pathModel;
            canonical.stream = pathStream;
            canonical.includeUsage = true;
        }
        client.model = canonical.model;
        client.stream = canonical.stream;
        client.includeUsage = canonical.includeUsage;
        client.canonical = std::move(canonical);
    }
    record.requestedModel = client.model;
    record.stream = client.stream;
    record.tags = ClientRecognizer::mergeTags(record.tags, ClientRecognizer::metadataTags(request.body));
    for (const auto &[name, value] : promptHeaders.fields())
        client.responseHeaders.append(name, value);
    if (record.promptName.isEmpty())
        observePrompt(request, client, record);

    Result<RoutePlanner> plan = m_router->plan(client.model);
    if (!plan) {
        CanonicalError error = CanonicalError::make(404, plan.errorMessage(), QStringLiteral("model_not_found"));
        error.param = QStringLiteral("model");
        respondError(responder, std::move(record), format, error, ErrorClass::NotFound);
        return;
    }
    const Admission::Decision admitted = m_admission.admit(record.id, record.tokenName, client);
    if (!admitted.admitted) {
        HttpHeaders headers;
        if (admitted.retryAfterS >= 0)
            headers.append(QByteArrayLiteral("Retry-After"), QByteArray::number(admitted.retryAfterS));
        respondError(responder, std::move(record), format, admitted.error, admitted.errorClass, headers);
        return;
    }
    for (const QString &warning : admitted.warnings)
        client.responseHeaders.append(QByteArrayLiteral("x-sluice-budget-warning"), warning.toUtf8());

    // After admission: a token never gets cached answers of a model it may not use, and a hit settles at $0.
    CachePolicy cache;
    QByteArray cacheKey;
    if (m_cache)
        cache = CachePolicy::decide(m_config.cache, m_config.model(client.model), request.headers);
    // Only chat answers are cached: embeddings and legacy completions have no canonical answer to replay.
    const bool chatFormat = format != ApiFormat::OpenAiEmbeddings && format != ApiFormat::OpenAiCompletions;
    // A masked request is neither answered from nor stored in the cache (its answer holds placeholders), nor is
    // one whose answers response rules check.
    const bool guarded = guard.masked || (guard.session && guard.session->checksResponses());
    if (cache.applies() && (!chatFormat || guarded || !CachePolicy::isCacheable(request.body)))
        cache = CachePolicy();
    if (cache.applies()) {
        if (format == ApiFormat::Gemini) {
            // Gemini names the model in the URL: it must be part of the key all the same.
            QJsonObject keyed = QJsonDocument::fromJson(request.body).object();
            keyed.insert(QStringLiteral("model"), client.model);
            cacheKey = CacheKey::compute(format, record.tokenName, compact(keyed));
        } else {
            cacheKey = CacheKey::compute(format, record.tokenName, request.body);
        }
        if (cache.read) {
            const std::optional<CachedAnswer> hit = m_cache->lookup(cacheKey);
            if (hit && ResponseAssembler::isReplayable(hit->response)) {
                respondFromCache(responder, std::move(record), client, *hit);
                return;
            }
        }
        client.cacheStatus = QByteArrayLiteral("miss");
    }

    ProviderDirectory providers;
    providers.adapters = &m_adapters;
    providers.secrets = &m_secrets;
    providers.client = m_client;
    providers.maxLoggedBodyBytes = m_config.logging.storeBodies ? m_config.logging.maxBodyBytes : 0;
    providers.config = &m_config;
    providers.scrubber = &m_scrubber;
    providers.budget = m_budget;
    auto *exchange = new ProxyExchange(
        responder, std::move(record), std::move(client), std::move(plan).value(), providers,
        [this, session = guard.session](RequestRecord &&done) { complete(std::move(done), session.get()); }, this);
    if (cache.write) {
        exchange->setAnswerSink([store = m_cache, key = cacheKey,
                                 ttlMs = cache.ttlMs](const CanonicalResponse &response, const RequestRecord &done) {
            if (!ResponseAssembler::isReplayable(response))
                return;
            CachedAnswer answer;
            answer.response = response;
            answer.provider = done.provider;
            answer.upstreamModel = done.upstreamModel;
            answer.deployment = done.attempts.isEmpty() ? QString() : done.attempts.last().deployment;
            if (Result<void> stored = store->store(key, done.requestedModel, std::move(answer), ttlMs); !stored)
                qCInfo(lcCache) << "request" << done.id << "was not cached:" << stored.errorMessage();
        });
    }
    exchange->start();
}

void Gateway::observePrompt(const HttpRequest &request, const ClientRequest &client, RequestRecord &record)
{
    const QString clientName = ObservedPrompts::clientName(request.headers.value(QByteArrayLiteral("user-agent")));
    QString system;
    QStringList tools;
    if (client.format == ApiFormat::OpenAiChat) {
        const ObservedPromptSighting sighting = m_observedPrompts.observeOpenAiChat(clientName, request.body);
        record.observedPrompt = sighting.fingerprint;
        record.observedPromptSample = sighting.sample;
        return;
    }
    if (client.canonical) {
        system = client.canonical->systemText();
        for (const CanonicalTool &tool : client.canonical->tools)
            tools.append(tool.name);
    } else {
        return; // embeddings carry no prompt
    }
    const ObservedPromptSighting sighting = m_observedPrompts.observe(clientName, system, tools);
    record.observedPrompt = sighting.fingerprint;
    record.observedPromptSample = sighting.sample;
}

void Gateway::handlePromptModel(const HttpRequest &request, HttpResponder *responder, RequestRecord record,
                                ApiFormat format, const QString &model, bool pathStream, const QString &modelOverride)
{
    const auto refuse = [&](int status, const QString &message, const char *code, const char *errorClass) {
        record.requestedModel = model.left(200);
        respondError(responder, std::move(record), format,
                     CanonicalError::make(status, message, QString::fromLatin1(code)), errorClass);
    };
    const std::optional<Result<PromptReference>> reference = PromptReference::fromModel(model);
    if (!reference || !reference->ok()) {
        refuse(400, reference ? reference->errorMessage() : QString(), "invalid_prompt", ErrorClass::InvalidRequest);
        return;
    }
    const QJsonDocument document = QJsonDocument::fromJson(request.body);
    if (!document.isObject()) {
        refuse(400, QStringLiteral("The body must be a JSON object."), "invalid_request", ErrorClass::InvalidRequest);
        return;
    }
    QJsonObject body = document.object();
    const QJsonValue variables = body.value(PromptRequestBuilder::VariablesMember);
    if (!variables.isUndefined() && !variables.isNull() && !variables.isObject()) {
        refuse(400,
               QStringLiteral("\"prompt_variables\" is an object of variable names and values, e.g. {\"name\": "
                              "\"Ada\"}."),
               "invalid_prompt_variables", ErrorClass::InvalidRequest);
        return;
    }
    record.promptName = (*reference)->name;
    const PromptResolver::Outcome outcome = m_prompts.resolve(reference->value(), variables.toObject(), modelOverride);
    record.promptVersion = outcome.resolved.version.version;
    if (!outcome.ok()) {
        const PromptFailure failure = promptFailure(outcome);
        refuse(outcome.status, outcome.message, failure.code, failure.errorClass);
        return;
    }
    Result<QByteArray> built
        = PromptRequestBuilder::build(format, std::move(body), outcome.resolved.rendered, outcome.resolved.model);
    if (!built) {
        refuse(400, built.errorMessage(), "invalid_prompt", ErrorClass::InvalidRequest);
        return;
    }
    HttpRequest rendered = request;
    rendered.body = std::move(built).value();
    if (m_config.logging.storeBodies) {
        // The log keeps what was sent on: the prompt rendered into the request.
        const qint64 cap = m_config.logging.maxBodyBytes;
        record.requestBody = rendered.body.left(cap);
        record.bodiesTruncated = rendered.body.size() > cap;
    }
    const HttpHeaders headers {
        {QByteArrayLiteral("x-sluice-prompt"), outcome.resolved.version.name.toUtf8()},
        {QByteArrayLiteral("x-sluice-prompt-version"), QByteArray::number(outcome.resolved.version.version)}};
    handleProxied(rendered, responder, std::move(record), format,
                  format == ApiFormat::Gemini ? outcome.resolved.model : QString(), pathStream, headers);
}

void Gateway::handlePromptEndpoint(const HttpRequest &request, HttpResponder *responder, RequestRecord record,
                                   const QString &name, bool render)
{
    const auto refuse = [&](int status, const QString &message, const char *code, const char *errorClass) {
        respondError(responder, std::move(record), ApiFormat::OpenAiChat,
                     CanonicalError::make(status, message, QString::fromLatin1(code)), errorClass);
    };
    const QJsonDocument document = QJsonDocument::fromJson(request.body);
    if (!document.isObject() && !request.body.trimmed().isEmpty()) {
        refuse(400,
               QStringLiteral("The body must be a JSON object: {\"variables\": {...}, \"label\" or \"version\", "
                              "\"stream\", and any chat parameter to override}."),
               "invalid_request", ErrorClass::InvalidRequest);
        return;
    }
    QJsonObject chat = document.object();
    const QJsonValue label = chat.take(QLatin1String("label"));
    const QJsonValue version = chat.take(QLatin1String("version"));
    const QJsonValue variables = chat.take(QLatin1String("variables"));
    const QJsonValue model = chat.take(QLatin1String("model"));
    QString selector;
    if (!label.isUndefined() && !version.isUndefined()) {
        refuse(400, QStringLiteral("Give \"label\" or \"version\", not both."), "invalid_request",
               ErrorClass::InvalidRequest);
        return;
    }
    if (!label.isUndefined()) {
        if (!label.isString() || label.toString().isEmpty()) {
            refuse(400, QStringLiteral("\"label\" is a label name, e.g. \"production\"."), "invalid_request",
                   ErrorClass::InvalidRequest);
            return;
        }
        selector = label.toString();
    } else if (!version.isUndefined()) {
        const QString text = version.isDouble() ? QString::number(version.toInt()) : version.toString();
        const QString number = text.startsWith(QLatin1Char('v')) ? text.mid(1) : text;
        bool ok = false;
        if (number.toInt(&ok) <= 0 || !ok) {
            refuse(400, QStringLiteral("\"version\" is a version number, e.g. 3."), "invalid_request",
                   ErrorClass::InvalidRequest);
            return;
        }
        selector = QLatin1Char('v') + number;
    }
    if (!model.isUndefined() && !model.isString()) {
        refuse(400, QStringLiteral("\"model\" is a model name configured in Sluice."), "invalid_request",
               ErrorClass::InvalidRequest);
        return;
    }
    if (!variables.isUndefined() && !variables.isNull() && !variables.isObject()) {
        refuse(400,
               QStringLiteral("\"variables\" is an object of variable names and values, e.g. {\"name\": \"Ada\"}."),
               "invalid_prompt_variables", ErrorClass::InvalidRequest);
        return;
    }
    const QString reference = selector.isEmpty() ? name : name + QLatin1Char('@') + selector;
    if (!render) {
        chat.insert(QStringLiteral("model"), QString(PromptReference::ModelPrefix + reference));
        chat.insert(PromptRequestBuilder::VariablesMember, variables.toObject());
        HttpRequest rewritten = request;
        rewritten.body = compact(chat);
        handlePromptModel(rewritten, responder, std::move(record), ApiFormat::OpenAiChat,
                          PromptReference::ModelPrefix + reference, false, model.toString());
        return;
    }
    const Result<PromptReference> parsed = PromptReference::parse(reference);
    if (!parsed) {
        refuse(400, parsed.errorMessage(), "invalid_prompt", ErrorClass::InvalidRequest);
        return;
    }
    record.promptName = parsed->name;
    const PromptResolver::Outcome outcome = m_prompts.resolve(parsed.value(), variables.toObject(), model.toString());
    record.promptVersion = outcome.resolved.version.version;
    if (!outcome.ok()) {
        const PromptFailure failure = promptFailure(outcome);
        refuse(outcome.status, outcome.message, failure.code, failure.errorClass);
        return;
    }
    const Result<QByteArray> built
        = PromptRequestBuilder::build(ApiFormat::OpenAiChat, chat, outcome.resolved.rendered, outcome.resolved.model);
    record.requestedModel = outcome.resolved.model;
    const QJsonObject answer {{QStringLiteral("prompt"), outcome.resolved.version.name},
                              {QStringLiteral("version"), outcome.resolved.version.version},
                              {QStringLiteral("labels"), QJsonArray::fromStringList(outcome.resolved.version.labels)},
                              {QStringLiteral("request"), QJsonDocument::fromJson(built.value()).object()}};
    respondJson(responder, std::move(record), compact(answer));
}

void Gateway::respondFromCache(HttpResponder *responder, RequestRecord record, const ClientRequest &client,
                               const CachedAnswer &answer)
{
    const FormatCodec &codec = FormatCodec::forFormat(client.format);
    HttpHeaders headers;
    QByteArray body;
    if (client.stream) {
        StreamEncoderOptions options;
        options.requestedModel = client.model;
        options.includeUsage = client.includeUsage;
        options.jsonArray = client.jsonArrayStream;
        const std::unique_ptr<StreamEncoder> encoder = codec.createStreamEncoder(options);
        body = encoder->encode(ResponseAssembler::toEvents(answer.response));
        body += encoder->finish();
        headers.append(QByteArrayLiteral("Content-Type"),
                       client.jsonArrayStream ? QByteArrayLiteral("application/json")
                                              : QByteArrayLiteral("text/event-stream"));
        headers.append(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"));
    } else {
        body = codec.encodeResponse(answer.response, client.model);
        headers.append(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    }
    headers.append(QByteArrayLiteral("x-sluice-request-id"), record.id.toLatin1());
    headers.append(QByteArrayLiteral("x-sluice-cache"), QByteArrayLiteral("hit"));
    for (const auto &[name, value] : client.responseHeaders.fields())
        headers.append(name, value);
    if (client.stream) {
        responder->beginStream(200, headers);
        responder->writeChunk(body);
        responder->endStream();
        record.timeToFirstTokenUs = (monotonicNowNs() - client.arrivedNs) / 1000;
    } else {
        responder->sendResponse(200, headers, body);
    }
    record.latencyUs = (monotonicNowNs() - client.arrivedNs) / 1000;
    record.httpStatus = 200;
    record.cacheHit = true;
    record.provider = answer.provider;
    record.upstreamModel = answer.upstreamModel;
    record.deployment = answer.deployment;
    record.attemptCount = 0;
    record.requestBytes = client.body.size();
    const TokenUsage &usage = answer.response.usage;
    record.inputTokens = usage.input;
    record.outputTokens = usage.output;
    record.cachedTokens = usage.cached;
    record.reasoningTokens = usage.reasoning;
    record.cacheWriteTokens = usage.cacheWrite;
    qint64 generated = 0;
    for (const ContentPart &part : answer.response.content)
        generated += part.text.size() + part.arguments.size();
    record.relayedTextChars = generated;
    if (m_config.logging.storeBodies) {
        record.responseBody = body.left(m_config.logging.maxBodyBytes);
        record.bodiesTruncated = record.bodiesTruncated || body.size() > m_config.logging.maxBodyBytes;
    }
    complete(std::move(record));
    responder->releaseEnd();
}

void Gateway::handleModels(HttpResponder *responder, RequestRecord record)
{
    QJsonArray data;
    for (const ModelRoute &model : std::as_const(m_config.models)) {
        if (!m_admission.mayUse(record.tokenName, model.name))
            continue; // a token limited to some models lists only those
        data.append(QJsonObject {{QStringLiteral("id"), model.name},
                                 {QStringLiteral("object"), QStringLiteral("model")},
                                 {QStringLiteral("type"), QStringLiteral("model")},
                                 {QStringLiteral("display_name"), model.name},
                                 {QStringLiteral("created"), 0},
                                 {QStringLiteral("created_at"), QStringLiteral("1970-01-01T00:00:00Z")},
                                 {QStringLiteral("owned_by"), model.provider}});
    }
    // One shape for both SDKs: OpenAI reads object/data, Anthropic reads data/has_more/first_id/last_id.
    QJsonObject list {{QStringLiteral("object"), QStringLiteral("list")},
                      {QStringLiteral("data"), data},
                      {QStringLiteral("has_more"), false}};
    if (!data.isEmpty()) {
        list.insert(QStringLiteral("first_id"), data.first().toObject().value(QLatin1String("id")));
        list.insert(QStringLiteral("last_id"), data.last().toObject().value(QLatin1String("id")));
    }
    respondJson(responder, std::move(record), compact(list));
}

void Gateway::handleGeminiModels(HttpResponder *responder, RequestRecord record, const QString &model)
{
    const auto describe = [](const ModelRoute &route) {
        return QJsonObject {
            {QStringLiteral("name"), QString(QStringLiteral("models/") + route.name)},
            {QStringLiteral("baseModelId"), route.name},
            {QStringLiteral("version"), QStringLiteral("sluice")},
            {QStringLiteral("displayName"), route.name},
            {QStringLiteral("description"), QString(QStringLiteral("Served by Sluice (%1)").arg(route.provider))},
            {QStringLiteral("supportedGenerationMethods"),
             QJsonArray {QStringLiteral("generateContent"), QStringLiteral("streamGenerateContent"),
                         QStringLiteral("countTokens")}}};
    };
    if (!model.isEmpty()) {
        const QString name = model.startsWith(QLatin1String("models/")) ? model.mid(7) : model;
        const ModelRoute *route = m_config.model(name);
        record.requestedModel = name;
        if (!route || !m_admission.mayUse(record.tokenName, name)) {
            respondError(responder, std::move(record), ApiFormat::Gemini,
                         CanonicalError::make(404, QStringLiteral("Sluice has no model '%1'.").arg(name),
                                              QStringLiteral("model_not_found")),
                         ErrorClass::NotFound);
            return;
        }
        respondJson(responder, std::move(record), compact(describe(*route)));
        return;
    }
    QJsonArray models;
    for (const ModelRoute &route : std::as_const(m_config.models)) {
        if (m_admission.mayUse(record.tokenName, route.name))
            models.append(describe(route));
    }
    respondJson(responder, std::move(record), compact(QJsonObject {{QStringLiteral("models"), models}}));
}

void Gateway::handleCountTokens(const HttpRequest &request, HttpResponder *responder, RequestRecord record,
                                ApiFormat format, const QString &pathModel)
{
    const QJsonDocument doc = QJsonDocument::fromJson(request.body);
    const bool gemini = format == ApiFormat::Gemini;
    if (!doc.isObject() || (!gemini && !doc.object().value(QLatin1String("model")).isString())) {
        respondError(responder, std::move(record), format,
                     CanonicalError::make(400,
                                          gemini ? QStringLiteral("The body must be a JSON object with \"contents\".")
                                                 : QStringLiteral("The body must be a JSON object with \"model\" and "
                                                                  "\"messages\"."),
                                          QStringLiteral("invalid_request")),
                     ErrorClass::InvalidRequest);
        return;
    }
    record.requestedModel = gemini ? pathModel : doc.object().value(QLatin1String("model")).toString();
    // An estimate (about four characters a token): providers count differently, and this costs no call.
    const qint64 tokens = (textCharacters(doc.object()) + 3) / 4;
    const QJsonObject answer = gemini ? QJsonObject {{QStringLiteral("totalTokens"), tokens}}
                                      : QJsonObject {{QStringLiteral("input_tokens"), tokens}};
    respondJson(responder, std::move(record), compact(answer));
}

void Gateway::handleMetrics(const HttpRequest &request, HttpResponder *responder)
{
    const auto refuse = [responder](int status, const QString &message, HttpHeaders headers = {}) {
        headers.append(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain; charset=utf-8"));
        responder->sendResponse(status, headers, message.toUtf8() + '\n');
    };
    if (request.method != "GET" && request.method != "HEAD") {
        refuse(405, QStringLiteral("/metrics takes GET requests."), {{QByteArrayLiteral("Allow"), "GET"}});
        return;
    }
    if (const QString refusal = m_hostGuard.check(request); !refusal.isEmpty()) {
        refuse(403, refusal);
        return;
    }
    if (!m_config.metrics.token.isNull()) {
        const QByteArray presented = TokenAuthenticator::presentedToken(request);
        if (m_metricsToken.authenticate(request).isEmpty() && m_tokens.authenticate(request).isEmpty()) {
            refuse(401,
                   presented.isEmpty()
                       ? QStringLiteral("/metrics needs the metrics token or a gateway token: Authorization: Bearer "
                                        "<token> (in Prometheus: authorization: {credentials_file: ...}).")
                       : QStringLiteral("The token is neither metrics.token nor a gateway token."),
                   {{QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral("Bearer realm=\"sluice-metrics\"")}});
            return;
        }
    }
    MetricsSnapshot snapshot;
    for (const BreakerSnapshot &breaker : m_router->breakerSnapshot())
        snapshot.breakers.append({breaker.deployment, breaker.state, breaker.recentFailures});
    BudgetLedger &ledger = m_admission.ledger();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    static const char *const scopes[] = {"overall", "token", "provider", "model"};
    for (qsizetype i = 0; i < ledger.limits().size(); ++i) {
        const BudgetLimit &limit = ledger.limits().at(i);
        snapshot.budgets.append({QString::fromLatin1(scopes[int(limit.scope)]), limit.name,
                                 BudgetLedger::periodName(limit.period), limit.limitUsd, ledger.spent(i, now),
                                 ledger.reserved(i)});
    }
    snapshot.requestsInFlight = m_inFlight;
    const QByteArray body = request.method == "HEAD" ? QByteArray() : m_metrics->exposition(snapshot);
    responder->sendResponse(200, {{QByteArrayLiteral("Content-Type"), GatewayMetrics::contentType()}}, body);
}

void Gateway::handleRoutingState(HttpResponder *responder, RequestRecord record)
{
    QJsonArray breakers;
    for (const BreakerSnapshot &breaker : m_router->breakerSnapshot()) {
        breakers.append(QJsonObject {{QStringLiteral("deployment"), breaker.deployment},
                                     {QStringLiteral("state"), breaker.state},
                                     {QStringLiteral("recent_failures"), breaker.recentFailures},
                                     {QStringLiteral("failure_threshold"), breaker.failureThreshold},
                                     {QStringLiteral("probe_in_ms"), breaker.probeInMs},
                                     {QStringLiteral("last_failure"), breaker.lastFailure},
                                     {QStringLiteral("last_failure_ago_ms"), breaker.lastFailureAgoMs}});
    }
    respondJson(responder, std::move(record), compact(QJsonObject {{QStringLiteral("breakers"), breakers}}));
}

void Gateway::handleHealth(HttpResponder *responder)
{
    const QByteArray body
        = compact(QJsonObject {{QStringLiteral("status"), m_paused ? QStringLiteral("paused") : QStringLiteral("ok")},
                               {QStringLiteral("version"), QStringLiteral(SLUICE_VERSION)}});
    responder->sendResponse(200, jsonHeaders(), body);
}

void Gateway::respondJson(HttpResponder *responder, RequestRecord record, const QByteArray &body)
{
    HttpHeaders headers = jsonHeaders();
    headers.append(QByteArrayLiteral("x-sluice-request-id"), record.id.toLatin1());
    responder->sendResponse(200, headers, body);
    record.latencyUs = (monotonicNowNs() - m_arrivedNs) / 1000;
    record.httpStatus = 200;
    if (m_config.logging.storeBodies)
        record.responseBody = body.left(m_config.logging.maxBodyBytes);
    complete(std::move(record));
    responder->releaseEnd();
}

void Gateway::respondError(HttpResponder *responder, RequestRecord record, ApiFormat format,
                           const CanonicalError &error, const char *errorClass, const HttpHeaders &extraHeaders,
                           GuardrailSession *guardrails)
{
    const EncodedError encoded = FormatCodec::forFormat(format).encodeError(error);
    HttpHeaders headers = jsonHeaders();
    for (const auto &[name, value] : extraHeaders.fields())
        headers.append(name, value);
    headers.append(QByteArrayLiteral("x-sluice-request-id"), record.id.toLatin1());
    responder->sendResponse(encoded.status, headers, encoded.body);
    record.latencyUs = (monotonicNowNs() - m_arrivedNs) / 1000;
    record.httpStatus = encoded.status;
    record.errorClass = QString::fromLatin1(errorClass);
    record.errorMessage = error.message;
    if (m_config.logging.storeBodies)
        record.responseBody = encoded.body;
    complete(std::move(record), guardrails);
    responder->releaseEnd();
}

void Gateway::complete(RequestRecord &&record, GuardrailSession *guardrails)
{
    bool joinStream = false;
    GuardrailScope scope;
    if (!m_guardrails->isEmpty()) {
        // Whatever path the request took, the log gets no value a rule in scope detects.
        // The answer first, so its values restored from the request's placeholders go back to those placeholders
        // before the request body's other values join the session.
        scope = GuardrailScope {record.requestedModel, record.tokenName, {}};
        record.responseBody = m_guardrails->maskForLog(
            guardrails ? guardrails->remask(record.responseBody) : record.responseBody, scope, guardrails);
        if (!guardrails || !guardrails->requestScanned())
            record.requestBody = m_guardrails->maskForLog(record.requestBody, scope, guardrails);
        if (guardrails)
            record.guardrailHits = guardrails->hits();
        joinStream = record.stream && record.httpStatus >= 200 && record.httpStatus < 300
            && !record.responseBody.isEmpty()
            && !(m_guardrails->rulesFor(scope, false).isEmpty() && m_guardrails->rulesFor(scope, true).isEmpty());
    }
    for (const QString &message : m_admission.settle(record))
        Q_EMIT budgetWarning(message);
    if (joinStream) {
        // A streamed answer's texts joined and scanned, for values the model wrote across events: a few µs per
        // event, so on a worker. The request counts as in flight until its record is handed on (shutdown waits).
        const std::shared_ptr<GuardrailSession> session
            = guardrails ? std::make_shared<GuardrailSession>(*guardrails) : std::shared_ptr<GuardrailSession>();
        const ApiFormat format = matchEndpoint(record.endpoint.toLatin1()).format;
        m_logScans.start([this, rules = m_guardrails, session, format, scope, record = std::move(record)]() mutable {
            record.responseBody = rules->maskStreamForLog(record.responseBody, format, scope, session.get());
            QMetaObject::invokeMethod(
                this,
                [this, record = std::move(record)]() mutable {
                    --m_inFlight;
                    if (m_sink)
                        m_sink(std::move(record));
                },
                Qt::QueuedConnection);
        });
        return;
    }
    --m_inFlight;
    if (m_sink)
        m_sink(std::move(record));
}

} // namespace sluice
