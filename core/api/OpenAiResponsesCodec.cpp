#include "OpenAiResponsesCodec.h"

#include "api/CodecJson.h"
#include "api/OpenAiChatCodec.h"
#include "api/OpenAiResponsesStreamDecoder.h"
#include "api/OpenAiResponsesStreamEncoder.h"
#include "api/ParameterGate.h"
#include "common/WholeNumber.h"

namespace sluice {

namespace {

using Kind = ContentPart::Kind;

using codec::at;

QString flatToolName(const QString &space, const QString &name)
{
    return space + QStringLiteral("__") + name;
}

ContentPart rawPart(const QJsonObject &object)
{
    ContentPart part;
    part.kind = Kind::Raw;
    part.rawFormat = ApiFormat::OpenAiResponses;
    part.raw = object;
    return part;
}

Result<ContentParts> decodeContent(const QJsonValue &content, const QString &path)
{
    ContentParts parts;
    if (content.isString()) {
        parts.append(ContentPart::makeText(content.toString()));
        return parts;
    }
    if (!content.isArray())
        return makeError(QStringLiteral("\"%1\" must be a string or an array of content parts.").arg(path));
    const QJsonArray array = content.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array[i].toObject();
        const QString type = object.value(QLatin1String("type")).toString();
        if (type == QLatin1String("input_text") || type == QLatin1String("output_text")
            || type == QLatin1String("text")) {
            parts.append(ContentPart::makeText(object.value(QLatin1String("text")).toString()));
        } else if (type == QLatin1String("refusal")) {
            parts.append(ContentPart::makeText(object.value(QLatin1String("refusal")).toString()));
        } else if (type == QLatin1String("input_image") && object.value(QLatin1String("image_url")).isString()) {
            ContentPart part;
            part.kind = Kind::Image;
            part.media = MediaSource::fromDataUrlOrUrl(object.value(QLatin1String("image_url")).toString());
            if (object.value(QLatin1String("detail")).isString())
                part.extras.insert(QStringLiteral("detail"), object.value(QLatin1String("detail")));
            parts.append(part);
        } else if (type == QLatin1String("input_file")
                   && (object.value(QLatin1String("file_data")).isString()
                       || object.value(QLatin1String("file_url")).isString())) {
            ContentPart part;
            part.kind = Kind::Document;
            part.media = object.contains(QLatin1String("file_data"))
                ? MediaSource::fromDataUrlOrUrl(object.value(QLatin1String("file_data")).toString())
                : MediaSource::fromDataUrlOrUrl(object.value(QLatin1String("file_url")).toString());
            part.media.filename = object.value(QLatin1String("filename")).toString();
            parts.append(part);
        } else {
            parts.append(rawPart(object));
        }
    }
    return parts;
}

// The message an item belongs to: the last one when it has the same role, else a new one.
CanonicalMessage &messageFor(CanonicalRequest &request, CanonicalMessage::Role role)
{
    if (request.messages.isEmpty() || request.messages.last().role != role)
        request.messages.append(CanonicalMessage {role, {}, {}});
    return request.messages.last();
}

QJsonObject contentPartJson(const ContentPart &part)
{
    if (part.kind == Kind::Image) {
        QJsonObject image {{QStringLiteral("type"), QStringLiteral("input_image")},
                           {QStringLiteral("image_url"), part.media.toDataUrlOrUrl()}};
        if (part.extras.value(QLatin1String("detail")).isString())
            image.insert(QStringLiteral("detail"), part.extras.value(QLatin1String("detail")));
        return image;
    }
    QJsonObject file {{QStringLiteral("type"), QStringLiteral("input_file")}};
    if (part.media.isInline())
        file.insert(QStringLiteral("file_data"), part.media.toDataUrlOrUrl());
    else
        file.insert(QStringLiteral("file_url"), part.media.url);
    file.insert(QStringLiteral("filename"),
                part.media.filename.isEmpty() ? QStringLiteral("document") : part.media.filename);
    return file;
}

} // namespace

