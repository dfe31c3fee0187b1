#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "api/ApiFormat.h"

namespace sluice::test {

// The mock upstream's scripted coding-agent turn (upstream model "agent-tool~RECORDING", see MockUpstream.h):
// while the conversation's last turn carries no tool result, the model calls the agent's shell tool once with
// Command; after that it answers with the recording's text. The shell tool is found by name in the request's
// tools, in the request's own wire format:
//   Bash {command, description} (Claude Code), bash {command, description} (opencode), exec_command {cmd}
//   (Codex), run_shell_command {command, description} (Gemini CLI), shell_command {command},
//   shell {command: ["bash", "-lc", ...]}.
class AgentScript
{
public:
    // Prints "sluice-tool-42", which the command's own text does not contain: its output in the next request
    // proves the agent ran it and sent the result back. (Not `echo sluice-tool-$((6*7))`: Gemini CLI refuses any
    // command with `$(` in it as a command injection.)
    static constexpr auto Command = "printf sluice-tool-%d 42";
    static constexpr auto Output = "sluice-tool-42";
    static constexpr auto ModelPrefix = "agent-tool~";

    struct ToolCall
    {
        QString name;
        QString arguments; // a JSON object as text
    };

    // The shell-tool call to answer this request with; none when the last turn carries a tool result or the
    // request offers no shell tool (e.g. opencode's title request): then the recording's text answers.
    // format: the request's wire format (OpenAiChat, AnthropicMessages, Gemini or OpenAiResponses).
    static std::optional<ToolCall> nextCall(ApiFormat format, const QJsonObject &body);

    // Whether the conversation's last turn (system and developer messages aside) carries a tool result.
    static bool lastTurnHasToolResult(ApiFormat format, const QJsonObject &body);
    // The names of the request's function tools, in order.
    static QStringList toolNames(ApiFormat format, const QJsonObject &body);
};

} // namespace sluice::test
