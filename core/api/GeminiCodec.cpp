#include "GeminiCodec.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include "api/CodecJson.h"
#include "api/GeminiStreamDecoder.h"
#include "api/GeminiStreamEncoder.h"
#include "api/OpenAiChatCodec.h"
#include "api/ParameterGate.h"
#include "common/WholeNumber.h"

namespace sluice {

namespace {

using Kind = ContentPart::Kind;

const QLatin1String ThoughtMarker("__thought__");
// Gemini 3 wants a signature on the first call of each model turn; this documented value skips the check for
// calls that came from another provider or lost theirs.
const QLatin1String SkipSignature("skip_thought_signature_validator");

using codec::at;

// Gemini's OpenAPI-style schemas spell types in capitals ("OBJECT"); JSON Schema wants them lower-case.
QJsonValue lowerSchemaTypes(const QJsonValue &value)
{
    if (value.isArray()) {
        QJsonArray array;
        for (const QJsonValue &item : value.toArray())
            array.append(lowerSchemaTypes(item));
        return array;
    }
    if (!value.isObject())
        return value;
    QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == QLatin1String("type") && it.value().isString())
            it.value() = it.value().toString().toLower();
        else
            it.value() = lowerSchemaTypes(it.value());
    }
    return object;
}

QString guessMediaType(const QString &url)
{
    const QString path = url.section(QLatin1Char('?'), 0, 0).toLower();
    static const QList<QPair<QLatin1String, QLatin1String>> types = {
        {QLatin1String(".png"), QLatin1String("image/png")},
        {QLatin1String(".jpg"), QLatin1String("image/jpeg")},
        {QLatin1String(".jpeg"), QLatin1String("image/jpeg")},
        {QLatin1String(".webp"), QLatin1String("image/webp")},
        {QLatin1String(".gif"), QLatin1String("image/gif")},
        {QLatin1String(".pdf"), QLatin1String("application/pdf")},
    };
    for (const auto &[suffix, type] : types) {
        if (path.endsWith(suffix))
            return type;
    }
    return {};
}

QJsonObject mediaPart(const MediaSource &media)
{
    if (media.isInline()) {
        return QJsonObject {{QStringLiteral("inlineData"),
                             QJsonObject {{QStringLiteral("mimeType"), media.mediaType},
                                          {QStringLiteral("data"), QString::fromLatin1(media.base64)}}}};
    }
    const QString type = media.mediaType.isEmpty() ? guessMediaType(media.url) : media.mediaType;
    return QJsonObject {{QStringLiteral("fileData"),
                         QJsonObject {{QStringLiteral("mimeType"), type}, {QStringLiteral("fileUri"), media.url}}}};
}

QJsonObject functionResponseBody(const ContentPart &result)
{
    const std::optional<QJsonObject> object = codec::argumentsObject(result.text);
    if (object && !result.text.trimmed().isEmpty() && !result.isError)
        return *object;
    return QJsonObject {{result.isError ? QStringLiteral("error") : QStringLiteral("result"), result.text}};
}

QJsonObject toolCallPart(const ContentPart &call, const QJsonObject &args, bool firstOfTurn)
{
    QJsonObject part {{QStringLiteral("functionCall"),
                       QJsonObject {{QStringLiteral("name"), call.toolName}, {QStringLiteral("args"), args}}}};
    QString signature
        = call.signature.isEmpty() ? GeminiCodec::signatureFromToolCallId(call.toolCallId) : call.signature;
    if (signature.isEmpty() && firstOfTurn)
        signature = SkipSignature;
    if (!signature.isEmpty())
        part.insert(QStringLiteral("thoughtSignature"), signature);
    return part;
}

} // namespace

QString GeminiCodec::makeToolCallId(const QString &geminiId, const QString &signature)
{
    QString id = geminiId.isEmpty() ? codec::newId(QLatin1String("call_")) : geminiId;
    if (!signature.isEmpty())
        id += ThoughtMarker + codec::toBase64Url(signature);
    return id;
}

QString GeminiCodec::signatureFromToolCallId(const QString &id)
{
    const qsizetype marker = id.indexOf(ThoughtMarker);
    if (marker < 0)
        return {};
    return codec::fromBase64Url(id.mid(marker + ThoughtMarker.size()));
}

