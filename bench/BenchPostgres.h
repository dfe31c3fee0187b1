#pragma once

#include <QUrl>

#include "store/StoreLocation.h"

namespace sluice::bench {

// The database a bench's --postgresql URL names (postgresql://USER@HOST:PORT/DB), with the password from
// PGPASSWORD and TLS off: the benches talk to a local server.
inline PostgresSettings postgresSettingsFromUrl(const QString &text)
{
    const QUrl url(text);
    PostgresSettings settings;
    settings.host = url.host();
    settings.port = url.port(5432);
    settings.user = url.userName();
    settings.database = url.path().mid(1);
    settings.password = qEnvironmentVariable("PGPASSWORD");
    settings.tlsMode = QStringLiteral("disable");
    return settings;
}

} // namespace sluice::bench
