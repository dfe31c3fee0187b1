#include "GuardrailStreamFilter.h"

namespace sluice {

namespace {
bool isDelta(const CanonicalEvent &event)
{
    return event.type == CanonicalEvent::Type::TextDelta || event.type == CanonicalEvent::Type::ToolArgumentsDelta
        || (event.type == CanonicalEvent::Type::ThinkingDelta && !event.redacted && event.signature.isEmpty());
}

bool sameStream(const CanonicalEvent &a, const CanonicalEvent &b)
{
    return a.type == b.type && a.index == b.index;
}

bool numberLike(QChar c)
{
    return c.isDigit() || c == QLatin1Char(' ') || c == QLatin1Char('-') || c == QLatin1Char('+')
        || c == QLatin1Char('(') || c == QLatin1Char(')') || c == QLatin1Char('.');
}
} // namespace

GuardrailStreamFilter::GuardrailStreamFilter(std::shared_ptr<GuardrailSession> session)
    : m_session(std::move(session))
{ }

QString GuardrailStreamFilter::blockMessage() const
{
    if (m_blockedRule < 0)
        return {};
    const GuardrailRule &rule = m_session->rules().at(m_blockedRule);
    return QStringLiteral("Sluice's guardrail rule '%1' stopped this answer: it found %2 in the streamed answer (the "
                          "value is not repeated here). Change the rule in the guardrails section of the config "
                          "(docs/guardrails.md) to let it through.")
        .arg(rule.name, rule.detect);
}

qsizetype GuardrailStreamFilter::safeEnd(const QString &text) const
{
    qsizetype end = text.size();
    if (m_session->restores()) {
        // A placeholder's start, [SECRET_AW..., waits for its end.
        const qsizetype open = text.lastIndexOf(QLatin1Char('['));
        if (open >= 0 && text.indexOf(QLatin1Char(']'), open) < 0
            && text.size() - open < m_session->longestPlaceholder())
            end = open;
    }
    if (m_session->checksResponses()) {
        // The last word may go on in the next event; so may a number written in groups, or a key block.
        qsizetype word = end;
        while (word > 0 && !text.at(word - 1).isSpace())
            --word;
        if (word < end && numberLike(text.at(word))) {
            qsizetype number = word;
            while (number > 0 && end - number < 40 && numberLike(text.at(number - 1)))
                --number;
            word = number;
        }
        end = word;
        const qsizetype block = text.lastIndexOf(QLatin1String("-----BEGIN"));
        if (block >= 0 && block < end && text.indexOf(QLatin1String("-----END"), block) < 0)
            end = block;
    }
    if (text.size() - end > MaxHeld)
        end = text.size();
    return end;
}

QString GuardrailStreamFilter::release(const QString &text, bool json)
{
    if (text.isEmpty())
        return text;
    QString out = text;
    if (m_session->checksResponses()) {
        const GuardrailVerdict verdict = m_session->checkResponse(text.toUtf8(), json);
        if (verdict.blockedRule >= 0) {
            m_blockedRule = verdict.blockedRule;
            return {};
        }
        out = QString::fromUtf8(verdict.text);
    }
    // Tool arguments are JSON text: a value goes back in as it was written in the request's JSON (escaped).
    return json ? QString::fromUtf8(m_session->restoreJson(out.toUtf8())) : m_session->restoreText(out);
}

void GuardrailStreamFilter::flush(CanonicalEvents &out)
{
    if (!m_pending)
        return;
    m_pending = false;
    CanonicalEvent event = m_held;
    event.text = release(m_held.text, m_held.type == CanonicalEvent::Type::ToolArgumentsDelta);
    m_held.text.clear();
    if (!event.text.isEmpty() && !blocked())
        out.append(event);
}

CanonicalEvents GuardrailStreamFilter::filter(const CanonicalEvents &events)
{
    CanonicalEvents out;
    for (const CanonicalEvent &event : events) {
        if (blocked())
            break;
        if (event.type == CanonicalEvent::Type::Usage || event.type == CanonicalEvent::Type::Start) {
            out.append(event); // no text: held text need not go before it (Gemini reports usage in every chunk)
            continue;
        }
        if (!isDelta(event)) {
            flush(out);
            if (!blocked())
                out.append(event);
            continue;
        }
        if (m_pending && !sameStream(m_held, event))
            flush(out);
        if (blocked())
            break;
        if (!m_pending) {
            m_held = event;
            m_held.text.clear();
            m_pending = true;
        }
        m_held.text += event.text;
        const qsizetype end = safeEnd(m_held.text);
        if (end <= 0)
            continue;
        CanonicalEvent part = event;
        part.text = release(m_held.text.left(end), event.type == CanonicalEvent::Type::ToolArgumentsDelta);
        m_held.text.remove(0, end);
        if (!part.text.isEmpty() && !blocked())
            out.append(part);
    }
    return out;
}

} // namespace sluice