ContentPart GeminiCodec::partFromJson(const QJsonObject &part)
{
    const QString signature = part.value(QLatin1String("thoughtSignature")).toString();
    if (part.contains(QLatin1String("functionCall"))) {
        const QJsonObject call = part.value(QLatin1String("functionCall")).toObject();
        ContentPart out
            = ContentPart::makeToolCall(makeToolCallId(call.value(QLatin1String("id")).toString(), signature),
                                        call.value(QLatin1String("name")).toString(),
                                        QString::fromUtf8(codec::toJson(call.value(QLatin1String("args")).toObject())));
        out.signature = signature;
        return out;
    }
    if (part.contains(QLatin1String("text"))) {
        const QString text = part.value(QLatin1String("text")).toString();
        if (part.value(QLatin1String("thought")).toBool(false))
            return ContentPart::makeThinking(text, signature);
        ContentPart out = ContentPart::makeText(text);
        out.signature = signature;
        return out;
    }
    for (const auto key : {QLatin1String("inlineData"), QLatin1String("fileData")}) {
        if (!part.contains(key))
            continue;
        const QJsonObject data = part.value(key).toObject();
        ContentPart out;
        out.media.mediaType = data.value(QLatin1String("mimeType")).toString();
        if (key == QLatin1String("inlineData"))
            out.media.base64 = data.value(QLatin1String("data")).toString().toLatin1();
        else
            out.media.url = data.value(QLatin1String("fileUri")).toString();
        out.kind = out.media.mediaType.startsWith(QLatin1String("image/")) ? Kind::Image : Kind::Document;
        return out;
    }
    ContentPart raw;
    raw.kind = Kind::Raw;
    raw.rawFormat = ApiFormat::Gemini;
    raw.raw = part;
    return raw;
}

