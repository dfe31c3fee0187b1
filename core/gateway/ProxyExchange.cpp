#include "ProxyExchange.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTimer>

#include "api/CanonicalError.h"
#include "api/FormatCodec.h"
#include "api/JsonMembers.h"
#include "api/OpenAiCompletionsCodec.h"
#include "api/ResponseAssembler.h"
#include "common/ByteBudget.h"
#include "common/MonotonicClock.h"
#include "common/SecretScrubber.h"
#include "gateway/GatewaySecrets.h"
#include "gateway/UsageReader.h"
#include "guardrails/GuardrailSession.h"
#include "guardrails/GuardrailStreamFilter.h"
#include "http/HttpResponder.h"
#include "http/UpstreamClient.h"
#include "providers/ProviderAdapter.h"

Q_LOGGING_CATEGORY(lcExchange, "sluice.gateway")

namespace sluice {

namespace {
// A non-streamed answer larger than this is refused rather than held in memory.
constexpr qsizetype MaxBufferedBody = 64 * 1024 * 1024;

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

AttemptOutcome::Transport transportOf(UpstreamError::Kind kind)
{
    switch (kind) {
    case UpstreamError::Kind::Connect:
        return AttemptOutcome::Transport::Connect;
    case UpstreamError::Kind::Timeout:
        return AttemptOutcome::Transport::Timeout;
    case UpstreamError::Kind::Reset:
        return AttemptOutcome::Transport::Reset;
    case UpstreamError::Kind::Protocol:
        return AttemptOutcome::Transport::Protocol;
    case UpstreamError::Kind::Cancelled:
        break;
    }
    return AttemptOutcome::Transport::Cancelled;
}

const char *errorClassOf(UpstreamError::Kind kind)
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

bool isContent(const CanonicalEvent &event)
{
    switch (event.type) {
    case CanonicalEvent::Type::TextDelta:
    case CanonicalEvent::Type::ThinkingDelta:
    case CanonicalEvent::Type::ToolCallStart:
    case CanonicalEvent::Type::ToolArgumentsDelta:
        return true;
    default:
        return false;
    }
}

// True when an OpenAI chat.completion.chunk carries generated output, as opposed to the role-only opening
// chunk or the usage chunk.
bool carriesOutput(const QJsonObject &chunk)
{
    const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
    for (const QJsonValue &choice : choices) {
        if (!choice.toObject().value(QLatin1String("text")).toString().isEmpty())
            return true; // a legacy text_completion chunk
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

// An event of a relayed stream that only adds to the answer's text, tool arguments or reasoning, by its SSE event
// name (which Anthropic and OpenAI's Responses API send).
bool isContentDelta(ApiFormat format, const QByteArray &event)
{
    switch (format) {
    case ApiFormat::AnthropicMessages:
        return event == "content_block_delta";
    case ApiFormat::OpenAiResponses:
        // response.output_text.delta, .refusal.delta, .function_call_arguments.delta, .reasoning_*.delta, ...
        return event.startsWith("response.") && event.endsWith(".delta");
    default:
        return false;
    }
}

// One memmem per event: Qt's substring search costs more than the rest of the relay on short texts.
bool mayCarryUsage(const QByteArray &data)
{
    static constexpr char key[] = "\"usage\"";
    constexpr size_t keyLength = sizeof(key) - 1;
    const char *end = data.constData() + data.size();
    const char *at = data.constData();
    while ((at = static_cast<const char *>(memmem(at, size_t(end - at), key, keyLength)))) {
        at += keyLength;
        while (at < end && (*at == ':' || *at == ' '))
            ++at;
        if (end - at < 4 || std::memcmp(at, "null", 4) != 0)
            return true;
    }
    return false;
}

// The first non-null "finish_reason" string in an OpenAI chat answer or chunk, found with one memmem: the fast
// relay never parses the chunks that carry it.
QString sniffFinishReason(const QByteArray &data)
{
    static constexpr char key[] = "\"finish_reason\"";
    constexpr size_t keyLength = sizeof(key) - 1;
    const char *end = data.constData() + data.size();
    const char *at = data.constData();
    while ((at = static_cast<const char *>(memmem(at, size_t(end - at), key, keyLength)))) {
        at += keyLength;
        while (at < end && (*at == ':' || *at == ' '))
            ++at;
        if (at < end && *at == '"') {
            const char *close = static_cast<const char *>(memchr(at + 1, '"', size_t(end - at - 1)));
            if (close && close - at - 1 <= 40)
                return QString::fromLatin1(at + 1, close - at - 1);
        }
    }
    return {};
}

// The usage object of a non-streamed OpenAI answer (its top-level members already found, or nullopt when the
// answer is not an object), read alone: the answer is relayed as it came, so the rest is only scanned for its
// structure. Empty when the answer is not a JSON object.
std::optional<TokenUsage> usageOfAnswer(const QByteArray &body, const std::optional<JsonMembers> &members,
                                        QJsonParseError *parseError)
{
    if (!members) {
        const QJsonDocument answer = QJsonDocument::fromJson(body, parseError);
        if (!answer.isObject())
            return std::nullopt;
        const QJsonValue usage = answer.object().value(QLatin1String("usage"));
        return usage.isObject() ? TokenUsage::fromOpenAiChat(usage.toObject()) : TokenUsage();
    }
    const JsonMembers::Member *usage = members->find("usage");
    if (!usage)
        return TokenUsage();
    if (const std::optional<TokenUsage> plain = UsageReader::openAiChat(members->value(*usage)))
        return plain;
    const QJsonDocument object = QJsonDocument::fromJson(members->value(*usage).toByteArray());
    return object.isObject() ? TokenUsage::fromOpenAiChat(object.object()) : TokenUsage();
}

// JsonMembers::stringMember(body, name) from members already found: a string of printable ASCII without escapes
// is its own decoding; anything else goes to the JSON parser as before.
QString stringMemberOf(const QByteArray &body, const std::optional<JsonMembers> &members, const char *name)
{
    const JsonMembers::Member *member = members ? members->find(name) : nullptr;
    if (!member)
        return {};
    const QByteArrayView value = members->value(*member);
    if (value.size() < 2 || value.front() != '"' || value.back() != '"')
        return JsonMembers::stringMember(body, name);
    const QByteArrayView text = value.sliced(1, value.size() - 2);
    for (const char c : text) {
        if (c < 0x20 || c > 0x7e || c == '\\' || c == '"')
            return JsonMembers::stringMember(body, name);
    }
    return QString::fromLatin1(text);
}

// A Retry-After (seconds) or retry-after-ms value worth passing on: a whole number, at most an hour; empty when the
// provider's value is not one (a date, garbage, a year).
QByteArray saneRetryAfter(const QByteArray &value, bool milliseconds)
{
    bool ok = false;
    const qlonglong number = value.trimmed().toLongLong(&ok);
    if (!ok || number < 0)
        return {};
    return QByteArray::number(qMin<qlonglong>(number, milliseconds ? 3'600'000 : 3'600));
}

// The message of a 2xx body that is only an error envelope ({"error": ...} and no answer); empty otherwise.
QString errorInSuccess(const QByteArray &body, const std::optional<JsonMembers> &members)
{
    if (!members || !members->find("error"))
        return {};
    for (const char *answer : {"choices", "content", "candidates", "output", "data", "output_text", "embeddings"}) {
        if (members->find(answer))
            return {};
    }
    const QJsonValue error = QJsonDocument::fromJson(body).object().value(QLatin1String("error"));
    if (error.isNull() || error.isUndefined())
        return {};
    const QString message
        = error.isObject() ? error.toObject().value(QLatin1String("message")).toString() : error.toString();
    return message.isEmpty() ? QStringLiteral("(no message)") : message.left(500);
}

// An error the stream decoder raised itself (the stream was cut, or unreadable), not one the provider sent.
bool isBrokenStream(const CanonicalError &error)
{
    return error.code == QLatin1String("stream_truncated") || error.code == QLatin1String("upstream_protocol");
}

QByteArray contentTypeFor(bool stream)
{
    return stream ? QByteArrayLiteral("text/event-stream") : QByteArrayLiteral("application/json");
}
} // namespace

ProxyExchange::ProxyExchange(HttpResponder *responder, RequestRecord record, ClientRequest request,
                             RoutePlanner planner, ProviderDirectory providers, Completion completion, QObject *parent)
    : QObject(parent)
    , m_responder(responder)
    , m_record(std::move(record))
    , m_request(std::move(request))
    , m_planner(std::move(planner))
    , m_providers(providers)
    , m_completion(std::move(completion))
    , m_responseLog(providers.maxLoggedBodyBytes)
{
    m_record.requestBytes = m_request.body.size();
}

ProxyExchange::~ProxyExchange()
{
    if (m_providers.budget)
        m_providers.budget->release(m_heldBytes);
}

void ProxyExchange::start()
{
    connect(m_responder, &HttpResponder::closed, this, &ProxyExchange::onClientClosed);
    connect(m_responder, &HttpResponder::drained, this, &ProxyExchange::onDrained);
    startNextAttempt();
}

void ProxyExchange::endForShutdown(const QString &message)
{
    if (m_done)
        return;
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call = nullptr;
    }
    m_planner.abandon(QStringLiteral("cancelled: ") + message);
    const CanonicalError error = CanonicalError::make(503, message, QStringLiteral("gateway_shutting_down"));
    if (!m_responder || !m_responder->responseStarted()) {
        sendClientError(error, ErrorClass::ShuttingDown);
        return;
    }
    endStreamWithError(error);
    finish(200, ErrorClass::ShuttingDown,
           QStringLiteral("Stream ended by shutdown before the answer was complete: %1").arg(message));
}

void ProxyExchange::resetAttempt()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
    }
    m_call = nullptr;
    m_adapter = nullptr;
    m_status = 0;
    m_headers = {};
    m_body.clear();
    if (m_providers.budget)
        m_providers.budget->release(std::exchange(m_heldBytes, 0));
    m_mode = Mode::Buffered;
    m_sse = SseParser();
    m_decoder.reset();
    m_encoder.reset();
    m_guardFilter.reset();
    m_heldBack.clear();
    m_attemptFirstByteMs = -1;
    m_sawDone = false;
    m_skippedDeltas = false;
    m_dropped.clear();
    m_assembler.reset();
    m_tapDecoder.reset();
    m_answer.reset();
    m_servedModel.clear();
    m_usage = TokenUsage(); // each attempt reports its own; failed ones that were billed are kept by noteBilledFailure
    m_finishReason.clear();
}

bool ProxyExchange::dropsUnsupported(const QString &model) const
{
    if (!m_providers.config)
        return false;
    const ModelRoute *route = m_providers.config->model(model);
    if (route && route->dropUnsupportedParams)
        return *route->dropUnsupportedParams;
    return m_providers.config->routing.dropUnsupportedParams;
}

bool ProxyExchange::forwardsClientBody() const
{
    if (!m_adapter || m_adapter->format() != ApiFormat::OpenAiChat)
        return false;
    switch (m_request.format) {
    case ApiFormat::OpenAiChat:
        return m_request.openAiChat.has_value();
    case ApiFormat::OpenAiCompletions:
        return m_adapter->supports(ProviderAdapter::Operation::Completions);
    case ApiFormat::OpenAiEmbeddings:
        return true;
    default:
        return false;
    }
}

QByteArray ProxyExchange::scrubbed(const QByteArray &text) const
{
    return m_providers.scrubber ? m_providers.scrubber->scrub(text) : text;
}

QString ProxyExchange::scrubbed(const QString &text) const
{
    return m_providers.scrubber ? m_providers.scrubber->scrub(text) : text;
}

bool ProxyExchange::guardsStream() const
{
    const GuardrailSession *guard = m_request.guardrails.get();
    if (!guard || !(guard->restores() || guard->checksResponses()))
        return false;
    switch (m_request.format) {
    case ApiFormat::OpenAiChat:
    case ApiFormat::OpenAiResponses:
    case ApiFormat::AnthropicMessages:
    case ApiFormat::Gemini:
    case ApiFormat::OpenAiCompletions:
        return true;
    default:
        return false; // embeddings do not stream
    }
}

bool ProxyExchange::passesThrough() const
{
    if (!m_adapter)
        return false;
    switch (m_request.format) {
    case ApiFormat::OpenAiResponses:
        return m_adapter->supports(ProviderAdapter::Operation::Responses);
    case ApiFormat::Gemini:
        return m_adapter->format() == ApiFormat::Gemini && !m_request.jsonArrayStream;
    default:
        return false;
    }
}

bool ProxyExchange::relaysAnswer() const
{
    if (passesThrough())
        return true;
    return m_adapter && m_request.format == ApiFormat::AnthropicMessages
        && m_adapter->format() == ApiFormat::AnthropicMessages;
}

QByteArray ProxyExchange::withRequestedModel(const QByteArray &json, bool event) const
{
    const bool anthropic = m_request.format == ApiFormat::AnthropicMessages;
    if ((m_request.format != ApiFormat::OpenAiResponses && !anthropic) || !m_attempt
        || m_attempt->deployment.upstreamModel == m_request.model || !json.contains("\"model\""))
        return json;
    // Streams carry the model in the object their first event opens: Responses' response.created, .in_progress,
    // .completed, ... in "response", Anthropic's message_start in "message".
    const QLatin1String container = anthropic ? QLatin1String("message") : QLatin1String("response");
    if (std::optional<QByteArray> spliced = splicedModel(json, event ? QByteArrayView(container) : QByteArrayView()))
        return *std::move(spliced);
    QJsonObject root = QJsonDocument::fromJson(json).object();
    if (event) {
        QJsonObject inner = root.value(container).toObject();
        if (!inner.contains(QLatin1String("model")))
            return json;
        inner.insert(QStringLiteral("model"), m_request.model);
        root.insert(container, inner);
    } else {
        if (!root.contains(QLatin1String("model")))
            return json;
        root.insert(QStringLiteral("model"), m_request.model);
    }
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

std::optional<QByteArray> ProxyExchange::splicedModel(const QByteArray &json, QByteArrayView container) const
{
    if (container.isEmpty())
        return OpenAiChatRequest::spliceBody(json, m_request.model, false);
    const std::optional<JsonMembers> members = JsonMembers::scan(json);
    const JsonMembers::Member *inner = members ? members->find(container) : nullptr;
    if (!inner)
        return std::nullopt;
    const std::optional<QByteArray> spliced
        = OpenAiChatRequest::spliceBody(members->value(*inner).toByteArray(), m_request.model, false);
    if (!spliced)
        return std::nullopt;
    QByteArray out = json;
    out.replace(inner->valueBegin, inner->valueEnd - inner->valueBegin, *spliced);
    return out;
}

Result<QByteArray> ProxyExchange::attemptBody(const ProviderAdapter &adapter, const QString &upstreamModel)
{
    if (m_request.format == ApiFormat::OpenAiEmbeddings) {
        if (!adapter.supports(ProviderAdapter::Operation::Embeddings))
            return makeError(QStringLiteral("Provider '%1' (type %2) offers no embeddings; route this model to a "
                                            "provider that does (see docs/providers.md)")
                                 .arg(adapter.name(), adapter.config().type));
        if (adapter.format() == ApiFormat::Gemini) {
            const bool drop = m_attempt && dropsUnsupported(m_attempt->model);
            return m_request.embeddings->geminiBody(upstreamModel, drop, m_dropped);
        }
        return m_request.embeddings->upstreamBody(m_request.body, upstreamModel);
    }
    if (passesThrough()) {
        if (m_request.format == ApiFormat::Gemini)
            return m_request.body; // the model travels in the URL
        // The model is spliced into the client's bytes (the body was decoded when it arrived); a body the splice
        // cannot edit (no model member, or one spelled with escapes) is re-encoded.
        if (std::optional<QByteArray> spliced = OpenAiChatRequest::spliceBody(m_request.body, upstreamModel, false))
            return *std::move(spliced);
        QJsonParseError parseError {};
        QJsonObject root = QJsonDocument::fromJson(m_request.body, &parseError).object();
        if (parseError.error != QJsonParseError::NoError)
            return makeError(QStringLiteral("The request body is not JSON: %1").arg(parseError.errorString()));
        root.insert(QStringLiteral("model"), upstreamModel);
        return QJsonDocument(root).toJson(QJsonDocument::Compact);
    }
    if (forwardsClientBody()) {
        if (m_request.format == ApiFormat::OpenAiCompletions)
            return OpenAiCompletionsCodec::upstreamBody(m_request.body, upstreamModel);
        return m_request.openAiChat->upstreamBody(m_request.body, upstreamModel);
    }
    if (!m_request.canonical) {
        Result<CanonicalRequest> decoded = FormatCodec::forFormat(m_request.format).decodeRequest(m_request.body);
        if (!decoded)
            return decoded.error();
        m_request.canonical = std::move(decoded).value();
    }
    const bool drop = m_attempt && dropsUnsupported(m_attempt->model);
    Result<EncodedRequest> encoded
        = FormatCodec::forFormat(adapter.format())
              .encodeRequest(*m_request.canonical, adapter.encodeOptions(upstreamModel, drop));
    if (!encoded)
        return encoded.error();
    m_dropped = encoded->dropped;
    if (!m_dropped.isEmpty())
        qCInfo(lcExchange) << "request" << m_record.id << "dropped unsupported parameters:" << m_dropped;
    return encoded->body;
}

void ProxyExchange::startNextAttempt()
{
    if (m_done)
        return; // ended while it waited for a retry (shutdown, budget)
    resetAttempt();
    if (!m_responder) {
        finish(499, ErrorClass::ClientDisconnected,
               QStringLiteral("The client went away while Sluice waited to retry."));
        return;
    }
    m_attempt = m_planner.next();
    if (!m_attempt) {
        // The failed attempt was the last one after all: its usage is the request's own, not an extra.
        if (!m_billedFailures.isEmpty() && m_billedFailures.last().first == m_planner.attempts().size() - 1)
            m_usage = m_billedFailures.takeLast().second;
        const QString why = m_lastFailure.isEmpty()
            ? m_planner.stopReason()
            : m_lastFailure + QStringLiteral(" (") + m_planner.stopReason() + QLatin1Char(')');
        sendClientError(CanonicalError::make(
                            503,
                            QStringLiteral("No deployment of model '%1' could answer: %2").arg(m_request.model, why),
                            QStringLiteral("no_deployment_available")),
                        ErrorClass::UpstreamConnection);
        return;
    }
    const auto adapter = m_providers.adapters->constFind(m_attempt->deployment.provider);
    if (adapter == m_providers.adapters->constEnd()) {
        attemptFailed(AttemptOutcome::transportFailure(AttemptOutcome::Transport::Connect,
                                                       QStringLiteral("provider not configured")),
                      QStringLiteral("Provider '%1' is not configured.").arg(m_attempt->deployment.provider),
                      ErrorClass::Internal);
        return;
    }
    m_adapter = &adapter.value();
    m_record.provider = m_adapter->name();
    m_record.upstreamModel = m_attempt->deployment.upstreamModel;

    Result<QByteArray> body = attemptBody(*m_adapter, m_attempt->deployment.upstreamModel);
    if (!body) {
        // The request cannot be expressed for this provider: the client must change it (or the route).
        m_planner.refuse(body.errorMessage());
        sendClientError(CanonicalError::make(400,
                                             QStringLiteral("%1 (model '%2' is served by %3, which speaks %4)")
                                                 .arg(body.errorMessage(), m_request.model, m_adapter->name(),
                                                      apiFormatName(m_adapter->format())),
                                             QStringLiteral("unsupported_parameter")),
                        ErrorClass::InvalidRequest);
        return;
    }

    UpstreamTimeouts timeouts;
    timeouts.connectMs = m_attempt->timeouts.connectMs;
    timeouts.firstByteMs = m_attempt->timeouts.firstByteMs;
    timeouts.idleMs = m_attempt->timeouts.idleMs;
    timeouts.totalMs = m_attempt->timeouts.totalMs;
    const QString &upstreamModel = m_attempt->deployment.upstreamModel;
    const QString key = m_providers.secrets->key(m_attempt->key);
    UpstreamRequest upstream;
    if (m_request.format == ApiFormat::OpenAiEmbeddings)
        upstream = m_adapter->request(ProviderAdapter::Operation::Embeddings, body.value(), upstreamModel, false, key,
                                      timeouts);
    else if (m_request.format == ApiFormat::OpenAiCompletions && forwardsClientBody())
        upstream = m_adapter->request(ProviderAdapter::Operation::Completions, body.value(), upstreamModel,
                                      m_request.stream, key, timeouts);
    else if (m_request.format == ApiFormat::OpenAiResponses && passesThrough())
        upstream = m_adapter->request(ProviderAdapter::Operation::Responses, body.value(), upstreamModel,
                                      m_request.stream, key, timeouts);
    else
        upstream
            = m_adapter->request(body.value(), upstreamModel, m_request.stream, key, timeouts, m_request.anthropicBeta);
    m_adapter->sign(upstream, key,
                    SigningSecrets {m_providers.secrets->key(m_adapter->config().accessKeyId),
                                    m_providers.secrets->key(m_adapter->config().sessionToken)},
                    QDateTime::currentDateTimeUtc());
    m_attemptStartNs = monotonicNowNs();
    m_call = m_providers.client->send(upstream);
    connect(m_call, &UpstreamCall::headersReceived, this, &ProxyExchange::onHeaders);
    connect(m_call, &UpstreamCall::bodyData, this, &ProxyExchange::onBody);
    connect(m_call, &UpstreamCall::finished, this, &ProxyExchange::onFinished);
    connect(m_call, &UpstreamCall::failed, this, &ProxyExchange::onFailed);
}

void ProxyExchange::onHeaders(int status, const HttpHeaders &headers)
{
    m_status = status;
    m_headers = headers;
    m_attemptFirstByteMs = (monotonicNowNs() - m_attemptStartNs) / 1'000'000;
    if (!m_request.stream || !isSuccess(status))
        return;
    if (m_answerSink)
        m_assembler = std::make_unique<ResponseAssembler>();
    if (guardsStream()) {
        // Read event by event, whatever the formats: the guardrails work on the answer's text.
        m_mode = Mode::TranslatedStream;
        m_decoder
            = FormatCodec::forFormat(passesThrough() ? m_request.format : m_adapter->format()).createStreamDecoder();
        m_guardFilter = std::make_unique<GuardrailStreamFilter>(m_request.guardrails);
        StreamEncoderOptions options;
        options.requestedModel = m_request.model;
        options.includeUsage = m_request.includeUsage;
        options.jsonArray = m_request.jsonArrayStream;
        m_encoder = FormatCodec::forFormat(m_request.format).createStreamEncoder(options);
        return;
    }
    if (forwardsClientBody()) {
        m_mode = Mode::FastStream;
        if (m_answerSink)
            m_tapDecoder = FormatCodec::forFormat(m_adapter->format()).createStreamDecoder();
        return;
    }
    if (relaysAnswer()) {
        m_mode = Mode::RelayStream;
        m_decoder = FormatCodec::forFormat(m_request.format).createStreamDecoder();
        return;
    }
    m_mode = Mode::TranslatedStream;
    m_decoder = FormatCodec::forFormat(m_adapter->format()).createStreamDecoder();
    if (!m_encoder) {
        StreamEncoderOptions options;
        options.requestedModel = m_request.model;
        options.includeUsage = m_request.includeUsage;
        options.jsonArray = m_request.jsonArrayStream;
        m_encoder = FormatCodec::forFormat(m_request.format).createStreamEncoder(options);
    }
}

void ProxyExchange::onBody(const QByteArray &data)
{
    if (m_mode != Mode::Buffered) {
        relayRead(data);
        return;
    }
    if (m_providers.budget && !m_providers.budget->take(data.size())) {
        // Sluice holds as much as it allows: this answer cannot be buffered now; the client may try again.
        if (m_call) {
            m_call->disconnect(this);
            m_call->abort();
            m_call = nullptr;
        }
        if (m_attempt)
            m_planner.abandon(QStringLiteral("cancelled: Sluice's memory budget for buffered data was full"));
        sendClientError(CanonicalError::make(503,
                                             QStringLiteral("Sluice is holding as much request and answer data as it "
                                                            "allows (gateway.max_buffered_bytes); try again shortly."),
                                             QStringLiteral("gateway_busy")),
                        ErrorClass::Internal);
        return;
    }
    m_heldBytes += data.size();
    if (m_body.size() + data.size() > MaxBufferedBody) {
        m_call->abort();
        AttemptOutcome outcome = AttemptOutcome::http(m_status);
        outcome.malformedBody = true;
        attemptFailed(outcome,
                      QStringLiteral("Provider '%1' sent an answer larger than %2 MiB; Sluice refused it.")
                          .arg(m_adapter->name())
                          .arg(MaxBufferedBody / (1024 * 1024)),
                      ErrorClass::UpstreamProtocol);
        return;
    }
    m_body.append(data);
}

void ProxyExchange::relayRead(const QByteArray &data)
{
    const auto relay = [this](const QByteArray &piece) {
        switch (m_mode) {
        case Mode::FastStream:
            relayFastStream(piece);
            return;
        case Mode::RelayStream:
            relayPassthrough(piece);
            return;
        case Mode::TranslatedStream:
            relayTranslated(m_decoder->feed(piece));
            return;
        case Mode::Buffered:
            break;
        }
    };
    const Mode mode = m_mode;
    qsizetype from = 0;
    while (!m_contentSent && from < data.size()) {
        // Up to the blank line that ends the next event; CR-only framing goes whole, and a binary framing cut at a
        // blank line's bytes is still read right (decoders take bytes split anywhere).
        qsizetype end = data.size();
        const char *begin = data.constData();
        for (const char *at = begin + from;
             (at = static_cast<const char *>(memchr(at, '\n', size_t(begin + data.size() - at))));) {
            ++at;
            const qsizetype rest = begin + data.size() - at;
            if (rest >= 1 && *at == '\n') {
                end = at + 1 - begin;
                break;
            }
            if (rest >= 2 && at[0] == '\r' && at[1] == '\n') {
                end = at + 2 - begin;
                break;
            }
        }
        relay(from == 0 && end == data.size() ? data : data.sliced(from, end - from));
        if (m_done || !m_call || m_mode != mode)
            return; // the attempt failed or the answer ended
        from = end;
    }
    if (from < data.size())
        relay(from == 0 ? data : data.sliced(from));
}

void ProxyExchange::relayFastStream(const QByteArray &data)
{
    m_events.clear();
    m_sse.feed(data, m_events);
    QByteArray out;
    for (const SseEvent &event : std::as_const(m_events)) {
        if (m_tapDecoder)
            m_assembler->feed(m_tapDecoder->decodeEvent(event));
        const bool contentWasSent = m_contentSent;
        if (event.data == "[DONE]") {
            m_sawDone = true;
        } else {
            if (m_finishReason.isEmpty())
                m_finishReason = sniffFinishReason(event.data);
            const bool usage = mayCarryUsage(event.data);
            // Until content flows the chunks are read for the served model and the first content: the common ones
            // without QJsonDocument (it is what the first token waits for), the rest and usage as before.
            const bool read = !m_contentSent && !usage && readChunkBeforeContent(event.data);
            if (!read && (!m_contentSent || usage)) {
                QJsonParseError parseError;
                const QJsonObject chunk = QJsonDocument::fromJson(event.data, &parseError).object();
                if (parseError.error != QJsonParseError::NoError && !m_contentSent) {
                    // Garbage before any content: this attempt failed, another may still answer.
                    AttemptOutcome outcome = AttemptOutcome::http(m_status);
                    outcome.malformedBody = true;
                    attemptFailed(outcome,
                                  QStringLiteral("Provider '%1' sent a stream event that is not JSON (%2).")
                                      .arg(m_adapter->name(), parseError.errorString()),
                                  ErrorClass::UpstreamProtocol);
                    return;
                }
                if (m_servedModel.isEmpty())
                    m_servedModel = chunk.value(QLatin1String("model")).toString();
                if (!m_contentSent && carriesOutput(chunk)) {
                    m_contentSent = true;
                    m_record.timeToFirstTokenUs = (monotonicNowNs() - m_request.arrivedNs) / 1000;
                }
                if (usage) {
                    const QJsonValue usageValue = chunk.value(QLatin1String("usage"));
                    if (usageValue.isObject())
                        m_usage = TokenUsage::fromOpenAiChat(usageValue.toObject());
                    // The usage-only chunk Sluice asked for on the client's behalf is not the client's to see.
                    if (!m_request.includeUsage && chunk.value(QLatin1String("choices")).toArray().isEmpty())
                        continue;
                }
            }
        }
        out.append(encodeSseEvent(event));
        // The first content goes out before the rest of the read is processed: it is what the user waits for.
        if (m_contentSent && !contentWasSent) {
            writeStream(out);
            out.clear();
        }
    }
    writeStream(out);
    failOversizedEvent();
}

bool ProxyExchange::readChunkBeforeContent(const QByteArray &data)
{
    if (!m_chunkReader)
        m_chunkReader = std::make_unique<OpenAiChatChunkReader>();
    const std::optional<OpenAiChatChunkReader::Chunk> chunk = m_chunkReader->read(data);
    if (!chunk || chunk->choiceCount != chunk->choices.size())
        return false; // not JSON, or a shape (choices of another index) left to QJsonDocument
    if (m_servedModel.isEmpty())
        m_servedModel = QString::fromUtf8(chunk->model.data(), qsizetype(chunk->model.size()));
    if (std::any_of(chunk->choices.cbegin(), chunk->choices.cend(),
                    [](const OpenAiChatChunkReader::Choice &choice) { return choice.carriesOutput(); })) {
        m_contentSent = true;
        m_record.timeToFirstTokenUs = (monotonicNowNs() - m_request.arrivedNs) / 1000;
    }
    return true;
}

void ProxyExchange::relayPassthrough(const QByteArray &data)
{
    m_events.clear();
    m_sse.feed(data, m_events);
    QByteArray out;
    const bool anthropic = m_request.format == ApiFormat::AnthropicMessages;
    for (const SseEvent &event : std::as_const(m_events)) {
        const bool contentWasSent = m_contentSent;
        if (m_contentSent && !m_assembler && isContentDelta(m_request.format, event.event)) {
            // Once content flows, the log needs only usage, stop reason and errors: the deltas (all but a handful
            // of an answer's events) go out unread.
            m_skippedDeltas = true;
            out.append(encodeSseEvent(event));
            continue;
        }
        if (!notePassthroughEvents(m_decoder->decodeEvent(event)))
            return;
        if (anthropic && event.event != "message_start" && !event.event.isEmpty())
            out.append(encodeSseEvent(event)); // only message_start names the model
        else
            out.append(encodeSseEvent(SseEvent {event.event, withRequestedModel(event.data, true)}));
        // The first content goes out before the rest of the read is processed: it is what the user waits for.
        if (m_contentSent && !contentWasSent) {
            writeStream(out);
            out.clear();
        }
    }
    writeStream(out);
    failOversizedEvent();
}

void ProxyExchange::failOversizedEvent()
{
    if (!m_sse.overflowed() || m_done)
        return;
    const QString message = QStringLiteral("Provider '%1' sent a stream event larger than %2 MiB; Sluice stopped "
                                           "reading the stream.")
                                .arg(m_adapter->name())
                                .arg(m_sse.maxEventBytes() / (1024 * 1024));
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call = nullptr;
    }
    if (m_contentSent) {
        failStartedStream(message, ErrorClass::UpstreamProtocol);
        return;
    }
    AttemptOutcome outcome = AttemptOutcome::http(m_status);
    outcome.malformedBody = true;
    attemptFailed(outcome, message, ErrorClass::UpstreamProtocol);
}

bool ProxyExchange::noteEvent(const CanonicalEvent &event)
{
    if (event.type == CanonicalEvent::Type::Error && !m_contentSent) {
        // The provider reported an error inside the stream before any content: still a failed attempt
        // (attemptFailed aborts the call, if the body has not ended yet).
        AttemptOutcome outcome
            = AttemptOutcome::http(event.error.status > 0 ? event.error.status : 502, event.error.message.toUtf8());
        outcome.malformedBody = event.error.status <= 0 || isBrokenStream(event.error);
        m_usage = m_decoder->usage(); // a message_start may have reported (billed) input already
        attemptFailed(outcome,
                      QStringLiteral("Provider '%1' reported an error in its stream: %2")
                          .arg(m_adapter->name(), event.error.message),
                      ErrorClass::UpstreamError);
        return false;
    }
    if (event.type == CanonicalEvent::Type::Error)
        m_streamError = QStringLiteral("Provider '%1' ended its stream with an error after output began "
                                       "(incomplete answer): %2")
                            .arg(m_adapter->name(), event.error.message);
    if (!m_contentSent && isContent(event)) {
        m_contentSent = true;
        m_record.timeToFirstTokenUs = (monotonicNowNs() - m_request.arrivedNs) / 1000;
    }
    if (event.type == CanonicalEvent::Type::TextDelta || event.type == CanonicalEvent::Type::ToolArgumentsDelta)
        m_relayedChars += event.text.size();
    else if (event.type == CanonicalEvent::Type::Finish)
        m_finishReason = finishReasonName(event.finishReason);
    return true;
}

bool ProxyExchange::notePassthroughEvents(const CanonicalEvents &events)
{
    if (m_assembler)
        m_assembler->feed(events);
    for (const CanonicalEvent &event : events) {
        if (!noteEvent(event))
            return false;
    }
    m_usage = m_decoder->usage();
    m_servedModel = m_decoder->model();
    return true;
}

void ProxyExchange::finishPassthrough()
{
    // Events the body's end completes: a pending Finish, or an Error when the stream was cut.
    const CanonicalEvents tail = m_decoder->finish();
    const bool cut = !tail.isEmpty() && tail.last().type == CanonicalEvent::Type::Error;
    if (cut && m_contentSent) {
        if (m_assembler)
            m_assembler->feed(tail);
        failStartedStream(QStringLiteral("Provider '%1' ended its stream before the answer was complete: %2")
                              .arg(m_adapter->name(), tail.last().error.message),
                          ErrorClass::UpstreamConnection);
        return;
    }
    if (!notePassthroughEvents(tail))
        return; // cut before any content: the planner moved on
    completeStream({});
}

void ProxyExchange::completeStream(const QByteArray &tail)
{
    m_contentSent = true; // an answer with no content is still a complete answer
    writeStream(tail); // with what was held back
    if (!m_responder->responseStarted())
        beginClientStream();
    AttemptOutcome outcome = AttemptOutcome::http(m_status);
    outcome.contentSent = true;
    outcome.timeToFirstByteMs = m_attemptFirstByteMs;
    m_planner.finish(outcome);
    m_responder->endStream();
    if (m_assembler && m_tapDecoder)
        m_assembler->feed(m_tapDecoder->finish());
    if (m_assembler && m_assembler->isComplete())
        m_answer = m_assembler->response();
    if (m_streamError.isEmpty())
        finish(200, ErrorClass::None, {});
    else
        finish(200, ErrorClass::UpstreamError, m_streamError);
}

bool ProxyExchange::relayTranslated(const CanonicalEvents &decoded)
{
    if (m_assembler)
        m_assembler->feed(decoded);
    const CanonicalEvents events = m_guardFilter ? m_guardFilter->filter(decoded) : decoded;
    QByteArray out;
    for (const CanonicalEvent &event : events) {
        const bool firstContent = !m_contentSent && isContent(event);
        if (!noteEvent(event))
            return false;
        if (event.type == CanonicalEvent::Type::ToolCallStart && m_request.canonical
            && m_request.canonical->toolNamespaces.contains(event.toolName)) {
            // A call of a namespaced (flattened) tool goes back under its own name and namespace.
            CanonicalEvent named = event;
            std::tie(named.toolNamespace, named.toolName) = m_request.canonical->splitToolName(event.toolName);
            out.append(m_encoder->encode(named));
        } else {
            out.append(m_encoder->encode(event));
        }
        if (firstContent) {
            writeStream(out);
            out.clear();
        }
    }
    m_usage = m_decoder->usage();
    m_servedModel = m_decoder->model();
    writeStream(out);
    if (m_guardFilter && m_guardFilter->blocked()) {
        blockAnswer(m_guardFilter->blockMessage(), false);
        return false;
    }
    return true;
}

void ProxyExchange::blockAnswer(const QString &message, bool attemptFinished)
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call = nullptr;
    }
    if (!attemptFinished) {
        AttemptOutcome outcome = AttemptOutcome::http(m_status);
        outcome.contentSent = true; // the provider answered; Sluice withheld it, no other deployment is tried
        outcome.timeToFirstByteMs = m_attemptFirstByteMs;
        m_planner.finish(outcome);
    }
    const CanonicalError error = CanonicalError::make(400, message, QStringLiteral("guardrail_blocked"));
    if (!m_responder || !m_responder->responseStarted()) {
        sendClientError(error, ErrorClass::GuardrailBlocked);
        return;
    }
    endStreamWithError(error);
    finish(200, ErrorClass::GuardrailBlocked, message);
}