Result<CanonicalRequest> OpenAiResponsesCodec::decodeRequest(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("request body"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = *parsed;
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::OpenAiResponses;

    const QJsonValue model = root.value(QLatin1String("model"));
    if (!model.isString() || model.toString().isEmpty())
        return makeError(QStringLiteral("\"model\" is required and must be a non-empty string."));
    request.model = model.toString();

    const QJsonValue instructions = root.value(QLatin1String("instructions"));
    if (instructions.isString() && !instructions.toString().isEmpty())
        request.system.append(ContentPart::makeText(instructions.toString()));

    const QJsonValue input = root.value(QLatin1String("input"));
    if (input.isString()) {
        request.messages.append(
            CanonicalMessage {CanonicalMessage::Role::User, {ContentPart::makeText(input.toString())}, {}});
    } else if (input.isArray()) {
        const QJsonArray items = input.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QString path = at(QStringLiteral("input"), i);
            if (!items[i].isObject())
                return makeError(QStringLiteral("\"%1\" must be an object (a message or an item).").arg(path));
            const QJsonObject item = items[i].toObject();
            const QString type = item.value(QLatin1String("type")).toString(QStringLiteral("message"));
            if (type == QLatin1String("message")) {
                const QString role = item.value(QLatin1String("role")).toString();
                Result<ContentParts> content
                    = decodeContent(item.value(QLatin1String("content")), path + QStringLiteral(".content"));
                if (!content)
                    return content.error();
                if (role == QLatin1String("system") || role == QLatin1String("developer")) {
                    if (request.messages.isEmpty())
                        request.system.append(*content);
                    else
                        request.messages.append(CanonicalMessage {CanonicalMessage::Role::System, *content, {}});
                } else if (role == QLatin1String("user")) {
                    messageFor(request, CanonicalMessage::Role::User).parts.append(*content);
                } else if (role == QLatin1String("assistant")) {
                    messageFor(request, CanonicalMessage::Role::Assistant).parts.append(*content);
                } else {
                    return makeError(
                        QStringLiteral("\"%1.role\" must be one of user, assistant, system or developer.").arg(path));
                }
            } else if (type == QLatin1String("function_call")) {
                const QString callId = item.value(QLatin1String("call_id")).toString();
                const QString name = item.value(QLatin1String("name")).toString();
                if (callId.isEmpty() || name.isEmpty())
                    return makeError(QStringLiteral("\"%1\" needs \"call_id\" and \"name\".").arg(path));
                // A call of a namespaced tool names its namespace: it goes out under the flattened name.
                const QString space = item.value(QLatin1String("namespace")).toString();
                ContentPart call = ContentPart::makeToolCall(callId, space.isEmpty() ? name : flatToolName(space, name),
                                                             item.value(QLatin1String("arguments")).toString());
                if (item.value(QLatin1String("id")).isString())
                    call.extras.insert(QStringLiteral("id"), item.value(QLatin1String("id")));
                messageFor(request, CanonicalMessage::Role::Assistant).parts.append(call);
            } else if (type == QLatin1String("function_call_output")) {
                const QString callId = item.value(QLatin1String("call_id")).toString();
                if (callId.isEmpty())
                    return makeError(QStringLiteral("\"%1.call_id\" is required.").arg(path));
                const QJsonValue output = item.value(QLatin1String("output"));
                ContentPart result = ContentPart::makeToolResult(callId, output.toString());
                if (output.isArray()) {
                    Result<ContentParts> content = decodeContent(output, path + QStringLiteral(".output"));
                    if (!content)
                        return content.error();
                    result.text = joinedText(*content);
                    for (const ContentPart &piece : std::as_const(*content)) {
                        if (piece.kind == Kind::Image)
                            result.resultMedia.append(piece.media);
                    }
                }
                CanonicalMessage &message = messageFor(request, CanonicalMessage::Role::User);
                message.parts.append(result);
            } else if (type == QLatin1String("reasoning")) {
                QStringList texts;
                const QJsonArray summary = item.value(QLatin1String("summary")).toArray();
                for (const QJsonValue &piece : summary)
                    texts.append(piece.toObject().value(QLatin1String("text")).toString());
                const QJsonArray content = item.value(QLatin1String("content")).toArray();
                if (texts.isEmpty()) {
                    for (const QJsonValue &piece : content)
                        texts.append(piece.toObject().value(QLatin1String("text")).toString());
                }
                ContentPart thinking = ContentPart::makeThinking(
                    texts.join(QStringLiteral("\n\n")), item.value(QLatin1String("encrypted_content")).toString());
                thinking.extras = item;
                messageFor(request, CanonicalMessage::Role::Assistant).parts.append(thinking);
            } else {
                const bool call = type.endsWith(QLatin1String("_call"));
                ContentPart raw = rawPart(item);
                raw.extras.insert(QStringLiteral("item"), true); // a whole input item, not a content part
                messageFor(request, call ? CanonicalMessage::Role::Assistant : CanonicalMessage::Role::User)
                    .parts.append(raw);
            }
        }
    } else {
        return makeError(QStringLiteral("\"input\" is required: a string or an array of input items."));
    }

    const QJsonArray tools = root.value(QLatin1String("tools")).toArray();
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QJsonObject tool = tools[i].toObject();
        CanonicalTool out;
        const QString type = tool.value(QLatin1String("type")).toString();
        if (type == QLatin1String("namespace")) {
            // A group of functions (Codex's sub-agent tools): each becomes a plain function NAMESPACE__NAME.
            const QString space = tool.value(QLatin1String("name")).toString();
            const QJsonArray members = tool.value(QLatin1String("tools")).toArray();
            for (qsizetype j = 0; j < members.size(); ++j) {
                const QJsonObject member = members[j].toObject();
                const QString name = member.value(QLatin1String("name")).toString();
                if (space.isEmpty() || name.isEmpty())
                    return makeError(QStringLiteral("\"%1\" needs a \"name\" and named \"tools\".")
                                         .arg(at(QStringLiteral("tools"), i)));
                CanonicalTool function;
                function.name = flatToolName(space, name);
                function.description = member.value(QLatin1String("description")).toString();
                function.parameters = member.value(QLatin1String("parameters")).toObject();
                if (member.value(QLatin1String("strict")).isBool())
                    function.strict = member.value(QLatin1String("strict")).toBool();
                request.toolNamespaces.insert(function.name, space);
                request.tools.append(function);
            }
            continue;
        }
        if (type == QLatin1String("function")) {
            out.name = tool.value(QLatin1String("name")).toString();
            if (out.name.isEmpty())
                return makeError(QStringLiteral("\"%1.name\" is required.").arg(at(QStringLiteral("tools"), i)));
            out.description = tool.value(QLatin1String("description")).toString();
            out.parameters = tool.value(QLatin1String("parameters")).toObject();
            if (tool.value(QLatin1String("strict")).isBool())
                out.strict = tool.value(QLatin1String("strict")).toBool();
        } else {
            out.builtinType = type;
            out.name = tool.value(QLatin1String("name")).toString(type);
            out.raw = tool;
        }
        request.tools.append(out);
    }

    QJsonObject extras;
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
            return makeError(QStringLiteral("\"tool_choice\" must be \"auto\", \"none\", \"required\" or an object."));
    } else if (toolChoice.isObject()) {
        const QJsonObject choice = toolChoice.toObject();
        if (choice.value(QLatin1String("type")).toString() == QLatin1String("function"))
            request.toolChoice = ToolChoice {ToolChoice::Mode::Tool, choice.value(QLatin1String("name")).toString()};
        else
            extras.insert(QStringLiteral("tool_choice"), choice);
    }
    if (root.value(QLatin1String("parallel_tool_calls")).isBool())
        request.parallelToolCalls = root.value(QLatin1String("parallel_tool_calls")).toBool();

    QString error;
    if (!codec::readInteger(root, QLatin1String("max_output_tokens"), QStringLiteral("max_output_tokens"),
                            request.maxTokens, error)
        || !codec::readNumber(root, QLatin1String("temperature"), QStringLiteral("temperature"), request.temperature,
                              error)
        || !codec::readNumber(root, QLatin1String("top_p"), QStringLiteral("top_p"), request.topP, error))
        return makeError(error);

    QJsonObject text = root.value(QLatin1String("text")).toObject();
    const QJsonObject format = text.take(QLatin1String("format")).toObject();
    const QString formatType = format.value(QLatin1String("type")).toString();
    if (formatType == QLatin1String("json_object")) {
        request.responseFormat.type = ResponseFormat::Type::JsonObject;
    } else if (formatType == QLatin1String("json_schema")) {
        request.responseFormat.type = ResponseFormat::Type::JsonSchema;
        request.responseFormat.name = format.value(QLatin1String("name")).toString();
        request.responseFormat.description = format.value(QLatin1String("description")).toString();
        request.responseFormat.schema = format.value(QLatin1String("schema")).toObject();
        if (format.value(QLatin1String("strict")).isBool())
            request.responseFormat.strict = format.value(QLatin1String("strict")).toBool();
    }
    if (!text.isEmpty())
        extras.insert(QStringLiteral("text"), text);

    const QJsonObject reasoning = root.value(QLatin1String("reasoning")).toObject();
    request.reasoning.effort = reasoning.value(QLatin1String("effort")).toString();
    request.reasoning.summary = reasoning.value(QLatin1String("summary")).toString();
    if (request.reasoning.effort == QLatin1String("none")) {
        request.reasoning = ReasoningConfig();
        request.reasoning.enabled = false;
    }

    request.stream = root.value(QLatin1String("stream")).toBool(false);
    request.includeUsage = true; // the Responses stream always reports usage in response.completed
    request.user = root.value(QLatin1String("user")).toString();
    request.metadata = root.value(QLatin1String("metadata")).toObject();

    codec::copyUnknown(root,
                       {QLatin1String("model"), QLatin1String("instructions"), QLatin1String("input"),
                        QLatin1String("tools"), QLatin1String("tool_choice"), QLatin1String("parallel_tool_calls"),
                        QLatin1String("max_output_tokens"), QLatin1String("temperature"), QLatin1String("top_p"),
                        QLatin1String("text"), QLatin1String("reasoning"), QLatin1String("stream"),
                        QLatin1String("user"), QLatin1String("metadata")},
                       extras);
    request.extras = extras;
    return request;
}