Result<CanonicalRequest> GeminiCodec::decodeRequest(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("request body"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = *parsed;
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::Gemini;

    const QJsonArray systemParts
        = root.value(QLatin1String("systemInstruction")).toObject().value(QLatin1String("parts")).toArray();
    for (const QJsonValue &part : systemParts)
        request.system.append(ContentPart::makeText(part.toObject().value(QLatin1String("text")).toString()));

    const QJsonValue contentsValue = root.value(QLatin1String("contents"));
    if (!contentsValue.isArray())
        return makeError(QStringLiteral("\"contents\" is required and must be an array of contents."));
    const QJsonArray contents = contentsValue.toArray();
    QHash<QString, QStringList> pendingCalls; // function name -> ids of calls not answered yet
    for (qsizetype i = 0; i < contents.size(); ++i) {
        const QString path = at(QStringLiteral("contents"), i);
        const QJsonObject content = contents[i].toObject();
        const QString role = content.value(QLatin1String("role")).toString(QStringLiteral("user"));
        CanonicalMessage message;
        if (role == QLatin1String("model"))
            message.role = CanonicalMessage::Role::Assistant;
        else if (role == QLatin1String("user") || role == QLatin1String("function") || role == QLatin1String("tool"))
            message.role = CanonicalMessage::Role::User;
        else
            return makeError(QStringLiteral("\"%1.role\" must be \"user\" or \"model\".").arg(path));
        const QJsonValue partsValue = content.value(QLatin1String("parts"));
        if (!partsValue.isArray())
            return makeError(QStringLiteral("\"%1.parts\" must be an array of parts.").arg(path));
        const QJsonArray parts = partsValue.toArray();
        for (const QJsonValue &value : parts) {
            const QJsonObject part = value.toObject();
            if (part.contains(QLatin1String("functionResponse"))) {
                const QJsonObject response = part.value(QLatin1String("functionResponse")).toObject();
                const QString name = response.value(QLatin1String("name")).toString();
                QString id = response.value(QLatin1String("id")).toString();
                QStringList &waiting = pendingCalls[name];
                if (id.isEmpty())
                    id = waiting.isEmpty() ? name : waiting.takeFirst();
                else
                    waiting.removeOne(id);
                const QJsonObject answer = response.value(QLatin1String("response")).toObject();
                ContentPart result;
                if (answer.size() == 1 && answer.value(QLatin1String("error")).isString())
                    result = ContentPart::makeToolResult(id, answer.value(QLatin1String("error")).toString(), true);
                else if (answer.size() == 1 && answer.value(QLatin1String("result")).isString())
                    result = ContentPart::makeToolResult(id, answer.value(QLatin1String("result")).toString());
                else
                    result = ContentPart::makeToolResult(id, QString::fromUtf8(codec::toJson(answer)));
                result.toolName = name;
                message.parts.append(result);
                continue;
            }
            ContentPart out = partFromJson(part);
            if (out.kind == Kind::ToolCall)
                pendingCalls[out.toolName].append(out.toolCallId);
            message.parts.append(out);
        }
        request.messages.append(message);
    }

    const QJsonArray tools = root.value(QLatin1String("tools")).toArray();
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QJsonObject tool = tools[i].toObject();
        for (auto it = tool.begin(); it != tool.end(); ++it) {
            if (it.key() != QLatin1String("functionDeclarations")) {
                CanonicalTool builtin;
                builtin.builtinType = it.key();
                builtin.name = it.key();
                builtin.raw = QJsonObject {{it.key(), it.value()}};
                request.tools.append(builtin);
                continue;
            }
            const QJsonArray declarations = it.value().toArray();
            for (const QJsonValue &declarationValue : declarations) {
                const QJsonObject declaration = declarationValue.toObject();
                CanonicalTool out;
                out.name = declaration.value(QLatin1String("name")).toString();
                if (out.name.isEmpty()) {
                    return makeError(QStringLiteral("\"%1.functionDeclarations[].name\" is required.")
                                         .arg(at(QStringLiteral("tools"), i)));
                }
                out.description = declaration.value(QLatin1String("description")).toString();
                out.parameters = declaration.contains(QLatin1String("parametersJsonSchema"))
                    ? declaration.value(QLatin1String("parametersJsonSchema")).toObject()
                    : lowerSchemaTypes(declaration.value(QLatin1String("parameters"))).toObject();
                request.tools.append(out);
            }
        }
    }

    const QJsonObject calling
        = root.value(QLatin1String("toolConfig")).toObject().value(QLatin1String("functionCallingConfig")).toObject();
    const QString mode = calling.value(QLatin1String("mode")).toString();
    const QJsonArray allowed = calling.value(QLatin1String("allowedFunctionNames")).toArray();
    if (mode == QLatin1String("AUTO") || mode == QLatin1String("VALIDATED"))
        request.toolChoice.mode = ToolChoice::Mode::Auto;
    else if (mode == QLatin1String("NONE"))
        request.toolChoice.mode = ToolChoice::Mode::None;
    else if (mode == QLatin1String("ANY") && allowed.size() == 1)
        request.toolChoice = ToolChoice {ToolChoice::Mode::Tool, allowed.first().toString()};
    else if (mode == QLatin1String("ANY"))
        request.toolChoice.mode = ToolChoice::Mode::Required;

    QJsonObject config = root.value(QLatin1String("generationConfig")).toObject();
    QString error;
    if (!codec::readInteger(config, QLatin1String("maxOutputTokens"),
                            QStringLiteral("generationConfig.maxOutputTokens"), request.maxTokens, error)
        || !codec::readNumber(config, QLatin1String("temperature"), QStringLiteral("generationConfig.temperature"),
                              request.temperature, error)
        || !codec::readNumber(config, QLatin1String("topP"), QStringLiteral("generationConfig.topP"), request.topP,
                              error)
        || !codec::readInteger(config, QLatin1String("topK"), QStringLiteral("generationConfig.topK"), request.topK,
                               error)
        || !codec::readInteger(config, QLatin1String("seed"), QStringLiteral("generationConfig.seed"), request.seed,
                               error)
        || !codec::readNumber(config, QLatin1String("presencePenalty"),
                              QStringLiteral("generationConfig.presencePenalty"), request.presencePenalty, error)
        || !codec::readNumber(config, QLatin1String("frequencyPenalty"),
                              QStringLiteral("generationConfig.frequencyPenalty"), request.frequencyPenalty, error)
        || !codec::readStringList(config.value(QLatin1String("stopSequences")),
                                  QStringLiteral("generationConfig.stopSequences"), request.stop, error))
        return makeError(error);
    if (config.value(QLatin1String("responseMimeType")).toString() == QLatin1String("application/json")) {
        request.responseFormat.type = ResponseFormat::Type::JsonObject;
        const QJsonValue schema = config.contains(QLatin1String("responseJsonSchema"))
            ? config.value(QLatin1String("responseJsonSchema"))
            : lowerSchemaTypes(config.value(QLatin1String("responseSchema")));
        if (schema.isObject()) {
            request.responseFormat.type = ResponseFormat::Type::JsonSchema;
            request.responseFormat.schema = schema.toObject();
        }
    }
    const QJsonObject thinking = config.value(QLatin1String("thinkingConfig")).toObject();
    if (thinking.value(QLatin1String("includeThoughts")).isBool())
        request.reasoning.enabled = thinking.value(QLatin1String("includeThoughts")).toBool();
    std::optional<qint64> budget;
    QString budgetError;
    if (!codec::readInteger(thinking, QLatin1String("thinkingBudget"),
                            QStringLiteral("generationConfig.thinkingConfig.thinkingBudget"), budget, budgetError))
        return makeError(budgetError);
    if (budget == 0)
        request.reasoning.enabled = false;
    else if (budget > 0)
        request.reasoning.budgetTokens = budget;
    request.reasoning.effort = thinking.value(QLatin1String("thinkingLevel")).toString().toLower();
    for (const auto key :
         {QLatin1String("maxOutputTokens"), QLatin1String("temperature"), QLatin1String("topP"), QLatin1String("topK"),
          QLatin1String("seed"), QLatin1String("presencePenalty"), QLatin1String("frequencyPenalty"),
          QLatin1String("stopSequences"), QLatin1String("responseMimeType"), QLatin1String("responseJsonSchema"),
          QLatin1String("responseSchema"), QLatin1String("thinkingConfig")})
        config.remove(key);
    if (!config.isEmpty())
        request.extras.insert(QStringLiteral("generationConfig"), config);
    codec::copyUnknown(root,
                       {QLatin1String("contents"), QLatin1String("systemInstruction"), QLatin1String("tools"),
                        QLatin1String("toolConfig"), QLatin1String("generationConfig")},
                       request.extras);
    return request;
}

