#pragma once

#include <QByteArray>
#include <QUrl>

#include "common/HttpHeaders.h"

namespace sluice {

// Each in milliseconds; zero or less means no limit for that phase.
struct UpstreamTimeouts
{
    int connectMs = 10'000; // TCP (and TLS) connection established
    int firstByteMs = 120'000; // request sent -> response status line
    int idleMs = 120'000; // longest gap between two reads of the body
    int totalMs = 600'000; // whole exchange
};

// One outbound HTTP/1.1 request. Host, Content-Length and Connection are added by the client.
struct UpstreamRequest
{
    QByteArray method = "POST";
    QUrl url; // http:// or https://
    HttpHeaders headers;
    QByteArray body;
    UpstreamTimeouts timeouts;
};

struct UpstreamError
{
    enum class Kind {
        Connect, // DNS, refused, TLS handshake
        Timeout, // see phase
        Reset, // the connection closed or broke before the response was complete
        Protocol, // the upstream sent something that is not valid HTTP
        Cancelled, // abort() was called
    };
    Kind kind = Kind::Connect;
    QString phase; // for timeouts: "connect", "first byte", "idle", "total"
    QString message; // human readable, names host and port, never headers or body
};

} // namespace sluice
