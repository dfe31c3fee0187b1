#include "SteadyClock.h"

#include "common/MonotonicClock.h"

namespace sluice {

qint64 SteadyClock::nowMs() const
{
    return monotonicNowNs() / 1'000'000;
}

QDateTime SteadyClock::utcNow() const
{
    return QDateTime::currentDateTimeUtc();
}

} // namespace sluice
