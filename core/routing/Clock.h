#pragma once

#include <QDateTime>

namespace sluice {

// Where routing reads the time, so breakers, backoff and deadlines can be tested without waiting.
class Clock
{
public:
    virtual ~Clock() = default;
    // Milliseconds on a steady clock: only differences mean something.
    virtual qint64 nowMs() const = 0;
    // Wall-clock time, for HTTP dates such as Retry-After.
    virtual QDateTime utcNow() const = 0;
};

} // namespace sluice
