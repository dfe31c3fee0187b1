#include "AnthropicMessagesCodec.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "api/AnthropicStreamDecoder.h"
#include "api/AnthropicStreamEncoder.h"
#include "api/CodecJson.h"
#include "api/JsonWriter.h"
#include "api/OpenAiChatCodec.h"
#include "api/ParameterGate.h"
#include "common/WholeNumber.h"

namespace sluice {

namespace {

using Kind = ContentPart::Kind;

using codec::at;

// A base64 or URL source; nullopt for the kinds only Anthropic knows (file ids, text and content sources).
std::optional<MediaSource> decodeSource(const QJsonObject &source)
{
    MediaSource media;
    const QString type = source.value(QLatin1String("type")).toString();
    if (type == QLatin1String("base64")) {
        media.mediaType = source.value(QLatin1String("media_type")).toString();
        media.base64 = source.value(QLatin1String("data")).toString().toLatin1();
    } else if (type == QLatin1String("url")) {
        media.url = source.value(QLatin1String("url")).toString();
    }
    if (media.base64.isEmpty() && media.url.isEmpty())
        return std::nullopt;
    return media;
}

Result<ContentParts> decodeBlocks(const QJsonValue &content, const QString &path)
{
    ContentParts parts;
    if (content.isString()) {
        parts.append(ContentPart::makeText(content.toString()));
        return parts;
    }
    if (!content.isArray())
        return makeError(QStringLiteral("\"%1\" must be a string or an array of content blocks.").arg(path));
    const QJsonArray blocks = content.toArray();
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        const QString blockPath = at(path, i);
        if (!blocks[i].isObject())
            return makeError(QStringLiteral("\"%1\" must be an object with a \"type\".").arg(blockPath));
        const QJsonObject block = blocks[i].toObject();
        const QString type = block.value(QLatin1String("type")).toString();
        ContentPart part;
        if (type == QLatin1String("text")) {
            if (!block.value(QLatin1String("text")).isString())
                return makeError(QStringLiteral("\"%1.text\" must be a string.").arg(blockPath));
            part = ContentPart::makeText(block.value(QLatin1String("text")).toString());
            codec::copyUnknown(block, {QLatin1String("type"), QLatin1String("text")}, part.extras);
        } else if (type == QLatin1String("image") || type == QLatin1String("document")) {
            const std::optional<MediaSource> media = decodeSource(block.value(QLatin1String("source")).toObject());
            if (media) {
                part.kind = type == QLatin1String("image") ? Kind::Image : Kind::Document;
                part.media = *media;
                part.media.filename = block.value(QLatin1String("title")).toString();
                codec::copyUnknown(block, {QLatin1String("type"), QLatin1String("source"), QLatin1String("title")},
                                   part.extras);
            } else {
                part.kind = Kind::Raw;
                part.rawFormat = ApiFormat::AnthropicMessages;
                part.raw = block;
            }
        } else if (type == QLatin1String("tool_use")) {
            part = ContentPart::makeToolCall(
                block.value(QLatin1String("id")).toString(), block.value(QLatin1String("name")).toString(),
                QString::fromUtf8(codec::toJson(block.value(QLatin1String("input")).toObject())));
            if (part.toolCallId.isEmpty() || part.toolName.isEmpty())
                return makeError(QStringLiteral("\"%1\" needs \"id\" and \"name\".").arg(blockPath));
            codec::copyUnknown(
                block, {QLatin1String("type"), QLatin1String("id"), QLatin1String("name"), QLatin1String("input")},
                part.extras);
        } else if (type == QLatin1String("tool_result")) {
            part.kind = Kind::ToolResult;
            part.toolCallId = block.value(QLatin1String("tool_use_id")).toString();
            if (part.toolCallId.isEmpty())
                return makeError(QStringLiteral("\"%1.tool_use_id\" is required.").arg(blockPath));
            part.isError = block.value(QLatin1String("is_error")).toBool(false);
            const QJsonValue result = block.value(QLatin1String("content"));
            if (result.isArray()) {
                Result<ContentParts> inner = decodeBlocks(result, blockPath + QStringLiteral(".content"));
                if (!inner)
                    return inner.error();
                QStringList texts;
                for (const ContentPart &piece : std::as_const(*inner)) {
                    if (piece.kind == Kind::Text)
                        texts.append(piece.text);
                    else if (piece.kind == Kind::Image || piece.kind == Kind::Document)
                        part.resultMedia.append(piece.media);
                }
                part.text = texts.join(QLatin1Char('\n'));
            } else {
                part.text = result.toString();
            }
            codec::copyUnknown(block,
                               {QLatin1String("type"), QLatin1String("tool_use_id"), QLatin1String("is_error"),
                                QLatin1String("content")},
                               part.extras);
        } else if (type == QLatin1String("thinking")) {
            part = ContentPart::makeThinking(block.value(QLatin1String("thinking")).toString(),
                                             block.value(QLatin1String("signature")).toString());
        } else if (type == QLatin1String("redacted_thinking")) {
            part = ContentPart::makeThinking(block.value(QLatin1String("data")).toString());
            part.redacted = true;
        } else {
            part.kind = Kind::Raw;
            part.rawFormat = ApiFormat::AnthropicMessages;
            part.raw = block;
        }
        parts.append(part);
    }
    return parts;
}

QJsonObject textBlock(const ContentPart &part)
{
    QJsonObject block {{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), part.text}};
    if (part.extras.contains(QLatin1String("cache_control")))
        block.insert(QStringLiteral("cache_control"), part.extras.value(QLatin1String("cache_control")));
    return block;
}