Result<EncodedRequest> OpenAiResponsesCodec::encodeRequest(const CanonicalRequest &request,
                                                           const EncodeOptions &options) const
{
    ParameterGate gate(ApiFormat::OpenAiResponses, options.dropUnsupported);
    const bool same = gate.sameFormat(request);
    QJsonObject root;
    root.insert(QStringLiteral("model"), options.model.isEmpty() ? request.model : options.model);
    if (!request.system.isEmpty()) {
        QStringList texts;
        for (const ContentPart &part : request.system)
            texts.append(part.text);
        root.insert(QStringLiteral("instructions"), texts.join(QStringLiteral("\n\n")));
    }

    QJsonArray input;
    for (qsizetype i = 0; i < request.messages.size(); ++i) {
        const CanonicalMessage &message = request.messages[i];
        const QString path = at(QStringLiteral("messages"), i);
        const bool assistant = message.role == CanonicalMessage::Role::Assistant;
        QJsonArray content;
        const auto flushContent = [&]() {
            if (content.isEmpty())
                return;
            QString role = QStringLiteral("user");
            if (assistant)
                role = QStringLiteral("assistant");
            else if (message.role == CanonicalMessage::Role::System)
                role = QStringLiteral("system");
            input.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("message")},
                                      {QStringLiteral("role"), role},
                                      {QStringLiteral("content"), content}});
            content = QJsonArray();
        };
        for (qsizetype j = 0; j < message.parts.size(); ++j) {
            const ContentPart &part = message.parts[j];
            const QString partPath = at(path + QStringLiteral(".content"), j);
            switch (part.kind) {
            case Kind::Text:
                content.append(QJsonObject {
                    {QStringLiteral("type"), assistant ? QStringLiteral("output_text") : QStringLiteral("input_text")},
                    {QStringLiteral("text"), part.text}});
                break;
            case Kind::Image:
            case Kind::Document:
                if (assistant)
                    gate.refuse(partPath, QStringLiteral("OpenAI accepts images and files only from the user"));
                else
                    content.append(contentPartJson(part));
                break;
            case Kind::ToolCall: {
                flushContent();
                const auto [space, name] = same ? request.splitToolName(part.toolName)
                                                : std::pair<QString, QString> {QString(), part.toolName};
                QJsonObject call {{QStringLiteral("type"), QStringLiteral("function_call")},
                                  {QStringLiteral("call_id"), part.toolCallId},
                                  {QStringLiteral("name"), name},
                                  {QStringLiteral("arguments"),
                                   part.arguments.trimmed().isEmpty() ? QStringLiteral("{}") : part.arguments}};
                if (same && part.extras.value(QLatin1String("id")).isString())
                    call.insert(QStringLiteral("id"), part.extras.value(QLatin1String("id")));
                if (!space.isEmpty())
                    call.insert(QStringLiteral("namespace"), space);
                input.append(call);
                break;
            }
            case Kind::ToolResult: {
                flushContent();
                QJsonValue output = part.text;
                if (!part.resultMedia.isEmpty()) {
                    QJsonArray pieces;
                    if (!part.text.isEmpty())
                        pieces.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("input_text")},
                                                   {QStringLiteral("text"), part.text}});
                    for (const MediaSource &media : part.resultMedia) {
                        ContentPart image;
                        image.kind = Kind::Image;
                        image.media = media;
                        pieces.append(contentPartJson(image));
                    }
                    output = pieces;
                }
                input.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call_output")},
                                          {QStringLiteral("call_id"), part.toolCallId},
                                          {QStringLiteral("output"), output}});
                break;
            }
            case Kind::Thinking:
                // Reasoning items only go back to the provider that made them.
                if (same && !part.extras.isEmpty()) {
                    flushContent();
                    input.append(part.extras);
                }
                break;
            case Kind::Raw:
                if (same && part.rawFormat == ApiFormat::OpenAiResponses) {
                    if (part.extras.value(QLatin1String("item")).toBool()) {
                        flushContent();
                        input.append(part.raw);
                    } else {
                        content.append(part.raw);
                    }
                } else {
                    gate.refuse(partPath + QStringLiteral(" (type ") + part.raw.value(QLatin1String("type")).toString()
                                    + QLatin1Char(')'),
                                QStringLiteral("only %1 understands it").arg(apiFormatName(part.rawFormat)));
                }
                break;
            }
        }
        flushContent();
    }
    root.insert(QStringLiteral("input"), input);

    if (!request.tools.isEmpty()) {
        QJsonArray tools;
        for (qsizetype i = 0; i < request.tools.size(); ++i) {
            const CanonicalTool &tool = request.tools[i];
            if (codec::passBuiltinTool(tool, i, same, gate, tools))
                continue;
            QJsonObject object {{QStringLiteral("type"), QStringLiteral("function")},
                                {QStringLiteral("name"), tool.name}};
            if (!tool.description.isEmpty())
                object.insert(QStringLiteral("description"), tool.description);
            object.insert(QStringLiteral("parameters"), codec::toolParameters(tool.parameters));
            // Responses treats function tools as strict unless told otherwise; other formats never are.
            object.insert(QStringLiteral("strict"), tool.strict.value_or(false));
            tools.append(object);
        }
        root.insert(QStringLiteral("tools"), tools);
        if (request.parallelToolCalls)
            root.insert(QStringLiteral("parallel_tool_calls"), *request.parallelToolCalls);
    }
    codec::insertToolChoice(root, request.toolChoice,
                            QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                                         {QStringLiteral("name"), request.toolChoice.name}});

    if (request.maxTokens)
        root.insert(QStringLiteral("max_output_tokens"), *request.maxTokens);
    if (request.temperature)
        root.insert(QStringLiteral("temperature"), *request.temperature);
    if (request.topP)
        root.insert(QStringLiteral("top_p"), *request.topP);
    if (request.topK)
        codec::refuseTopK(request, gate, QStringLiteral("OpenAI has no top-k sampling"));
    if (request.seed)
        gate.refuse(QStringLiteral("seed"), QStringLiteral("the Responses API has no seed"));
    if (request.presencePenalty)
        gate.refuse(QStringLiteral("presence_penalty"), QStringLiteral("the Responses API has no presence penalty"));
    if (request.frequencyPenalty)
        gate.refuse(QStringLiteral("frequency_penalty"), QStringLiteral("the Responses API has no frequency penalty"));
    if (!request.stop.isEmpty())
        gate.refuse(QStringLiteral("stop"), QStringLiteral("the Responses API has no stop sequences"));

    QJsonObject text = same ? request.extras.value(QLatin1String("text")).toObject() : QJsonObject();
    switch (request.responseFormat.type) {
    case ResponseFormat::Type::Text:
        break;
    case ResponseFormat::Type::JsonObject:
        text.insert(QStringLiteral("format"), QJsonObject {{QStringLiteral("type"), QStringLiteral("json_object")}});
        break;
    case ResponseFormat::Type::JsonSchema: {
        QJsonObject format = codec::jsonSchemaFormat(request.responseFormat);
        format.insert(QStringLiteral("type"), QStringLiteral("json_schema"));
        text.insert(QStringLiteral("format"), format);
        break;
    }
    }
    if (!text.isEmpty())
        root.insert(QStringLiteral("text"), text);

    if ((same || options.translateReasoning) && request.reasoning.wantsExplicitThinking()) {
        QJsonObject reasoning;
        const QString effort = request.reasoning.effectiveEffort();
        if (!effort.isEmpty())
            reasoning.insert(QStringLiteral("effort"), effort);
        const QString summary
            = request.reasoning.summary.isEmpty() && !same ? QStringLiteral("auto") : request.reasoning.summary;
        if (!summary.isEmpty())
            reasoning.insert(QStringLiteral("summary"), summary);
        if (!reasoning.isEmpty())
            root.insert(QStringLiteral("reasoning"), reasoning);
    } else if (same && request.reasoning.enabled == false) {
        root.insert(QStringLiteral("reasoning"), QJsonObject {{QStringLiteral("effort"), QStringLiteral("none")}});
    }
    if (request.stream)
        root.insert(QStringLiteral("stream"), true);
    if (!request.user.isEmpty() && (same || request.user.size() <= codec::MaxOpenAiUserLength))
        root.insert(QStringLiteral("user"), request.user);
    if (same && !request.metadata.isEmpty())
        root.insert(QStringLiteral("metadata"), request.metadata);

    gate.checkExtras(request);
    return codec::finishRequest(request, same, gate, root);
}