void ProxyExchange::writeStream(const QByteArray &bytes)
{
    // Nothing new still flushes what was held back once content counts as sent (an answer without content).
    if (!m_responder || (bytes.isEmpty() && (m_heldBack.isEmpty() || !m_contentSent)))
        return;
    if (!m_contentSent) {
        m_heldBack.append(bytes);
        return;
    }
    if (!m_responder->responseStarted())
        beginClientStream();
    QByteArray out = std::move(m_heldBack);
    m_heldBack.clear();
    out.append(bytes);
    out = scrubbed(out);
    m_responseLog.append(m_guardFilter ? m_request.guardrails->remask(out) : out);
    m_responder->writeChunk(out);
    if (m_call && m_responder->pendingBytes() > HttpResponder::highWaterMark())
        m_call->pause();
}

void ProxyExchange::beginClientStream()
{
    m_responder->beginStream(200,
                             clientHeaders(m_request.jsonArrayStream ? contentTypeFor(false) : contentTypeFor(true)));
}

void ProxyExchange::onDrained()
{
    if (m_call)
        m_call->resume();
}

void ProxyExchange::onFinished()
{
    m_call = nullptr;
    if (m_mode == Mode::RelayStream) {
        finishPassthrough();
        return;
    }
    if (m_mode == Mode::TranslatedStream) {
        if (!relayTranslated(m_decoder->finish()))
            return; // failed before any content: the planner moved on
        completeStream(m_encoder->finish());
        return;
    }
    if (m_mode == Mode::FastStream) {
        if (!m_sawDone) {
            // OpenAI-compatible streams end with [DONE]: without it the answer was cut, however cleanly.
            const QString message
                = QStringLiteral("Provider '%1' ended its stream without [DONE].").arg(m_adapter->name());
            if (m_contentSent) {
                failStartedStream(message, ErrorClass::UpstreamConnection);
            } else {
                AttemptOutcome outcome = AttemptOutcome::transportFailure(AttemptOutcome::Transport::Reset, message);
                attemptFailed(outcome, message, ErrorClass::UpstreamConnection);
            }
            return;
        }
        completeStream({}); // with nothing but framing, relayed as it is (an empty answer)
        return;
    }
    if (!isSuccess(m_status)) {
        m_body = m_adapter->errorBody(m_headers, m_body);
        deliverUpstreamError();
        return;
    }
    deliverBuffered();
}

