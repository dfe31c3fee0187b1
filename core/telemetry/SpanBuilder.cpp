#include "SpanBuilder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "api/ApiFormat.h"
#include "api/FormatCodec.h"
#include "api/ResponseAssembler.h"
#include "api/StreamDecoder.h"
#include "telemetry/GenAiConventions.h"
#include "telemetry/TraceContext.h"

namespace sluice {

namespace {

void add(OtlpAttributes &attributes, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        attributes.append({key, value});
}

void addCount(OtlpAttributes &attributes, const QString &key, qint64 value)
{
    if (value >= 0)
        attributes.append({key, value});
}

quint64 toNs(const QDateTime &time, qint64 offsetUs)
{
    return quint64(time.toMSecsSinceEpoch()) * 1'000'000 + quint64(qMax<qint64>(0, offsetUs)) * 1000;
}

// The client's wire format, from the logged endpoint; nullopt for endpoints without a chat body.
std::optional<ApiFormat> clientFormat(const QString &endpoint)
{
    if (endpoint.contains(QLatin1String(":generateContent")) || endpoint.contains(QLatin1String(":streamGenerate")))
        return ApiFormat::Gemini;
    if (endpoint.contains(QLatin1String("/chat/completions")))
        return ApiFormat::OpenAiChat;
    if (endpoint.endsWith(QLatin1String("/messages")) || endpoint.endsWith(QLatin1String("/messages/")))
        return ApiFormat::AnthropicMessages;
    if (endpoint.contains(QLatin1String("/responses")))
        return ApiFormat::OpenAiResponses;
    return std::nullopt;
}

QString roleName(const CanonicalMessage &message)
{
    switch (message.role) {
    case CanonicalMessage::Role::System:
        return QStringLiteral("system");
    case CanonicalMessage::Role::User:
        return QStringLiteral("user");
    case CanonicalMessage::Role::Assistant:
        return QStringLiteral("assistant");
    }
    return QStringLiteral("user");
}

// The GenAI conventions' message parts: text, tool calls and tool results.
QJsonArray partsOf(const ContentParts &content)
{
    QJsonArray parts;
    for (const ContentPart &part : content) {
        switch (part.kind) {
        case ContentPart::Kind::Text:
            parts.append(
                QJsonObject {{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("content"), part.text}});
            break;
        case ContentPart::Kind::Thinking:
            parts.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("reasoning")},
                                      {QStringLiteral("content"), part.text}});
            break;
        case ContentPart::Kind::ToolCall:
            parts.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_call")},
                                      {QStringLiteral("id"), part.toolCallId},
                                      {QStringLiteral("name"), part.toolName},
                                      {QStringLiteral("arguments"), part.arguments}});
            break;
        case ContentPart::Kind::ToolResult:
            parts.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_call_response")},
                                      {QStringLiteral("id"), part.toolCallId},
                                      {QStringLiteral("response"), part.text}});
            break;
        default:
            break;
        }
    }
    return parts;
}

QString compactJson(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

} // namespace

SpanBuilder::SpanBuilder(const Config &config, const QString &serviceVersion)
    : m_settings(config.telemetry)
    , m_listenAddress(config.gateway.listenAddress.toString())
    , m_listenPort(config.gateway.port)
{
    for (const ProviderConfig &provider : config.providers) {
        m_providers.insert(
            provider.name,
            ProviderInfo {provider.type, provider.baseUrl.host(),
                          provider.baseUrl.port(provider.baseUrl.scheme() == QLatin1String("http") ? 80 : 443)});
    }
    m_resource.attributes.append({QStringLiteral("service.name"), m_settings.serviceName});
    if (!serviceVersion.isEmpty()) {
        m_resource.attributes.append({QStringLiteral("service.version"), serviceVersion});
        m_resource.scopeVersion = serviceVersion;
    }
    if (!m_settings.environment.isEmpty())
        m_resource.attributes.append({QStringLiteral("deployment.environment.name"), m_settings.environment});
}

