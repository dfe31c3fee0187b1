#pragma once

#include <memory>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include "api/ApiFormat.h"
#include "guardrails/GuardrailMatcher.h"
#include "guardrails/GuardrailRule.h"
#include "guardrails/GuardrailSession.h"

namespace sluice {

// Who a request is from and for: decides which rules are in scope.
struct GuardrailScope
{
    QString model; // the model the client asked for
    QString token; // the gateway token's name
    QByteArray userAgent;
};

// The request side's outcome.
struct GuardrailCheck
{
    std::shared_ptr<GuardrailSession> session; // null: no rule is in scope for this request
    QByteArray upstreamBody; // the body to send on: values of mask rules replaced by placeholders
    QByteArray storedBody; // the body for the log: every detected value replaced
    bool masked = false; // upstreamBody differs from the client's body
    int blockedRule = -1; // >= 0: refuse the request (a block rule fired)
    QString where; // where the blocking value is, e.g. "messages[1].content"
    QString blockMessage() const;
};

// The `guardrails:` rules compiled for use (docs/guardrails.md). Detection runs locally, in one linear RE2 pass
// per text, with the matcher for each combination of rules in scope built once and kept. Thread-safe.
class Guardrails
{
public:
    explicit Guardrails(GuardrailSettings settings = {});

    bool isEmpty() const { return m_settings.rules.isEmpty(); }
    const GuardrailSettings &settings() const { return m_settings; }

    // Empty when the rule can be used; otherwise what to fix (the config loader reports it at the rule).
    static QString validate(const GuardrailRule &rule);

    QList<int> rulesFor(const GuardrailScope &scope, bool response) const;
    std::shared_ptr<const GuardrailMatcher> matcher(const QList<int> &rules) const;

    // Runs the request rules in scope over a request body.
    GuardrailCheck checkRequest(const QByteArray &body, const GuardrailScope &scope) const;
    // Every rule in scope (both sides) over a body about to be stored: detected values replaced by the session's
    // placeholders (a new session's when null).
    QByteArray maskForLog(const QByteArray &body, const GuardrailScope &scope, GuardrailSession *session) const;
    // The same for a streamed answer as the client got it (`format`'s SSE): a value the model wrote across several
    // events is in no one event, so the answer's texts are joined and scanned; when they hold one, the stored
    // stream is written again with each text whole and masked. Unchanged otherwise.
    QByteArray maskStreamForLog(const QByteArray &stream, ApiFormat format, const GuardrailScope &scope,
                                GuardrailSession *session) const;

    // The "try it" box: what `text` becomes on its way to the provider, and which rules fired.
    struct Preview
    {
        QString text;
        QList<GuardrailHit> hits;
        QString blockedBy; // empty: not blocked
    };
    Preview preview(const QString &text) const;

private:
    GuardrailSettings m_settings;
    mutable QMutex m_mutex;
    mutable QHash<QList<int>, std::shared_ptr<const GuardrailMatcher>> m_matchers;
};

} // namespace sluice