Result<CanonicalResponse> OpenAiResponsesCodec::decodeResponse(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("provider's answer"));
    if (!parsed)
        return parsed.error();
    QJsonObject root = *parsed;
    if (root.value(QLatin1String("response")).isObject()) // a response.* stream event
        root = root.value(QLatin1String("response")).toObject();
    if (!root.value(QLatin1String("output")).isArray())
        return makeError(QStringLiteral("The provider's answer has no \"output\" array."));
    CanonicalResponse response;
    response.id = root.value(QLatin1String("id")).toString();
    response.model = root.value(QLatin1String("model")).toString();
    response.created = wholeNumber(root.value(QLatin1String("created_at")).toDouble()).value_or(0);
    const QJsonArray output = root.value(QLatin1String("output")).toArray();
    for (const QJsonValue &value : output) {
        const QJsonObject item = value.toObject();
        const QString type = item.value(QLatin1String("type")).toString();
        if (type == QLatin1String("message")) {
            const QJsonArray content = item.value(QLatin1String("content")).toArray();
            for (const QJsonValue &piece : content) {
                const QJsonObject part = piece.toObject();
                if (part.value(QLatin1String("type")).toString() == QLatin1String("refusal"))
                    response.refusal += part.value(QLatin1String("refusal")).toString();
                else
                    response.content.append(ContentPart::makeText(part.value(QLatin1String("text")).toString()));
            }
        } else if (type == QLatin1String("reasoning")) {
            QStringList texts;
            for (const auto key : {QLatin1String("summary"), QLatin1String("content")}) {
                const QJsonArray pieces = item.value(key).toArray();
                for (const QJsonValue &piece : pieces)
                    texts.append(piece.toObject().value(QLatin1String("text")).toString());
                if (!texts.isEmpty())
                    break;
            }
            response.content.append(ContentPart::makeThinking(
                texts.join(QStringLiteral("\n\n")), item.value(QLatin1String("encrypted_content")).toString()));
        } else if (type == QLatin1String("function_call")) {
            response.content.append(ContentPart::makeToolCall(item.value(QLatin1String("call_id")).toString(),
                                                              item.value(QLatin1String("name")).toString(),
                                                              item.value(QLatin1String("arguments")).toString()));
        } else {
            response.content.append(rawPart(item));
        }
    }
    const QString status = root.value(QLatin1String("status")).toString();
    const QString incomplete
        = root.value(QLatin1String("incomplete_details")).toObject().value(QLatin1String("reason")).toString();
    if (status == QLatin1String("incomplete")) {
        response.finishReason
            = incomplete == QLatin1String("content_filter") ? FinishReason::ContentFilter : FinishReason::Length;
    } else if (status == QLatin1String("failed")) {
        response.finishReason = FinishReason::Error;
        response.finishMessage
            = root.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
    } else if (!response.toolCalls().isEmpty()) {
        response.finishReason = FinishReason::ToolCalls;
    }
    response.usage = TokenUsage::fromOpenAiResponses(root.value(QLatin1String("usage")).toObject());
    return response;
}