QString partTypeName(const ContentPart &part)
{
    return part.kind == Kind::Raw ? part.raw.value(QLatin1String("type")).toString() : QStringLiteral("content");
}

} // namespace

QString AnthropicMessagesCodec::toolId(const QString &id)
{
    QString out = id;
    for (QChar &c : out) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != QLatin1Char('_') && c != QLatin1Char('-'))
            c = QLatin1Char('_');
    }
    return out;
}

Result<CanonicalRequest> AnthropicMessagesCodec::decodeRequest(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("request body"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = *parsed;
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::AnthropicMessages;

    const QJsonValue model = root.value(QLatin1String("model"));
    if (!model.isString() || model.toString().isEmpty())
        return makeError(QStringLiteral("\"model\" is required and must be a non-empty string."));
    request.model = model.toString();

    QString error;
    if (!root.value(QLatin1String("max_tokens")).isDouble())
        return makeError(QStringLiteral("\"max_tokens\" is required and must be a positive integer."));
    if (!codec::readInteger(root, QLatin1String("max_tokens"), QStringLiteral("max_tokens"), request.maxTokens, error)
        || !codec::readNumber(root, QLatin1String("temperature"), QStringLiteral("temperature"), request.temperature,
                              error)
        || !codec::readNumber(root, QLatin1String("top_p"), QStringLiteral("top_p"), request.topP, error)
        || !codec::readInteger(root, QLatin1String("top_k"), QStringLiteral("top_k"), request.topK, error)
        || !codec::readStringList(root.value(QLatin1String("stop_sequences")), QStringLiteral("stop_sequences"),
                                  request.stop, error))
        return makeError(error);

    const QJsonValue system = root.value(QLatin1String("system"));
    if (!system.isUndefined() && !system.isNull()) {
        Result<ContentParts> parts = decodeBlocks(system, QStringLiteral("system"));
        if (!parts)
            return parts.error();
        request.system = *parts;
    }

    const QJsonValue messagesValue = root.value(QLatin1String("messages"));
    if (!messagesValue.isArray())
        return makeError(QStringLiteral("\"messages\" is required and must be an array of messages."));
    const QJsonArray messages = messagesValue.toArray();
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QString path = at(QStringLiteral("messages"), i);
        const QJsonObject message = messages[i].toObject();
        const QString role = message.value(QLatin1String("role")).toString();
        CanonicalMessage out;
        if (role == QLatin1String("user"))
            out.role = CanonicalMessage::Role::User;
        else if (role == QLatin1String("assistant"))
            out.role = CanonicalMessage::Role::Assistant;
        else if (role == QLatin1String("system"))
            out.role = CanonicalMessage::Role::System; // Claude Code's mid-conversation instructions
        else
            return makeError(QStringLiteral("\"%1.role\" must be \"user\", \"assistant\" or \"system\".").arg(path));
        Result<ContentParts> parts
            = decodeBlocks(message.value(QLatin1String("content")), path + QStringLiteral(".content"));
        if (!parts)
            return parts.error();
        out.parts = *parts;
        request.messages.append(out);
    }

    const QJsonArray tools = root.value(QLatin1String("tools")).toArray();
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QJsonObject tool = tools[i].toObject();
        CanonicalTool out;
        const QString type = tool.value(QLatin1String("type")).toString();
        out.name = tool.value(QLatin1String("name")).toString();
        if (type.isEmpty() || type == QLatin1String("custom")) {
            if (out.name.isEmpty())
                return makeError(QStringLiteral("\"%1.name\" is required.").arg(at(QStringLiteral("tools"), i)));
            out.description = tool.value(QLatin1String("description")).toString();
            out.parameters = tool.value(QLatin1String("input_schema")).toObject();
            if (tool.value(QLatin1String("strict")).isBool())
                out.strict = tool.value(QLatin1String("strict")).toBool();
            codec::copyUnknown(tool,
                               {QLatin1String("type"), QLatin1String("name"), QLatin1String("description"),
                                QLatin1String("input_schema"), QLatin1String("strict")},
                               out.extras);
        } else {
            out.builtinType = type;
            out.raw = tool;
        }
        request.tools.append(out);
    }

    const QJsonObject toolChoice = root.value(QLatin1String("tool_choice")).toObject();
    if (!toolChoice.isEmpty()) {
        const QString type = toolChoice.value(QLatin1String("type")).toString();
        if (type == QLatin1String("auto"))
            request.toolChoice.mode = ToolChoice::Mode::Auto;
        else if (type == QLatin1String("any"))
            request.toolChoice.mode = ToolChoice::Mode::Required;
        else if (type == QLatin1String("none"))
            request.toolChoice.mode = ToolChoice::Mode::None;
        else if (type == QLatin1String("tool"))
            request.toolChoice
                = ToolChoice {ToolChoice::Mode::Tool, toolChoice.value(QLatin1String("name")).toString()};
        else
            return makeError(QStringLiteral("\"tool_choice.type\" must be auto, any, tool or none."));
        if (toolChoice.value(QLatin1String("disable_parallel_tool_use")).toBool(false))
            request.parallelToolCalls = false;
    }

    QJsonObject extras;
    const QJsonObject thinking = root.value(QLatin1String("thinking")).toObject();
    const QString thinkingType = thinking.value(QLatin1String("type")).toString();
    if (thinkingType == QLatin1String("enabled")) {
        request.reasoning.enabled = true;
        if (!codec::readInteger(thinking, QLatin1String("budget_tokens"), QStringLiteral("thinking.budget_tokens"),
                                request.reasoning.budgetTokens, error))
            return makeError(error);
    } else if (thinkingType == QLatin1String("adaptive")) {
        request.reasoning.enabled = true;
        request.reasoning.adaptive = true;
    } else if (thinkingType == QLatin1String("disabled")) {
        request.reasoning.enabled = false;
    } else if (!thinking.isEmpty()) {
        extras.insert(QStringLiteral("thinking"), thinking);
    }

    QJsonObject outputConfig = root.value(QLatin1String("output_config")).toObject();
    QJsonObject format = outputConfig.take(QLatin1String("format")).toObject();
    if (format.isEmpty())
        format = root.value(QLatin1String("output_format")).toObject();
    if (format.value(QLatin1String("type")).toString() == QLatin1String("json_schema")) {
        request.responseFormat.type = ResponseFormat::Type::JsonSchema;
        request.responseFormat.schema = format.value(QLatin1String("schema")).toObject();
    }
    const QJsonValue effort = outputConfig.take(QLatin1String("effort"));
    if (effort.isString())
        request.reasoning.effort = effort.toString();
    if (!outputConfig.isEmpty())
        extras.insert(QStringLiteral("output_config"), outputConfig);

    request.stream = root.value(QLatin1String("stream")).toBool(false);
    QJsonObject metadata = root.value(QLatin1String("metadata")).toObject();
    request.user = metadata.take(QLatin1String("user_id")).toString();
    request.metadata = metadata;

    codec::copyUnknown(root,
                       {QLatin1String("model"), QLatin1String("max_tokens"), QLatin1String("temperature"),
                        QLatin1String("top_p"), QLatin1String("top_k"), QLatin1String("stop_sequences"),
                        QLatin1String("system"), QLatin1String("messages"), QLatin1String("tools"),
                        QLatin1String("tool_choice"), QLatin1String("thinking"), QLatin1String("output_config"),
                        QLatin1String("output_format"), QLatin1String("stream"), QLatin1String("metadata")},
                       extras);
    request.extras = extras;
    return request;
}

