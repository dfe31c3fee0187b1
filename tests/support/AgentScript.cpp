#include "AgentScript.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sluice::test {

namespace {

QString role(const QJsonValue &message)
{
    return message.toObject().value(QLatin1String("role")).toString();
}

bool isInstructions(const QJsonValue &message)
{
    const QString who = role(message);
    return who == QLatin1String("system") || who == QLatin1String("developer");
}

// The conversation's turns in order (messages, input items or contents).
QJsonArray turns(ApiFormat format, const QJsonObject &body)
{
    switch (format) {
    case ApiFormat::Gemini:
        return body.value(QLatin1String("contents")).toArray();
    case ApiFormat::OpenAiResponses:
        return body.value(QLatin1String("input")).toArray(); // a plain string input has no tool results
    default:
        return body.value(QLatin1String("messages")).toArray();
    }
}

bool carriesToolResult(ApiFormat format, const QJsonObject &turn)
{
    switch (format) {
    case ApiFormat::OpenAiChat:
        return turn.value(QLatin1String("role")).toString() == QLatin1String("tool");
    case ApiFormat::OpenAiResponses:
        return turn.value(QLatin1String("type")).toString().endsWith(QLatin1String("_call_output"));
    case ApiFormat::AnthropicMessages:
        for (const QJsonValue &block : turn.value(QLatin1String("content")).toArray()) {
            if (block.toObject().value(QLatin1String("type")).toString() == QLatin1String("tool_result"))
                return true;
        }
        return false;
    case ApiFormat::Gemini:
        for (const QJsonValue &part : turn.value(QLatin1String("parts")).toArray()) {
            if (part.toObject().contains(QLatin1String("functionResponse")))
                return true;
        }
        return false;
    default:
        return false;
    }
}

QString json(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

bool AgentScript::lastTurnHasToolResult(ApiFormat format, const QJsonObject &body)
{
    const QJsonArray all = turns(format, body);
    for (qsizetype i = all.size() - 1; i >= 0; --i) {
        if (isInstructions(all.at(i)))
            continue;
        return carriesToolResult(format, all.at(i).toObject());
    }
    return false;
}

QStringList AgentScript::toolNames(ApiFormat format, const QJsonObject &body)
{
    QStringList names;
    for (const QJsonValue &value : body.value(QLatin1String("tools")).toArray()) {
        const QJsonObject tool = value.toObject();
        switch (format) {
        case ApiFormat::OpenAiChat:
            names.append(tool.value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString());
            break;
        case ApiFormat::Gemini:
            for (const QJsonValue &declaration : tool.value(QLatin1String("functionDeclarations")).toArray())
                names.append(declaration.toObject().value(QLatin1String("name")).toString());
            break;
        default: // Anthropic and Responses: {"name": ...} (Responses: function tools only)
            if (format == ApiFormat::OpenAiResponses
                && tool.value(QLatin1String("type")).toString() != QLatin1String("function"))
                break;
            names.append(tool.value(QLatin1String("name")).toString());
            break;
        }
    }
    return names;
}

std::optional<AgentScript::ToolCall> AgentScript::nextCall(ApiFormat format, const QJsonObject &body)
{
    if (lastTurnHasToolResult(format, body))
        return std::nullopt;
    const QStringList names = toolNames(format, body);
    const QString command = QString::fromLatin1(Command);
    const QString description = QStringLiteral("Print a number the shell computes");
    for (const auto name :
         {QLatin1String("Bash"), QLatin1String("bash"), QLatin1String("exec_command"),
          QLatin1String("run_shell_command"), QLatin1String("shell_command"), QLatin1String("shell")}) {
        if (!names.contains(name))
            continue;
        QJsonObject arguments;
        if (name == QLatin1String("exec_command"))
            arguments = {{QStringLiteral("cmd"), command}};
        else if (name == QLatin1String("shell_command"))
            arguments = {{QStringLiteral("command"), command}};
        else if (name == QLatin1String("shell"))
            arguments
                = {{QStringLiteral("command"), QJsonArray {QStringLiteral("bash"), QStringLiteral("-lc"), command}}};
        else
            arguments = {{QStringLiteral("command"), command}, {QStringLiteral("description"), description}};
        return ToolCall {name, json(arguments)};
    }
    return std::nullopt;
}

} // namespace sluice::test