QJsonObject OpenAiResponsesCodec::usageJson(const TokenUsage &usage)
{
    const qint64 input = qMax<qint64>(0, usage.input);
    const qint64 output = qMax<qint64>(0, usage.output);
    return QJsonObject {
        {QStringLiteral("input_tokens"), input},
        {QStringLiteral("input_tokens_details"),
         QJsonObject {{QStringLiteral("cached_tokens"), qMax<qint64>(0, usage.cached)}}},
        {QStringLiteral("output_tokens"), output},
        {QStringLiteral("output_tokens_details"),
         QJsonObject {{QStringLiteral("reasoning_tokens"), qMax<qint64>(0, usage.reasoning)}}},
        {QStringLiteral("total_tokens"), input + output},
    };
}

QString OpenAiResponsesCodec::statusFor(FinishReason reason)
{
    switch (reason) {
    case FinishReason::Length:
    case FinishReason::ContentFilter:
        return QStringLiteral("incomplete");
    case FinishReason::Error:
        return QStringLiteral("failed");
    case FinishReason::Stop:
    case FinishReason::ToolCalls:
        break;
    }
    return QStringLiteral("completed");
}

QJsonValue OpenAiResponsesCodec::incompleteDetailsFor(FinishReason reason)
{
    if (reason == FinishReason::Length)
        return QJsonObject {{QStringLiteral("reason"), QStringLiteral("max_output_tokens")}};
    if (reason == FinishReason::ContentFilter)
        return QJsonObject {{QStringLiteral("reason"), QStringLiteral("content_filter")}};
    return QJsonValue();
}