void ProxyExchange::unreadableAnswer(const QString &what)
{
    AttemptOutcome outcome = AttemptOutcome::http(m_status, m_body.left(4096), m_headers);
    outcome.malformedBody = true;
    attemptFailed(outcome, QStringLiteral("Provider '%1' ").arg(m_adapter->name()) + what,
                  ErrorClass::UpstreamProtocol);
}

void ProxyExchange::deliverBuffered()
{
    // The answer's top-level members, found once for the error check, the usage and the model.
    const std::optional<JsonMembers> members = JsonMembers::scan(m_body);
    if (const QString error = errorInSuccess(m_body, members); !error.isEmpty()) {
        // A 2xx whose body is only an error envelope (some proxies and compatible servers do this): a failure.
        AttemptOutcome outcome = AttemptOutcome::http(502, m_body.left(4096), m_headers);
        outcome.timeToFirstByteMs = m_attemptFirstByteMs;
        attemptFailed(outcome,
                      QStringLiteral("Provider '%1' answered HTTP %2 with an error: %3")
                          .arg(m_adapter->name())
                          .arg(m_status)
                          .arg(error),
                      ErrorClass::UpstreamError);
        return;
    }
    QByteArray clientBody;
    if (m_request.format == ApiFormat::OpenAiEmbeddings && m_adapter->format() == ApiFormat::Gemini) {
        Result<QByteArray> translated = m_request.embeddings->openAiFromGemini(m_body, m_request.model, m_usage);
        if (!translated) {
            unreadableAnswer(QStringLiteral("sent embeddings Sluice could not read: ") + translated.errorMessage());
            return;
        }
        clientBody = std::move(translated).value();
    } else if (forwardsClientBody()) {
        QJsonParseError parseError {};
        const std::optional<TokenUsage> usage = usageOfAnswer(m_body, members, &parseError);
        if (!usage) {
            unreadableAnswer(
                QStringLiteral("sent an answer that is not a JSON object (%1).").arg(parseError.errorString()));
            return;
        }
        m_usage = *usage;
        m_servedModel = stringMemberOf(m_body, members, "model");
        m_finishReason = sniffFinishReason(m_body);
        if (m_request.format == ApiFormat::OpenAiEmbeddings && m_usage.input >= 0)
            m_usage.output = 0; // embeddings generate no tokens
        clientBody = m_body;
        if (m_answerSink) {
            if (Result<CanonicalResponse> decoded = FormatCodec::forFormat(m_adapter->format()).decodeResponse(m_body))
                m_answer = std::move(decoded).value();
        }
    } else {
        // Read in the provider's format: the client's own when passed through, else translated for the client.
        const bool relayed = relaysAnswer();
        Result<CanonicalResponse> response
            = FormatCodec::forFormat(relayed ? m_request.format : m_adapter->format()).decodeResponse(m_body);
        if (!response) {
            unreadableAnswer(QStringLiteral("sent an answer Sluice could not read: ") + response.errorMessage());
            return;
        }
        m_usage = response->usage;
        m_servedModel = response->model;
        m_finishReason = finishReasonName(response->finishReason);
        if (m_answerSink)
            m_answer = response.value();
        CanonicalResponse answer = std::move(response).value();
        for (ContentPart &part : answer.content) {
            m_relayedChars += part.text.size() + part.arguments.size();
            if (!relayed && part.kind == ContentPart::Kind::ToolCall && m_request.canonical
                && m_request.canonical->toolNamespaces.contains(part.toolName)) {
                const auto [space, name] = m_request.canonical->splitToolName(part.toolName);
                part.toolName = name;
                part.extras.insert(QStringLiteral("namespace"), space);
            }
        }
        clientBody = relayed ? withRequestedModel(m_body, false)
                             : FormatCodec::forFormat(m_request.format).encodeResponse(answer, m_request.model);
    }
    AttemptOutcome outcome = AttemptOutcome::http(m_status, m_body, m_headers);
    outcome.timeToFirstByteMs = m_attemptFirstByteMs;
    const RouteDecision decision = m_planner.finish(outcome);
    if (decision.action == RouteDecision::Action::Retry || decision.action == RouteDecision::Action::MoveOn) {
        // A 2xx the router does not accept (a refusal it may fall back from).
        noteBilledFailure(decision);
        m_lastFailure = decision.reason;
        QTimer::singleShot(decision.waitMs, this, &ProxyExchange::startNextAttempt);
        return;
    }
    clientBody = scrubbed(clientBody);
    if (m_request.guardrails) {
        const GuardrailVerdict verdict = m_request.guardrails->checkResponse(clientBody, true);
        if (verdict.blockedRule >= 0) {
            const GuardrailRule &rule = m_request.guardrails->rules().at(verdict.blockedRule);
            blockAnswer(QStringLiteral("Sluice's guardrail rule '%1' withheld this answer: it found %2 in %3 (the "
                                       "value is not repeated here). Change the rule in the guardrails section of "
                                       "the config (docs/guardrails.md) to let it through.")
                            .arg(rule.name, rule.detect, verdict.where),
                        true);
            return;
        }
        m_responseLog.append(verdict.text); // placeholders, never the restored values
        clientBody = m_request.guardrails->restoreJson(verdict.text);
    } else {
        m_responseLog.append(clientBody);
    }
    m_responder->sendResponse(m_status, clientHeaders(contentTypeFor(false)), clientBody);
    finish(m_status, ErrorClass::None, {});
}

