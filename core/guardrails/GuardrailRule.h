#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace sluice {

// One rule of the `guardrails:` section (docs/guardrails.md): what it detects, what it does, where and for whom.
struct GuardrailRule
{
    enum class Action { Block, Mask, Log };
    enum class Side { Request, Response, Both };

    QString name; // unique; shown in errors, the log and the window
    // "secrets", "pii", "email", "credit_card", "regex", "words", or one built-in detector's name ("aws_access_key",
    // "iban", ...: GuardrailDetectors::names()).
    QString detect;
    QString pattern; // detect: regex (RE2 syntax)
    QStringList words; // detect: words (whole words, case-insensitive)
    Action action = Action::Mask;
    Side on = Side::Request;
    // Masked values are put back in the answer (streamed ones too), so the client sees its own values.
    bool restore = true;
    // A rule switched off (enabled: false) stays in the config and the window but checks nothing.
    bool enabled = true;
    // Scope: empty lists match everything; otherwise the request's model, token or client must be listed.
    QStringList models;
    QStringList tokens;
    QStringList clients; // matched against the start of the client's User-Agent, case-insensitive
    int configLine = 0;

    bool appliesToRequest() const { return on != Side::Response; }
    bool appliesToResponse() const { return on != Side::Request; }
};

struct GuardrailSettings
{
    QList<GuardrailRule> rules; // in order: at one place of the text the first matching rule wins
};

QString guardrailActionName(GuardrailRule::Action action);
QString guardrailSideName(GuardrailRule::Side side);

} // namespace sluice
