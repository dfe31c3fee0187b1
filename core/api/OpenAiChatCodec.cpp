#include "OpenAiChatCodec.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "api/CodecJson.h"
#include "api/OpenAiChatStreamDecoder.h"
#include "api/OpenAiChatStreamEncoder.h"
#include "api/OpenAiError.h"
#include "api/ParameterGate.h"
#include "common/WholeNumber.h"

namespace sluice {

namespace {

using Kind = ContentPart::Kind;

using codec::at;

// Content given as a string or an array of parts (user/system/tool/assistant messages).
Result<ContentParts> decodeContent(const QJsonValue &content, const QString &path, bool allowMedia)
{
    ContentParts parts;
    if (content.isUndefined() || content.isNull())
        return parts;
    if (content.isString()) {
        if (!content.toString().isEmpty())
            parts.append(ContentPart::makeText(content.toString()));
        return parts;
    }
    if (!content.isArray())
        return makeError(QStringLiteral("\"%1\" must be a string or an array of content parts.").arg(path));
    const QJsonArray array = content.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString partPath = at(path, i);
        if (!array[i].isObject())
            return makeError(QStringLiteral("\"%1\" must be an object with a \"type\".").arg(partPath));
        const QJsonObject object = array[i].toObject();
        const QString type = object.value(QLatin1String("type")).toString();
        ContentPart part;
        if (type == QLatin1String("text") || type == QLatin1String("refusal")) {
            const QLatin1String key = type == QLatin1String("text") ? QLatin1String("text") : QLatin1String("refusal");
            if (!object.value(key).isString())
                return makeError(QStringLiteral("\"%1.%2\" must be a string.").arg(partPath, key));
            part = ContentPart::makeText(object.value(key).toString());
            codec::copyUnknown(object, {QLatin1String("type"), key}, part.extras);
        } else if (allowMedia && type == QLatin1String("image_url")) {
            const QJsonValue image = object.value(QLatin1String("image_url"));
            const QString url
                = image.isString() ? image.toString() : image.toObject().value(QLatin1String("url")).toString();
            if (url.isEmpty())
                return makeError(QStringLiteral("\"%1.image_url.url\" must be a non-empty string.").arg(partPath));
            part.kind = Kind::Image;
            part.media = MediaSource::fromDataUrlOrUrl(url);
            const QJsonValue detail = image.toObject().value(QLatin1String("detail"));
            if (detail.isString())
                part.extras.insert(QStringLiteral("detail"), detail);
            codec::copyUnknown(object, {QLatin1String("type"), QLatin1String("image_url")}, part.extras);
        } else if (allowMedia && type == QLatin1String("file")
                   && object.value(QLatin1String("file")).toObject().value(QLatin1String("file_data")).isString()) {
            const QJsonObject file = object.value(QLatin1String("file")).toObject();
            part.kind = Kind::Document;
            part.media = MediaSource::fromDataUrlOrUrl(file.value(QLatin1String("file_data")).toString());
            part.media.filename = file.value(QLatin1String("filename")).toString();
        } else {
            part.kind = Kind::Raw;
            part.rawFormat = ApiFormat::OpenAiChat;
            part.raw = object;
        }
        parts.append(part);
    }
    return parts;
}

QJsonValue encodeTextContent(const ContentParts &parts, bool keepExtras)
{
    bool plain = parts.size() == 1 && (!keepExtras || parts.first().extras.isEmpty());
    if (plain)
        return parts.first().text;
    QJsonArray array;
    for (const ContentPart &part : parts) {
        QJsonObject object = keepExtras ? part.extras : QJsonObject();
        object.insert(QStringLiteral("type"), QStringLiteral("text"));
        object.insert(QStringLiteral("text"), part.text);
        array.append(object);
    }
    return array;
}

QString partTypeName(const ContentPart &part)
{
    switch (part.kind) {
    case Kind::Text:
        return QStringLiteral("text");
    case Kind::Image:
        return QStringLiteral("image");
    case Kind::Document:
        return QStringLiteral("document");
    case Kind::ToolCall:
        return QStringLiteral("tool call");
    case Kind::ToolResult:
        return QStringLiteral("tool result");
    case Kind::Thinking:
        return QStringLiteral("thinking");
    case Kind::Raw:
        return part.raw.value(QLatin1String("type")).toString();
    }
    return {};
}

CanonicalError::Kind kindFromOpenAiType(const QString &type, int status)
{
    if (type == QLatin1String("invalid_request_error"))
        return status == 404 ? CanonicalError::Kind::NotFound : CanonicalError::Kind::InvalidRequest;
    if (type == QLatin1String("authentication_error"))
        return CanonicalError::Kind::Authentication;
    if (type == QLatin1String("permission_error"))
        return CanonicalError::Kind::Permission;
    if (type == QLatin1String("rate_limit_error") || type == QLatin1String("insufficient_quota")
        || type == QLatin1String("requests") || type == QLatin1String("tokens"))
        return CanonicalError::Kind::RateLimit;
    return CanonicalError::kindForStatus(status);
}

} // namespace

