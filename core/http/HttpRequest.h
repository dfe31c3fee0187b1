#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>

#include "common/HttpHeaders.h"

namespace sluice {

// One parsed HTTP/1.1 request, body complete (chunked bodies already decoded).
struct HttpRequest
{
    QByteArray method; // "GET", "POST", ...
    QByteArray target; // as sent: path plus optional query
    QByteArray path; // target without the query, percent-decoding not applied
    QByteArray query; // without the '?'
    HttpHeaders headers;
    QByteArray body;
    int httpMinor = 1; // HTTP/1.<minor>
    bool keepAlive = true;
    QHostAddress peer;
    qint64 arrivedNs = 0; // sluice::monotonicNowNs() (common/MonotonicClock.h) when the first byte arrived
};

} // namespace sluice