Result<EncodedRequest> AnthropicMessagesCodec::encodeRequest(const CanonicalRequest &request,
                                                             const EncodeOptions &options) const
{
    ParameterGate gate(ApiFormat::AnthropicMessages, options.dropUnsupported);
    const bool same = gate.sameFormat(request);
    QJsonObject root;
    root.insert(QStringLiteral("model"), options.model.isEmpty() ? request.model : options.model);
    qint64 maxTokens = request.maxTokens.value_or(options.defaultMaxTokens);
    root.insert(QStringLiteral("max_tokens"), maxTokens);

    // Instructions given mid-conversation stay in place for Anthropic clients (Claude Code sends them); from other
    // formats they join the system prompt, where every Anthropic model takes them.
    ContentParts system = request.system;
    for (const CanonicalMessage &message : request.messages) {
        if (message.role == CanonicalMessage::Role::System && !same)
            system.append(message.parts);
    }
    if (!system.isEmpty()) {
        bool plain = system.size() == 1;
        for (const ContentPart &part : system)
            plain = plain && !part.extras.contains(QLatin1String("cache_control"));
        if (plain) {
            root.insert(QStringLiteral("system"), system.first().text);
        } else {
            QJsonArray blocks;
            for (const ContentPart &part : system) {
                if (part.kind == Kind::Text && !part.text.isEmpty())
                    blocks.append(textBlock(part));
            }
            root.insert(QStringLiteral("system"), blocks);
        }
    }

    QJsonArray messages;
    for (qsizetype i = 0; i < request.messages.size(); ++i) {
        const CanonicalMessage &message = request.messages[i];
        if (message.role == CanonicalMessage::Role::System && !same)
            continue;
        const bool assistant = message.role == CanonicalMessage::Role::Assistant;
        const QString path = at(QStringLiteral("messages"), i);
        QJsonArray results; // tool_result blocks must open a user message
        QJsonArray blocks;
        for (qsizetype j = 0; j < message.parts.size(); ++j) {
            const ContentPart &part = message.parts[j];
            const QString partPath = at(path + QStringLiteral(".content"), j);
            switch (part.kind) {
            case Kind::Text:
                if (!part.text.isEmpty())
                    blocks.append(textBlock(part));
                break;
            case Kind::Image:
            case Kind::Document: {
                if (assistant) {
                    gate.refuse(partPath, QStringLiteral("Anthropic accepts images and documents only from the user"));
                    break;
                }
                QJsonObject source;
                const bool document = part.kind == Kind::Document;
                if (!part.media.isInline()) {
                    source = {{QStringLiteral("type"), QStringLiteral("url")}, {QStringLiteral("url"), part.media.url}};
                } else if (document && part.media.mediaType == QLatin1String("text/plain")) {
                    source = {{QStringLiteral("type"), QStringLiteral("text")},
                              {QStringLiteral("media_type"), QStringLiteral("text/plain")},
                              {QStringLiteral("data"), QString::fromUtf8(QByteArray::fromBase64(part.media.base64))}};
                } else if (part.media.mediaType.isEmpty()
                           || (document && part.media.mediaType != QLatin1String("application/pdf"))) {
                    gate.refuse(
                        partPath,
                        QStringLiteral("Anthropic needs %1 with a supported media type")
                            .arg(document ? QStringLiteral("PDF or plain-text documents") : QStringLiteral("images")));
                    break;
                } else {
                    source = {{QStringLiteral("type"), QStringLiteral("base64")},
                              {QStringLiteral("media_type"), part.media.mediaType},
                              {QStringLiteral("data"), QString::fromLatin1(part.media.base64)}};
                }
                QJsonObject block {
                    {QStringLiteral("type"), document ? QStringLiteral("document") : QStringLiteral("image")},
                    {QStringLiteral("source"), source}};
                if (document && !part.media.filename.isEmpty())
                    block.insert(QStringLiteral("title"), part.media.filename);
                if (part.extras.contains(QLatin1String("cache_control")))
                    block.insert(QStringLiteral("cache_control"), part.extras.value(QLatin1String("cache_control")));
                blocks.append(block);
                break;
            }
            case Kind::ToolCall: {
                const std::optional<QJsonObject> input = codec::argumentsObject(part.arguments);
                if (!input) {
                    gate.refuse(partPath + QStringLiteral(".arguments"),
                                QStringLiteral("not a JSON object, and Anthropic needs tool input as one"));
                    break;
                }
                QJsonObject block {{QStringLiteral("type"), QStringLiteral("tool_use")},
                                   {QStringLiteral("id"), toolId(part.toolCallId)},
                                   {QStringLiteral("name"), part.toolName},
                                   {QStringLiteral("input"), *input}};
                if (part.extras.contains(QLatin1String("cache_control")))
                    block.insert(QStringLiteral("cache_control"), part.extras.value(QLatin1String("cache_control")));
                blocks.append(block);
                break;
            }
            case Kind::ToolResult: {
                QJsonObject block {{QStringLiteral("type"), QStringLiteral("tool_result")},
                                   {QStringLiteral("tool_use_id"), toolId(part.toolCallId)}};
                if (part.resultMedia.isEmpty()) {
                    block.insert(QStringLiteral("content"), part.text);
                } else {
                    QJsonArray content;
                    if (!part.text.isEmpty())
                        content.append(textBlock(ContentPart::makeText(part.text)));
                    for (const MediaSource &media : part.resultMedia) {
                        content.append(QJsonObject {
                            {QStringLiteral("type"), QStringLiteral("image")},
                            {QStringLiteral("source"),
                             media.isInline()
                                 ? QJsonObject {{QStringLiteral("type"), QStringLiteral("base64")},
                                                {QStringLiteral("media_type"), media.mediaType},
                                                {QStringLiteral("data"), QString::fromLatin1(media.base64)}}
                                 : QJsonObject {{QStringLiteral("type"), QStringLiteral("url")},
                                                {QStringLiteral("url"), media.url}}}});
                    }
                    block.insert(QStringLiteral("content"), content);
                }
                if (part.isError)
                    block.insert(QStringLiteral("is_error"), true);
                if (part.extras.contains(QLatin1String("cache_control")))
                    block.insert(QStringLiteral("cache_control"), part.extras.value(QLatin1String("cache_control")));
                results.append(block);
                break;
            }
            case Kind::Thinking:
                // Anthropic verifies signatures: unsigned reasoning (another provider's) cannot go back.
                if (part.redacted) {
                    blocks.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("redacted_thinking")},
                                               {QStringLiteral("data"), part.text}});
                } else if (assistant && !part.signature.isEmpty()) {
                    blocks.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("thinking")},
                                               {QStringLiteral("thinking"), part.text},
                                               {QStringLiteral("signature"), part.signature}});
                }
                break;
            case Kind::Raw:
                if (same && part.rawFormat == ApiFormat::AnthropicMessages)
                    blocks.append(part.raw);
                else
                    gate.refuse(partPath + QStringLiteral(" (type ") + partTypeName(part) + QLatin1Char(')'),
                                QStringLiteral("only %1 understands it").arg(apiFormatName(part.rawFormat)));
                break;
            }
        }
        for (const QJsonValue &block : std::as_const(blocks))
            results.append(block);
        if (results.isEmpty())
            continue;
        const QJsonObject only = results.first().toObject();
        const bool plainText = results.size() == 1 && only.size() == 2
            && only.value(QLatin1String("type")).toString() == QLatin1String("text");
        QString role = assistant ? QStringLiteral("assistant") : QStringLiteral("user");
        if (message.role == CanonicalMessage::Role::System)
            role = QStringLiteral("system");
        messages.append(QJsonObject {
            {QStringLiteral("role"), role},
            {QStringLiteral("content"), plainText ? only.value(QLatin1String("text")) : QJsonValue(results)}});
    }
    root.insert(QStringLiteral("messages"), messages);

    if (!request.tools.isEmpty()) {
        QJsonArray tools;
        for (qsizetype i = 0; i < request.tools.size(); ++i) {
            const CanonicalTool &tool = request.tools[i];
            if (codec::passBuiltinTool(tool, i, same, gate, tools))
                continue;
            QJsonObject object = same ? tool.extras : QJsonObject();
            if (tool.extras.contains(QLatin1String("cache_control")))
                object.insert(QStringLiteral("cache_control"), tool.extras.value(QLatin1String("cache_control")));
            object.insert(QStringLiteral("name"), tool.name);
            if (!tool.description.isEmpty())
                object.insert(QStringLiteral("description"), tool.description);
            object.insert(QStringLiteral("input_schema"), codec::toolParameters(tool.parameters));
            if (tool.strict && same)
                object.insert(QStringLiteral("strict"), *tool.strict);
            tools.append(object);
        }
        root.insert(QStringLiteral("tools"), tools);

        QJsonObject choice;
        switch (request.toolChoice.mode) {
        case ToolChoice::Mode::Unset:
            break;
        case ToolChoice::Mode::Auto:
            choice.insert(QStringLiteral("type"), QStringLiteral("auto"));
            break;
        case ToolChoice::Mode::None:
            choice.insert(QStringLiteral("type"), QStringLiteral("none"));
            break;
        case ToolChoice::Mode::Required:
            choice.insert(QStringLiteral("type"), QStringLiteral("any"));
            break;
        case ToolChoice::Mode::Tool:
            choice.insert(QStringLiteral("type"), QStringLiteral("tool"));
            choice.insert(QStringLiteral("name"), request.toolChoice.name);
            break;
        }
        if (request.parallelToolCalls == false && request.toolChoice.mode != ToolChoice::Mode::None) {
            if (choice.isEmpty())
                choice.insert(QStringLiteral("type"), QStringLiteral("auto"));
            choice.insert(QStringLiteral("disable_parallel_tool_use"), true);
        }
        if (!choice.isEmpty())
            root.insert(QStringLiteral("tool_choice"), choice);
    }

    QJsonObject outputConfig = same ? request.extras.value(QLatin1String("output_config")).toObject() : QJsonObject();
    if (same || options.translateReasoning) {
        if (same && request.reasoning.enabled == false) {
            root.insert(QStringLiteral("thinking"), QJsonObject {{QStringLiteral("type"), QStringLiteral("disabled")}});
        } else if (same && request.reasoning.adaptive) {
            root.insert(QStringLiteral("thinking"), QJsonObject {{QStringLiteral("type"), QStringLiteral("adaptive")}});
        } else if (request.reasoning.wantsThinking() && (!same || request.reasoning.enabled.value_or(false))) {
            qint64 budget = qMax<qint64>(1024, request.reasoning.effectiveBudget(8192));
            if (!request.maxTokens) {
                // No limit from the client: room for the thinking plus a default answer.
                maxTokens = budget + options.defaultMaxTokens;
                root.insert(QStringLiteral("max_tokens"), maxTokens);
            } else if (budget >= maxTokens) {
                budget = maxTokens - 1; // the budget counts toward max_tokens and must stay below it
            }
            if (budget >= 1024) {
                root.insert(QStringLiteral("thinking"),
                            QJsonObject {{QStringLiteral("type"), QStringLiteral("enabled")},
                                         {QStringLiteral("budget_tokens"), budget}});
            }
        }
        if (same && !request.reasoning.effort.isEmpty())
            outputConfig.insert(QStringLiteral("effort"), request.reasoning.effort);
    }

    if (request.temperature) {
        if (*request.temperature > 1.0)
            gate.refuse(QStringLiteral("temperature"),
                        QStringLiteral("Anthropic accepts 0 to 1; dropping clamps it to 1"));
        root.insert(QStringLiteral("temperature"), qMin(1.0, *request.temperature));
    }
    // Current Claude models take temperature or top_p, not both: from another format (Gemini CLI sends both by
    // default) the temperature is kept and top_p left out, and listed.
    if (request.topP && request.temperature && !same)
        gate.omit(QStringLiteral("top_p"));
    else if (request.topP)
        root.insert(QStringLiteral("top_p"), *request.topP);
    if (request.topK)
        root.insert(QStringLiteral("top_k"), *request.topK);
    if (!request.stop.isEmpty())
        root.insert(QStringLiteral("stop_sequences"), QJsonArray::fromStringList(request.stop));
    if (request.seed)
        gate.refuse(QStringLiteral("seed"), QStringLiteral("Anthropic has no seeded sampling"));
    if (request.presencePenalty)
        gate.refuse(QStringLiteral("presence_penalty"), QStringLiteral("Anthropic has no presence penalty"));
    if (request.frequencyPenalty)
        gate.refuse(QStringLiteral("frequency_penalty"), QStringLiteral("Anthropic has no frequency penalty"));

    switch (request.responseFormat.type) {
    case ResponseFormat::Type::Text:
        break;
    case ResponseFormat::Type::JsonObject:
        gate.refuse(QStringLiteral("response_format"),
                    QStringLiteral("Anthropic needs a JSON schema for structured output, not json_object"));
        break;
    case ResponseFormat::Type::JsonSchema:
        outputConfig.insert(QStringLiteral("format"),
                            QJsonObject {{QStringLiteral("type"), QStringLiteral("json_schema")},
                                         {QStringLiteral("schema"), request.responseFormat.schema}});
        break;
    }
    if (!outputConfig.isEmpty())
        root.insert(QStringLiteral("output_config"), outputConfig);

    QJsonObject metadata = same ? request.metadata : QJsonObject();
    if (!request.user.isEmpty())
        metadata.insert(QStringLiteral("user_id"), request.user);
    if (!metadata.isEmpty())
        root.insert(QStringLiteral("metadata"), metadata);
    if (request.stream)
        root.insert(QStringLiteral("stream"), true);

    gate.checkExtras(request);
    return codec::finishRequest(request, same, gate, root);
}

