#include "BedrockConverseCodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include "api/BedrockStreamDecoder.h"
#include "api/CodecJson.h"
#include "api/ParameterGate.h"
#include "common/WholeNumber.h"

namespace sluice {

using Kind = ContentPart::Kind;

namespace {

qint64 count(const QJsonObject &object, QLatin1String key)
{
    const QJsonValue value = object.value(key);
    return value.isDouble() ? tokenCount(value.toDouble()).value_or(-1) : -1;
}

// Converse names image formats, not media types.
QString imageFormat(const QString &mediaType)
{
    for (const auto name : {QLatin1String("png"), QLatin1String("jpeg"), QLatin1String("gif"), QLatin1String("webp")}) {
        if (mediaType == QLatin1String("image/") + name)
            return name;
    }
    if (mediaType == QLatin1String("image/jpg"))
        return QStringLiteral("jpeg");
    return {};
}

QString documentFormat(const QString &mediaType)
{
    static const QList<QPair<QLatin1String, QLatin1String>> formats = {
        {QLatin1String("application/pdf"), QLatin1String("pdf")},
        {QLatin1String("text/csv"), QLatin1String("csv")},
        {QLatin1String("application/msword"), QLatin1String("doc")},
        {QLatin1String("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
         QLatin1String("docx")},
        {QLatin1String("application/vnd.ms-excel"), QLatin1String("xls")},
        {QLatin1String("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), QLatin1String("xlsx")},
        {QLatin1String("text/html"), QLatin1String("html")},
        {QLatin1String("text/plain"), QLatin1String("txt")},
        {QLatin1String("text/markdown"), QLatin1String("md")},
    };
    for (const auto &[type, format] : formats) {
        if (mediaType == type)
            return format;
    }
    return {};
}

QJsonObject reasoningBlock(const ContentPart &part)
{
    if (part.redacted)
        return {{QStringLiteral("reasoningContent"), QJsonObject {{QStringLiteral("redactedContent"), part.text}}}};
    QJsonObject text {{QStringLiteral("text"), part.text}};
    if (!part.signature.isEmpty())
        text.insert(QStringLiteral("signature"), part.signature);
    return {{QStringLiteral("reasoningContent"), QJsonObject {{QStringLiteral("reasoningText"), text}}}};
}

// Anthropic's cache_control breakpoint becomes Converse's cachePoint block right after the cached block.
bool wantsCachePoint(const QJsonObject &extras)
{
    return extras.contains(QLatin1String("cache_control"));
}

QJsonObject cachePoint()
{
    return {{QStringLiteral("cachePoint"), QJsonObject {{QStringLiteral("type"), QStringLiteral("default")}}}};
}

bool isAnthropicModel(const QString &model)
{
    return model.contains(QLatin1String("anthropic."));
}

// The content blocks of a response or message, in order.
ContentParts decodeContent(const QJsonArray &content)
{
    ContentParts parts;
    for (const QJsonValue &value : content) {
        const QJsonObject block = value.toObject();
        if (block.contains(QLatin1String("text"))) {
            parts.append(ContentPart::makeText(block.value(QLatin1String("text")).toString()));
        } else if (block.contains(QLatin1String("toolUse"))) {
            const QJsonObject use = block.value(QLatin1String("toolUse")).toObject();
            const QJsonValue input = use.value(QLatin1String("input"));
            parts.append(ContentPart::makeToolCall(
                use.value(QLatin1String("toolUseId")).toString(), use.value(QLatin1String("name")).toString(),
                input.isObject() ? QString::fromUtf8(codec::toJson(input.toObject())) : QStringLiteral("{}")));
        } else if (block.contains(QLatin1String("reasoningContent"))) {
            const QJsonObject reasoning = block.value(QLatin1String("reasoningContent")).toObject();
            if (reasoning.contains(QLatin1String("redactedContent"))) {
                ContentPart part
                    = ContentPart::makeThinking(reasoning.value(QLatin1String("redactedContent")).toString());
                part.redacted = true;
                parts.append(part);
            } else {
                const QJsonObject text = reasoning.value(QLatin1String("reasoningText")).toObject();
                parts.append(ContentPart::makeThinking(text.value(QLatin1String("text")).toString(),
                                                       text.value(QLatin1String("signature")).toString()));
            }
        } else if (block.contains(QLatin1String("image"))) {
            const QJsonObject image = block.value(QLatin1String("image")).toObject();
            ContentPart part;
            part.kind = Kind::Image;
            part.media.mediaType = QStringLiteral("image/") + image.value(QLatin1String("format")).toString();
            part.media.base64
                = image.value(QLatin1String("source")).toObject().value(QLatin1String("bytes")).toString().toLatin1();
            parts.append(part);
        } else {
            qCDebug(lcApi) << "Bedrock: content block" << block.keys() << "has no canonical form; skipped";
        }
    }
    return parts;
}

} // namespace

QString BedrockConverseCodec::requestPath(const QString &modelId, bool stream)
{
    return QStringLiteral("/model/%1/%2")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(modelId)),
             stream ? QStringLiteral("converse-stream") : QStringLiteral("converse"));
}

FinishReason BedrockConverseCodec::finishReasonFromStopReason(const QString &stopReason)
{
    if (stopReason == QLatin1String("max_tokens") || stopReason == QLatin1String("model_context_window_exceeded"))
        return FinishReason::Length;
    if (stopReason == QLatin1String("tool_use"))
        return FinishReason::ToolCalls;
    if (stopReason == QLatin1String("guardrail_intervened") || stopReason == QLatin1String("content_filtered"))
        return FinishReason::ContentFilter;
    return FinishReason::Stop; // end_turn, stop_sequence
}

TokenUsage BedrockConverseCodec::usageFromConverse(const QJsonObject &usage)
{
    TokenUsage result;
    result.cached = count(usage, QLatin1String("cacheReadInputTokens"));
    result.cacheWrite = count(usage, QLatin1String("cacheWriteInputTokens"));
    const qint64 uncached = count(usage, QLatin1String("inputTokens"));
    if (uncached >= 0)
        result.input = uncached + qMax<qint64>(0, result.cached) + qMax<qint64>(0, result.cacheWrite);
    result.output = count(usage, QLatin1String("outputTokens"));
    return result;
}

CanonicalError::Kind BedrockConverseCodec::kindForException(const QString &name, int status)
{
    const QString lower = name.toLower();
    if (lower.startsWith(QLatin1String("throttling")) || lower.startsWith(QLatin1String("servicequotaexceeded")))
        return CanonicalError::Kind::RateLimit;
    if (lower.startsWith(QLatin1String("validation")))
        return CanonicalError::Kind::InvalidRequest;
    if (lower.startsWith(QLatin1String("accessdenied")))
        return CanonicalError::Kind::Permission;
    if (lower.startsWith(QLatin1String("unrecognizedclient")) || lower.startsWith(QLatin1String("invalidsignature"))
        || lower.startsWith(QLatin1String("expiredtoken")))
        return CanonicalError::Kind::Authentication;
    if (lower.startsWith(QLatin1String("resourcenotfound")))
        return CanonicalError::Kind::NotFound;
    if (lower.startsWith(QLatin1String("serviceunavailable")) || lower.startsWith(QLatin1String("modelnotready")))
        return CanonicalError::Kind::Overloaded;
    if (lower.startsWith(QLatin1String("modeltimeout")))
        return CanonicalError::Kind::Timeout;
    if (lower.startsWith(QLatin1String("internalserver")) || lower.startsWith(QLatin1String("modelstreamerror")))
        return CanonicalError::Kind::Server;
    return CanonicalError::kindForStatus(status);
}

Result<CanonicalRequest> BedrockConverseCodec::decodeRequest(const QByteArray &) const
{
    return makeError(QStringLiteral("Sluice does not accept Bedrock Converse requests from clients; send OpenAI Chat "
                                    "Completions, OpenAI Responses or Anthropic Messages"));
}

Result<EncodedRequest> BedrockConverseCodec::encodeRequest(const CanonicalRequest &request,
                                                           const EncodeOptions &options) const
{
    ParameterGate gate(ApiFormat::BedrockConverse, options.dropUnsupported);
    gate.checkExtras(request);
    const QString model = options.model.isEmpty() ? request.model : options.model;
    QJsonObject root;

    ContentParts system = request.system;
    for (const CanonicalMessage &message : request.messages) {
        if (message.role == CanonicalMessage::Role::System)
            system.append(message.parts);
    }
    QJsonArray systemBlocks;
    for (const ContentPart &part : std::as_const(system)) {
        if (part.kind != Kind::Text || part.text.isEmpty())
            continue;
        systemBlocks.append(QJsonObject {{QStringLiteral("text"), part.text}});
        if (wantsCachePoint(part.extras))
            systemBlocks.append(cachePoint());
    }
    if (!systemBlocks.isEmpty())
        root.insert(QStringLiteral("system"), systemBlocks);

    QJsonArray messages;
    for (qsizetype i = 0; i < request.messages.size(); ++i) {
        const CanonicalMessage &message = request.messages[i];
        if (message.role == CanonicalMessage::Role::System)
            continue;
        const bool assistant = message.role == CanonicalMessage::Role::Assistant;
        const QString path = codec::at(QStringLiteral("messages"), i);
        QJsonArray results; // toolResult blocks open a user message
        QJsonArray blocks;
        for (qsizetype j = 0; j < message.parts.size(); ++j) {
            const ContentPart &part = message.parts[j];
            const QString partPath = codec::at(path + QStringLiteral(".content"), j);
            switch (part.kind) {
            case Kind::Text:
                if (!part.text.isEmpty())
                    blocks.append(QJsonObject {{QStringLiteral("text"), part.text}});
                break;
            case Kind::Image: {
                const QString format = imageFormat(part.media.mediaType);
                if (!part.media.isInline() || format.isEmpty()) {
                    gate.refuse(partPath,
                                QStringLiteral("Bedrock takes images only inline (base64) as PNG, JPEG, GIF "
                                               "or WebP, not by URL"));
                    break;
                }
                blocks.append(QJsonObject {
                    {QStringLiteral("image"),
                     QJsonObject {{QStringLiteral("format"), format},
                                  {QStringLiteral("source"),
                                   QJsonObject {{QStringLiteral("bytes"), QString::fromLatin1(part.media.base64)}}}}}});
                break;
            }
            case Kind::Document: {
                const QString format = documentFormat(part.media.mediaType);
                if (!part.media.isInline() || format.isEmpty()) {
                    gate.refuse(partPath,
                                QStringLiteral("Bedrock takes documents only inline (base64) in a format it knows "
                                               "(pdf, csv, doc, docx, xls, xlsx, html, txt, md)"));
                    break;
                }
                blocks.append(QJsonObject {
                    {QStringLiteral("document"),
                     QJsonObject {{QStringLiteral("format"), format},
                                  {QStringLiteral("name"),
                                   part.media.filename.isEmpty() ? QStringLiteral("document") : part.media.filename},
                                  {QStringLiteral("source"),
                                   QJsonObject {{QStringLiteral("bytes"), QString::fromLatin1(part.media.base64)}}}}}});
                break;
            }
            case Kind::ToolCall: {
                const std::optional<QJsonObject> input = codec::argumentsObject(part.arguments);
                if (!input) {
                    gate.refuse(partPath + QStringLiteral(".arguments"),
                                QStringLiteral("not a JSON object, and Bedrock needs tool input as one"));
                    break;
                }
                blocks.append(QJsonObject {{QStringLiteral("toolUse"),
                                            QJsonObject {{QStringLiteral("toolUseId"), part.toolCallId},
                                                         {QStringLiteral("name"), part.toolName},
                                                         {QStringLiteral("input"), *input}}}});
                break;
            }
            case Kind::ToolResult: {
                QJsonArray content;
                if (!part.text.isEmpty() || part.resultMedia.isEmpty())
                    content.append(QJsonObject {{QStringLiteral("text"), part.text}});
                for (const MediaSource &media : part.resultMedia) {
                    const QString format = imageFormat(media.mediaType);
                    if (!media.isInline() || format.isEmpty()) {
                        gate.refuse(partPath, QStringLiteral("Bedrock takes tool result images only inline"));
                        continue;
                    }
                    content.append(QJsonObject {
                        {QStringLiteral("image"),
                         QJsonObject {{QStringLiteral("format"), format},
                                      {QStringLiteral("source"),
                                       QJsonObject {{QStringLiteral("bytes"), QString::fromLatin1(media.base64)}}}}}});
                }
                QJsonObject result {{QStringLiteral("toolUseId"), part.toolCallId},
                                    {QStringLiteral("content"), content}};
                if (part.isError)
                    result.insert(QStringLiteral("status"), QStringLiteral("error"));
                results.append(QJsonObject {{QStringLiteral("toolResult"), result}});
                break;
            }
            case Kind::Thinking:
                // Bedrock verifies signatures: only signed (or redacted) reasoning can go back.
                if (assistant && (part.redacted || !part.signature.isEmpty()))
                    blocks.append(reasoningBlock(part));
                break;
            case Kind::Raw:
                gate.refuse(partPath, QStringLiteral("only %1 understands it").arg(apiFormatName(part.rawFormat)));
                break;
            }
            if (wantsCachePoint(part.extras) && part.kind != Kind::Thinking)
                (part.kind == Kind::ToolResult ? results : blocks).append(cachePoint());
        }
        for (const QJsonValue &block : std::as_const(blocks))
            results.append(block);
        if (results.isEmpty())
            continue;
        messages.append(
            QJsonObject {{QStringLiteral("role"), assistant ? QStringLiteral("assistant") : QStringLiteral("user")},
                         {QStringLiteral("content"), results}});
    }
    root.insert(QStringLiteral("messages"), messages);

    QJsonObject inference;
    if (request.maxTokens)
        inference.insert(QStringLiteral("maxTokens"), *request.maxTokens);
    if (request.temperature)
        inference.insert(QStringLiteral("temperature"), *request.temperature);
    if (request.topP)
        inference.insert(QStringLiteral("topP"), *request.topP);
    if (!request.stop.isEmpty())
        inference.insert(QStringLiteral("stopSequences"), QJsonArray::fromStringList(request.stop));

    QJsonObject additional; // model-specific fields Converse passes to the model as they are
    if (request.topK) {
        if (isAnthropicModel(model))
            additional.insert(QStringLiteral("top_k"), *request.topK);
        else
            gate.refuse(QStringLiteral("top_k"),
                        QStringLiteral("Sluice sends top_k to Bedrock only for Anthropic models"));
    }
    if (options.translateReasoning && request.reasoning.wantsThinking()) {
        if (isAnthropicModel(model)) {
            qint64 budget = qMax<qint64>(1024, request.reasoning.effectiveBudget(8192));
            if (!request.maxTokens)
                inference.insert(QStringLiteral("maxTokens"), budget + options.defaultMaxTokens);
            else if (budget >= *request.maxTokens)
                budget = *request.maxTokens - 1;
            if (budget >= 1024) {
                additional.insert(QStringLiteral("thinking"),
                                  QJsonObject {{QStringLiteral("type"), QStringLiteral("enabled")},
                                               {QStringLiteral("budget_tokens"), budget}});
            }
        } else {
            gate.refuse(QStringLiteral("reasoning"),
                        QStringLiteral("Sluice sends reasoning settings to Bedrock only for Anthropic models"));
        }
    }
    if (!inference.isEmpty())
        root.insert(QStringLiteral("inferenceConfig"), inference);
    if (!additional.isEmpty())
        root.insert(QStringLiteral("additionalModelRequestFields"), additional);

    if (request.seed)
        gate.refuse(QStringLiteral("seed"), QStringLiteral("Bedrock Converse has no seeded sampling"));
    if (request.presencePenalty)
        gate.refuse(QStringLiteral("presence_penalty"), QStringLiteral("Bedrock Converse has no presence penalty"));
    if (request.frequencyPenalty)
        gate.refuse(QStringLiteral("frequency_penalty"), QStringLiteral("Bedrock Converse has no frequency penalty"));
    if (request.responseFormat.type != ResponseFormat::Type::Text)
        gate.refuse(QStringLiteral("response_format"),
                    QStringLiteral("Sluice does not translate structured output to Bedrock Converse"));

    if (!request.tools.isEmpty()) {
        QJsonArray tools;
        for (qsizetype i = 0; i < request.tools.size(); ++i) {
            const CanonicalTool &tool = request.tools[i];
            if (!tool.builtinType.isEmpty()) {
                gate.refuse(codec::at(QStringLiteral("tools"), i),
                            QStringLiteral("built-in tool %1 exists only at %2")
                                .arg(tool.builtinType, apiFormatName(request.sourceFormat)));
                continue;
            }
            QJsonObject spec {{QStringLiteral("name"), tool.name},
                              {QStringLiteral("inputSchema"),
                               QJsonObject {{QStringLiteral("json"), codec::toolParameters(tool.parameters)}}}};
            if (!tool.description.isEmpty())
                spec.insert(QStringLiteral("description"), tool.description);
            tools.append(QJsonObject {{QStringLiteral("toolSpec"), spec}});
            if (wantsCachePoint(tool.extras))
                tools.append(cachePoint());
        }
        QJsonObject toolConfig {{QStringLiteral("tools"), tools}};
        switch (request.toolChoice.mode) {
        case ToolChoice::Mode::Unset:
            break;
        case ToolChoice::Mode::Auto:
            toolConfig.insert(QStringLiteral("toolChoice"), QJsonObject {{QStringLiteral("auto"), QJsonObject()}});
            break;
        case ToolChoice::Mode::None:
            gate.refuse(QStringLiteral("tool_choice"),
                        QStringLiteral("Bedrock Converse cannot forbid tool use while offering tools"));
            break;
        case ToolChoice::Mode::Required:
            toolConfig.insert(QStringLiteral("toolChoice"), QJsonObject {{QStringLiteral("any"), QJsonObject()}});
            break;
        case ToolChoice::Mode::Tool:
            toolConfig.insert(QStringLiteral("toolChoice"),
                              QJsonObject {{QStringLiteral("tool"),
                                            QJsonObject {{QStringLiteral("name"), request.toolChoice.name}}}});
            break;
        }
        root.insert(QStringLiteral("toolConfig"), toolConfig);
    }

    if (gate.refused())
        return gate.error();
    return EncodedRequest {codec::toJson(root), gate.dropped()};
}

Result<CanonicalResponse> BedrockConverseCodec::decodeResponse(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("provider response"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = parsed.value();
    const QJsonObject message
        = root.value(QLatin1String("output")).toObject().value(QLatin1String("message")).toObject();
    if (message.isEmpty())
        return makeError(QStringLiteral("the Bedrock answer has no output.message"));
    CanonicalResponse response;
    response.id = codec::newId(QLatin1String("msg_"));
    response.created = codec::nowSeconds();
    response.content = decodeContent(message.value(QLatin1String("content")).toArray());
    const QString stopReason = root.value(QLatin1String("stopReason")).toString();
    response.finishReason = finishReasonFromStopReason(stopReason);
    if (response.finishReason == FinishReason::ContentFilter)
        response.finishMessage = QStringLiteral("Bedrock stopped the answer: %1").arg(stopReason);
    response.usage = usageFromConverse(root.value(QLatin1String("usage")).toObject());
    return response;
}

QByteArray BedrockConverseCodec::encodeResponse(const CanonicalResponse &response, const QString &) const
{
    QJsonArray content;
    for (const ContentPart &part : response.content) {
        switch (part.kind) {
        case Kind::Text:
            content.append(QJsonObject {{QStringLiteral("text"), part.text}});
            break;
        case Kind::ToolCall:
            content.append(
                QJsonObject {{QStringLiteral("toolUse"),
                              QJsonObject {{QStringLiteral("toolUseId"), part.toolCallId},
                                           {QStringLiteral("name"), part.toolName},
                                           {QStringLiteral("input"),
                                            codec::argumentsObject(part.arguments).value_or(QJsonObject())}}}});
            break;
        case Kind::Thinking:
            content.append(reasoningBlock(part));
            break;
        default:
            break;
        }
    }
    QString stopReason = QStringLiteral("end_turn");
    switch (response.finishReason) {
    case FinishReason::Length:
        stopReason = QStringLiteral("max_tokens");
        break;
    case FinishReason::ToolCalls:
        stopReason = QStringLiteral("tool_use");
        break;
    case FinishReason::ContentFilter:
        stopReason = QStringLiteral("content_filtered");
        break;
    case FinishReason::Stop:
        if (!response.stopSequence.isEmpty())
            stopReason = QStringLiteral("stop_sequence");
        break;
    case FinishReason::Error:
        break;
    }
    QJsonObject usage;
    const TokenUsage &u = response.usage;
    if (u.input >= 0)
        usage.insert(QStringLiteral("inputTokens"), u.uncachedInput());
    if (u.output >= 0)
        usage.insert(QStringLiteral("outputTokens"), u.output);
    if (u.input >= 0 && u.output >= 0)
        usage.insert(QStringLiteral("totalTokens"), u.input + u.output);
    if (u.cached >= 0)
        usage.insert(QStringLiteral("cacheReadInputTokens"), u.cached);
    if (u.cacheWrite >= 0)
        usage.insert(QStringLiteral("cacheWriteInputTokens"), u.cacheWrite);
    return codec::toJson(QJsonObject {{QStringLiteral("output"),
                                       QJsonObject {{QStringLiteral("message"),
                                                     QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                  {QStringLiteral("content"), content}}}}},
                                      {QStringLiteral("stopReason"), stopReason},
                                      {QStringLiteral("usage"), usage},
                                      {QStringLiteral("metrics"), QJsonObject {{QStringLiteral("latencyMs"), 0}}}});
}

std::unique_ptr<StreamDecoder> BedrockConverseCodec::createStreamDecoder() const
{
    return std::make_unique<BedrockStreamDecoder>();
}

std::unique_ptr<StreamEncoder> BedrockConverseCodec::createStreamEncoder(const StreamEncoderOptions &) const
{
    return nullptr; // outbound only: no client streams Converse from Sluice
}

CanonicalError BedrockConverseCodec::decodeError(int status, const QByteArray &body) const
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    QString message = root.value(QLatin1String("message")).toString();
    if (message.isEmpty())
        message = root.value(QLatin1String("Message")).toString();
    // "__type" may carry a namespace prefix or a ":http://..." suffix.
    QString type = root.value(QLatin1String("__type")).toString();
    type = type.section(QLatin1Char(':'), 0, 0).section(QLatin1Char('#'), -1);
    CanonicalError error = CanonicalError::make(status, message, type);
    error.kind = kindForException(type, status);
    if (error.message.isEmpty())
        error.message = codec::statusOnlyMessage(status, body);
    return error;
}

EncodedError BedrockConverseCodec::encodeError(const CanonicalError &error) const
{
    QJsonObject body {{QStringLiteral("message"), error.message}};
    if (!error.code.isEmpty())
        body.insert(QStringLiteral("__type"), error.code);
    return EncodedError {error.status, codec::toJson(body)};
}

} // namespace sluice