Result<CanonicalRequest> OpenAiChatCodec::decodeRequest(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("request body"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = *parsed;
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::OpenAiChat;

    const QJsonValue model = root.value(QLatin1String("model"));
    if (!model.isString() || model.toString().isEmpty())
        return makeError(QStringLiteral("\"model\" is required and must be a non-empty string."));
    request.model = model.toString();

    const QJsonValue messagesValue = root.value(QLatin1String("messages"));
    if (!messagesValue.isArray())
        return makeError(QStringLiteral("\"messages\" is required and must be an array of messages."));
    const QJsonArray messages = messagesValue.toArray();
    bool lastWasTool = false;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QString path = at(QStringLiteral("messages"), i);
        if (!messages[i].isObject())
            return makeError(QStringLiteral("\"%1\" must be an object with \"role\" and \"content\".").arg(path));
        const QJsonObject message = messages[i].toObject();
        const QString role = message.value(QLatin1String("role")).toString();
        const QString contentPath = path + QStringLiteral(".content");
        CanonicalMessage out;
        codec::copyUnknown(message,
                           {QLatin1String("role"), QLatin1String("content"), QLatin1String("tool_calls"),
                            QLatin1String("tool_call_id"), QLatin1String("reasoning_content"),
                            QLatin1String("reasoning"), QLatin1String("refusal"), QLatin1String("function_call")},
                           out.extras);
        if (role == QLatin1String("system") || role == QLatin1String("developer")) {
            Result<ContentParts> content = decodeContent(message.value(QLatin1String("content")), contentPath, false);
            if (!content)
                return content.error();
            if (request.messages.isEmpty()) {
                request.system.append(*content);
                continue;
            }
            out.role = CanonicalMessage::Role::System;
            out.parts = *content;
        } else if (role == QLatin1String("user")) {
            Result<ContentParts> content = decodeContent(message.value(QLatin1String("content")), contentPath, true);
            if (!content)
                return content.error();
            out.role = CanonicalMessage::Role::User;
            out.parts = *content;
        } else if (role == QLatin1String("assistant")) {
            out.role = CanonicalMessage::Role::Assistant;
            for (const auto key : {QLatin1String("reasoning_content"), QLatin1String("reasoning")}) {
                const QString reasoning = message.value(key).toString();
                if (!reasoning.isEmpty()) {
                    out.parts.append(ContentPart::makeThinking(reasoning));
                    break;
                }
            }
            Result<ContentParts> content = decodeContent(message.value(QLatin1String("content")), contentPath, false);
            if (!content)
                return content.error();
            out.parts.append(*content);
            const QJsonValue toolCalls = message.value(QLatin1String("tool_calls"));
            if (!toolCalls.isUndefined() && !toolCalls.isNull() && !toolCalls.isArray())
                return makeError(QStringLiteral("\"%1.tool_calls\" must be an array.").arg(path));
            const QJsonArray calls = toolCalls.toArray();
            for (qsizetype j = 0; j < calls.size(); ++j) {
                const QString callPath = at(path + QStringLiteral(".tool_calls"), j);
                const QJsonObject call = calls[j].toObject();
                const QJsonObject function = call.value(QLatin1String("function")).toObject();
                const QString id = call.value(QLatin1String("id")).toString();
                const QString name = function.value(QLatin1String("name")).toString();
                if (id.isEmpty() || name.isEmpty()) {
                    return makeError(
                        QStringLiteral("\"%1\" needs \"id\" and \"function.name\" (non-empty strings).").arg(callPath));
                }
                const QJsonValue arguments = function.value(QLatin1String("arguments"));
                out.parts.append(ContentPart::makeToolCall(id, name,
                                                           arguments.isObject()
                                                               ? QString::fromUtf8(codec::toJson(arguments.toObject()))
                                                               : arguments.toString()));
            }
            const QJsonObject legacyCall = message.value(QLatin1String("function_call")).toObject();
            if (!legacyCall.isEmpty()) {
                const QString name = legacyCall.value(QLatin1String("name")).toString();
                out.parts.append(
                    ContentPart::makeToolCall(name, name, legacyCall.value(QLatin1String("arguments")).toString()));
            }
        } else if (role == QLatin1String("tool") || role == QLatin1String("function")) {
            const bool legacy = role == QLatin1String("function");
            const QString id = message.value(legacy ? QLatin1String("name") : QLatin1String("tool_call_id")).toString();
            if (id.isEmpty()) {
                return makeError(
                    QStringLiteral("\"%1.%2\" is required for a %3 message.")
                        .arg(path, legacy ? QStringLiteral("name") : QStringLiteral("tool_call_id"), role));
            }
            Result<ContentParts> content = decodeContent(message.value(QLatin1String("content")), contentPath, false);
            if (!content)
                return content.error();
            ContentPart result = ContentPart::makeToolResult(id, joinedText(*content));
            if (legacy)
                result.toolName = id;
            if (lastWasTool && !request.messages.isEmpty()) {
                request.messages.last().parts.append(result);
                continue;
            }
            out.role = CanonicalMessage::Role::User;
            out.parts.append(result);
            out.extras = {};
            request.messages.append(out);
            lastWasTool = true;
            continue;
        } else {
            return makeError(
                QStringLiteral("\"%1.role\" must be one of system, developer, user, assistant or tool.").arg(path));
        }
        lastWasTool = false;
        request.messages.append(out);
    }

    const QJsonValue toolsValue = root.value(QLatin1String("tools"));
    if (!toolsValue.isUndefined() && !toolsValue.isNull() && !toolsValue.isArray())
        return makeError(QStringLiteral("\"tools\" must be an array of tools."));
    const QJsonArray tools = toolsValue.toArray();
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QJsonObject tool = tools[i].toObject();
        CanonicalTool out;
        const QString type = tool.value(QLatin1String("type")).toString(QStringLiteral("function"));
        if (type == QLatin1String("function")) {
            const QJsonObject function = tool.value(QLatin1String("function")).toObject();
            out.name = function.value(QLatin1String("name")).toString();
            if (out.name.isEmpty())
                return makeError(
                    QStringLiteral("\"%1.function.name\" is required.").arg(at(QStringLiteral("tools"), i)));
            out.description = function.value(QLatin1String("description")).toString();
            out.parameters = function.value(QLatin1String("parameters")).toObject();
            if (function.value(QLatin1String("strict")).isBool())
                out.strict = function.value(QLatin1String("strict")).toBool();
            codec::copyUnknown(tool, {QLatin1String("type"), QLatin1String("function")}, out.extras);
        } else {
            out.builtinType = type;
            out.name = type;
            out.raw = tool;
        }
        request.tools.append(out);
    }

    const QJsonValue toolChoice = root.value(QLatin1String("tool_choice"));
    if (toolChoice.isString()) {
        const QString mode = toolChoice.toString();
        if (mode == QLatin1String("auto"))
            request.toolChoice.mode = ToolChoice::Mode::Auto;
        else if (mode == QLatin1String("none"))
            request.toolChoice.mode = ToolChoice::Mode::None;
        else if (mode == QLatin1String("required"))
            request.toolChoice.mode = ToolChoice::Mode::Required;
        else
            return makeError(QStringLiteral("\"tool_choice\" must be \"auto\", \"none\", \"required\" or an object "
                                            "naming a function."));
    } else if (toolChoice.isObject()) {
        const QString name
            = toolChoice.toObject().value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString();
        if (name.isEmpty()) {
            request.extras.insert(QStringLiteral("tool_choice"), toolChoice);
        } else {
            request.toolChoice.mode = ToolChoice::Mode::Tool;
            request.toolChoice.name = name;
        }
    }
    const QJsonValue parallel = root.value(QLatin1String("parallel_tool_calls"));
    if (parallel.isBool())
        request.parallelToolCalls = parallel.toBool();

    QString error;
    std::optional<qint64> maxTokens;
    if (!codec::readInteger(root, QLatin1String("max_completion_tokens"), QStringLiteral("max_completion_tokens"),
                            maxTokens, error)
        || (!maxTokens
            && !codec::readInteger(root, QLatin1String("max_tokens"), QStringLiteral("max_tokens"), maxTokens, error))
        || !codec::readNumber(root, QLatin1String("temperature"), QStringLiteral("temperature"), request.temperature,
                              error)
        || !codec::readNumber(root, QLatin1String("top_p"), QStringLiteral("top_p"), request.topP, error)
        || !codec::readInteger(root, QLatin1String("seed"), QStringLiteral("seed"), request.seed, error)
        || !codec::readNumber(root, QLatin1String("presence_penalty"), QStringLiteral("presence_penalty"),
                              request.presencePenalty, error)
        || !codec::readNumber(root, QLatin1String("frequency_penalty"), QStringLiteral("frequency_penalty"),
                              request.frequencyPenalty, error)
        || !codec::readStringList(root.value(QLatin1String("stop")), QStringLiteral("stop"), request.stop, error))
        return makeError(error);
    request.maxTokens = maxTokens;

    const QJsonValue responseFormat = root.value(QLatin1String("response_format"));
    if (responseFormat.isObject()) {
        const QJsonObject format = responseFormat.toObject();
        const QString type = format.value(QLatin1String("type")).toString();
        if (type == QLatin1String("json_object")) {
            request.responseFormat.type = ResponseFormat::Type::JsonObject;
        } else if (type == QLatin1String("json_schema")) {
            const QJsonObject schema = format.value(QLatin1String("json_schema")).toObject();
            request.responseFormat.type = ResponseFormat::Type::JsonSchema;
            request.responseFormat.name = schema.value(QLatin1String("name")).toString();
            request.responseFormat.description = schema.value(QLatin1String("description")).toString();
            request.responseFormat.schema = schema.value(QLatin1String("schema")).toObject();
            if (schema.value(QLatin1String("strict")).isBool())
                request.responseFormat.strict = schema.value(QLatin1String("strict")).toBool();
        } else if (type != QLatin1String("text")) {
            return makeError(QStringLiteral("\"response_format.type\" must be \"text\", \"json_object\" or "
                                            "\"json_schema\"."));
        }
    } else if (!responseFormat.isUndefined() && !responseFormat.isNull()) {
        return makeError(QStringLiteral("\"response_format\" must be an object such as {\"type\": \"json_object\"}."));
    }

    request.reasoning.effort = root.value(QLatin1String("reasoning_effort")).toString();

    const QJsonValue stream = root.value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return makeError(QStringLiteral("\"stream\" must be true or false."));
    request.stream = stream.toBool(false);
    request.includeUsage
        = root.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(false);
    request.user = root.value(QLatin1String("user")).toString();
    request.metadata = root.value(QLatin1String("metadata")).toObject();

    QJsonObject extras;
    codec::copyUnknown(root,
                       {QLatin1String("model"), QLatin1String("messages"), QLatin1String("tools"),
                        QLatin1String("tool_choice"), QLatin1String("parallel_tool_calls"), QLatin1String("max_tokens"),
                        QLatin1String("max_completion_tokens"), QLatin1String("temperature"), QLatin1String("top_p"),
                        QLatin1String("seed"), QLatin1String("presence_penalty"), QLatin1String("frequency_penalty"),
                        QLatin1String("stop"), QLatin1String("response_format"), QLatin1String("reasoning_effort"),
                        QLatin1String("stream"), QLatin1String("stream_options"), QLatin1String("user"),
                        QLatin1String("metadata")},
                       extras);
    for (auto it = extras.begin(); it != extras.end(); ++it)
        request.extras.insert(it.key(), it.value());
    return request;
}

