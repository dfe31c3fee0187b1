#include "Guardrails.h"

#include <algorithm>

#include "api/FormatCodec.h"
#include "api/StreamDecoder.h"
#include "api/StreamEncoder.h"
#include "guardrails/GuardrailDetectors.h"
#include "guardrails/JsonLocation.h"

namespace sluice {

namespace {
QString kindOfRule(const QString &name)
{
    QString kind;
    for (const QChar c : name)
        kind.append(c.isLetterOrNumber() && c.unicode() < 128 ? c.toUpper() : QLatin1Char('_'));
    return kind;
}

bool inList(const QStringList &list, const QString &value)
{
    return list.isEmpty() || list.contains(value);
}

bool clientListed(const QStringList &clients, const QByteArray &userAgent)
{
    if (clients.isEmpty())
        return true;
    const QString agent = QString::fromUtf8(userAgent).toLower();
    for (const QString &client : clients) {
        if (agent.startsWith(client.toLower()))
            return true;
    }
    return false;
}

QList<GuardrailMatcher::Entry> entriesOf(const GuardrailRule &rule, int index)
{
    QList<GuardrailMatcher::Entry> entries;
    if (rule.detect == QLatin1String("regex")) {
        entries.append(
            GuardrailMatcher::Entry {index, kindOfRule(rule.name), rule.pattern.toStdString(), nullptr, true});
    } else if (rule.detect == QLatin1String("words")) {
        entries.append(GuardrailMatcher::Entry {index, kindOfRule(rule.name),
                                                GuardrailMatcher::wordsPattern(rule.words), nullptr, false});
    } else {
        for (const GuardrailDetector *detector : GuardrailDetectors::forDetect(rule.detect))
            entries.append(
                GuardrailMatcher::Entry {index, detector->kind, detector->pattern, detector->accepts, false});
    }
    return entries;
}
} // namespace

QString guardrailActionName(GuardrailRule::Action action)
{
    switch (action) {
    case GuardrailRule::Action::Block:
        return QStringLiteral("block");
    case GuardrailRule::Action::Log:
        return QStringLiteral("log");
    case GuardrailRule::Action::Mask:
        break;
    }
    return QStringLiteral("mask");
}

QString guardrailSideName(GuardrailRule::Side side)
{
    switch (side) {
    case GuardrailRule::Side::Response:
        return QStringLiteral("response");
    case GuardrailRule::Side::Both:
        return QStringLiteral("both");
    case GuardrailRule::Side::Request:
        break;
    }
    return QStringLiteral("request");
}

QString GuardrailCheck::blockMessage() const
{
    if (blockedRule < 0 || !session)
        return {};
    return QStringLiteral("Sluice's guardrail rule '%1' blocked this request: it found %2 in %3. Remove it from the "
                          "prompt (the value is not repeated here), or change the rule in the guardrails section of "
                          "the config (docs/guardrails.md).")
        .arg(session->rules().at(blockedRule).name, session->rules().at(blockedRule).detect, where);
}

Guardrails::Guardrails(GuardrailSettings settings)
    : m_settings(std::move(settings))
{ }

QString Guardrails::validate(const GuardrailRule &rule)
{
    if (rule.detect == QLatin1String("regex")) {
        if (rule.pattern.isEmpty())
            return QStringLiteral("detect: regex needs a pattern, e.g. pattern: 'ACME-[0-9]{6}'");
        return GuardrailMatcher::checkUserPattern(rule.pattern);
    }
    if (rule.detect == QLatin1String("words")) {
        if (rule.words.isEmpty())
            return QStringLiteral("detect: words needs a list of words, e.g. words: [project-falcon, acme-internal]");
        return {};
    }
    if (GuardrailDetectors::forDetect(rule.detect).isEmpty())
        return QStringLiteral("detect: '%1' is not known; use one of %2")
            .arg(rule.detect, GuardrailDetectors::detectNames().join(QStringLiteral(", ")));
    return {};
}

QList<int> Guardrails::rulesFor(const GuardrailScope &scope, bool response) const
{
    QList<int> rules;
    for (int i = 0; i < m_settings.rules.size(); ++i) {
        const GuardrailRule &rule = m_settings.rules.at(i);
        if (!rule.enabled || (response ? !rule.appliesToResponse() : !rule.appliesToRequest()))
            continue;
        if (inList(rule.models, scope.model) && inList(rule.tokens, scope.token)
            && clientListed(rule.clients, scope.userAgent))
            rules.append(i);
    }
    return rules;
}

std::shared_ptr<const GuardrailMatcher> Guardrails::matcher(const QList<int> &rules) const
{
    QMutexLocker lock(&m_mutex);
    if (const auto known = m_matchers.constFind(rules); known != m_matchers.constEnd())
        return *known;
    QList<GuardrailMatcher::Entry> entries;
    for (const int rule : rules)
        entries.append(entriesOf(m_settings.rules.at(rule), rule));
    auto built = std::make_shared<const GuardrailMatcher>(entries);
    m_matchers.insert(rules, built);
    return built;
}

GuardrailCheck Guardrails::checkRequest(const QByteArray &body, const GuardrailScope &scope) const
{
    GuardrailCheck check;
    check.upstreamBody = body;
    check.storedBody = body;
    if (isEmpty())
        return check;
    const QList<int> requestRules = rulesFor(scope, false);
    const QList<int> responseRules = rulesFor(scope, true);
    if (requestRules.isEmpty() && responseRules.isEmpty())
        return check;
    check.session = std::make_shared<GuardrailSession>(m_settings.rules,
                                                       responseRules.isEmpty() ? nullptr : matcher(responseRules));
    // Every rule in scope looked at the body here: the log need not scan it again.
    check.session->setRequestScanned(std::all_of(responseRules.cbegin(), responseRules.cend(),
                                                 [&](int rule) { return requestRules.contains(rule); }));
    if (requestRules.isEmpty())
        return check;
    const QList<GuardrailFinding> all = matcher(requestRules)->scan(body);
    if (all.isEmpty())
        return check;
    // Only values in the body's strings are the prompt's; the log masks the others too.
    const QList<GuardrailFinding> findings = GuardrailSession::inJsonStrings(body, all);
    GuardrailSession &session = *check.session;
    for (const GuardrailFinding &finding : findings) {
        session.count(finding.rule, false);
        if (check.blockedRule < 0 && m_settings.rules.at(finding.rule).action == GuardrailRule::Action::Block) {
            check.blockedRule = finding.rule;
            check.where = JsonLocation::pathAt(body, finding.start);
        }
    }
    // Placeholders are numbered in the order of the body, whatever the rule does with them.
    check.storedBody = session.apply(body, all, [](const GuardrailFinding &) { return true; });
    check.upstreamBody = session.apply(body, findings, [&](const GuardrailFinding &finding) {
        return m_settings.rules.at(finding.rule).action == GuardrailRule::Action::Mask;
    });
    for (const GuardrailFinding &finding : findings) {
        const GuardrailRule &rule = m_settings.rules.at(finding.rule);
        if (rule.action == GuardrailRule::Action::Mask && rule.restore)
            session.markRestorable(
                session.placeholderFor(finding.kind, body.sliced(finding.start, finding.end - finding.start)));
    }
    check.masked = check.upstreamBody != body;
    return check;
}

QByteArray Guardrails::maskForLog(const QByteArray &body, const GuardrailScope &scope, GuardrailSession *session) const
{
    if (isEmpty() || body.isEmpty())
        return body;
    QList<int> rules = rulesFor(scope, false);
    for (const int rule : rulesFor(scope, true)) {
        if (!rules.contains(rule))
            rules.append(rule);
    }
    std::sort(rules.begin(), rules.end());
    if (rules.isEmpty())
        return body;
    const QList<GuardrailFinding> findings = matcher(rules)->scan(body);
    if (findings.isEmpty())
        return body;
    GuardrailSession own(m_settings.rules, nullptr);
    GuardrailSession &used = session ? *session : own;
    return used.apply(body, findings, [](const GuardrailFinding &) { return true; });
}

QByteArray Guardrails::maskStreamForLog(const QByteArray &stream, ApiFormat format, const GuardrailScope &scope,
                                        GuardrailSession *session) const
{
    if (isEmpty() || stream.isEmpty() || format == ApiFormat::OpenAiEmbeddings)
        return stream;
    QList<int> rules = rulesFor(scope, false);
    for (const int rule : rulesFor(scope, true)) {
        if (!rules.contains(rule))
            rules.append(rule);
    }
    std::sort(rules.begin(), rules.end());
    if (rules.isEmpty())
        return stream;
    const FormatCodec &codec = FormatCodec::forFormat(format);
    const std::unique_ptr<StreamDecoder> decoder = codec.createStreamDecoder();
    CanonicalEvents events = decoder->feed(stream);
    events.append(decoder->finish());
    // Each text (the answer, thinking, a tool call's arguments) joined in the first of its deltas.
    CanonicalEvents joined;
    QHash<QPair<int, int>, qsizetype> firstDelta;
    for (const CanonicalEvent &event : std::as_const(events)) {
        const bool delta = event.type == CanonicalEvent::Type::TextDelta
            || event.type == CanonicalEvent::Type::ThinkingDelta
            || event.type == CanonicalEvent::Type::ToolArgumentsDelta;
        if (!delta) {
            joined.append(event);
            continue;
        }
        const QPair<int, int> key {int(event.type), event.index};
        if (const auto known = firstDelta.constFind(key); known != firstDelta.constEnd()) {
            joined[*known].text += event.text;
            continue;
        }
        firstDelta.insert(key, joined.size());
        joined.append(event);
    }
    const std::shared_ptr<const GuardrailMatcher> scanner = matcher(rules);
    GuardrailSession own(m_settings.rules, nullptr);
    GuardrailSession &used = session ? *session : own;
    bool changed = false;
    for (const qsizetype index : std::as_const(firstDelta)) {
        CanonicalEvent &event = joined[index];
        const QByteArray text = event.text.toUtf8();
        const QList<GuardrailFinding> findings = scanner->scan(text);
        if (findings.isEmpty())
            continue;
        event.text = QString::fromUtf8(used.apply(text, findings, [](const GuardrailFinding &) { return true; }));
        changed = true;
    }
    if (!changed)
        return stream;
    StreamEncoderOptions options;
    options.requestedModel = decoder->model();
    options.includeUsage = true;
    options.jsonArray = format == ApiFormat::Gemini && stream.startsWith('[');
    const std::unique_ptr<StreamEncoder> encoder = codec.createStreamEncoder(options);
    QByteArray out = encoder->encode(joined);
    out += encoder->finish();
    return out;
}

Guardrails::Preview Guardrails::preview(const QString &text) const
{
    Preview preview;
    const QByteArray utf8 = text.toUtf8();
    QList<int> rules;
    for (int i = 0; i < m_settings.rules.size(); ++i) {
        if (m_settings.rules.at(i).enabled && m_settings.rules.at(i).appliesToRequest())
            rules.append(i);
    }
    GuardrailSession session(m_settings.rules, nullptr);
    const QList<GuardrailFinding> findings = rules.isEmpty() ? QList<GuardrailFinding>() : matcher(rules)->scan(utf8);
    for (const GuardrailFinding &finding : findings) {
        session.count(finding.rule, false);
        const GuardrailRule &rule = m_settings.rules.at(finding.rule);
        if (preview.blockedBy.isEmpty() && rule.action == GuardrailRule::Action::Block)
            preview.blockedBy = rule.name;
    }
    preview.text = QString::fromUtf8(session.apply(utf8, findings, [&](const GuardrailFinding &finding) {
        return m_settings.rules.at(finding.rule).action != GuardrailRule::Action::Log;
    }));
    preview.hits = session.hits();
    return preview;
}

} // namespace sluice
