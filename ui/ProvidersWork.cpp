#include "ProvidersWork.h"

#include <QFileInfo>

#include "config/ConfigLoader.h"
#include "secrets/SecretStore.h"
#include "store/TokenStore.h"

namespace sluice {

ProvidersSnapshot ProvidersWork::load(const QString &configPath, const QString &databasePath)
{
    ProvidersSnapshot snapshot;
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer) {
        snapshot.error = writer.errorMessage();
        return snapshot;
    }
    const Result<Config> config = writer->validate();
    if (!config) {
        snapshot.error = config.errorMessage();
        return snapshot;
    }
    snapshot.providers = config->providers;
    snapshot.models = config->models;
    snapshot.gatewayTokens = int(config->tokens.size());
    if (!databasePath.isEmpty() && QFileInfo::exists(databasePath)) {
        TokenStore store;
        if (store.open(databasePath, SqliteConnection::Mode::ReadOnly)) {
            if (const Result<QList<StoredToken>> stored = store.list())
                snapshot.gatewayTokens += int(stored->size());
        }
    }
    return snapshot;
}

Result<NewGatewayToken> ProvidersWork::makeGatewayToken(const QString &databasePath, const QString &baseName)
{
    TokenStore store;
    if (Result<void> opened = store.open(databasePath); !opened)
        return opened.error();
    const Result<QList<StoredToken>> existing = store.list();
    if (!existing)
        return existing.error();
    QStringList taken;
    for (const StoredToken &token : *existing)
        taken.append(token.name);
    StoredToken token;
    token.name = baseName;
    for (int n = 2; taken.contains(token.name); ++n)
        token.name = baseName + QLatin1Char('-') + QString::number(n);
    Result<QString> secret = store.create(token);
    if (!secret)
        return secret.error();
    return NewGatewayToken {token.name, std::move(secret).value()};
}

Result<void> ProvidersWork::addProvider(const QString &configPath, const QString &keychainService,
                                        const ProviderEntry &entry, const QString &key)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    if (Result<void> added = writer.value().addProvider(entry); !added)
        return added;
    if (Result<Config> valid = writer->validate(); !valid)
        return valid.error();
    if (!key.isEmpty()) {
        SecretStore store(keychainService);
        if (Result<void> stored = store.write(entry.name, key); !stored)
            return stored;
    }
    if (Result<Config> saved = writer.value().save(); !saved)
        return saved.error();
    return {};
}

Result<void> ProvidersWork::editProvider(const QString &configPath, const QString &keychainService, const QString &name,
                                         const QString &baseUrl, const QString &key)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    YamlText &yaml = writer.value().yaml();
    const QString providers = QStringLiteral("providers");
    const Result<void> address = baseUrl.isEmpty()
        ? yaml.removeItemField(providers, name, QStringLiteral("base_url"))
        : yaml.setItemField(providers, name, QStringLiteral("base_url"), YamlText::scalar(baseUrl));
    if (!address)
        return address;
    if (!key.isEmpty()) {
        const QString ref = QStringLiteral("keychain:") + name;
        if (yaml.itemField(providers, name, QStringLiteral("api_key")) != ref) {
            if (Result<void> set = yaml.setItemField(providers, name, QStringLiteral("api_key"), YamlText::scalar(ref));
                !set)
                return set;
        }
    }
    if (Result<Config> valid = writer->validate(); !valid)
        return valid.error();
    if (!key.isEmpty()) {
        SecretStore store(keychainService);
        if (Result<void> stored = store.write(name, key); !stored)
            return stored;
    }
    if (writer->isChanged()) {
        if (Result<Config> saved = writer.value().save(); !saved)
            return saved.error();
    }
    return {};
}

Result<void> ProvidersWork::removeProvider(const QString &configPath, const QString &keychainService,
                                           const QString &name)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    const Result<Config> before = writer->validate();
    if (Result<void> removed = writer.value().removeProvider(name); !removed)
        return removed;
    const Result<Config> saved = writer.value().save();
    if (!saved)
        return saved.error();
    const SecretRef own = SecretRef::parse(QStringLiteral("keychain:") + name);
    const ProviderConfig *was = before ? before->provider(name) : nullptr;
    bool stillUsed = false;
    for (const ProviderConfig &provider : saved->providers)
        stillUsed = stillUsed || provider.apiKeys.contains(own);
    for (const GatewayToken &token : saved->tokens)
        stillUsed = stillUsed || token.secret == own;
    if (was && was->apiKeys.contains(own) && !stillUsed) {
        SecretStore store(keychainService);
        (void)store.remove(name); // a key already gone is what was wanted
    }
    return {};
}

Result<void> ProvidersWork::addModel(const QString &configPath, const ModelEntry &entry)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    if (Result<void> added = writer.value().addModel(entry); !added)
        return added;
    if (Result<Config> saved = writer.value().save(); !saved)
        return saved.error();
    return {};
}

Result<void> ProvidersWork::addDeployment(const QString &configPath, const QString &model, const QString &provider,
                                          const QString &upstreamModel)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    if (Result<void> added = writer.value().addDeployment(model, provider, upstreamModel); !added)
        return added;
    if (Result<Config> saved = writer.value().save(); !saved)
        return saved.error();
    return {};
}

Result<void> ProvidersWork::removeModel(const QString &configPath, const QString &name)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    if (Result<void> removed = writer.value().removeModel(name); !removed)
        return removed;
    if (Result<Config> saved = writer.value().save(); !saved)
        return saved.error();
    return {};
}

Result<QString> ProvidersWork::addLocalServer(const QString &configPath, const QString &type, const QUrl &baseUrl,
                                              const QStringList &models)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    QString name = type;
    for (int n = 2; writer.value().yaml().hasItem(QStringLiteral("providers"), name); ++n)
        name = type + QLatin1Char('-') + QString::number(n);
    if (Result<void> added = writer.value().addProvider({name, type, baseUrl.toString(), {}}); !added)
        return added.error();
    for (const QString &model : models) {
        if (!writer.value().yaml().hasItem(QStringLiteral("models"), model))
            (void)writer.value().addModel({model, name, model, {}});
    }
    if (Result<Config> saved = writer.value().save(); !saved)
        return saved.error();
    return name;
}

Result<QString> ProvidersWork::resolveKey(const QString &keychainService, const SecretRef &ref)
{
    SecretStore store(keychainService);
    SecretResolver resolver(&store);
    return resolver.resolve(ref);
}

} // namespace sluice
