#pragma once

#include <functional>
#include <memory>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>

#include "common/RequestRecord.h"
#include "guardrails/GuardrailMatcher.h"
#include "guardrails/GuardrailRule.h"

namespace sluice {

// What the response side of one request does with a text.
struct GuardrailVerdict
{
    QByteArray text; // with masked values replaced (placeholders the request introduced are left as they are)
    int blockedRule = -1; // a block rule fired: the text must not reach the client
    QString where;
};

// One request's guardrail state: the placeholder given to each masked value (the same value always gets the same
// one), the rules that fired, and the response side's matcher. Shared by the gateway and the request's exchange.
class GuardrailSession
{
public:
    GuardrailSession(QList<GuardrailRule> rules, std::shared_ptr<const GuardrailMatcher> responseMatcher);

    const QList<GuardrailRule> &rules() const { return m_rules; }
    // The placeholder of `raw` (the value as it appears in the JSON body): [KIND_N], N counting per kind.
    QByteArray placeholderFor(const QString &kind, QByteArrayView raw);
    void count(int rule, bool response, int times = 1);
    QList<GuardrailHit> hits() const;

    // The request body was scanned by every rule in scope (so its stored copy is already masked).
    bool requestScanned() const { return m_requestScanned; }
    void setRequestScanned(bool scanned) { m_requestScanned = scanned; }
    // Marks `placeholder` as one the answer gets back as its value.
    void markRestorable(const QByteArray &placeholder);
    // Placeholders that should be put back in the answer (mask rules with restore on).
    bool restores() const { return !m_restorable.isEmpty(); }
    bool checksResponses() const { return m_responseMatcher && !m_responseMatcher->isEmpty(); }
    // Placeholders back to the values, in a JSON text (raw) or decoded text (a streamed delta).
    QByteArray restoreJson(const QByteArray &json) const;
    QString restoreText(const QString &text) const;
    // Every value this session masked back to its placeholder (for the log of a restored answer).
    QByteArray remask(const QByteArray &json) const;
    // The longest placeholder, which is as much as a stream must hold back to restore one split across events.
    qsizetype longestPlaceholder() const { return m_longest; }

    // Runs the response rules over an answer (JSON when `json`, else decoded text); values the client itself sent
    // (masked in its request) are its own and left alone.
    GuardrailVerdict checkResponse(const QByteArray &text, bool json);

    // The findings that lie inside one JSON string of `json`.
    static QList<GuardrailFinding> inJsonStrings(QByteArrayView json, const QList<GuardrailFinding> &findings);
    // Replaces the findings `replace` accepts by their placeholders.
    QByteArray apply(QByteArrayView text, const QList<GuardrailFinding> &findings,
                     const std::function<bool(const GuardrailFinding &)> &replace);

private:
    struct Masked
    {
        QByteArray placeholder;
        QByteArray raw; // as in the JSON body
        QString text; // decoded
    };
    QList<GuardrailRule> m_rules;
    std::shared_ptr<const GuardrailMatcher> m_responseMatcher;
    QList<Masked> m_masked;
    QHash<QByteArray, qsizetype> m_byRaw;
    QHash<QString, qsizetype> m_byText;
    QHash<QByteArray, qsizetype> m_byPlaceholder;
    QHash<QString, int> m_perKind;
    QList<qsizetype> m_restorable; // indices into m_masked
    QMap<QPair<int, bool>, int> m_counts; // (rule, response) -> times
    qsizetype m_longest = 0;
    bool m_requestScanned = false;
};

} // namespace sluice
