#include "ManualClock.h"

namespace sluice {

ManualClock::ManualClock()
    : m_utc(QDate(2025, 1, 1), QTime(12, 0), Qt::UTC)
{ }

void ManualClock::advance(qint64 ms)
{
    m_nowMs += ms;
    m_utc = m_utc.addMSecs(ms);
}

} // namespace sluice
