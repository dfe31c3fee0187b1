#include "AwsEventStreamParser.h"

#include <zlib.h>

#include <QtEndian>

namespace sluice {

namespace {
constexpr qsizetype PreludeBytes = 12;
constexpr qsizetype CrcBytes = 4;
// AWS caps one message at 16 MiB; anything larger is a framing error, not a big event.
constexpr quint32 MaxMessageBytes = 16 * 1024 * 1024;

quint32 readU32(const char *at)
{
    return qFromBigEndian<quint32>(at);
}

// Header values by type: 0/1 bool, 2 byte, 3 short, 4 int, 5 long, 6 bytes, 7 string, 8 timestamp, 9 uuid.
qsizetype fixedValueSize(quint8 type)
{
    switch (type) {
    case 0:
    case 1:
        return 0;
    case 2:
        return 1;
    case 3:
        return 2;
    case 4:
        return 4;
    case 5:
    case 8:
        return 8;
    case 9:
        return 16;
    default:
        return -1;
    }
}

Result<void> parseHeaders(QByteArrayView bytes, QHash<QByteArray, QByteArray> &headers)
{
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        const quint8 nameLength = quint8(bytes[pos]);
        if (nameLength == 0 || pos + 1 + nameLength + 1 > bytes.size())
            return makeError(QStringLiteral("an event-stream header name runs past the headers"));
        const QByteArray name = bytes.sliced(pos + 1, nameLength).toByteArray();
        pos += 1 + nameLength;
        const quint8 type = quint8(bytes[pos]);
        pos += 1;
        if (type == 6 || type == 7) {
            if (pos + 2 > bytes.size())
                return makeError(QStringLiteral("an event-stream header value runs past the headers"));
            const quint16 length = qFromBigEndian<quint16>(bytes.data() + pos);
            pos += 2;
            if (pos + length > bytes.size())
                return makeError(QStringLiteral("an event-stream header value runs past the headers"));
            headers.insert(name, bytes.sliced(pos, length).toByteArray());
            pos += length;
            continue;
        }
        const qsizetype size = fixedValueSize(type);
        if (size < 0)
            return makeError(QStringLiteral("an event-stream header has unknown type %1").arg(type));
        if (pos + size > bytes.size())
            return makeError(QStringLiteral("an event-stream header value runs past the headers"));
        pos += size; // non-string headers carry nothing Sluice reads
    }
    return {};
}
} // namespace

quint32 AwsEventStreamParser::crc32(QByteArrayView bytes)
{
    return quint32(::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef *>(bytes.data()), uInt(bytes.size())));
}

Result<void> AwsEventStreamParser::feed(const QByteArray &bytes, QList<AwsEventStreamMessage> &out)
{
    if (m_failed)
        return makeError(QStringLiteral("the event stream already failed"));
    m_buffer.append(bytes);
    qsizetype offset = 0;
    Result<void> result;
    while (m_buffer.size() - offset >= PreludeBytes) {
        const char *at = m_buffer.constData() + offset;
        const quint32 total = readU32(at);
        const quint32 headersLength = readU32(at + 4);
        if (crc32(QByteArrayView(at, 8)) != readU32(at + 8)) {
            result = makeError(QStringLiteral("an event-stream message prelude failed its CRC32 check"));
            break;
        }
        if (total < PreludeBytes + CrcBytes || total > MaxMessageBytes
            || headersLength > total - PreludeBytes - CrcBytes) {
            result
                = makeError(QStringLiteral("an event-stream message has impossible lengths (%1 bytes, %2 of headers)")
                                .arg(total)
                                .arg(headersLength));
            break;
        }
        if (m_buffer.size() - offset < qsizetype(total))
            break;
        if (crc32(QByteArrayView(at, total - CrcBytes)) != readU32(at + total - CrcBytes)) {
            result = makeError(QStringLiteral("an event-stream message failed its CRC32 check"));
            break;
        }
        AwsEventStreamMessage message;
        result = parseHeaders(QByteArrayView(at + PreludeBytes, headersLength), message.headers);
        if (!result)
            break;
        message.payload = QByteArray(at + PreludeBytes + headersLength,
                                     qsizetype(total) - PreludeBytes - qsizetype(headersLength) - CrcBytes);
        out.append(std::move(message));
        offset += total;
    }
    if (!result) {
        m_failed = true;
        m_buffer.clear();
        return result;
    }
    m_buffer.remove(0, offset);
    return {};
}

} // namespace sluice