OtlpSpans SpanBuilder::build(const RequestRecord &record) const
{
    const std::optional<TraceContext> caller = TraceContext::parse(record.traceParent);
    const QByteArray traceId = caller ? caller->traceId : TraceContext::newTraceId();
    // Parent-based: a caller's decision stands; a trace Sluice starts is kept at the configured ratio.
    if (caller ? !caller->sampled : !TraceContext::sampledByRatio(traceId, m_settings.sampleRatio))
        return {};

    const QString operation = GenAiConventions::operationName(record.endpoint);
    const ProviderInfo provider = m_providers.value(record.provider);
    const QString responseModel = record.servedModel.isEmpty() ? record.upstreamModel : record.servedModel;
    const bool failed = !record.errorClass.isEmpty();

    OtlpSpan server;
    server.traceId = traceId;
    server.spanId = TraceContext::newSpanId();
    server.kind = OtlpSpan::Server;
    server.name = record.requestedModel.isEmpty() ? operation : operation + QLatin1Char(' ') + record.requestedModel;
    server.startNs = toNs(record.startedAt, 0);
    server.endNs = toNs(record.startedAt, record.latencyUs);
    if (caller) {
        server.parentSpanId = caller->parentSpanId;
        server.flags = 0x301; // sampled, parent known to be remote
    }
    OtlpAttributes &a = server.attributes;
    a.append({QStringLiteral("gen_ai.operation.name"), operation});
    if (!record.provider.isEmpty()) {
        a.append({QStringLiteral("gen_ai.provider.name"), GenAiConventions::providerName(provider.type)});
        a.append({QStringLiteral("gen_ai.system"), GenAiConventions::legacySystemName(provider.type)});
    }
    add(a, QStringLiteral("gen_ai.request.model"), record.requestedModel);
    add(a, QStringLiteral("gen_ai.response.model"), responseModel);
    addCount(a, QStringLiteral("gen_ai.usage.input_tokens"), record.inputTokens);
    addCount(a, QStringLiteral("gen_ai.usage.output_tokens"), record.outputTokens);
    addCount(a, QStringLiteral("gen_ai.usage.cache_read.input_tokens"), record.cachedTokens);
    addCount(a, QStringLiteral("gen_ai.usage.cache_creation.input_tokens"), record.cacheWriteTokens);
    addCount(a, QStringLiteral("gen_ai.usage.reasoning.output_tokens"), record.reasoningTokens);
    if (!record.finishReason.isEmpty())
        a.append({QStringLiteral("gen_ai.response.finish_reasons"), QStringList {record.finishReason}});
    if (record.timeToFirstTokenUs >= 0)
        a.append({QStringLiteral("gen_ai.response.time_to_first_chunk"), double(record.timeToFirstTokenUs) / 1e6});
    a.append({QStringLiteral("http.request.method"), QStringLiteral("POST")});
    a.append({QStringLiteral("url.path"), record.endpoint});
    a.append({QStringLiteral("http.response.status_code"), qint64(record.httpStatus)});
    a.append({QStringLiteral("server.address"), m_listenAddress});
    a.append({QStringLiteral("server.port"), qint64(m_listenPort)});
    add(a, QStringLiteral("error.type"), record.errorClass);
    a.append({QStringLiteral("sluice.request_id"), record.id});
    add(a, QStringLiteral("sluice.token"), record.tokenName);
    add(a, QStringLiteral("sluice.client"), record.client);
    if (!record.promptName.isEmpty()) {
        a.append({QStringLiteral("sluice.prompt.name"), record.promptName});
        a.append({QStringLiteral("sluice.prompt.version"), qint64(record.promptVersion)});
    }
    add(a, QStringLiteral("sluice.observed_prompt"), record.observedPrompt);
    add(a, QStringLiteral("sluice.project"), record.project);
    if (!record.tags.isEmpty())
        a.append({QStringLiteral("sluice.tags"), record.tags});
    add(a, QStringLiteral("sluice.provider"), record.provider);
    add(a, QStringLiteral("sluice.cost_status"), record.costStatus);
    if (record.costUsd >= 0)
        a.append({QStringLiteral("sluice.cost_usd"), record.costUsd});
    if (record.cacheHit) {
        a.append({QStringLiteral("sluice.cache_hit"), true});
        if (record.savedUsd >= 0)
            a.append({QStringLiteral("sluice.saved_usd"), record.savedUsd});
    }
    a.append({QStringLiteral("sluice.stream"), record.stream});
    add(a, QStringLiteral("session.id"), record.sessionId);
    if (failed) {
        server.status = OtlpSpan::Error;
        server.statusMessage = record.errorMessage.left(500);
    }
    if (m_settings.captureContent)
        addContent(record, a);
    if (m_settings.langfuse) {
        a.append({QStringLiteral("langfuse.observation.type"), QStringLiteral("generation")});
        add(a, QStringLiteral("langfuse.observation.model.name"), responseModel);
        add(a, QStringLiteral("langfuse.trace.name"), server.name);
        add(a, QStringLiteral("langfuse.user.id"), record.tokenName);
        add(a, QStringLiteral("langfuse.session.id"), record.sessionId);
        add(a, QStringLiteral("langfuse.environment"), m_settings.environment);
        if (!record.promptName.isEmpty()) {
            a.append({QStringLiteral("langfuse.observation.prompt.name"), record.promptName});
            a.append({QStringLiteral("langfuse.observation.prompt.version"), qint64(record.promptVersion)});
        }
        if (!record.tags.isEmpty())
            a.append({QStringLiteral("langfuse.trace.tags"), record.tags});
        QJsonObject usage;
        if (record.inputTokens >= 0)
            usage.insert(QStringLiteral("input"), record.inputTokens - qMax<qint64>(0, record.cachedTokens));
        if (record.cachedTokens > 0)
            usage.insert(QStringLiteral("input_cached_tokens"), record.cachedTokens);
        if (record.outputTokens >= 0)
            usage.insert(QStringLiteral("output"), record.outputTokens);
        if (!usage.isEmpty())
            a.append({QStringLiteral("langfuse.observation.usage_details"),
                      QString::fromUtf8(QJsonDocument(usage).toJson(QJsonDocument::Compact))});
        if (record.costUsd >= 0)
            a.append({QStringLiteral("langfuse.observation.cost_details"),
                      QString::fromUtf8(QJsonDocument(QJsonObject {{QStringLiteral("total"), record.costUsd}})
                                            .toJson(QJsonDocument::Compact))});
        if (record.timeToFirstTokenUs >= 0)
            a.append({QStringLiteral("langfuse.observation.completion_start_time"),
                      record.startedAt.addMSecs(record.timeToFirstTokenUs / 1000).toString(Qt::ISODateWithMs)});
        if (failed) {
            a.append({QStringLiteral("langfuse.observation.level"), QStringLiteral("ERROR")});
            a.append({QStringLiteral("langfuse.observation.status_message"), server.statusMessage});
        }
    }

    OtlpSpans spans {server};
    for (const AttemptRecord &attempt : record.attempts) {
        if (attempt.decision == QLatin1String("skipped"))
            continue; // never sent: the breaker was open (the request span's attempts say so)
        const ProviderInfo target = m_providers.value(attempt.provider);
        OtlpSpan client;
        client.traceId = traceId;
        client.spanId = TraceContext::newSpanId();
        client.parentSpanId = server.spanId;
        client.kind = OtlpSpan::Client;
        client.name = operation + QLatin1Char(' ') + attempt.upstreamModel;
        client.startNs = toNs(record.startedAt, attempt.startedAtMs * 1000);
        client.endNs = toNs(record.startedAt, (attempt.startedAtMs + attempt.latencyMs) * 1000);
        OtlpAttributes &c = client.attributes;
        c.append({QStringLiteral("gen_ai.operation.name"), operation});
        c.append({QStringLiteral("gen_ai.provider.name"), GenAiConventions::providerName(target.type)});
        c.append({QStringLiteral("gen_ai.system"), GenAiConventions::legacySystemName(target.type)});
        add(c, QStringLiteral("gen_ai.request.model"), attempt.upstreamModel);
        add(c, QStringLiteral("server.address"), target.host);
        if (target.port > 0)
            c.append({QStringLiteral("server.port"), qint64(target.port)});
        if (attempt.httpStatus > 0)
            c.append({QStringLiteral("http.response.status_code"), qint64(attempt.httpStatus)});
        add(c, QStringLiteral("error.type"), attempt.errorClass);
        addCount(c, QStringLiteral("gen_ai.usage.input_tokens"), attempt.inputTokens);
        addCount(c, QStringLiteral("gen_ai.usage.output_tokens"), attempt.outputTokens);
        c.append({QStringLiteral("sluice.deployment"), attempt.deployment});
        c.append({QStringLiteral("sluice.attempt.decision"), attempt.decision});
        add(c, QStringLiteral("sluice.attempt.reason"), attempt.reason.left(500));
        if (!attempt.errorClass.isEmpty()) {
            client.status = OtlpSpan::Error;
            client.statusMessage = attempt.reason.left(500);
        }
        spans.append(client);
    }
    return spans;
}

