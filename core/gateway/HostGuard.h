#pragma once

#include <QString>

#include "config/Config.h"
#include "http/HttpRequest.h"

namespace sluice {

// DNS-rebinding and browser defence: the Host header must name a loopback host (or one the user allowed),
// and a request carrying a browser Origin is refused unless that Origin is allow-listed.
class HostGuard
{
public:
    explicit HostGuard(const GatewaySettings &settings);

    // Empty when the request may proceed; otherwise what is wrong and how to allow it.
    QString check(const HttpRequest &request) const;

private:
    bool hostAllowed(QByteArrayView host) const;

    QList<QByteArray> m_allowedHosts; // lower-case, without port
    QList<QByteArray> m_allowedOrigins; // lower-case, no trailing slash
    bool m_anyHost = false;
};

} // namespace sluice