Result<EncodedRequest> GeminiCodec::encodeRequest(const CanonicalRequest &request, const EncodeOptions &options) const
{
    ParameterGate gate(ApiFormat::Gemini, options.dropUnsupported);
    const bool same = gate.sameFormat(request);
    QJsonObject root;

    ContentParts system = request.system;
    QHash<QString, QString> callNames; // tool call id -> function name, for functionResponse
    for (const CanonicalMessage &message : request.messages) {
        if (message.role == CanonicalMessage::Role::System)
            system.append(message.parts);
        for (const ContentPart &part : message.parts) {
            if (part.kind == Kind::ToolCall)
                callNames.insert(part.toolCallId, part.toolName);
        }
    }
    if (!system.isEmpty()) {
        QJsonArray parts;
        for (const ContentPart &part : std::as_const(system)) {
            if (!part.text.isEmpty())
                parts.append(QJsonObject {{QStringLiteral("text"), part.text}});
        }
        root.insert(QStringLiteral("systemInstruction"), QJsonObject {{QStringLiteral("parts"), parts}});
    }

    QJsonArray contents;
    for (qsizetype i = 0; i < request.messages.size(); ++i) {
        const CanonicalMessage &message = request.messages[i];
        if (message.role == CanonicalMessage::Role::System)
            continue;
        const bool model = message.role == CanonicalMessage::Role::Assistant;
        const QString path = at(QStringLiteral("messages"), i);
        QJsonArray parts;
        bool firstCall = true;
        for (qsizetype j = 0; j < message.parts.size(); ++j) {
            const ContentPart &part = message.parts[j];
            const QString partPath = at(path + QStringLiteral(".content"), j);
            switch (part.kind) {
            case Kind::Text: {
                if (part.text.isEmpty() && part.signature.isEmpty())
                    break;
                QJsonObject text {{QStringLiteral("text"), part.text}};
                if (!part.signature.isEmpty())
                    text.insert(QStringLiteral("thoughtSignature"), part.signature);
                parts.append(text);
                break;
            }
            case Kind::Image:
            case Kind::Document:
                if (part.media.isInline()
                        ? part.media.mediaType.isEmpty()
                        : part.media.mediaType.isEmpty() && guessMediaType(part.media.url).isEmpty()) {
                    gate.refuse(partPath, QStringLiteral("Gemini needs the media type of every image or file"));
                    break;
                }
                parts.append(mediaPart(part.media));
                break;
            case Kind::ToolCall: {
                const std::optional<QJsonObject> args = codec::argumentsObject(part.arguments);
                if (!args) {
                    gate.refuse(partPath + QStringLiteral(".arguments"),
                                QStringLiteral("not a JSON object, and Gemini needs function arguments as one"));
                    break;
                }
                parts.append(toolCallPart(part, *args, firstCall && !same));
                firstCall = false;
                break;
            }
            case Kind::ToolResult: {
                const QString name = part.toolName.isEmpty() ? callNames.value(part.toolCallId) : part.toolName;
                if (name.isEmpty()) {
                    gate.refuse(partPath,
                                QStringLiteral("Gemini needs the function's name, and no earlier tool call "
                                               "has the id '%1'")
                                    .arg(part.toolCallId));
                    break;
                }
                if (!part.resultMedia.isEmpty())
                    gate.refuse(partPath, QStringLiteral("Gemini function responses cannot carry images here"));
                parts.append(QJsonObject {{QStringLiteral("functionResponse"),
                                           QJsonObject {{QStringLiteral("name"), name},
                                                        {QStringLiteral("response"), functionResponseBody(part)}}}});
                break;
            }
            case Kind::Thinking:
                // Gemini reads back only its own signed thoughts.
                if (model && !part.redacted && !part.signature.isEmpty()) {
                    parts.append(QJsonObject {{QStringLiteral("text"), part.text},
                                              {QStringLiteral("thought"), true},
                                              {QStringLiteral("thoughtSignature"), part.signature}});
                }
                break;
            case Kind::Raw:
                if (same && part.rawFormat == ApiFormat::Gemini)
                    parts.append(part.raw);
                else
                    gate.refuse(partPath + QStringLiteral(" (type ") + part.raw.value(QLatin1String("type")).toString()
                                    + QLatin1Char(')'),
                                QStringLiteral("only %1 understands it").arg(apiFormatName(part.rawFormat)));
                break;
            }
        }
        if (parts.isEmpty())
            continue;
        contents.append(QJsonObject {{QStringLiteral("role"), model ? QStringLiteral("model") : QStringLiteral("user")},
                                     {QStringLiteral("parts"), parts}});
    }
    root.insert(QStringLiteral("contents"), contents);

    if (!request.tools.isEmpty()) {
        QJsonArray declarations;
        QJsonArray tools;
        for (qsizetype i = 0; i < request.tools.size(); ++i) {
            const CanonicalTool &tool = request.tools[i];
            if (codec::passBuiltinTool(tool, i, same, gate, tools))
                continue;
            QJsonObject declaration {{QStringLiteral("name"), tool.name}};
            if (!tool.description.isEmpty())
                declaration.insert(QStringLiteral("description"), tool.description);
            if (!tool.parameters.isEmpty()) {
                QJsonObject schema = tool.parameters;
                schema.remove(QLatin1String("$schema")); // names the dialect (Claude Code sends it); Gemini has one
                declaration.insert(QStringLiteral("parametersJsonSchema"), schema);
            }
            declarations.append(declaration);
        }
        if (!declarations.isEmpty())
            tools.prepend(QJsonObject {{QStringLiteral("functionDeclarations"), declarations}});
        if (!tools.isEmpty())
            root.insert(QStringLiteral("tools"), tools);

        QJsonObject calling;
        switch (request.toolChoice.mode) {
        case ToolChoice::Mode::Unset:
            break;
        case ToolChoice::Mode::Auto:
            calling.insert(QStringLiteral("mode"), QStringLiteral("AUTO"));
            break;
        case ToolChoice::Mode::None:
            calling.insert(QStringLiteral("mode"), QStringLiteral("NONE"));
            break;
        case ToolChoice::Mode::Required:
            calling.insert(QStringLiteral("mode"), QStringLiteral("ANY"));
            break;
        case ToolChoice::Mode::Tool:
            calling.insert(QStringLiteral("mode"), QStringLiteral("ANY"));
            calling.insert(QStringLiteral("allowedFunctionNames"), QJsonArray {request.toolChoice.name});
            break;
        }
        if (!calling.isEmpty())
            root.insert(QStringLiteral("toolConfig"), QJsonObject {{QStringLiteral("functionCallingConfig"), calling}});
    }

    QJsonObject config = same ? request.extras.value(QLatin1String("generationConfig")).toObject() : QJsonObject();
    if (request.maxTokens)
        config.insert(QStringLiteral("maxOutputTokens"), *request.maxTokens);
    if (request.temperature)
        config.insert(QStringLiteral("temperature"), *request.temperature);
    if (request.topP)
        config.insert(QStringLiteral("topP"), *request.topP);
    if (request.topK)
        config.insert(QStringLiteral("topK"), *request.topK);
    if (request.seed)
        config.insert(QStringLiteral("seed"), *request.seed);
    if (request.presencePenalty)
        config.insert(QStringLiteral("presencePenalty"), *request.presencePenalty);
    if (request.frequencyPenalty)
        config.insert(QStringLiteral("frequencyPenalty"), *request.frequencyPenalty);
    if (!request.stop.isEmpty())
        config.insert(QStringLiteral("stopSequences"), QJsonArray::fromStringList(request.stop));
    if (request.responseFormat.type != ResponseFormat::Type::Text)
        config.insert(QStringLiteral("responseMimeType"), QStringLiteral("application/json"));
    if (request.responseFormat.type == ResponseFormat::Type::JsonSchema)
        config.insert(QStringLiteral("responseJsonSchema"), request.responseFormat.schema);
    if ((same || options.translateReasoning) && request.reasoning.isSet()) {
        QJsonObject thinking;
        if (same) {
            if (request.reasoning.enabled)
                thinking.insert(QStringLiteral("includeThoughts"), *request.reasoning.enabled);
            if (request.reasoning.budgetTokens)
                thinking.insert(QStringLiteral("thinkingBudget"), *request.reasoning.budgetTokens);
            else if (request.reasoning.enabled == false)
                thinking.insert(QStringLiteral("thinkingBudget"), 0);
            if (!request.reasoning.effort.isEmpty())
                thinking.insert(QStringLiteral("thinkingLevel"), request.reasoning.effort);
        } else if (request.reasoning.wantsExplicitThinking()) {
            thinking.insert(QStringLiteral("includeThoughts"), true);
            thinking.insert(QStringLiteral("thinkingBudget"), request.reasoning.effectiveBudget(-1));
        }
        if (!thinking.isEmpty())
            config.insert(QStringLiteral("thinkingConfig"), thinking);
    }
    if (!config.isEmpty())
        root.insert(QStringLiteral("generationConfig"), config);

    gate.checkExtras(request);
    return codec::finishRequest(request, same, gate, root);
}