QJsonObject OpenAiResponsesCodec::responseObject(const QString &id, qint64 createdAt, const QString &model,
                                                 const QString &status, const QJsonArray &output,
                                                 const QJsonValue &usage)
{
    return QJsonObject {
        {QStringLiteral("id"), id},
        {QStringLiteral("object"), QStringLiteral("response")},
        {QStringLiteral("created_at"), createdAt},
        {QStringLiteral("status"), status},
        {QStringLiteral("error"), QJsonValue()},
        {QStringLiteral("incomplete_details"), QJsonValue()},
        {QStringLiteral("instructions"), QJsonValue()},
        {QStringLiteral("max_output_tokens"), QJsonValue()},
        {QStringLiteral("model"), model},
        {QStringLiteral("output"), output},
        {QStringLiteral("parallel_tool_calls"), true},
        {QStringLiteral("previous_response_id"), QJsonValue()},
        {QStringLiteral("reasoning"),
         QJsonObject {{QStringLiteral("effort"), QJsonValue()}, {QStringLiteral("summary"), QJsonValue()}}},
        {QStringLiteral("store"), false},
        {QStringLiteral("temperature"), QJsonValue()},
        {QStringLiteral("text"),
         QJsonObject {{QStringLiteral("format"), QJsonObject {{QStringLiteral("type"), QStringLiteral("text")}}}}},
        {QStringLiteral("tool_choice"), QStringLiteral("auto")},
        {QStringLiteral("tools"), QJsonArray()},
        {QStringLiteral("top_p"), QJsonValue()},
        {QStringLiteral("truncation"), QStringLiteral("disabled")},
        {QStringLiteral("usage"), usage},
        {QStringLiteral("user"), QJsonValue()},
        {QStringLiteral("metadata"), QJsonObject()},
    };
}