FinishReason AnthropicMessagesCodec::finishReasonFromStopReason(const QString &stopReason)
{
    if (stopReason == QLatin1String("max_tokens") || stopReason == QLatin1String("model_context_window_exceeded"))
        return FinishReason::Length;
    if (stopReason == QLatin1String("tool_use"))
        return FinishReason::ToolCalls;
    if (stopReason == QLatin1String("refusal"))
        return FinishReason::ContentFilter;
    return FinishReason::Stop;
}

QString AnthropicMessagesCodec::stopReasonFor(FinishReason reason, const QString &stopSequence)
{
    switch (reason) {
    case FinishReason::Stop:
    case FinishReason::Error:
        break;
    case FinishReason::Length:
        return QStringLiteral("max_tokens");
    case FinishReason::ToolCalls:
        return QStringLiteral("tool_use");
    case FinishReason::ContentFilter:
        return QStringLiteral("refusal");
    }
    return stopSequence.isEmpty() ? QStringLiteral("end_turn") : QStringLiteral("stop_sequence");
}

Result<CanonicalResponse> AnthropicMessagesCodec::decodeResponse(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("provider's answer"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = *parsed;
    if (!root.value(QLatin1String("content")).isArray())
        return makeError(QStringLiteral("The provider's answer has no \"content\" array."));
    CanonicalResponse response;
    response.id = root.value(QLatin1String("id")).toString();
    response.model = root.value(QLatin1String("model")).toString();
    const QJsonArray blocks = root.value(QLatin1String("content")).toArray();
    for (const QJsonValue &value : blocks) {
        const QJsonObject block = value.toObject();
        const QString type = block.value(QLatin1String("type")).toString();
        if (type == QLatin1String("text")) {
            response.content.append(ContentPart::makeText(block.value(QLatin1String("text")).toString()));
        } else if (type == QLatin1String("thinking")) {
            response.content.append(ContentPart::makeThinking(block.value(QLatin1String("thinking")).toString(),
                                                              block.value(QLatin1String("signature")).toString()));
        } else if (type == QLatin1String("redacted_thinking")) {
            ContentPart part = ContentPart::makeThinking(block.value(QLatin1String("data")).toString());
            part.redacted = true;
            response.content.append(part);
        } else if (type == QLatin1String("tool_use")) {
            response.content.append(ContentPart::makeToolCall(
                block.value(QLatin1String("id")).toString(), block.value(QLatin1String("name")).toString(),
                QString::fromUtf8(codec::toJson(block.value(QLatin1String("input")).toObject()))));
        } else {
            ContentPart part;
            part.kind = Kind::Raw;
            part.rawFormat = ApiFormat::AnthropicMessages;
            part.raw = block;
            response.content.append(part);
        }
    }
    const QString stopReason = root.value(QLatin1String("stop_reason")).toString();
    response.finishReason = finishReasonFromStopReason(stopReason);
    response.stopSequence = root.value(QLatin1String("stop_sequence")).toString();
    if (response.finishReason == FinishReason::ContentFilter) {
        response.refusal
            = root.value(QLatin1String("stop_details")).toObject().value(QLatin1String("explanation")).toString();
        response.finishMessage = response.refusal;
    }
    response.usage = TokenUsage::fromAnthropic(root.value(QLatin1String("usage")).toObject());
    return response;
}

QJsonObject AnthropicMessagesCodec::usageJson(const TokenUsage &usage)
{
    return QJsonObject {{QStringLiteral("input_tokens"), qMax<qint64>(0, usage.uncachedInput())},
                        {QStringLiteral("output_tokens"), qMax<qint64>(0, usage.output)},
                        {QStringLiteral("cache_creation_input_tokens"), qMax<qint64>(0, usage.cacheWrite)},
                        {QStringLiteral("cache_read_input_tokens"), qMax<qint64>(0, usage.cached)}};
}

void AnthropicMessagesCodec::writeUsage(JsonWriter &out, const TokenUsage &usage)
{
    // usageJson's object, keys in QJsonObject's order.
    out.raw("{\"cache_creation_input_tokens\":").number(qMax<qint64>(0, usage.cacheWrite));
    out.raw(",\"cache_read_input_tokens\":").number(qMax<qint64>(0, usage.cached));
    out.raw(",\"input_tokens\":").number(qMax<qint64>(0, usage.uncachedInput()));
    out.raw(",\"output_tokens\":").number(qMax<qint64>(0, usage.output)).raw("}");
}

QByteArray AnthropicMessagesCodec::encodeResponse(const CanonicalResponse &response,
                                                  const QString &requestedModel) const
{
    // Written directly, keys in QJsonObject's (sorted) order: the bytes QJsonDocument gave when this built the
    // message as a QJsonObject, without building it.
    QByteArray bytes;
    {
        JsonWriter out(bytes);
        out.raw("{\"content\":[");
        bool first = true;
        const auto next = [&out, &first]() {
            if (!first)
                out.raw(",");
            first = false;
        };
        for (const ContentPart &part : response.content) {
            switch (part.kind) {
            case Kind::Text:
                if (!part.text.isEmpty()) {
                    next();
                    out.raw("{\"text\":").string(part.text).raw(",\"type\":\"text\"}");
                }
                break;
            case Kind::Thinking:
                next();
                if (part.redacted) {
                    out.raw("{\"data\":").string(part.text).raw(",\"type\":\"redacted_thinking\"}");
                } else {
                    out.raw("{\"signature\":").string(part.signature).raw(",\"thinking\":").string(part.text);
                    out.raw(",\"type\":\"thinking\"}");
                }
                break;
            case Kind::ToolCall: {
                const std::optional<QJsonObject> input = codec::argumentsObject(part.arguments);
                if (!input)
                    qCWarning(lcApi) << "tool call" << part.toolName << "has arguments that are not a JSON object";
                next();
                out.raw("{\"id\":").string(toolId(part.toolCallId));
                out.raw(",\"input\":").raw(codec::toJson(input.value_or(QJsonObject())));
                out.raw(",\"name\":").string(part.toolName).raw(",\"type\":\"tool_use\"}");
                break;
            }
            case Kind::Raw:
                if (part.rawFormat == ApiFormat::AnthropicMessages) {
                    next();
                    out.raw(codec::toJson(part.raw));
                }
                break;
            case Kind::Image:
            case Kind::Document:
            case Kind::ToolResult:
                break;
            }
        }
        out.raw("],\"id\":");
        out.string(response.id.isEmpty()                               ? codec::newId(QLatin1String("msg_"))
                       : response.id.startsWith(QLatin1String("msg_")) ? response.id
                                                                       : QStringLiteral("msg_") + toolId(response.id));
        out.raw(",\"model\":").string(requestedModel.isEmpty() ? response.model : requestedModel);
        out.raw(",\"role\":\"assistant\"");
        if (response.finishReason == FinishReason::ContentFilter && !response.refusal.isEmpty())
            out.raw(",\"stop_details\":{\"explanation\":").string(response.refusal).raw(",\"type\":\"refusal\"}");
        out.raw(",\"stop_reason\":").string(stopReasonFor(response.finishReason, response.stopSequence));
        out.raw(",\"stop_sequence\":");
        if (response.stopSequence.isEmpty())
            out.raw("null");
        else
            out.string(response.stopSequence);
        out.raw(",\"type\":\"message\",\"usage\":");
        writeUsage(out, response.usage);
        out.raw("}");
    }
    return bytes;
}

std::unique_ptr<StreamDecoder> AnthropicMessagesCodec::createStreamDecoder() const
{
    return std::make_unique<AnthropicStreamDecoder>();
}

std::unique_ptr<StreamEncoder> AnthropicMessagesCodec::createStreamEncoder(const StreamEncoderOptions &options) const
{
    return std::make_unique<AnthropicStreamEncoder>(options);
}

CanonicalError::Kind AnthropicMessagesCodec::kindForErrorType(const QString &type, int status)
{
    if (type == QLatin1String("invalid_request_error"))
        return status == 404 ? CanonicalError::Kind::NotFound : CanonicalError::Kind::InvalidRequest;
    if (type == QLatin1String("authentication_error"))
        return CanonicalError::Kind::Authentication;
    if (type == QLatin1String("permission_error") || type == QLatin1String("billing_error"))
        return CanonicalError::Kind::Permission;
    if (type == QLatin1String("not_found_error"))
        return CanonicalError::Kind::NotFound;
    if (type == QLatin1String("request_too_large"))
        return CanonicalError::Kind::RequestTooLarge;
    if (type == QLatin1String("rate_limit_error"))
        return CanonicalError::Kind::RateLimit;
    if (type == QLatin1String("overloaded_error"))
        return CanonicalError::Kind::Overloaded;
    if (type == QLatin1String("timeout_error"))
        return CanonicalError::Kind::Timeout;
    if (type == QLatin1String("api_error"))
        return CanonicalError::Kind::Server;
    return CanonicalError::kindForStatus(status);
}

CanonicalError AnthropicMessagesCodec::decodeError(int status, const QByteArray &body) const
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    const QJsonObject error = root.value(QLatin1String("error")).toObject();
    if (root.value(QLatin1String("type")).toString() != QLatin1String("error") || error.isEmpty())
        return OpenAiChatCodec::decodeOpenAiStyleError(status, body);
    const QString type = error.value(QLatin1String("type")).toString();
    CanonicalError out = CanonicalError::make(status, error.value(QLatin1String("message")).toString(), type);
    out.kind = kindForErrorType(type, status);
    if (out.message.isEmpty())
        out.message = codec::statusOnlyMessage(status, body);
    return out;
}

