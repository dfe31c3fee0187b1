#include "clients/OpencodeWriter.h"

#include <QDir>
#include <QJsonObject>

#include "clients/JsonSettingsFile.h"

namespace sluice {

QString OpencodeWriter::configPath() const
{
    QString base = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (base.isEmpty() || !QDir::isAbsolutePath(base))
        base = homeDir() + QStringLiteral("/.config");
    return base + QStringLiteral("/opencode/opencode.json");
}

Result<QByteArray> OpencodeWriter::merge(const std::optional<QByteArray> &existing,
                                         const ClientEndpoint &endpoint) const
{
    Result<QJsonObject> settings = JsonSettingsFile::parse(existing, configPath());
    if (!settings)
        return settings.error();
    Result<QJsonObject> providers = JsonSettingsFile::childObject(*settings, QStringLiteral("provider"), configPath());
    if (!providers)
        return providers.error();
    const QString where = configPath() + QStringLiteral(" (provider)");
    Result<QJsonObject> sluice = JsonSettingsFile::childObject(*providers, QStringLiteral("sluice"), where);
    if (!sluice)
        return sluice.error();
    Result<QJsonObject> options = JsonSettingsFile::childObject(*sluice, QStringLiteral("options"),
                                                                configPath() + QStringLiteral(" (provider.sluice)"));
    if (!options)
        return options.error();

    QJsonObject newOptions = *options;
    newOptions.insert(QStringLiteral("baseURL"), QString(endpoint.baseUrl() + QStringLiteral("/v1")));
    newOptions.insert(QStringLiteral("apiKey"), endpoint.token);
    QJsonObject models;
    const QJsonObject oldModels = sluice->value(QStringLiteral("models")).toObject();
    for (const QString &model : endpoint.models) {
        // A model the user already described (limits, options) keeps its description.
        const QJsonValue old = oldModels.value(model);
        models.insert(model, old.isObject() ? old : QJsonObject {{QStringLiteral("name"), model}});
    }
    QJsonObject newSluice = *sluice;
    newSluice.insert(QStringLiteral("npm"), QStringLiteral("@ai-sdk/openai-compatible"));
    if (!newSluice.contains(QStringLiteral("name")))
        newSluice.insert(QStringLiteral("name"), QStringLiteral("Sluice"));
    newSluice.insert(QStringLiteral("options"), newOptions);
    newSluice.insert(QStringLiteral("models"), models);
    QJsonObject newProviders = *providers;
    newProviders.insert(QStringLiteral("sluice"), newSluice);
    QJsonObject result = *settings;
    if (!result.contains(QStringLiteral("$schema")))
        result.insert(QStringLiteral("$schema"), QStringLiteral("https://opencode.ai/config.json"));
    result.insert(QStringLiteral("provider"), newProviders);
    if (!endpoint.model.isEmpty())
        result.insert(QStringLiteral("model"), QString(QStringLiteral("sluice/") + endpoint.model));
    return JsonSettingsFile::serialize(result);
}

QString OpencodeWriter::existingSecret(const std::optional<QByteArray> &existing) const
{
    const Result<QJsonObject> settings = JsonSettingsFile::parse(existing, configPath());
    if (!settings)
        return {};
    return settings->value(QStringLiteral("provider"))
        .toObject()
        .value(QStringLiteral("sluice"))
        .toObject()
        .value(QStringLiteral("options"))
        .toObject()
        .value(QStringLiteral("apiKey"))
        .toString();
}

} // namespace sluice
