#include "GuardrailSession.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "guardrails/JsonLocation.h"

namespace sluice {

namespace {
// The text a JSON string's raw contents stand for; the raw bytes when they are not a valid string body.
QString decodedJson(QByteArrayView raw)
{
    QByteArray wrapped;
    wrapped.reserve(raw.size() + 4);
    wrapped.append("[\"").append(raw.data(), raw.size()).append("\"]");
    const QJsonDocument document = QJsonDocument::fromJson(wrapped);
    if (document.isArray() && document.array().size() == 1 && document.array().at(0).isString())
        return document.array().at(0).toString();
    return QString::fromUtf8(raw.data(), raw.size());
}

// Replaces every [KIND_N] of `text` found in `lookup` by what `value` gives for it, in one pass.
template<typename Text, typename Lookup>
Text replacePlaceholders(const Text &text, qsizetype longest, Lookup lookup)
{
    Text out;
    qsizetype copied = 0;
    qsizetype at = 0;
    using Char = typename Text::value_type;
    while ((at = text.indexOf(Char(u'['), at)) >= 0) {
        const qsizetype close = text.indexOf(Char(u']'), at + 1);
        if (close < 0)
            break;
        if (close - at + 1 > longest) {
            ++at;
            continue;
        }
        const auto *value = lookup(text.sliced(at, close - at + 1));
        if (!value) {
            ++at;
            continue;
        }
        out.append(text.sliced(copied, at - copied));
        out.append(*value);
        copied = close + 1;
        at = close + 1;
    }
    if (copied == 0)
        return text;
    out.append(text.sliced(copied));
    return out;
}
} // namespace

GuardrailSession::GuardrailSession(QList<GuardrailRule> rules, std::shared_ptr<const GuardrailMatcher> responseMatcher)
    : m_rules(std::move(rules))
    , m_responseMatcher(std::move(responseMatcher))
{ }

QByteArray GuardrailSession::placeholderFor(const QString &kind, QByteArrayView raw)
{
    const QByteArray key(raw.data(), raw.size());
    if (const auto known = m_byRaw.constFind(key); known != m_byRaw.constEnd())
        return m_masked.at(*known).placeholder;
    const int number = ++m_perKind[kind];
    Masked masked;
    masked.placeholder = '[' + kind.toLatin1() + '_' + QByteArray::number(number) + ']';
    masked.raw = key;
    masked.text = decodedJson(raw);
    m_longest = qMax(m_longest, masked.placeholder.size());
    m_byRaw.insert(masked.raw, m_masked.size());
    m_byText.insert(masked.text, m_masked.size());
    m_byPlaceholder.insert(masked.placeholder, m_masked.size());
    m_masked.append(masked);
    return masked.placeholder;
}

void GuardrailSession::markRestorable(const QByteArray &placeholder)
{
    const qsizetype index = m_byPlaceholder.value(placeholder, -1);
    if (index >= 0 && !m_restorable.contains(index))
        m_restorable.append(index);
}

void GuardrailSession::count(int rule, bool response, int times)
{
    m_counts[qMakePair(rule, response)] += times;
}

QList<GuardrailHit> GuardrailSession::hits() const
{
    QList<GuardrailHit> hits;
    for (auto it = m_counts.cbegin(); it != m_counts.cend(); ++it) {
        if (it.key().first < 0 || it.key().first >= m_rules.size())
            continue;
        const GuardrailRule &rule = m_rules.at(it.key().first);
        hits.append(GuardrailHit {rule.name, guardrailActionName(rule.action),
                                  it.key().second ? QStringLiteral("response") : QStringLiteral("request"),
                                  it.value()});
    }
    return hits;
}

QByteArray GuardrailSession::restoreJson(const QByteArray &json) const
{
    if (m_restorable.isEmpty())
        return json;
    return replacePlaceholders(json, m_longest, [this](QByteArrayView placeholder) -> const QByteArray * {
        const qsizetype index = m_byPlaceholder.value(placeholder.toByteArray(), -1);
        return index >= 0 && m_restorable.contains(index) ? &m_masked.at(index).raw : nullptr;
    });
}

QString GuardrailSession::restoreText(const QString &text) const
{
    if (m_restorable.isEmpty())
        return text;
    return replacePlaceholders(text, m_longest, [this](QStringView placeholder) -> const QString * {
        const qsizetype index = m_byPlaceholder.value(placeholder.toLatin1(), -1);
        return index >= 0 && m_restorable.contains(index) ? &m_masked.at(index).text : nullptr;
    });
}

QByteArray GuardrailSession::remask(const QByteArray &json) const
{
    QByteArray out = json;
    for (const Masked &masked : m_masked) {
        if (!masked.raw.isEmpty() && out.contains(masked.raw))
            out.replace(masked.raw, masked.placeholder);
        const QByteArray text = masked.text.toUtf8();
        if (text != masked.raw && !text.isEmpty() && out.contains(text))
            out.replace(text, masked.placeholder);
    }
    return out;
}

QByteArray GuardrailSession::apply(QByteArrayView text, const QList<GuardrailFinding> &findings,
                                   const std::function<bool(const GuardrailFinding &)> &replace)
{
    QByteArray out;
    qsizetype copied = 0;
    for (const GuardrailFinding &finding : findings) {
        if (!replace(finding))
            continue;
        out.append(text.sliced(copied, finding.start - copied));
        out.append(placeholderFor(finding.kind, text.sliced(finding.start, finding.end - finding.start)));
        copied = finding.end;
    }
    if (copied == 0)
        return text.toByteArray();
    out.append(text.sliced(copied));
    return out;
}

QList<GuardrailFinding> GuardrailSession::inJsonStrings(QByteArrayView json, const QList<GuardrailFinding> &findings)
{
    QList<QPair<qsizetype, qsizetype>> spans;
    spans.reserve(findings.size());
    for (const GuardrailFinding &finding : findings)
        spans.append({finding.start, finding.end});
    const QList<bool> inside = JsonLocation::insideStrings(json, spans);
    QList<GuardrailFinding> kept;
    for (qsizetype i = 0; i < findings.size(); ++i) {
        if (inside.at(i))
            kept.append(findings.at(i));
    }
    return kept;
}

GuardrailVerdict GuardrailSession::checkResponse(const QByteArray &text, bool json)
{
    GuardrailVerdict verdict;
    verdict.text = text;
    if (!checksResponses())
        return verdict;
    QList<GuardrailFinding> findings = m_responseMatcher->scan(text);
    if (json)
        findings = inJsonStrings(text, findings);
    // The client's own values, put back by restore, are not the answer's to leak.
    findings.removeIf([&](const GuardrailFinding &finding) {
        const QByteArray value = text.sliced(finding.start, finding.end - finding.start);
        return json ? m_byRaw.contains(value) : m_byText.contains(QString::fromUtf8(value));
    });
    if (findings.isEmpty())
        return verdict;
    for (const GuardrailFinding &finding : std::as_const(findings)) {
        count(finding.rule, true);
        if (verdict.blockedRule < 0 && m_rules.at(finding.rule).action == GuardrailRule::Action::Block) {
            verdict.blockedRule = finding.rule;
            verdict.where = json ? QStringLiteral("the answer at %1").arg(JsonLocation::pathAt(text, finding.start))
                                 : QStringLiteral("the streamed answer");
        }
    }
    // Log rules only count: their values reach the client, and the log masks them when the record is stored.
    verdict.text = apply(text, findings, [this](const GuardrailFinding &finding) {
        return m_rules.at(finding.rule).action != GuardrailRule::Action::Log;
    });
    return verdict;
}

} // namespace sluice
