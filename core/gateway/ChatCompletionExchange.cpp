#include "ChatCompletionExchange.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include "api/OpenAiError.h"
#include "common/MonotonicClock.h"
#include "http/HttpResponder.h"
#include "http/UpstreamClient.h"

Q_LOGGING_CATEGORY(lcExchange, "sluice.gateway")

namespace sluice {

namespace {
// A non-streamed answer larger than this is refused rather than held in memory.
constexpr qsizetype MaxBufferedBody = 64 * 1024 * 1024;

const char *errorClassFor(UpstreamError::Kind kind)
{
    switch (kind) {
    case UpstreamError::Kind::Timeout:
        return ErrorClass::UpstreamTimeout;
    case UpstreamError::Kind::Protocol:
        return ErrorClass::UpstreamProtocol;
    case UpstreamError::Kind::Cancelled:
        return ErrorClass::ClientDisconnected;
    case UpstreamError::Kind::Connect:
    case UpstreamError::Kind::Reset:
        break;
    }
    return ErrorClass::UpstreamConnection;
}

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

// True when a chat.completion.chunk carries generated output (text, reasoning or a tool call), as opposed to
// the role-only opening chunk or the usage chunk.
bool carriesOutput(const QJsonObject &chunk)
{
    const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
    for (const QJsonValue &choice : choices) {
        const QJsonObject delta = choice.toObject().value(QLatin1String("delta")).toObject();
        for (const auto key : {QLatin1String("content"), QLatin1String("reasoning_content"), QLatin1String("reasoning"),
                               QLatin1String("refusal")}) {
            if (!delta.value(key).toString().isEmpty())
                return true;
        }
        if (!delta.value(QLatin1String("tool_calls")).toArray().isEmpty())
            return true;
    }
    return false;
}

bool mayCarryUsage(const QByteArray &data)
{
    return data.contains("\"usage\"") && !data.contains("\"usage\":null");
}
} // namespace

ChatCompletionExchange::ChatCompletionExchange(HttpResponder *responder, RequestRecord record, OpenAiChatRequest chat,
                                               qint64 arrivedNs, qint64 maxLoggedBodyBytes, Completion completion,
                                               QObject *parent)
    : QObject(parent)
    , m_responder(responder)
    , m_record(std::move(record))
    , m_chat(std::move(chat))
    , m_completion(std::move(completion))
    , m_arrivedNs(arrivedNs)
    , m_responseLog(maxLoggedBodyBytes)
{ }

void ChatCompletionExchange::start(UpstreamClient *client, const UpstreamRequest &request)
{
    connect(m_responder, &HttpResponder::closed, this, &ChatCompletionExchange::onClientClosed);
    connect(m_responder, &HttpResponder::drained, this, &ChatCompletionExchange::onDrained);
    m_call = client->send(request);
    connect(m_call, &UpstreamCall::headersReceived, this, &ChatCompletionExchange::onHeaders);
    connect(m_call, &UpstreamCall::bodyData, this, &ChatCompletionExchange::onBody);
    connect(m_call, &UpstreamCall::finished, this, &ChatCompletionExchange::onFinished);
    connect(m_call, &UpstreamCall::failed, this, &ChatCompletionExchange::onFailed);
}

void ChatCompletionExchange::onHeaders(int status, const HttpHeaders &headers)
{
    m_upstreamStatus = status;
    m_upstreamHeaders = headers;
    const QByteArray contentType = headers.value(QByteArrayLiteral("content-type"));
    if (m_chat.stream() && isSuccess(status) && contentType.contains("event-stream")) {
        m_relayingStream = true;
        m_responder->beginStream(status, clientHeaders(headers, QByteArrayLiteral("text/event-stream")));
    }
}

void ChatCompletionExchange::onBody(const QByteArray &data)
{
    if (m_relayingStream) {
        relayEvents(data);
        return;
    }
    if (m_body.size() + data.size() > MaxBufferedBody) {
        m_call->abort();
        sendError(OpenAiError {502,
                               QStringLiteral("Provider '%1' sent an answer larger than %2 MiB; Sluice refused it.")
                                   .arg(m_record.provider)
                                   .arg(MaxBufferedBody / (1024 * 1024)),
                               {},
                               QByteArrayLiteral("upstream_response_too_large"),
                               {}},
                  ErrorClass::UpstreamProtocol);
        return;
    }
    m_body.append(data);
}

void ChatCompletionExchange::relayEvents(const QByteArray &data)
{
    m_events.clear();
    m_sse.feed(data, m_events);
    if (m_events.isEmpty())
        return;
    QByteArray out;
    for (const SseEvent &event : std::as_const(m_events)) {
        if (event.data != "[DONE]") {
            const bool usage = mayCarryUsage(event.data);
            if (!m_sawFirstToken || usage) {
                const QJsonObject chunk = QJsonDocument::fromJson(event.data).object();
                if (!m_sawFirstToken && carriesOutput(chunk)) {
                    m_sawFirstToken = true;
                    m_record.timeToFirstTokenUs = (monotonicNowNs() - m_arrivedNs) / 1000;
                }
                if (usage) {
                    const QJsonValue usageValue = chunk.value(QLatin1String("usage"));
                    if (usageValue.isObject())
                        m_usage = TokenUsage::fromOpenAiChat(usageValue.toObject());
                    // The usage-only chunk Sluice asked for on the client's behalf is not the client's to see.
                    if (!m_chat.clientWantsUsage() && chunk.value(QLatin1String("choices")).toArray().isEmpty())
                        continue;
                }
            }
        }
        out.append(encodeSseEvent(event));
    }
    writeToClient(out);
}

void ChatCompletionExchange::writeToClient(const QByteArray &bytes)
{
    if (bytes.isEmpty() || !m_responder)
        return;
    m_responseLog.append(bytes);
    m_responder->writeChunk(bytes);
    if (m_call && m_responder->pendingBytes() > HttpResponder::highWaterMark())
        m_call->pause();
}

void ChatCompletionExchange::onDrained()
{
    if (m_call)
        m_call->resume();
}

void ChatCompletionExchange::onFinished()
{
    if (m_relayingStream) {
        m_responder->endStream();
        finish(m_upstreamStatus, ErrorClass::None, {});
        return;
    }
    if (isSuccess(m_upstreamStatus)) {
        readUsage(m_body);
        m_responseLog.append(m_body);
        m_responder->sendResponse(m_upstreamStatus,
                                  clientHeaders(m_upstreamHeaders, QByteArrayLiteral("application/json")), m_body);
        finish(m_upstreamStatus, ErrorClass::None, {});
        return;
    }
    // The provider's own error: keep its status and message; wrap it if it is not already an error envelope.
    QString message = errorMessageFromBody(m_body);
    QByteArray body = m_body;
    if (message.isEmpty()) {
        message = QStringLiteral("Provider '%1' answered HTTP %2 without an error message.")
                      .arg(m_record.provider)
                      .arg(m_upstreamStatus);
        body = OpenAiError {m_upstreamStatus, message, {}, QByteArrayLiteral("upstream_error"), {}}.toJson();
    }
    m_responseLog.append(body);
    m_responder->sendResponse(m_upstreamStatus, clientHeaders(m_upstreamHeaders, QByteArrayLiteral("application/json")),
                              body);
    finish(m_upstreamStatus, ErrorClass::UpstreamError, message);
}

void ChatCompletionExchange::onFailed(const UpstreamError &error)
{
    const char *errorClass = errorClassFor(error.kind);
    const QString message = QStringLiteral("Provider '%1' failed: %2").arg(m_record.provider, error.message);
    if (m_relayingStream) {
        // The client already has a 200 and part of the answer: end its stream with an explicit error event.
        const OpenAiError streamError {
            502, message, QByteArrayLiteral("server_error"), QByteArrayLiteral("upstream_stream_interrupted"), {}};
        writeToClient(encodeSseEvent(SseEvent {{}, streamError.toJson()}));
        m_responder->endStream();
        finish(m_upstreamStatus, errorClass,
               QStringLiteral("Stream interrupted after output began (incomplete answer): %1").arg(message));
        return;
    }
    const bool timeout = error.kind == UpstreamError::Kind::Timeout;
    sendError(OpenAiError {timeout ? 504 : 502,
                           message,
                           QByteArrayLiteral("server_error"),
                           timeout ? QByteArrayLiteral("upstream_timeout") : QByteArrayLiteral("upstream_unavailable"),
                           {}},
              errorClass);
}

void ChatCompletionExchange::onClientClosed()
{
    if (m_call)
        m_call->abort();
    finish(m_responder && m_responder->responseStarted() ? m_upstreamStatus : 499, ErrorClass::ClientDisconnected,
           QStringLiteral("The client closed the connection before the answer was complete."));
}

void ChatCompletionExchange::sendError(const OpenAiError &error, const char *errorClass)
{
    const QByteArray body = error.toJson();
    m_responseLog.append(body);
    if (m_responder && !m_responder->responseStarted()) {
        HttpHeaders headers = clientHeaders({}, QByteArrayLiteral("application/json"));
        m_responder->sendResponse(error.status, headers, body);
    }
    finish(error.status, errorClass, error.message);
}

HttpHeaders ChatCompletionExchange::clientHeaders(const HttpHeaders &upstream, const QByteArray &contentType) const
{
    HttpHeaders headers;
    headers.append(QByteArrayLiteral("Content-Type"), contentType);
    if (contentType.contains("event-stream"))
        headers.append(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"));
    // Rate-limit and request-id headers help clients back off and report issues; hop-by-hop ones never pass.
    for (const auto &[name, value] : upstream.fields()) {
        const QByteArray lower = name.toLower();
        if (lower.startsWith("x-ratelimit-") || lower.startsWith("openai-") || lower == "retry-after"
            || lower == "retry-after-ms" || lower == "x-request-id")
            headers.append(name, value);
    }
    headers.append(QByteArrayLiteral("x-sluice-request-id"), m_record.id.toLatin1());
    headers.append(QByteArrayLiteral("x-sluice-provider"), m_record.provider.toUtf8());
    return headers;
}

void ChatCompletionExchange::readUsage(const QByteArray &json)
{
    const QJsonValue usage = QJsonDocument::fromJson(json).object().value(QLatin1String("usage"));
    if (usage.isObject())
        m_usage = TokenUsage::fromOpenAiChat(usage.toObject());
}

void ChatCompletionExchange::finish(int status, const char *errorClass, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    if (m_call)
        m_call->disconnect(this);
    if (m_responder)
        m_responder->disconnect(this);
    m_record.httpStatus = status;
    m_record.errorClass = QString::fromLatin1(errorClass);
    m_record.errorMessage = message;
    m_record.latencyUs = (monotonicNowNs() - m_arrivedNs) / 1000;
    m_record.inputTokens = m_usage.input;
    m_record.outputTokens = m_usage.output;
    m_record.cachedTokens = m_usage.cached;
    m_record.reasoningTokens = m_usage.reasoning;
    m_record.responseBody = m_responseLog.bytes();
    m_record.bodiesTruncated = m_record.bodiesTruncated || m_responseLog.truncated();
    if (*errorClass)
        qCInfo(lcExchange) << "request" << m_record.id << "ended:" << m_record.errorClass << status;
    m_completion(std::move(m_record));
    deleteLater();
}

} // namespace sluice
