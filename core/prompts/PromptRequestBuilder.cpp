#include "PromptRequestBuilder.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sluice {

namespace {

QLatin1String key(const char *name)
{
    return QLatin1String(name);
}

// The chat messages a prompt contributes: a text prompt is one user message.
QList<PromptMessage> messagesOf(const PromptContent &prompt)
{
    if (prompt.isChat())
        return prompt.messages;
    return {{QStringLiteral("user"), prompt.text}};
}

QString systemTextOf(const PromptContent &prompt)
{
    QStringList parts;
    for (const PromptMessage &message : messagesOf(prompt)) {
        if (message.role == QLatin1String("system"))
            parts.append(message.content);
    }
    return parts.join(QStringLiteral("\n\n"));
}

// Sets name to value unless the request set it itself (the request's parameters win).
void setDefault(QJsonObject &object, const QString &name, const QJsonValue &value)
{
    if (!value.isUndefined() && !object.contains(name))
        object.insert(name, value);
}

QJsonArray prepend(const QJsonArray &first, const QJsonValue &existing)
{
    QJsonArray merged = first;
    for (const QJsonValue &item : existing.toArray())
        merged.append(item);
    return merged;
}

QJsonArray functionTools(const QJsonValue &tools)
{
    QJsonArray functions;
    for (const QJsonValue &tool : tools.toArray()) {
        const QJsonObject function = tool.toObject().value(key("function")).toObject();
        if (!function.isEmpty())
            functions.append(function);
    }
    return functions;
}

QJsonValue stopList(const QJsonValue &stop)
{
    if (stop.isString())
        return QJsonArray {stop};
    return stop;
}

void buildOpenAiChat(QJsonObject &body, const PromptContent &prompt)
{
    QJsonArray messages;
    for (const PromptMessage &message : messagesOf(prompt))
        messages.append(
            QJsonObject {{QStringLiteral("role"), message.role}, {QStringLiteral("content"), message.content}});
    body.insert(QStringLiteral("messages"), prepend(messages, body.value(key("messages"))));
    for (auto it = prompt.config.begin(); it != prompt.config.end(); ++it) {
        if (it.key() != QLatin1String("model"))
            setDefault(body, it.key(), it.value());
    }
}

void buildAnthropic(QJsonObject &body, const PromptContent &prompt)
{
    const QString system = systemTextOf(prompt);
    if (!system.isEmpty()) {
        const QJsonValue existing = body.value(key("system"));
        if (existing.isArray())
            body.insert(QStringLiteral("system"),
                        prepend(QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("text")},
                                                         {QStringLiteral("text"), system}}},
                                existing));
        else if (existing.isString() && !existing.toString().isEmpty())
            body.insert(QStringLiteral("system"), QString(system + QStringLiteral("\n\n") + existing.toString()));
        else
            body.insert(QStringLiteral("system"), system);
    }
    QJsonArray messages;
    for (const PromptMessage &message : messagesOf(prompt)) {
        if (message.role != QLatin1String("system"))
            messages.append(
                QJsonObject {{QStringLiteral("role"), message.role}, {QStringLiteral("content"), message.content}});
    }
    body.insert(QStringLiteral("messages"), prepend(messages, body.value(key("messages"))));
    const QJsonObject &config = prompt.config;
    setDefault(body, QStringLiteral("temperature"), config.value(key("temperature")));
    setDefault(body, QStringLiteral("top_p"), config.value(key("top_p")));
    setDefault(body, QStringLiteral("max_tokens"), config.value(key("max_tokens")));
    setDefault(body, QStringLiteral("stop_sequences"), stopList(config.value(key("stop"))));
    if (config.contains(key("tools"))) {
        QJsonArray tools;
        for (const QJsonValue &function : functionTools(config.value(key("tools")))) {
            const QJsonObject object = function.toObject();
            QJsonObject tool {{QStringLiteral("name"), object.value(key("name"))},
                              {QStringLiteral("input_schema"),
                               object.value(key("parameters")).isObject()
                                   ? object.value(key("parameters"))
                                   : QJsonObject {{QStringLiteral("type"), QStringLiteral("object")}}}};
            if (object.contains(key("description")))
                tool.insert(QStringLiteral("description"), object.value(key("description")));
            tools.append(tool);
        }
        setDefault(body, QStringLiteral("tools"), tools);
    }
}