QJsonObject OpenAiResponsesCodec::messageItem(const QString &id, const QString &status, const QString &text,
                                              const QString &refusal)
{
    QJsonArray content;
    if (!text.isEmpty() || refusal.isEmpty()) {
        content.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("output_text")},
                                    {QStringLiteral("text"), text},
                                    {QStringLiteral("annotations"), QJsonArray()}});
    }
    if (!refusal.isEmpty())
        content.append(
            QJsonObject {{QStringLiteral("type"), QStringLiteral("refusal")}, {QStringLiteral("refusal"), refusal}});
    return QJsonObject {{QStringLiteral("id"), id},
                        {QStringLiteral("type"), QStringLiteral("message")},
                        {QStringLiteral("status"), status},
                        {QStringLiteral("role"), QStringLiteral("assistant")},
                        {QStringLiteral("content"), content}};
}

QJsonObject OpenAiResponsesCodec::reasoningItem(const QString &id, const QString &text, const QString &signature)
{
    QJsonArray summary;
    if (!text.isEmpty())
        summary.append(
            QJsonObject {{QStringLiteral("type"), QStringLiteral("summary_text")}, {QStringLiteral("text"), text}});
    QJsonObject item {{QStringLiteral("id"), id},
                      {QStringLiteral("type"), QStringLiteral("reasoning")},
                      {QStringLiteral("summary"), summary}};
    if (!signature.isEmpty())
        item.insert(QStringLiteral("encrypted_content"), signature);
    return item;
}

