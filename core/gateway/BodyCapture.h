#pragma once

#include <QByteArray>

namespace sluice {

// Keeps the first `limit` bytes of a body for the request log and remembers whether more was cut off.
// A limit of 0 means bodies are not logged at all (nothing is kept, nothing counts as truncated).
class BodyCapture
{
public:
    explicit BodyCapture(qint64 limit = 0)
        : m_limit(limit)
    { }

    void append(QByteArrayView data)
    {
        if (m_limit <= 0)
            return;
        const qint64 room = m_limit - m_bytes.size();
        if (data.size() > room) {
            m_truncated = true;
            if (room > 0)
                m_bytes.append(data.first(room));
            return;
        }
        m_bytes.append(data);
    }
    const QByteArray &bytes() const { return m_bytes; }
    bool truncated() const { return m_truncated; }

private:
    qint64 m_limit;
    QByteArray m_bytes;
    bool m_truncated = false;
};

} // namespace sluice