void ProxyExchange::deliverUpstreamError()
{
    AttemptOutcome outcome = AttemptOutcome::http(m_status, m_body, m_headers);
    outcome.timeToFirstByteMs = m_attemptFirstByteMs;
    if (m_status < 400) {
        // A redirect or an interim answer: an API does not send one; base_url points somewhere else.
        outcome.malformedBody = true;
        const QByteArray location = m_headers.value(QByteArrayLiteral("location"));
        attemptFailed(outcome,
                      QStringLiteral("Provider '%1' answered HTTP %2%3; Sluice follows no redirects: check its "
                                     "base_url.")
                          .arg(m_adapter->name())
                          .arg(m_status)
                          .arg(location.isEmpty()
                                   ? QString()
                                   : QStringLiteral(" (to %1)").arg(QString::fromUtf8(location.left(200)))),
                      ErrorClass::UpstreamProtocol);
        return;
    }
    const CanonicalError error = FormatCodec::forFormat(m_adapter->format()).decodeError(m_status, m_body);
    attemptFailed(
        outcome,
        QStringLiteral("Provider '%1' answered HTTP %2: %3").arg(m_adapter->name()).arg(m_status).arg(error.message),
        ErrorClass::UpstreamError);
}

void ProxyExchange::attemptFailed(AttemptOutcome outcome, const QString &message, const char *errorClass)
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call = nullptr;
    }
    outcome.contentSent = m_contentSent;
    if (outcome.timeToFirstByteMs < 0)
        outcome.timeToFirstByteMs = m_attemptFirstByteMs;
    const RouteDecision decision = m_planner.finish(outcome);
    m_lastFailure = message;
    noteBilledFailure(decision);
    if (decision.action == RouteDecision::Action::Retry || decision.action == RouteDecision::Action::MoveOn) {
        qCInfo(lcExchange) << "request" << m_record.id << "attempt failed:" << scrubbed(decision.reason);
        QTimer::singleShot(decision.waitMs, this, &ProxyExchange::startNextAttempt);
        return;
    }
    // Give up: the client gets this attempt's answer in its own format; relayed as it came only when it is an
    // error envelope of the client's own format (an HTML error page is put in one).
    if (outcome.transport == AttemptOutcome::Transport::None && outcome.httpStatus > 0 && !outcome.malformedBody) {
        const bool sameFormat
            = m_adapter && m_adapter->format() == m_request.format && JsonMembers::scan(outcome.body).has_value();
        EncodedError encoded = sameFormat
            ? EncodedError {outcome.httpStatus, outcome.body}
            : FormatCodec::translateError(m_adapter->format(), m_request.format, outcome.httpStatus, outcome.body);
        if (sameFormat
            && FormatCodec::forFormat(m_request.format).decodeError(outcome.httpStatus, outcome.body).message.isEmpty())
            encoded
                = FormatCodec::forFormat(m_request.format)
                      .encodeError(CanonicalError::make(outcome.httpStatus, message, QStringLiteral("upstream_error")));
        encoded.body = scrubbed(encoded.body); // an upstream may echo the key it was sent
        m_responseLog.append(encoded.body);
        if (m_responder && !m_responder->responseStarted()) {
            HttpHeaders headers = clientHeaders(QByteArrayLiteral("application/json"));
            for (const auto &[name, value] : m_headers.fields()) {
                const QByteArray lower = name.toLower();
                if (lower == "retry-after" || lower == "retry-after-ms") {
                    const QByteArray sane = saneRetryAfter(value, lower == "retry-after-ms");
                    if (!sane.isEmpty())
                        headers.append(name, sane);
                }
            }
            m_responder->sendResponse(encoded.status, headers, encoded.body);
        }
        finish(encoded.status, errorClass, message);
        return;
    }
    const bool timeout = outcome.transport == AttemptOutcome::Transport::Timeout;
    sendClientError(
        CanonicalError::make(timeout ? 504 : 502, message,
                             timeout ? QStringLiteral("upstream_timeout") : QStringLiteral("upstream_unavailable")),
        errorClass);
}

