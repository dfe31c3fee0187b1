#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>

#include "common/HttpHeaders.h"

namespace sluice::test {

// One request as the mock upstream received it, for assertions.
struct ReceivedRequest
{
    int connectionId = 0; // 1 for the first accepted connection, 2 for the next, ...
    QByteArray method;
    QByteArray target; // path plus query, as sent
    QByteArray path;
    QByteArray query; // without the '?'
    HttpHeaders headers;
    QByteArray body; // de-chunked
    qint64 arrivedMs = 0; // monotonic, milliseconds since the mock was created (first byte of the request)
    QDateTime arrivedAt; // UTC

    // The body parsed as a JSON object (empty when it is not one).
    QJsonObject json() const;
};

} // namespace sluice::test

Q_DECLARE_METATYPE(sluice::test::ReceivedRequest)
