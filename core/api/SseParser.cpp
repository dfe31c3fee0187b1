#include "SseParser.h"

#include <cstring>

namespace sluice {

// Lines are parsed in place in `bytes`; only an unfinished last line is copied, to be completed by the next call.
void SseParser::feed(const QByteArray &bytes, QList<SseEvent> &out)
{
    if (m_overflowed)
        return;
    const char *data = bytes.constData();
    const qsizetype size = bytes.size();
    qsizetype start = 0;
    if (m_skipLeadingLf && size > 0) {
        if (data[0] == '\n')
            start = 1;
        m_skipLeadingLf = false;
    }
    // Streams almost always end lines with LF alone, which memchr finds far faster than a byte loop.
    const bool hasCr = start < size && std::memchr(data + start, '\r', size_t(size - start)) != nullptr;
    qsizetype i = start;
    while (i < size) {
        if (hasCr) {
            while (i < size && data[i] != '\n' && data[i] != '\r')
                ++i;
        } else {
            const void *lf = std::memchr(data + i, '\n', size_t(size - i));
            i = lf ? static_cast<const char *>(lf) - data : size;
        }
        if (i >= size)
            break;
        const QByteArrayView line(data + start, i - start);
        if (m_buffer.isEmpty()) {
            processLine(line, out);
        } else {
            m_buffer.append(line);
            processLine(m_buffer, out);
            m_buffer.resize(0); // keeps the allocation for the next split line
        }
        if (data[i] == '\r') {
            if (i + 1 < size) {
                if (data[i + 1] == '\n')
                    ++i;
            } else {
                m_skipLeadingLf = true;
            }
        }
        start = ++i;
    }
    if (start < size)
        m_buffer.append(data + start, size - start);
    if (m_buffer.size() + m_pending.event.data.size() > m_maxEventBytes) {
        m_overflowed = true;
        m_buffer = QByteArray(); // frees the memory, not only the size
        m_pending = Pending();
    }
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent> &out)
{
    if (line.isEmpty()) {
        if (m_pending.has && m_pending.hasData)
            out.append(std::move(m_pending.event));
        m_pending = Pending();
        return;
    }
    if (line.front() == ':')
        return;
    QByteArrayView field = line;
    QByteArrayView value;
    if (const qsizetype colon = line.indexOf(':'); colon >= 0) {
        field = line.first(colon);
        value = line.sliced(colon + 1);
        if (!value.isEmpty() && value.front() == ' ')
            value = value.sliced(1);
    }
    if (field == "data") {
        if (m_pending.hasData)
            m_pending.event.data.append('\n');
        m_pending.event.data.append(value);
        m_pending.hasData = true;
        m_pending.has = true;
    } else if (field == "event") {
        m_pending.event.event = value.toByteArray();
        m_pending.has = true;
    }
}

QByteArray encodeSseEvent(const SseEvent &event)
{
    QByteArray out;
    out.reserve(event.data.size() + event.event.size() + 16);
    if (!event.event.isEmpty()) {
        out.append("event: ");
        out.append(event.event);
        out.append('\n');
    }
    qsizetype start = 0;
    while (true) {
        const qsizetype nl = event.data.indexOf('\n', start);
        out.append("data: ");
        out.append(QByteArrayView(event.data).sliced(start, (nl < 0 ? event.data.size() : nl) - start));
        out.append('\n');
        if (nl < 0)
            break;
        start = nl + 1;
    }
    out.append('\n');
    return out;
}

} // namespace sluice