void ProxyExchange::noteBilledFailure(const RouteDecision &decision)
{
    const bool another
        = decision.action == RouteDecision::Action::Retry || decision.action == RouteDecision::Action::MoveOn;
    if (another && m_usage.reported() && !m_planner.attempts().isEmpty())
        m_billedFailures.append({m_planner.attempts().size() - 1, m_usage});
}

void ProxyExchange::onFailed(const UpstreamError &error)
{
    m_call = nullptr;
    const QString provider = m_adapter ? m_adapter->name() : QString();
    const QString message = QStringLiteral("Provider '%1' failed: %2").arg(provider, error.message);
    if (m_contentSent) {
        failStartedStream(message, errorClassOf(error.kind));
        return;
    }
    attemptFailed(AttemptOutcome::transportFailure(transportOf(error.kind), error.message, error.phase), message,
                  errorClassOf(error.kind));
}

void ProxyExchange::endStreamWithError(const CanonicalError &error)
{
    if (m_mode == Mode::TranslatedStream && m_encoder) {
        writeStream(m_encoder->encode(CanonicalEvent::failure(error)));
        writeStream(m_encoder->finish());
    } else if (m_mode == Mode::RelayStream) {
        // The client's own format's error event, as its SDK expects it mid-stream.
        StreamEncoderOptions options;
        options.requestedModel = m_request.model;
        writeStream(FormatCodec::forFormat(m_request.format)
                        .createStreamEncoder(options)
                        ->encode(CanonicalEvent::failure(error)));
    } else {
        writeStream(encodeSseEvent(SseEvent {{}, FormatCodec::forFormat(m_request.format).encodeError(error).body}));
    }
    m_responder->endStream();
}

