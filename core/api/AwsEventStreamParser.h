#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>

#include "common/Result.h"

namespace sluice {

// One message of the AWS event-stream framing (application/vnd.amazon.eventstream).
struct AwsEventStreamMessage
{
    QHash<QByteArray, QByteArray> headers; // string-valued headers (":event-type", ":message-type", ...)
    QByteArray payload;

    QByteArray header(const QByteArray &name) const { return headers.value(name); }
};

// Incremental parser of the AWS event-stream binary framing: each message is a prelude (total length, headers
// length, CRC32 of both), typed headers, the payload and a CRC32 of everything before it. Feed bytes as they
// arrive, split anywhere; complete messages come out. A bad length or checksum fails the whole stream, since
// nothing after it can be trusted.
class AwsEventStreamParser
{
public:
    // Appends complete messages to out; keeps an incomplete tail for the next call.
    Result<void> feed(const QByteArray &bytes, QList<AwsEventStreamMessage> &out);
    // True when bytes are buffered that do not yet form a complete message.
    bool hasPartialMessage() const { return !m_buffer.isEmpty(); }

    static quint32 crc32(QByteArrayView bytes);

private:
    QByteArray m_buffer;
    bool m_failed = false;
};

} // namespace sluice