FinishReason GeminiCodec::finishReasonFromName(const QString &name)
{
    if (name == QLatin1String("MAX_TOKENS"))
        return FinishReason::Length;
    static const QStringList filtered = {QStringLiteral("SAFETY"),
                                         QStringLiteral("RECITATION"),
                                         QStringLiteral("BLOCKLIST"),
                                         QStringLiteral("PROHIBITED_CONTENT"),
                                         QStringLiteral("SPII"),
                                         QStringLiteral("IMAGE_SAFETY"),
                                         QStringLiteral("LANGUAGE"),
                                         QStringLiteral("IMAGE_PROHIBITED_CONTENT"),
                                         QStringLiteral("IMAGE_RECITATION")};
    if (filtered.contains(name))
        return FinishReason::ContentFilter;
    static const QStringList failures = {QStringLiteral("MALFORMED_FUNCTION_CALL"),
                                         QStringLiteral("UNEXPECTED_TOOL_CALL"), QStringLiteral("TOO_MANY_TOOL_CALLS")};
    if (failures.contains(name))
        return FinishReason::Error;
    return FinishReason::Stop;
}

QString GeminiCodec::finishReasonNameFor(FinishReason reason)
{
    switch (reason) {
    case FinishReason::Stop:
    case FinishReason::ToolCalls:
        break;
    case FinishReason::Length:
        return QStringLiteral("MAX_TOKENS");
    case FinishReason::ContentFilter:
        return QStringLiteral("SAFETY");
    case FinishReason::Error:
        return QStringLiteral("OTHER");
    }
    return QStringLiteral("STOP");
}