void buildResponses(QJsonObject &body, const PromptContent &prompt)
{
    const QString system = systemTextOf(prompt);
    if (!system.isEmpty()) {
        const QString existing = body.value(key("instructions")).toString();
        body.insert(QStringLiteral("instructions"),
                    existing.isEmpty() ? system : QString(system + QStringLiteral("\n\n") + existing));
    }
    QJsonArray input;
    for (const PromptMessage &message : messagesOf(prompt)) {
        if (message.role != QLatin1String("system"))
            input.append(
                QJsonObject {{QStringLiteral("role"), message.role}, {QStringLiteral("content"), message.content}});
    }
    const QJsonValue existing = body.value(key("input"));
    if (existing.isString())
        input.append(
            QJsonObject {{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), existing}});
    else
        input = prepend(input, existing);
    body.insert(QStringLiteral("input"), input);
    const QJsonObject &config = prompt.config;
    setDefault(body, QStringLiteral("temperature"), config.value(key("temperature")));
    setDefault(body, QStringLiteral("top_p"), config.value(key("top_p")));
    setDefault(body, QStringLiteral("max_output_tokens"), config.value(key("max_tokens")));
    if (config.contains(key("reasoning_effort")))
        setDefault(body, QStringLiteral("reasoning"),
                   QJsonObject {{QStringLiteral("effort"), config.value(key("reasoning_effort"))}});
    if (config.contains(key("tools"))) {
        QJsonArray tools;
        for (const QJsonValue &function : functionTools(config.value(key("tools")))) {
            QJsonObject tool = function.toObject();
            tool.insert(QStringLiteral("type"), QStringLiteral("function"));
            tools.append(tool);
        }
        setDefault(body, QStringLiteral("tools"), tools);
    }
    setDefault(body, QStringLiteral("tool_choice"), config.value(key("tool_choice")));
    const QJsonObject format = config.value(key("response_format")).toObject();
    if (!format.isEmpty()) {
        QJsonObject text {{QStringLiteral("type"), format.value(key("type"))}};
        const QJsonObject schema = format.value(key("json_schema")).toObject();
        for (auto it = schema.begin(); it != schema.end(); ++it)
            text.insert(it.key(), it.value());
        setDefault(body, QStringLiteral("text"), QJsonObject {{QStringLiteral("format"), text}});
    }
}

void buildGemini(QJsonObject &body, const PromptContent &prompt)
{
    const QString system = systemTextOf(prompt);
    if (!system.isEmpty()) {
        QJsonObject instruction = body.value(key("systemInstruction")).toObject();
        instruction.insert(
            QStringLiteral("parts"),
            prepend(QJsonArray {QJsonObject {{QStringLiteral("text"), system}}}, instruction.value(key("parts"))));
        body.insert(QStringLiteral("systemInstruction"), instruction);
    }
    QJsonArray contents;
    for (const PromptMessage &message : messagesOf(prompt)) {
        if (message.role == QLatin1String("system"))
            continue;
        contents.append(QJsonObject {
            {QStringLiteral("role"),
             message.role == QLatin1String("assistant") ? QStringLiteral("model") : QStringLiteral("user")},
            {QStringLiteral("parts"), QJsonArray {QJsonObject {{QStringLiteral("text"), message.content}}}}});
    }
    body.insert(QStringLiteral("contents"), prepend(contents, body.value(key("contents"))));
    const QJsonObject &config = prompt.config;
    QJsonObject generation = body.value(key("generationConfig")).toObject();
    setDefault(generation, QStringLiteral("temperature"), config.value(key("temperature")));
    setDefault(generation, QStringLiteral("topP"), config.value(key("top_p")));
    setDefault(generation, QStringLiteral("maxOutputTokens"), config.value(key("max_tokens")));
    setDefault(generation, QStringLiteral("stopSequences"), stopList(config.value(key("stop"))));
    setDefault(generation, QStringLiteral("seed"), config.value(key("seed")));
    if (!generation.isEmpty())
        body.insert(QStringLiteral("generationConfig"), generation);
    if (config.contains(key("tools")))
        setDefault(body, QStringLiteral("tools"),
                   QJsonArray {QJsonObject {
                       {QStringLiteral("functionDeclarations"), functionTools(config.value(key("tools")))}}});
}

Result<void> buildCompletions(QJsonObject &body, const PromptContent &prompt)
{
    if (prompt.isChat())
        return makeError(QStringLiteral("A chat prompt cannot be sent to /v1/completions: call it through "
                                        "/v1/chat/completions, or make a text prompt."));
    const QString existing = body.value(key("prompt")).toString();
    body.insert(QStringLiteral("prompt"), QString(prompt.text + existing));
    static const char *const copied[]
        = {"temperature", "top_p", "max_tokens", "stop", "seed", "presence_penalty", "frequency_penalty"};
    for (const char *name : copied)
        setDefault(body, QLatin1String(name), prompt.config.value(QLatin1String(name)));
    return {};
}

} // namespace

QJsonObject PromptRequestBuilder::openAiChatBody(const PromptContent &rendered, const QString &model)
{
    QJsonObject body {{QStringLiteral("model"), model}};
    buildOpenAiChat(body, rendered);
    return body;
}

Result<QByteArray> PromptRequestBuilder::build(ApiFormat format, QJsonObject body, const PromptContent &rendered,
                                               const QString &model)
{
    body.remove(VariablesMember);
    switch (format) {
    case ApiFormat::OpenAiChat:
        buildOpenAiChat(body, rendered);
        break;
    case ApiFormat::AnthropicMessages:
        buildAnthropic(body, rendered);
        break;
    case ApiFormat::OpenAiResponses:
        buildResponses(body, rendered);
        break;
    case ApiFormat::Gemini:
        buildGemini(body, rendered);
        break;
    case ApiFormat::OpenAiCompletions:
        if (Result<void> built = buildCompletions(body, rendered); !built)
            return built.error();
        break;
    case ApiFormat::OpenAiEmbeddings:
    case ApiFormat::BedrockConverse:
        return makeError(QStringLiteral("Prompts are for chat and completion requests; %1 requests cannot name one.")
                             .arg(apiFormatName(format)));
    }
    if (format != ApiFormat::Gemini)
        body.insert(QStringLiteral("model"), model);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace sluice
