#pragma once

#include <QString>

#include "common/Result.h"
#include "config/Config.h"
#include "store/StoreLocation.h"

namespace sluice {

class SecretResolver;

// The store the config names (store.postgresql, its password resolved through resolver), or the SQLite file
// databasePath. A PostgreSQL store's crash journal goes in dataDir. For the gateway and `sluice token --config`.
Result<StoreLocation> storeLocationOf(const Config &config, const QString &databasePath, const QString &dataDir,
                                      SecretResolver &resolver);

// The request log a report reads (`sluice spend`, `sluice compare --reprice`): the config's store (the team's
// PostgreSQL database, its password resolved from the keychain or the environment), else dataDir's SQLite log.
Result<StoreLocation> reportStoreOf(const Config &config, const QString &dataDir);

} // namespace sluice
