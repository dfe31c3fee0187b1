#pragma once

#include "routing/Clock.h"

namespace sluice {

// A clock that moves only when told to: for tests and simulations of timing-dependent routing.
class ManualClock : public Clock
{
public:
    ManualClock();

    qint64 nowMs() const override { return m_nowMs; }
    QDateTime utcNow() const override { return m_utc; }

    // Moves both the steady and the wall-clock time forward.
    void advance(qint64 ms);
    void setUtcNow(const QDateTime &utc) { m_utc = utc.toUTC(); }

private:
    qint64 m_nowMs = 1'000'000;
    QDateTime m_utc;
};

} // namespace sluice