Result<CanonicalResponse> GeminiCodec::decodeResponse(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("provider's answer"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = *parsed;
    CanonicalResponse response;
    response.id = root.value(QLatin1String("responseId")).toString();
    response.model = root.value(QLatin1String("modelVersion")).toString();
    response.usage = TokenUsage::fromGemini(root.value(QLatin1String("usageMetadata")).toObject());
    const QJsonArray candidates = root.value(QLatin1String("candidates")).toArray();
    if (candidates.isEmpty()) {
        const QString blocked
            = root.value(QLatin1String("promptFeedback")).toObject().value(QLatin1String("blockReason")).toString();
        if (blocked.isEmpty())
            return makeError(QStringLiteral("The provider's answer has no candidates."));
        response.finishReason = FinishReason::ContentFilter;
        response.finishMessage = QStringLiteral("Gemini blocked the prompt (%1).").arg(blocked);
        return response;
    }
    const QJsonObject candidate = candidates.first().toObject();
    const QJsonArray parts
        = candidate.value(QLatin1String("content")).toObject().value(QLatin1String("parts")).toArray();
    for (const QJsonValue &part : parts)
        response.content.append(partFromJson(part.toObject()));
    const QString finish = candidate.value(QLatin1String("finishReason")).toString();
    response.finishReason = finishReasonFromName(finish);
    response.finishMessage = candidate.value(QLatin1String("finishMessage")).toString();
    if (response.finishReason == FinishReason::ContentFilter && response.finishMessage.isEmpty())
        response.finishMessage = QStringLiteral("Gemini stopped the answer (%1).").arg(finish);
    if (response.finishReason == FinishReason::Stop && !response.toolCalls().isEmpty())
        response.finishReason = FinishReason::ToolCalls;
    return response;
}

QJsonObject GeminiCodec::usageJson(const TokenUsage &usage)
{
    const qint64 input = qMax<qint64>(0, usage.input);
    const qint64 output = qMax<qint64>(0, usage.output);
    const qint64 thoughts = qMax<qint64>(0, usage.reasoning);
    QJsonObject json {{QStringLiteral("promptTokenCount"), input},
                      {QStringLiteral("candidatesTokenCount"), qMax<qint64>(0, output - thoughts)},
                      {QStringLiteral("totalTokenCount"), input + output}};
    if (thoughts > 0)
        json.insert(QStringLiteral("thoughtsTokenCount"), thoughts);
    if (usage.cached > 0)
        json.insert(QStringLiteral("cachedContentTokenCount"), usage.cached);
    return json;
}

QByteArray GeminiCodec::encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const
{
    QJsonArray parts;
    for (const ContentPart &part : response.content) {
        switch (part.kind) {
        case Kind::Text: {
            QJsonObject text {{QStringLiteral("text"), part.text}};
            if (!part.signature.isEmpty())
                text.insert(QStringLiteral("thoughtSignature"), part.signature);
            parts.append(text);
            break;
        }
        case Kind::Thinking:
            if (!part.redacted)
                parts.append(QJsonObject {{QStringLiteral("text"), part.text}, {QStringLiteral("thought"), true}});
            break;
        case Kind::ToolCall:
            parts.append(toolCallPart(part, codec::argumentsObject(part.arguments).value_or(QJsonObject()), false));
            break;
        case Kind::Image:
        case Kind::Document:
            if (part.media.isInline())
                parts.append(mediaPart(part.media));
            break;
        case Kind::Raw:
            if (part.rawFormat == ApiFormat::Gemini)
                parts.append(part.raw);
            break;
        case Kind::ToolResult:
            break;
        }
    }
    QJsonObject candidate {
        {QStringLiteral("content"),
         QJsonObject {{QStringLiteral("role"), QStringLiteral("model")}, {QStringLiteral("parts"), parts}}},
        {QStringLiteral("finishReason"), finishReasonNameFor(response.finishReason)},
        {QStringLiteral("index"), 0}};
    if (!response.finishMessage.isEmpty())
        candidate.insert(QStringLiteral("finishMessage"), response.finishMessage);
    const QJsonObject root {
        {QStringLiteral("candidates"), QJsonArray {candidate}},
        {QStringLiteral("usageMetadata"), usageJson(response.usage)},
        {QStringLiteral("modelVersion"), requestedModel.isEmpty() ? response.model : requestedModel},
        {QStringLiteral("responseId"), response.id.isEmpty() ? codec::newId(QLatin1String("resp")) : response.id},
    };
    return codec::toJson(root);
}

std::unique_ptr<StreamDecoder> GeminiCodec::createStreamDecoder() const
{
    return std::make_unique<GeminiStreamDecoder>();
}

std::unique_ptr<StreamEncoder> GeminiCodec::createStreamEncoder(const StreamEncoderOptions &options) const
{
    return std::make_unique<GeminiStreamEncoder>(options);
}

QString GeminiCodec::requestPath(const QString &model, bool stream)
{
    return QStringLiteral("/v1beta/models/") + model
        + (stream ? QStringLiteral(":streamGenerateContent?alt=sse") : QStringLiteral(":generateContent"));
}

qint64 GeminiCodec::retryDelayMs(const QByteArray &errorBody)
{
    const QJsonDocument doc = QJsonDocument::fromJson(errorBody);
    const QJsonObject root = doc.isArray() ? doc.array().first().toObject() : doc.object();
    const QJsonArray details = root.value(QLatin1String("error")).toObject().value(QLatin1String("details")).toArray();
    for (const QJsonValue &detail : details) {
        const QJsonObject object = detail.toObject();
        if (!object.value(QLatin1String("@type")).toString().endsWith(QLatin1String("google.rpc.RetryInfo")))
            continue;
        QString delay = object.value(QLatin1String("retryDelay")).toString().trimmed();
        if (!delay.endsWith(QLatin1Char('s')))
            continue;
        delay.chop(1);
        bool ok = false;
        const double seconds = delay.toDouble(&ok);
        if (ok && seconds >= 0)
            return qint64(seconds * 1000.0 + 0.5);
    }
    return -1;
}

QString GeminiCodec::statusWord(int status)
{
    switch (status) {
    case 400:
        return QStringLiteral("INVALID_ARGUMENT");
    case 401:
        return QStringLiteral("UNAUTHENTICATED");
    case 403:
        return QStringLiteral("PERMISSION_DENIED");
    case 404:
        return QStringLiteral("NOT_FOUND");
    case 409:
        return QStringLiteral("ABORTED");
    case 429:
        return QStringLiteral("RESOURCE_EXHAUSTED");
    case 499:
        return QStringLiteral("CANCELLED");
    case 503:
        return QStringLiteral("UNAVAILABLE");
    case 504:
        return QStringLiteral("DEADLINE_EXCEEDED");
    default:
        break;
    }
    return status >= 500 ? QStringLiteral("INTERNAL") : QStringLiteral("FAILED_PRECONDITION");
}

CanonicalError GeminiCodec::decodeError(int status, const QByteArray &body) const
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    const QJsonObject root = doc.isArray() ? doc.array().first().toObject() : doc.object();
    const QJsonObject error = root.value(QLatin1String("error")).toObject();
    if (error.isEmpty() || !error.contains(QLatin1String("status")))
        return OpenAiChatCodec::decodeOpenAiStyleError(status, body);
    const QString word = error.value(QLatin1String("status")).toString();
    CanonicalError out = CanonicalError::make(status, error.value(QLatin1String("message")).toString(), word);
    static const QHash<QString, CanonicalError::Kind> kinds = {
        {QStringLiteral("INVALID_ARGUMENT"), CanonicalError::Kind::InvalidRequest},
        {QStringLiteral("FAILED_PRECONDITION"), CanonicalError::Kind::InvalidRequest},
        {QStringLiteral("OUT_OF_RANGE"), CanonicalError::Kind::InvalidRequest},
        {QStringLiteral("UNAUTHENTICATED"), CanonicalError::Kind::Authentication},
        {QStringLiteral("PERMISSION_DENIED"), CanonicalError::Kind::Permission},
        {QStringLiteral("NOT_FOUND"), CanonicalError::Kind::NotFound},
        {QStringLiteral("RESOURCE_EXHAUSTED"), CanonicalError::Kind::RateLimit},
        {QStringLiteral("UNAVAILABLE"), CanonicalError::Kind::Overloaded},
        {QStringLiteral("DEADLINE_EXCEEDED"), CanonicalError::Kind::Timeout},
    };
    out.kind = kinds.value(word, CanonicalError::kindForStatus(status));
    out.retryAfterMs = retryDelayMs(body);
    if (out.message.isEmpty())
        out.message = codec::statusOnlyMessage(status, body);
    return out;
}

EncodedError GeminiCodec::encodeError(const CanonicalError &error) const
{
    const int status = error.status == 529 ? 503 : error.status;
    QJsonObject envelope {{QStringLiteral("code"), status},
                          {QStringLiteral("message"), error.message},
                          {QStringLiteral("status"), statusWord(status)}};
    if (error.retryAfterMs >= 0) {
        envelope.insert(
            QStringLiteral("details"),
            QJsonArray {QJsonObject {
                {QStringLiteral("@type"), QStringLiteral("type.googleapis.com/google.rpc.RetryInfo")},
                {QStringLiteral("retryDelay"), QStringLiteral("%1s").arg(double(error.retryAfterMs) / 1000.0)}}});
    }
    return EncodedError {status, codec::toJson(QJsonObject {{QStringLiteral("error"), envelope}})};
}

} // namespace sluice
