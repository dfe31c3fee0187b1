#include "PromptContent.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "store/PromptVersion.h"

namespace sluice {

namespace {

QString compact(const QJsonValue &value)
{
    if (value.isString()) // a JSON string on its own: QJsonDocument holds only objects and arrays
        return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

Result<QList<PromptMessage>> messagesFrom(const QJsonValue &value)
{
    if (!value.isArray() || value.toArray().isEmpty())
        return makeError(QStringLiteral("A chat prompt needs \"messages\": a list of {role, content}, e.g. "
                                        "[{role: system, content: \"You are ...\"}, {role: user, content: \"Hi "
                                        "{{name}}\"}]."));
    QList<PromptMessage> messages;
    int position = 0;
    for (const QJsonValue &item : value.toArray()) {
        ++position;
        const QJsonObject object = item.toObject();
        const QString role = object.value(QLatin1String("role")).toString();
        if (role != QLatin1String("system") && role != QLatin1String("user") && role != QLatin1String("assistant"))
            return makeError(QStringLiteral("Message %1 needs a \"role\" of system, user or assistant.").arg(position));
        const QJsonValue content = object.value(QLatin1String("content"));
        if (!content.isString())
            return makeError(QStringLiteral("Message %1 needs a \"content\" string.").arg(position));
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it.key() != QLatin1String("role") && it.key() != QLatin1String("content"))
                return makeError(QStringLiteral("Message %1 has \"%2\"; a prompt message has only role and content.")
                                     .arg(position)
                                     .arg(it.key()));
        }
        messages.append({role, content.toString()});
    }
    return messages;
}

} // namespace

const QStringList &PromptContent::configKeys()
{
    static const QStringList keys = {QStringLiteral("model"),
                                     QStringLiteral("temperature"),
                                     QStringLiteral("top_p"),
                                     QStringLiteral("max_tokens"),
                                     QStringLiteral("stop"),
                                     QStringLiteral("seed"),
                                     QStringLiteral("presence_penalty"),
                                     QStringLiteral("frequency_penalty"),
                                     QStringLiteral("tools"),
                                     QStringLiteral("tool_choice"),
                                     QStringLiteral("response_format"),
                                     QStringLiteral("reasoning_effort")};
    return keys;
}

QString PromptContent::templateJson() const
{
    if (!isChat())
        return compact(QJsonValue(text));
    QJsonArray array;
    for (const PromptMessage &message : messages)
        array.append(
            QJsonObject {{QStringLiteral("role"), message.role}, {QStringLiteral("content"), message.content}});
    return compact(array);
}

QString PromptContent::configJson() const
{
    return compact(config);
}

Result<PromptContent> PromptContent::fromVersion(const PromptVersion &version)
{
    PromptContent content;
    content.type = version.type;
    const QJsonDocument config = QJsonDocument::fromJson(version.configJson.toUtf8());
    content.config = config.object();
    if (content.isChat()) {
        Result<QList<PromptMessage>> messages
            = messagesFrom(QJsonDocument::fromJson(version.templateJson.toUtf8()).array());
        if (!messages)
            return makeError(QStringLiteral("Prompt '%1' version %2 is damaged: %3")
                                 .arg(version.name)
                                 .arg(version.version)
                                 .arg(messages.errorMessage()));
        content.messages = messages.value();
    } else {
        const QJsonArray wrapped
            = QJsonDocument::fromJson(QByteArray('[' + version.templateJson.toUtf8() + ']')).array();
        content.text = wrapped.first().toString();
    }
    return content;
}

Result<PromptContent> PromptContent::fromJson(const QJsonObject &object)
{
    PromptContent content;
    const QJsonValue type = object.value(QLatin1String("type"));
    const bool hasMessages = object.contains(QLatin1String("messages"));
    const QString textKey
        = object.contains(QLatin1String("prompt")) ? QStringLiteral("prompt") : QStringLiteral("text");
    if (type.isUndefined())
        content.type = hasMessages ? QStringLiteral("chat") : QStringLiteral("text");
    else
        content.type = type.toString();
    if (content.type != QLatin1String("chat") && content.type != QLatin1String("text"))
        return makeError(QStringLiteral("\"type\" is chat (a list of messages) or text (one string), not \"%1\".")
                             .arg(type.toVariant().toString()));
    for (auto it = object.begin(); it != object.end(); ++it) {
        static const QStringList known = {QStringLiteral("type"), QStringLiteral("messages"), QStringLiteral("prompt"),
                                          QStringLiteral("text"), QStringLiteral("config")};
        if (!known.contains(it.key()))
            return makeError(QStringLiteral("Unknown member \"%1\"; a prompt has type, messages (chat), prompt "
                                            "(text) and config.")
                                 .arg(it.key()));
    }
    if (content.isChat()) {
        Result<QList<PromptMessage>> messages = messagesFrom(object.value(QLatin1String("messages")));
        if (!messages)
            return messages.error();
        content.messages = messages.value();
    } else {
        const QJsonValue text = object.value(textKey);
        if (!text.isString() || text.toString().isEmpty())
            return makeError(QStringLiteral("A text prompt needs \"prompt\": the template string."));
        content.text = text.toString();
    }
    const QJsonValue config = object.value(QLatin1String("config"));
    if (!config.isUndefined() && !config.isNull() && !config.isObject())
        return makeError(QStringLiteral("\"config\" is an object, e.g. {model: gpt-4.1-mini, temperature: 0.2}."));
    content.config = config.toObject();
    for (auto it = content.config.begin(); it != content.config.end(); ++it) {
        if (!configKeys().contains(it.key()))
            return makeError(QStringLiteral("config has \"%1\"; it may hold %2.")
                                 .arg(it.key(), configKeys().join(QStringLiteral(", "))));
    }
    if (content.config.contains(QLatin1String("model")) && !content.config.value(QLatin1String("model")).isString())
        return makeError(QStringLiteral("config.model is a model name configured in Sluice."));
    return content;
}

} // namespace sluice