QByteArray AnthropicMessagesCodec::errorType(CanonicalError::Kind kind)
{
    switch (kind) {
    case CanonicalError::Kind::InvalidRequest:
        return QByteArrayLiteral("invalid_request_error");
    case CanonicalError::Kind::Authentication:
        return QByteArrayLiteral("authentication_error");
    case CanonicalError::Kind::Permission:
        return QByteArrayLiteral("permission_error");
    case CanonicalError::Kind::NotFound:
        return QByteArrayLiteral("not_found_error");
    case CanonicalError::Kind::RequestTooLarge:
        return QByteArrayLiteral("request_too_large");
    case CanonicalError::Kind::RateLimit:
        return QByteArrayLiteral("rate_limit_error");
    case CanonicalError::Kind::Overloaded:
        return QByteArrayLiteral("overloaded_error");
    case CanonicalError::Kind::Timeout:
        return QByteArrayLiteral("timeout_error");
    case CanonicalError::Kind::Server:
        break;
    }
    return QByteArrayLiteral("api_error");
}

EncodedError AnthropicMessagesCodec::encodeError(const CanonicalError &error) const
{
    const QJsonObject body {{QStringLiteral("type"), QStringLiteral("error")},
                            {QStringLiteral("error"),
                             QJsonObject {{QStringLiteral("type"), QString::fromLatin1(errorType(error.kind))},
                                          {QStringLiteral("message"), error.message}}}};
    return EncodedError {error.status, codec::toJson(body)};
}

} // namespace sluice