Result<EncodedRequest> OpenAiChatCodec::encodeRequest(const CanonicalRequest &request,
                                                      const EncodeOptions &options) const
{
    ParameterGate gate(ApiFormat::OpenAiChat, options.dropUnsupported);
    const bool same = gate.sameFormat(request);
    QJsonObject root;
    root.insert(QStringLiteral("model"), options.model.isEmpty() ? request.model : options.model);

    QJsonArray messages;
    if (!request.system.isEmpty()) {
        messages.append(QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
                                     {QStringLiteral("content"), encodeTextContent(request.system, same)}});
    }
    for (qsizetype i = 0; i < request.messages.size(); ++i) {
        const CanonicalMessage &message = request.messages[i];
        const QString path = at(QStringLiteral("messages"), i);
        QJsonObject base = same ? message.extras : QJsonObject();
        QJsonArray content;
        ContentParts texts;
        bool onlyText = true;
        QJsonArray toolCalls;
        for (qsizetype j = 0; j < message.parts.size(); ++j) {
            const ContentPart &part = message.parts[j];
            const QString partPath = at(path + QStringLiteral(".content"), j);
            switch (part.kind) {
            case Kind::Text: {
                QJsonObject object = same ? part.extras : QJsonObject();
                object.insert(QStringLiteral("type"), QStringLiteral("text"));
                object.insert(QStringLiteral("text"), part.text);
                content.append(object);
                texts.append(part);
                if (same && !part.extras.isEmpty())
                    onlyText = false;
                break;
            }
            case Kind::Image:
            case Kind::Document: {
                onlyText = false;
                if (message.role != CanonicalMessage::Role::User) {
                    gate.refuse(partPath, QStringLiteral("OpenAI accepts images and files only in user messages"));
                    break;
                }
                if (part.kind == Kind::Image) {
                    QJsonObject image {{QStringLiteral("url"), part.media.toDataUrlOrUrl()}};
                    if (part.extras.value(QLatin1String("detail")).isString())
                        image.insert(QStringLiteral("detail"), part.extras.value(QLatin1String("detail")));
                    content.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("image_url")},
                                                {QStringLiteral("image_url"), image}});
                } else if (part.media.isInline()) {
                    QJsonObject file {{QStringLiteral("file_data"), part.media.toDataUrlOrUrl()}};
                    file.insert(QStringLiteral("filename"),
                                part.media.filename.isEmpty() ? QStringLiteral("document") : part.media.filename);
                    content.append(
                        QJsonObject {{QStringLiteral("type"), QStringLiteral("file")}, {QStringLiteral("file"), file}});
                } else {
                    gate.refuse(partPath, QStringLiteral("OpenAI chat takes documents inline, not by URL"));
                }
                break;
            }
            case Kind::ToolCall:
                toolCalls.append(QJsonObject {
                    {QStringLiteral("id"), part.toolCallId},
                    {QStringLiteral("type"), QStringLiteral("function")},
                    {QStringLiteral("function"),
                     QJsonObject {{QStringLiteral("name"), part.toolName},
                                  {QStringLiteral("arguments"),
                                   part.arguments.trimmed().isEmpty() ? QStringLiteral("{}") : part.arguments}}}});
                break;
            case Kind::ToolResult: {
                if (!part.resultMedia.isEmpty())
                    gate.refuse(partPath, QStringLiteral("OpenAI tool messages cannot carry images"));
                messages.append(QJsonObject {{QStringLiteral("role"), QStringLiteral("tool")},
                                             {QStringLiteral("tool_call_id"), part.toolCallId},
                                             {QStringLiteral("content"), part.text}});
                break;
            }
            case Kind::Thinking:
                break; // OpenAI takes no reasoning back in the conversation
            case Kind::Raw:
                if (same && part.rawFormat == ApiFormat::OpenAiChat) {
                    content.append(part.raw);
                    onlyText = false;
                } else {
                    gate.refuse(partPath + QStringLiteral(" (type ") + partTypeName(part) + QLatin1Char(')'),
                                QStringLiteral("only %1 understands it").arg(apiFormatName(part.rawFormat)));
                }
                break;
            }
        }
        const bool hasContent = !content.isEmpty();
        switch (message.role) {
        case CanonicalMessage::Role::System:
            base.insert(QStringLiteral("role"), QStringLiteral("system"));
            base.insert(QStringLiteral("content"), encodeTextContent(texts, same));
            messages.append(base);
            break;
        case CanonicalMessage::Role::User:
            if (!hasContent)
                break; // a message of tool results only
            base.insert(QStringLiteral("role"), QStringLiteral("user"));
            base.insert(QStringLiteral("content"),
                        onlyText && texts.size() == 1 ? QJsonValue(texts.first().text) : QJsonValue(content));
            messages.append(base);
            break;
        case CanonicalMessage::Role::Assistant:
            base.insert(QStringLiteral("role"), QStringLiteral("assistant"));
            if (onlyText)
                base.insert(QStringLiteral("content"), texts.isEmpty() ? QJsonValue() : QJsonValue(joinedText(texts)));
            else
                base.insert(QStringLiteral("content"), content);
            if (!toolCalls.isEmpty())
                base.insert(QStringLiteral("tool_calls"), toolCalls);
            messages.append(base);
            break;
        }
    }
    root.insert(QStringLiteral("messages"), messages);

    if (!request.tools.isEmpty()) {
        QJsonArray tools;
        for (qsizetype i = 0; i < request.tools.size(); ++i) {
            const CanonicalTool &tool = request.tools[i];
            if (codec::passBuiltinTool(tool, i, same, gate, tools))
                continue;
            QJsonObject function {{QStringLiteral("name"), tool.name}};
            if (!tool.description.isEmpty())
                function.insert(QStringLiteral("description"), tool.description);
            function.insert(QStringLiteral("parameters"), codec::toolParameters(tool.parameters));
            if (tool.strict)
                function.insert(QStringLiteral("strict"), *tool.strict);
            QJsonObject object = same ? tool.extras : QJsonObject();
            object.insert(QStringLiteral("type"), QStringLiteral("function"));
            object.insert(QStringLiteral("function"), function);
            tools.append(object);
        }
        root.insert(QStringLiteral("tools"), tools);
        if (request.parallelToolCalls)
            root.insert(QStringLiteral("parallel_tool_calls"), *request.parallelToolCalls);
    }
    codec::insertToolChoice(
        root, request.toolChoice,
        QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                     {QStringLiteral("function"), QJsonObject {{QStringLiteral("name"), request.toolChoice.name}}}});

    if (request.maxTokens) {
        root.insert(options.legacyMaxTokens ? QStringLiteral("max_tokens") : QStringLiteral("max_completion_tokens"),
                    *request.maxTokens);
    }
    if (request.temperature)
        root.insert(QStringLiteral("temperature"), *request.temperature);
    if (request.topP)
        root.insert(QStringLiteral("top_p"), *request.topP);
    if (request.topK)
        codec::refuseTopK(request, gate, QStringLiteral("OpenAI has no top-k sampling"));
    if (request.seed)
        root.insert(QStringLiteral("seed"), *request.seed);
    if (request.presencePenalty)
        root.insert(QStringLiteral("presence_penalty"), *request.presencePenalty);
    if (request.frequencyPenalty)
        root.insert(QStringLiteral("frequency_penalty"), *request.frequencyPenalty);
    if (!request.stop.isEmpty())
        root.insert(QStringLiteral("stop"), QJsonArray::fromStringList(request.stop));

    switch (request.responseFormat.type) {
    case ResponseFormat::Type::Text:
        break;
    case ResponseFormat::Type::JsonObject:
        root.insert(QStringLiteral("response_format"),
                    QJsonObject {{QStringLiteral("type"), QStringLiteral("json_object")}});
        break;
    case ResponseFormat::Type::JsonSchema:
        root.insert(QStringLiteral("response_format"),
                    QJsonObject {{QStringLiteral("type"), QStringLiteral("json_schema")},
                                 {QStringLiteral("json_schema"), codec::jsonSchemaFormat(request.responseFormat)}});
        break;
    }

    if ((same || options.translateReasoning) && request.reasoning.wantsExplicitThinking()) {
        const QString effort = request.reasoning.effectiveEffort();
        if (!effort.isEmpty())
            root.insert(QStringLiteral("reasoning_effort"), effort);
    }
    if (request.stream) {
        root.insert(QStringLiteral("stream"), true);
        root.insert(QStringLiteral("stream_options"), QJsonObject {{QStringLiteral("include_usage"), true}});
    }
    // Another format's end-user id can be longer than OpenAI takes (Claude Code's is a JSON object): it only labels
    // the request, so it is left out rather than refused.
    if (!request.user.isEmpty() && (same || request.user.size() <= codec::MaxOpenAiUserLength))
        root.insert(QStringLiteral("user"), request.user);
    if (same && !request.metadata.isEmpty())
        root.insert(QStringLiteral("metadata"), request.metadata);

    gate.checkExtras(request);
    return codec::finishRequest(request, same, gate, root);
}

