#pragma once

#include <chrono>

#include <QtGlobal>

namespace sluice {

// One clock for every latency Sluice measures: steady (CLOCK_MONOTONIC on Linux), in nanoseconds.
inline qint64 monotonicNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace sluice
