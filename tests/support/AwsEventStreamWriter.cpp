#include "AwsEventStreamWriter.h"

#include <zlib.h>

#include <QJsonDocument>

namespace sluice::test {

namespace {
void appendBigEndian(QByteArray &out, quint64 value, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i)
        out.append(char((value >> (8 * i)) & 0xff));
}

quint32 crcOf(const QByteArray &bytes)
{
    return quint32(crc32(0L, reinterpret_cast<const Bytef *>(bytes.constData()), uInt(bytes.size())));
}
} // namespace

QByteArray AwsEventStreamWriter::message(const Headers &headers, const QByteArray &payload)
{
    QByteArray headerBytes;
    for (const auto &[name, value] : headers) {
        appendBigEndian(headerBytes, quint64(name.size()), 1);
        headerBytes.append(name);
        headerBytes.append(char(7)); // string
        appendBigEndian(headerBytes, quint64(value.size()), 2);
        headerBytes.append(value);
    }
    const quint64 total = 12 + quint64(headerBytes.size()) + quint64(payload.size()) + 4;
    QByteArray out;
    appendBigEndian(out, total, 4);
    appendBigEndian(out, quint64(headerBytes.size()), 4);
    appendBigEndian(out, crcOf(out), 4);
    out.append(headerBytes);
    out.append(payload);
    appendBigEndian(out, crcOf(out), 4);
    return out;
}

QByteArray AwsEventStreamWriter::event(const QByteArray &eventType, const QJsonObject &payload)
{
    return message({{":event-type", eventType}, {":content-type", "application/json"}, {":message-type", "event"}},
                   QJsonDocument(payload).toJson(QJsonDocument::Compact));
}

QByteArray AwsEventStreamWriter::exception(const QByteArray &exceptionType, const QString &text)
{
    return message(
        {{":exception-type", exceptionType}, {":content-type", "application/json"}, {":message-type", "exception"}},
        QJsonDocument(QJsonObject {{QStringLiteral("message"), text}}).toJson(QJsonDocument::Compact));
}

} // namespace sluice::test