FinishReason OpenAiChatCodec::finishReasonFromName(const QString &name)
{
    if (name == QLatin1String("length"))
        return FinishReason::Length;
    if (name == QLatin1String("tool_calls") || name == QLatin1String("function_call"))
        return FinishReason::ToolCalls;
    if (name == QLatin1String("content_filter"))
        return FinishReason::ContentFilter;
    if (name == QLatin1String("error"))
        return FinishReason::Error;
    return FinishReason::Stop;
}

Result<CanonicalResponse> OpenAiChatCodec::decodeResponse(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("provider's answer"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = *parsed;
    const QJsonArray choices = root.value(QLatin1String("choices")).toArray();
    if (choices.isEmpty())
        return makeError(QStringLiteral("The provider's answer has no choices."));
    const QJsonObject choice = choices.first().toObject();

    CanonicalResponse response;
    response.id = root.value(QLatin1String("id")).toString();
    response.model = root.value(QLatin1String("model")).toString();
    response.created = wholeNumber(root.value(QLatin1String("created")).toDouble()).value_or(0);
    if (choice.contains(QLatin1String("text"))) { // legacy /v1/completions
        response.content.append(ContentPart::makeText(choice.value(QLatin1String("text")).toString()));
    } else {
        const QJsonObject message = choice.value(QLatin1String("message")).toObject();
        for (const auto key : {QLatin1String("reasoning_content"), QLatin1String("reasoning")}) {
            const QString reasoning = message.value(key).toString();
            if (!reasoning.isEmpty()) {
                response.content.append(ContentPart::makeThinking(reasoning));
                break;
            }
        }
        const QJsonValue content = message.value(QLatin1String("content"));
        if (content.isString() && !content.toString().isEmpty()) {
            response.content.append(ContentPart::makeText(content.toString()));
        } else if (content.isArray()) {
            const QJsonArray parts = content.toArray();
            for (const QJsonValue &part : parts) {
                const QString text = part.toObject().value(QLatin1String("text")).toString();
                if (!text.isEmpty())
                    response.content.append(ContentPart::makeText(text));
            }
        }
        response.refusal = message.value(QLatin1String("refusal")).toString();
        const QJsonArray calls = message.value(QLatin1String("tool_calls")).toArray();
        for (const QJsonValue &callValue : calls) {
            const QJsonObject call = callValue.toObject();
            const QJsonObject function = call.value(QLatin1String("function")).toObject();
            const QJsonValue arguments = function.value(QLatin1String("arguments"));
            response.content.append(ContentPart::makeToolCall(
                call.value(QLatin1String("id")).toString(), function.value(QLatin1String("name")).toString(),
                arguments.isObject() ? QString::fromUtf8(codec::toJson(arguments.toObject())) : arguments.toString()));
        }
    }
    response.finishReason = finishReasonFromName(choice.value(QLatin1String("finish_reason")).toString());
    if (response.finishReason == FinishReason::Stop && !response.toolCalls().isEmpty())
        response.finishReason = FinishReason::ToolCalls;
    response.usage = TokenUsage::fromOpenAiChat(root.value(QLatin1String("usage")).toObject());
    return response;
}

QJsonObject OpenAiChatCodec::usageJson(const TokenUsage &usage)
{
    const qint64 input = qMax<qint64>(0, usage.input);
    const qint64 output = qMax<qint64>(0, usage.output);
    QJsonObject json {{QStringLiteral("prompt_tokens"), input},
                      {QStringLiteral("completion_tokens"), output},
                      {QStringLiteral("total_tokens"), input + output}};
    json.insert(QStringLiteral("prompt_tokens_details"),
                QJsonObject {{QStringLiteral("cached_tokens"), qMax<qint64>(0, usage.cached)}});
    json.insert(QStringLiteral("completion_tokens_details"),
                QJsonObject {{QStringLiteral("reasoning_tokens"), qMax<qint64>(0, usage.reasoning)}});
    return json;
}

QByteArray OpenAiChatCodec::encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const
{
    QJsonObject message {{QStringLiteral("role"), QStringLiteral("assistant")}};
    const QString text = response.text();
    const ContentParts calls = response.toolCalls();
    message.insert(QStringLiteral("content"),
                   text.isEmpty() && (!calls.isEmpty() || !response.refusal.isEmpty()) ? QJsonValue()
                                                                                       : QJsonValue(text));
    const QString thinking = response.thinkingText();
    if (!thinking.isEmpty())
        message.insert(QStringLiteral("reasoning_content"), thinking);
    message.insert(QStringLiteral("refusal"), response.refusal.isEmpty() ? QJsonValue() : QJsonValue(response.refusal));
    if (!calls.isEmpty()) {
        QJsonArray toolCalls;
        for (const ContentPart &call : calls) {
            toolCalls.append(QJsonObject {
                {QStringLiteral("id"), call.toolCallId},
                {QStringLiteral("type"), QStringLiteral("function")},
                {QStringLiteral("function"),
                 QJsonObject {{QStringLiteral("name"), call.toolName},
                              {QStringLiteral("arguments"),
                               call.arguments.trimmed().isEmpty() ? QStringLiteral("{}") : call.arguments}}}});
        }
        message.insert(QStringLiteral("tool_calls"), toolCalls);
    }
    const FinishReason reason
        = response.finishReason == FinishReason::Error ? FinishReason::Stop : response.finishReason;
    const QJsonObject choice {{QStringLiteral("index"), 0},
                              {QStringLiteral("message"), message},
                              {QStringLiteral("logprobs"), QJsonValue()},
                              {QStringLiteral("finish_reason"), finishReasonName(reason)}};
    const QJsonObject root {
        {QStringLiteral("id"), response.id.isEmpty() ? codec::newId(QLatin1String("chatcmpl-")) : response.id},
        {QStringLiteral("object"), QStringLiteral("chat.completion")},
        {QStringLiteral("created"), response.created > 0 ? response.created : codec::nowSeconds()},
        {QStringLiteral("model"), requestedModel.isEmpty() ? response.model : requestedModel},
        {QStringLiteral("choices"), QJsonArray {choice}},
        {QStringLiteral("usage"), usageJson(response.usage)},
    };
    return codec::toJson(root);
}

std::unique_ptr<StreamDecoder> OpenAiChatCodec::createStreamDecoder() const
{
    return std::make_unique<OpenAiChatStreamDecoder>();
}

std::unique_ptr<StreamEncoder> OpenAiChatCodec::createStreamEncoder(const StreamEncoderOptions &options) const
{
    return std::make_unique<OpenAiChatStreamEncoder>(options);
}

CanonicalError OpenAiChatCodec::decodeOpenAiStyleError(int status, const QByteArray &body)
{
    CanonicalError error = CanonicalError::make(status, {});
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    QJsonObject root = doc.isArray() ? doc.array().first().toObject() : doc.object();
    const QJsonValue envelope = root.value(QLatin1String("error"));
    if (envelope.isObject()) {
        const QJsonObject object = envelope.toObject();
        error.message = object.value(QLatin1String("message")).toString();
        const QString type = object.value(QLatin1String("type")).toString();
        const QJsonValue code = object.value(QLatin1String("code"));
        error.code = code.isString() ? code.toString() : type;
        error.param = object.value(QLatin1String("param")).toString();
        error.kind = kindFromOpenAiType(type, status);
    } else if (envelope.isString()) {
        error.message = envelope.toString();
    } else {
        error.message = root.value(QLatin1String("message")).toString();
        if (error.message.isEmpty() && root.value(QLatin1String("detail")).isString())
            error.message = root.value(QLatin1String("detail")).toString();
    }
    if (error.message.isEmpty())
        error.message = codec::statusOnlyMessage(status, body);
    return error;
}

CanonicalError OpenAiChatCodec::decodeError(int status, const QByteArray &body) const
{
    return decodeOpenAiStyleError(status, body);
}

QByteArray OpenAiChatCodec::errorType(CanonicalError::Kind kind)
{
    switch (kind) {
    case CanonicalError::Kind::InvalidRequest:
    case CanonicalError::Kind::NotFound:
    case CanonicalError::Kind::RequestTooLarge:
        return QByteArrayLiteral("invalid_request_error");
    case CanonicalError::Kind::Authentication:
        return QByteArrayLiteral("authentication_error");
    case CanonicalError::Kind::Permission:
        return QByteArrayLiteral("permission_error");
    case CanonicalError::Kind::RateLimit:
        return QByteArrayLiteral("rate_limit_error");
    case CanonicalError::Kind::Overloaded:
    case CanonicalError::Kind::Timeout:
    case CanonicalError::Kind::Server:
        break;
    }
    return QByteArrayLiteral("server_error");
}

EncodedError OpenAiChatCodec::encodeError(const CanonicalError &error) const
{
    // 529 is Anthropic's own "overloaded"; OpenAI clients know 503.
    const int status = error.status == 529 ? 503 : error.status;
    const OpenAiError envelope {status, error.message, errorType(error.kind), error.code.toUtf8(),
                                error.param.toUtf8()};
    return EncodedError {status, envelope.toJson()};
}

} // namespace sluice
