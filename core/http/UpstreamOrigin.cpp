#include "UpstreamOrigin.h"

namespace sluice {

namespace {
QString bracketed(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}
} // namespace

Result<UpstreamOrigin> UpstreamOrigin::fromUrl(const QUrl &url)
{
    if (!url.isValid())
        return makeError(QStringLiteral("The upstream URL is not valid; check the provider's base URL."));
    const QString scheme = url.scheme().toLower();
    UpstreamOrigin origin;
    if (scheme == QLatin1String("https"))
        origin.tls = true;
    else if (scheme != QLatin1String("http"))
        return makeError(QStringLiteral("The upstream URL must start with http:// or https://; check the provider's "
                                        "base URL."));
    origin.host = url.host(QUrl::FullyEncoded);
    if (origin.host.isEmpty())
        return makeError(QStringLiteral("The upstream URL has no host name; check the provider's base URL."));
    origin.port = quint16(url.port(origin.tls ? 443 : 80));
    return origin;
}

QString UpstreamOrigin::authority() const
{
    return bracketed(host) + QLatin1Char(':') + QString::number(port);
}

QByteArray UpstreamOrigin::hostHeader() const
{
    QByteArray value = bracketed(host).toLatin1();
    if (port != (tls ? 443 : 80))
        value += ':' + QByteArray::number(port);
    return value;
}

} // namespace sluice
