#pragma once

#include <QByteArray>
#include <QList>

namespace sluice {

struct SseEvent
{
    QByteArray event; // the "event:" field, empty when absent
    QByteArray data; // "data:" lines joined with '\n'
};

// Incremental Server-Sent Events parser (WHATWG rules: LF, CRLF or CR line ends; blank line dispatches;
// lines starting with ':' are comments). Feed it bytes as they arrive; complete events come out.
class SseParser
{
public:
    // Appends parsed events to out; keeps any incomplete tail for the next call.
    void feed(const QByteArray &bytes, QList<SseEvent> &out);
    // True when bytes are buffered that do not yet form a complete event.
    bool hasPartialEvent() const { return !m_buffer.isEmpty() || m_pending.has; }

private:
    void processLine(QByteArrayView line, QList<SseEvent> &out);

    struct Pending
    {
        SseEvent event;
        bool has = false;
        bool hasData = false;
    };
    QByteArray m_buffer;
    Pending m_pending;
    bool m_skipLeadingLf = false; // a CR ended the last line; an LF right after it belongs to it
};

// Encodes one event in SSE framing ("event: X\n" when set, one "data:" line per data line, blank line).
QByteArray encodeSseEvent(const SseEvent &event);

} // namespace sluice