void ProxyExchange::failStartedStream(const QString &message, const char *errorClass)
{
    AttemptOutcome outcome = AttemptOutcome::transportFailure(AttemptOutcome::Transport::Reset, message);
    outcome.contentSent = true;
    m_planner.finish(outcome);
    // The client already has part of the answer: end its stream with an explicit error, never a silent end.
    endStreamWithError(CanonicalError::make(502, message, QStringLiteral("upstream_stream_interrupted")));
    finish(200, errorClass,
           QStringLiteral("Stream interrupted after output began (incomplete answer): %1").arg(message));
}

void ProxyExchange::onClientClosed()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
    }
    if (m_attempt)
        m_planner.abandon();
    finish(m_responder && m_responder->responseStarted() ? 200 : 499, ErrorClass::ClientDisconnected,
           QStringLiteral("The client closed the connection before the answer was complete."));
}

void ProxyExchange::sendClientError(const CanonicalError &error, const char *errorClass)
{
    CanonicalError safe = error;
    safe.message = scrubbed(error.message);
    const EncodedError encoded = FormatCodec::forFormat(m_request.format).encodeError(safe);
    m_responseLog.append(encoded.body);
    if (m_responder && !m_responder->responseStarted())
        m_responder->sendResponse(encoded.status, clientHeaders(QByteArrayLiteral("application/json")), encoded.body);
    finish(encoded.status, errorClass, error.message);
}

