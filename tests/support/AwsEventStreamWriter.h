#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace sluice::test {

// Test-side encoder of the AWS event-stream framing (application/vnd.amazon.eventstream), written from the
// format's description independently of core's parser: prelude (total length, headers length, CRC32 of those
// eight bytes), string headers (name length, name, type 7, value length, value), payload, CRC32 of the rest.
class AwsEventStreamWriter
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    static QByteArray message(const Headers &headers, const QByteArray &payload);
    // A ConverseStream event: :event-type NAME, :content-type application/json, :message-type event.
    static QByteArray event(const QByteArray &eventType, const QJsonObject &payload);
    // A ConverseStream exception: :exception-type NAME, :message-type exception, payload {"message": ...}.
    static QByteArray exception(const QByteArray &exceptionType, const QString &message);
};

} // namespace sluice::test
