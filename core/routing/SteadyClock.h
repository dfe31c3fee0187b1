#pragma once

#include "routing/Clock.h"

namespace sluice {

// The real time: the monotonic clock Sluice measures latencies with, and the system's UTC time.
class SteadyClock : public Clock
{
public:
    qint64 nowMs() const override;
    QDateTime utcNow() const override;
};

} // namespace sluice
