#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include "common/Result.h"

namespace sluice {

// Where a connection goes: scheme (plain or TLS), host and port. Connections are pooled per origin.
struct UpstreamOrigin
{
    bool tls = false;
    QString host;
    quint16 port = 0;

    static Result<UpstreamOrigin> fromUrl(const QUrl &url);

    // "host:port" (IPv6 in brackets), for messages: never includes the path or query, which may carry keys.
    QString authority() const;
    // The Host header value: the port is left out when it is the scheme's default.
    QByteArray hostHeader() const;

    bool operator==(const UpstreamOrigin &other) const = default;
};

} // namespace sluice
