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
// An event may not grow past maxEventBytes: a stream that never ends its line would otherwise take all memory.
// Past the limit the parser drops what it holds, reads nothing more and says overflowed().
class SseParser
{
public:
    static constexpr qsizetype DefaultMaxEventBytes = 16 * 1024 * 1024;

    explicit SseParser(qsizetype maxEventBytes = DefaultMaxEventBytes)
        : m_maxEventBytes(maxEventBytes)
    { }

    // Appends parsed events to out; keeps any incomplete tail for the next call.
    void feed(const QByteArray &bytes, QList<SseEvent> &out);
    // True when bytes are buffered that do not yet form a complete event.
    bool hasPartialEvent() const { return !m_buffer.isEmpty() || m_pending.has; }
    // An event grew past the limit: the stream is broken.
    bool overflowed() const { return m_overflowed; }
    qsizetype maxEventBytes() const { return m_maxEventBytes; }

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
    qsizetype m_maxEventBytes;
    bool m_overflowed = false;
};

// Encodes one event in SSE framing ("event: X\n" when set, one "data:" line per data line, blank line).
QByteArray encodeSseEvent(const SseEvent &event);

} // namespace sluice
