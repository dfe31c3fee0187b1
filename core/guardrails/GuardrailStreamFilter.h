#pragma once

#include <memory>

#include "api/CanonicalEvent.h"
#include "guardrails/GuardrailSession.h"

namespace sluice {

// Runs a request's response rules and restores its placeholders on a streamed answer, event by event. Each
// text, thinking or tool-argument stream holds back only its unfinished end: a placeholder's possible start, the
// last word (values never span whitespace, except the numbers and key blocks this also holds), so a value split
// across provider events is still found whole.
class GuardrailStreamFilter
{
public:
    explicit GuardrailStreamFilter(std::shared_ptr<GuardrailSession> session);

    // The events to pass on; after a block rule fired, blocked() is set and nothing more is passed.
    CanonicalEvents filter(const CanonicalEvents &events);
    bool blocked() const { return m_blockedRule >= 0; }
    QString blockMessage() const;

    // Held text is at most this long: past it, it is released even mid-word.
    static constexpr qsizetype MaxHeld = 16 * 1024;

private:
    // Where the text stops being safe to release.
    qsizetype safeEnd(const QString &text) const;
    // The text with response rules applied and placeholders restored; json: it is tool arguments (JSON text).
    QString release(const QString &text, bool json);
    void flush(CanonicalEvents &out);

    std::shared_ptr<GuardrailSession> m_session;
    bool m_pending = false;
    CanonicalEvent m_held; // the delta whose text is held (type, index), text = what is held
    int m_blockedRule = -1;
};

} // namespace sluice