QJsonObject OpenAiResponsesCodec::functionCallItem(const QString &id, const QString &status, const QString &callId,
                                                   const QString &name, const QString &arguments,
                                                   const QString &toolNamespace)
{
    QJsonObject item {{QStringLiteral("id"), id},         {QStringLiteral("type"), QStringLiteral("function_call")},
                      {QStringLiteral("status"), status}, {QStringLiteral("call_id"), callId},
                      {QStringLiteral("name"), name},     {QStringLiteral("arguments"), arguments}};
    if (!toolNamespace.isEmpty())
        item.insert(QStringLiteral("namespace"), toolNamespace);
    return item;
}

QByteArray OpenAiResponsesCodec::encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const
{
    QJsonArray output;
    QString text;
    const auto flushText = [&]() {
        if (text.isEmpty())
            return;
        output.append(messageItem(codec::newId(QLatin1String("msg_")), QStringLiteral("completed"), text));
        text.clear();
    };
    for (const ContentPart &part : response.content) {
        switch (part.kind) {
        case Kind::Text:
            text += part.text;
            break;
        case Kind::Thinking:
            if (!part.redacted) {
                flushText();
                output.append(reasoningItem(codec::newId(QLatin1String("rs_")), part.text, part.signature));
            }
            break;
        case Kind::ToolCall:
            flushText();
            output.append(functionCallItem(codec::newId(QLatin1String("fc_")), QStringLiteral("completed"),
                                           part.toolCallId, part.toolName,
                                           part.arguments.trimmed().isEmpty() ? QStringLiteral("{}") : part.arguments,
                                           part.extras.value(QLatin1String("namespace")).toString()));
            break;
        case Kind::Raw:
            if (part.rawFormat == ApiFormat::OpenAiResponses) {
                flushText();
                output.append(part.raw);
            }
            break;
        case Kind::Image:
        case Kind::Document:
        case Kind::ToolResult:
            break;
        }
    }
    if (!response.refusal.isEmpty()) {
        output.append(
            messageItem(codec::newId(QLatin1String("msg_")), QStringLiteral("completed"), text, response.refusal));
        text.clear();
    }
    flushText();
    QJsonObject root = responseObject(
        response.id.startsWith(QLatin1String("resp_")) ? response.id : codec::newId(QLatin1String("resp_")),
        response.created > 0 ? response.created : codec::nowSeconds(),
        requestedModel.isEmpty() ? response.model : requestedModel, statusFor(response.finishReason), output,
        usageJson(response.usage));
    root.insert(QStringLiteral("incomplete_details"), incompleteDetailsFor(response.finishReason));
    if (response.finishReason == FinishReason::Error) {
        root.insert(QStringLiteral("error"),
                    QJsonObject {{QStringLiteral("code"), QStringLiteral("server_error")},
                                 {QStringLiteral("message"),
                                  response.finishMessage.isEmpty()
                                      ? QStringLiteral("The provider stopped generating with an error.")
                                      : response.finishMessage}});
    }
    return codec::toJson(root);
}

std::unique_ptr<StreamDecoder> OpenAiResponsesCodec::createStreamDecoder() const
{
    return std::make_unique<OpenAiResponsesStreamDecoder>();
}

std::unique_ptr<StreamEncoder> OpenAiResponsesCodec::createStreamEncoder(const StreamEncoderOptions &options) const
{
    return std::make_unique<OpenAiResponsesStreamEncoder>(options);
}

CanonicalError OpenAiResponsesCodec::decodeError(int status, const QByteArray &body) const
{
    return OpenAiChatCodec::decodeOpenAiStyleError(status, body);
}

EncodedError OpenAiResponsesCodec::encodeError(const CanonicalError &error) const
{
    return OpenAiChatCodec().encodeError(error);
}

} // namespace sluice
