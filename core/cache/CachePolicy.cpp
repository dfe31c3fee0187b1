#include "CachePolicy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

#include "config/Config.h"

namespace sluice {

CachePolicy CachePolicy::decide(const CacheSettings &settings, const ModelRoute *route, const HttpHeaders &headers)
{
    CachePolicy policy;
    if (!route)
        return policy;
    bool enabled = route->cache ? route->cache->enabled : settings.enabled;
    policy.ttlMs = route->cache && route->cache->ttlMs > 0 ? route->cache->ttlMs : settings.ttlMs;

    const QByteArray opt = headers.value(QByteArrayLiteral("x-sluice-cache")).trimmed().toLower();
    if (opt == "on" || opt == "true" || opt == "1")
        enabled = true;
    else if (opt == "off" || opt == "false" || opt == "0")
        enabled = false;
    if (!enabled)
        return policy;

    policy.read = true;
    policy.write = true;
    for (const auto &[name, value] : headers.fields()) {
        if (name.compare(QByteArrayLiteral("cache-control"), Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &directive : value.split(',')) {
            const QByteArray word = directive.trimmed().toLower();
            if (word == "no-cache")
                policy.read = false;
            else if (word == "no-store")
                policy.write = false;
        }
    }
    return policy;
}

bool CachePolicy::isCacheable(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object().value(QLatin1String("n")).toInteger(1) <= 1;
}

} // namespace sluice