HttpHeaders ProxyExchange::clientHeaders(const QByteArray &contentType) const
{
    HttpHeaders headers;
    headers.append(QByteArrayLiteral("Content-Type"), contentType);
    if (contentType.contains("event-stream"))
        headers.append(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"));
    // Rate-limit and request-id headers help clients back off and report issues; hop-by-hop ones never pass.
    if (m_adapter && (m_adapter->format() == m_request.format || forwardsClientBody() || passesThrough())) {
        for (const auto &[name, value] : m_headers.fields()) {
            const QByteArray lower = name.toLower();
            if (lower.startsWith("x-ratelimit-") || lower.startsWith("openai-")
                || lower.startsWith("anthropic-ratelimit-") || lower == "x-request-id" || lower == "request-id")
                headers.append(name, value);
        }
    }
    headers.append(QByteArrayLiteral("x-sluice-request-id"), m_record.id.toLatin1());
    if (m_adapter)
        headers.append(QByteArrayLiteral("x-sluice-provider"), m_adapter->name().toUtf8());
    if (m_attempt) {
        headers.append(QByteArrayLiteral("x-sluice-model"), m_attempt->model.toUtf8());
        headers.append(QByteArrayLiteral("x-sluice-attempts"), QByteArray::number(m_attempt->number));
    }
    if (!m_dropped.isEmpty())
        headers.append(QByteArrayLiteral("x-sluice-dropped-params"), m_dropped.join(QLatin1Char(',')).toUtf8());
    if (!m_request.cacheStatus.isEmpty())
        headers.append(QByteArrayLiteral("x-sluice-cache"), m_request.cacheStatus);
    for (const auto &[name, value] : m_request.responseHeaders.fields())
        headers.append(name, value);
    return headers;
}

void ProxyExchange::finish(int status, const char *errorClass, const QString &message)
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
    m_record.errorMessage = scrubbed(message);
    m_record.latencyUs = (monotonicNowNs() - m_request.arrivedNs) / 1000;
    m_record.inputTokens = m_usage.input;
    m_record.outputTokens = m_usage.output;
    m_record.cachedTokens = m_usage.cached;
    m_record.reasoningTokens = m_usage.reasoning;
    m_record.cacheWriteTokens = m_usage.cacheWrite;
    // Unknown (-1) where the text was relayed unread: RequestCost counts it in the logged body if it needs it.
    m_record.relayedTextChars = m_mode == Mode::FastStream || m_skippedDeltas ? -1 : m_relayedChars;
    m_record.finishReason = m_finishReason;
    if (m_servedModel != m_record.upstreamModel)
        m_record.servedModel = m_servedModel.left(200);
    m_record.attempts = m_planner.attempts();
    for (AttemptRecord &attempt : m_record.attempts)
        attempt.reason = scrubbed(attempt.reason); // reasons quote what the provider said
    if (!m_dropped.isEmpty() && !m_record.attempts.isEmpty()) {
        QString &reason = m_record.attempts.last().reason;
        reason += (reason.isEmpty() ? QString() : QStringLiteral("; "))
            + QStringLiteral("dropped unsupported parameters: ") + m_dropped.join(QStringLiteral(", "));
    }
    for (const auto &[position, usage] : std::as_const(m_billedFailures)) {
        if (position >= m_record.attempts.size())
            continue;
        AttemptRecord &attempt = m_record.attempts[position];
        attempt.inputTokens = usage.input;
        attempt.outputTokens = usage.output;
        attempt.cachedTokens = usage.cached;
        attempt.reasoningTokens = usage.reasoning;
        attempt.cacheWriteTokens = usage.cacheWrite;
    }
    m_record.responseBody = m_responseLog.bytes();
    m_record.bodiesTruncated = m_record.bodiesTruncated || m_responseLog.truncated();
    if (*errorClass)
        qCInfo(lcExchange) << "request" << m_record.id << "ended:" << m_record.errorClass << status;
    // Only a whole, successful answer is cached: never an error, a cut stream or a client that left early.
    if (m_answerSink && m_answer && !*errorClass && isSuccess(status) && m_streamError.isEmpty())
        m_answerSink(*m_answer, m_record);
    m_completion(std::move(m_record));
    if (m_responder)
        m_responder->releaseEnd(); // journaled: the answer's last bytes may leave now, not on the next loop pass
    deleteLater();
}

} // namespace sluice
