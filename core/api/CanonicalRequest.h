#pragma once

#include <optional>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "api/ApiFormat.h"
#include "api/ContentPart.h"

namespace sluice {

struct CanonicalMessage
{
    // System appears here only for instructions given mid-conversation (OpenAI allows them anywhere); leading
    // instructions live in CanonicalRequest::system.
    enum class Role { User, Assistant, System };

    Role role = Role::User;
    ContentParts parts; // tool results travel in User messages, tool calls in Assistant messages
    QJsonObject extras; // format-specific message fields (e.g. OpenAI "name")
};

struct CanonicalTool
{
    QString name;
    QString description;
    QJsonObject parameters; // JSON schema of the arguments object; empty when the tool takes none
    std::optional<bool> strict;
    // Non-empty for a provider's built-in tool (e.g. "web_search_20250305", "web_search"): only its own format
    // (sourceFormat of the request) can send it; raw holds its definition as received.
    QString builtinType;
    QJsonObject raw;
    QJsonObject extras; // e.g. cache_control
};

struct ToolChoice
{
    enum class Mode { Unset, Auto, None, Required, Tool };
    Mode mode = Mode::Unset;
    QString name; // Mode::Tool
};

struct ResponseFormat
{
    enum class Type { Text, JsonObject, JsonSchema };
    Type type = Type::Text;
    QString name;
    QString description;
    QJsonObject schema;
    std::optional<bool> strict;
};

// How much the model should reason. Formats express it differently (OpenAI an effort, Anthropic and Gemini a
// token budget); encoders convert between effort and budget where only one is given.
struct ReasoningConfig
{
    std::optional<bool> enabled; // an explicit on/off (Anthropic thinking.type, Gemini includeThoughts)
    bool adaptive = false; // Anthropic thinking.type "adaptive": the model decides how much to think
    QString effort; // "minimal" | "low" | "medium" | "high" (OpenAI, Gemini thinkingLevel)
    std::optional<qint64> budgetTokens; // Anthropic budget_tokens, Gemini thinkingBudget
    QString summary; // OpenAI Responses reasoning.summary ("auto", "concise", "detailed")

    bool isSet() const { return enabled.has_value() || !effort.isEmpty() || budgetTokens.has_value(); }
    bool wantsThinking() const { return enabled.value_or(!effort.isEmpty() || budgetTokens.value_or(0) > 0); }
    // Thinking to ask of another format's model. Adaptive thinking leaves the amount to the model: elsewhere that
    // is the provider's default, and asking explicitly would break models that cannot reason.
    bool wantsExplicitThinking() const { return wantsThinking() && !adaptive; }
    // The budget to send where only a budget can be expressed.
    qint64 effectiveBudget(qint64 fallback) const;
    // The effort to send where only an effort can be expressed.
    QString effectiveEffort() const;
};

// A provider-neutral chat request: what every inbound codec decodes to and every outbound codec encodes from.
struct CanonicalRequest
{
    ApiFormat sourceFormat = ApiFormat::OpenAiChat; // the format it was decoded from (owner of extras and Raw)
    QString model;
    ContentParts system; // leading instructions, text parts (extras may carry cache_control)
    QList<CanonicalMessage> messages;
    QList<CanonicalTool> tools;
    ToolChoice toolChoice;
    std::optional<bool> parallelToolCalls;
    std::optional<qint64> maxTokens; // output tokens, reasoning included
    std::optional<double> temperature;
    std::optional<double> topP;
    std::optional<qint64> topK;
    std::optional<qint64> seed;
    std::optional<double> presencePenalty;
    std::optional<double> frequencyPenalty;
    QStringList stop;
    ResponseFormat responseFormat;
    ReasoningConfig reasoning;
    bool stream = false;
    bool includeUsage = false; // OpenAI stream_options.include_usage: the client wants the usage chunk
    QString user; // end-user id (OpenAI user, Anthropic metadata.user_id)
    QJsonObject metadata;
    // Top-level fields of sourceFormat that Sluice does not model: sent again to the same format, refused (or
    // dropped) for any other.
    QJsonObject extras;
    // Responses "namespace" tools, flattened into plain functions named NAMESPACE__NAME for other formats:
    // flattened name -> namespace, so calls can be given back under their own names.
    QHash<QString, QString> toolNamespaces;

    QString systemText() const { return joinedText(system); }
    // A flattened tool name back as (namespace, function name); the namespace is empty for plain tools.
    std::pair<QString, QString> splitToolName(const QString &name) const;
};

} // namespace sluice
