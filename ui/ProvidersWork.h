#pragma once

#include <QList>
#include <QString>

#include "common/Result.h"
#include "config/Config.h"
#include "config/ConfigWriter.h"

namespace sluice {

// What the Providers page shows, read from the config file (off the GUI thread).
struct ProvidersSnapshot
{
    QList<ProviderConfig> providers;
    QList<ModelRoute> models;
    QString error; // the file does not load: the loader's message
    int gatewayTokens = 0; // the config's tokens and those stored in the database
};

// A gateway token just made: its secret exists only here, the database keeps its hash.
struct NewGatewayToken
{
    QString name;
    QString secret;
};

// The Providers page's work, each a blocking function for a worker thread: reading the config, changing it
// through ConfigWriter and the keychain (SecretStore, whose calls from a worker thread run on the application's
// event loop while the worker waits). The GUI thread never waits for the disk or the keychain.
class ProvidersWork
{
public:
    // databasePath: where gateway tokens are stored (empty: only the config's are counted).
    static ProvidersSnapshot load(const QString &configPath, const QString &databasePath = {});
    // Makes a gateway token without limits in the token store, named baseName (or baseName-2, -3... when taken).
    static Result<NewGatewayToken> makeGatewayToken(const QString &databasePath, const QString &baseName);
    // Adds the provider; a non-empty key is stored in the keychain service as the provider's name first.
    static Result<void> addProvider(const QString &configPath, const QString &keychainService,
                                    const ProviderEntry &entry, const QString &key);
    // Changes a provider's address (empty: its type's default) and, with a non-empty key, its key (stored as the
    // provider's name; api_key then names it). Other fields of the entry stay as written.
    static Result<void> editProvider(const QString &configPath, const QString &keychainService, const QString &name,
                                     const QString &baseUrl, const QString &key);
    // Removes the provider and the keychain entry named after it that only it used.
    static Result<void> removeProvider(const QString &configPath, const QString &keychainService, const QString &name);
    static Result<void> addModel(const QString &configPath, const ModelEntry &entry);
    // The existing model served by provider too (ConfigWriter::addDeployment).
    static Result<void> addDeployment(const QString &configPath, const QString &model, const QString &provider,
                                      const QString &upstreamModel);
    static Result<void> removeModel(const QString &configPath, const QString &name);
    // A local server found on this computer (LocalDiscovery): a provider of its type without a key, and a model
    // name for each model it serves (names already taken are skipped). Returns the provider's name.
    static Result<QString> addLocalServer(const QString &configPath, const QString &type, const QUrl &baseUrl,
                                          const QStringList &models);
    // The provider's key, for a test call.
    static Result<QString> resolveKey(const QString &keychainService, const SecretRef &ref);
};

} // namespace sluice