// gen_ai.input.messages / gen_ai.output.messages from the logged bodies (so only with logging.store_bodies),
// read in the client's own format; a body that cannot be read is left out, never guessed at.
void SpanBuilder::addContent(const RequestRecord &record, OtlpAttributes &attributes) const
{
    const std::optional<ApiFormat> format = clientFormat(record.endpoint);
    if (!format || record.bodiesTruncated)
        return;
    const FormatCodec &codec = FormatCodec::forFormat(*format);
    if (Result<CanonicalRequest> request = codec.decodeRequest(record.requestBody)) {
        QJsonArray messages;
        if (!request->system.isEmpty())
            messages.append(QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
                                         {QStringLiteral("parts"), partsOf(request->system)}});
        for (const CanonicalMessage &message : request->messages)
            messages.append(QJsonObject {{QStringLiteral("role"), roleName(message)},
                                         {QStringLiteral("parts"), partsOf(message.parts)}});
        attributes.append({QStringLiteral("gen_ai.input.messages"), compactJson(messages)});
    }
    if (record.responseBody.isEmpty() || !record.errorClass.isEmpty())
        return;
    std::optional<CanonicalResponse> answer;
    if (record.stream) {
        std::unique_ptr<StreamDecoder> decoder = codec.createStreamDecoder();
        ResponseAssembler assembler;
        assembler.feed(decoder->feed(record.responseBody));
        assembler.feed(decoder->finish());
        if (assembler.isComplete())
            answer = assembler.response();
    } else if (Result<CanonicalResponse> decoded = codec.decodeResponse(record.responseBody)) {
        answer = std::move(decoded).value();
    }
    if (!answer)
        return;
    QJsonObject message {{QStringLiteral("role"), QStringLiteral("assistant")},
                         {QStringLiteral("parts"), partsOf(answer->content)}};
    if (!record.finishReason.isEmpty())
        message.insert(QStringLiteral("finish_reason"), record.finishReason);
    attributes.append({QStringLiteral("gen_ai.output.messages"), compactJson(QJsonArray {message})});
}

} // namespace sluice
