#include "SseParser.h"

namespace sluice {

void SseParser::feed(const QByteArray &bytes, QList<SseEvent> &out)
{
    m_buffer.append(bytes);
    qsizetype start = 0;
    const qsizetype size = m_buffer.size();
    const char *data = m_buffer.constData();
    if (m_skipLeadingLf && size > 0) {
        if (data[0] == '\n')
            start = 1;
        m_skipLeadingLf = false;
    }
    for (qsizetype i = start; i < size; ++i) {
        const char c = data[i];
        if (c != '\n' && c != '\r')
            continue;
        processLine(QByteArrayView(data + start, i - start), out);
        if (c == '\r') {
            if (i + 1 < size) {
                if (data[i + 1] == '\n')
                    ++i;
            } else {
                m_skipLeadingLf = true;
            }
        }
        start = i + 1;
    }
    m_buffer.remove(0, start);
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
