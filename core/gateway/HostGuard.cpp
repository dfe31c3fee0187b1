#include "HostGuard.h"

namespace sluice {

namespace {
// "Host: [::1]:7341" -> "[::1]", "localhost:7341" -> "localhost".
QByteArrayView hostWithoutPort(QByteArrayView host)
{
    if (host.startsWith('[')) {
        const qsizetype end = host.indexOf(']');
        return end < 0 ? host : host.first(end + 1);
    }
    const qsizetype colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.first(colon);
}

bool isLoopbackName(QByteArrayView host)
{
    if (host.compare("localhost", Qt::CaseInsensitive) == 0 || host == "[::1]")
        return true;
    // Any 127.0.0.0/8 address.
    if (!host.startsWith("127."))
        return false;
    int dots = 0;
    for (const char c : host) {
        if (c == '.')
            ++dots;
        else if (c < '0' || c > '9')
            return false;
    }
    return dots == 3;
}
} // namespace

HostGuard::HostGuard(const GatewaySettings &settings)
{
    for (const QString &host : settings.allowedHosts) {
        if (host == QLatin1String("*"))
            m_anyHost = true;
        else
            m_allowedHosts.append(host.toLower().toUtf8());
    }
    for (QString origin : settings.allowedOrigins) {
        while (origin.endsWith(QLatin1Char('/')))
            origin.chop(1);
        m_allowedOrigins.append(origin.toLower().toUtf8());
    }
}

bool HostGuard::hostAllowed(QByteArrayView hostHeader) const
{
    if (m_anyHost)
        return true;
    const QByteArrayView host = hostWithoutPort(hostHeader);
    if (isLoopbackName(host))
        return true;
    const QByteArray lower = host.toByteArray().toLower();
    return m_allowedHosts.contains(lower);
}

QString HostGuard::check(const HttpRequest &request) const
{
    const QByteArray host = request.headers.value(QByteArrayLiteral("host"));
    if (host.isEmpty() && request.httpMinor >= 1)
        return QStringLiteral("The request has no Host header; HTTP/1.1 requires one.");
    if (!host.isEmpty() && !hostAllowed(host)) {
        return QStringLiteral("Host '%1' is not allowed. Sluice answers only to loopback names (localhost, "
                              "127.0.0.1, [::1]) unless gateway.allowed_hosts in the config lists the name.")
            .arg(QString::fromLatin1(host.left(255)));
    }
    const QByteArray origin = request.headers.value(QByteArrayLiteral("origin"));
    if (!origin.isEmpty() && !m_allowedOrigins.contains(origin.toLower())) {
        return QStringLiteral("Requests from browser origin '%1' are refused. Add it to gateway.allowed_origins "
                              "in the config to allow that web page to use Sluice.")
            .arg(QString::fromLatin1(origin.left(255)));
    }
    return {};
}

} // namespace sluice
