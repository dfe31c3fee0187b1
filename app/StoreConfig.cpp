#include "StoreConfig.h"

#include <QDir>

#include "secrets/SecretStore.h"

namespace sluice {

Result<StoreLocation> storeLocationOf(const Config &config, const QString &databasePath, const QString &dataDir,
                                      SecretResolver &resolver)
{
    if (!config.store.postgres)
        return StoreLocation(databasePath);
    PostgresSettings settings;
    settings.host = config.store.host;
    settings.port = config.store.port;
    settings.database = config.store.database;
    settings.user = config.store.user;
    settings.tlsMode = config.store.tlsMode;
    if (!config.store.password.isNull()) {
        Result<QString> password = resolver.resolve(config.store.password);
        if (!password)
            return makeError(QStringLiteral("store.password (%1): %2")
                                 .arg(config.store.password.toString(), password.errorMessage()));
        settings.password = *password;
    }
    // What a crash leaves unwritten waits here until this gateway's next start writes it to the database.
    return StoreLocation::postgres(settings, QDir(dataDir).filePath(QStringLiteral("sluice-postgresql.journal")));
}

Result<StoreLocation> reportStoreOf(const Config &config, const QString &dataDir)
{
    const QString databasePath = QDir(dataDir).filePath(QStringLiteral("sluice.db"));
    if (!config.store.postgres)
        return StoreLocation(databasePath);
    SecretStore secrets;
    SecretResolver resolver(&secrets);
    return storeLocationOf(config, databasePath, dataDir, resolver);
}

} // namespace sluice
