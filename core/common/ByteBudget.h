#pragma once

#include <QtGlobal>

namespace sluice {

// Bytes the gateway holds in memory for requests being read and answers being buffered, over all connections,
// with one limit: past it new data is refused with a clear 503 instead of taking the machine's memory.
// Used on the gateway's thread only.
class ByteBudget
{
public:
    explicit ByteBudget(qint64 limit)
        : m_limit(limit)
    { }

    // False (and nothing taken) when the bytes would pass the limit.
    bool take(qint64 bytes)
    {
        if (m_used + bytes > m_limit)
            return false;
        m_used += bytes;
        return true;
    }
    void release(qint64 bytes) { m_used = qMax<qint64>(0, m_used - bytes); }
    qint64 used() const { return m_used; }
    qint64 limit() const { return m_limit; }

private:
    qint64 m_limit;
    qint64 m_used = 0;
};

} // namespace sluice
