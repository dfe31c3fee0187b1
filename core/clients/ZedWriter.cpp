#include "clients/ZedWriter.h"

#include <QDir>
#include <QJsonArray>

#include "clients/JsoncText.h"

namespace sluice {

QString ZedWriter::configPath() const
{
    QString base = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (base.isEmpty() || !QDir::isAbsolutePath(base))
        base = homeDir() + QStringLiteral("/.config");
    return base + QStringLiteral("/zed/settings.json");
}

Result<QByteArray> ZedWriter::merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const
{
    Result<JsoncText> settings = JsoncText::parse(existing.value_or(QByteArray()), configPath());
    if (!settings)
        return settings.error();
    // A model the user already described (its context size, capabilities) keeps its description.
    const QJsonArray old = settings->json()
                               .value(QStringLiteral("language_models"))
                               .toObject()
                               .value(QStringLiteral("openai_compatible"))
                               .toObject()
                               .value(QStringLiteral("Sluice"))
                               .toObject()
                               .value(QStringLiteral("available_models"))
                               .toArray();
    QJsonArray models;
    for (const QString &model : endpoint.models) {
        QJsonObject entry {{QStringLiteral("name"), model},
                           {QStringLiteral("display_name"), QString(model + QStringLiteral(" (Sluice)"))},
                           {QStringLiteral("max_tokens"), 128000}};
        for (const QJsonValue &value : old) {
            if (value.toObject().value(QStringLiteral("name")).toString() == model)
                entry = value.toObject();
        }
        models.append(entry);
    }
    const QJsonObject provider {{QStringLiteral("api_url"), QString(endpoint.baseUrl() + QStringLiteral("/v1"))},
                                {QStringLiteral("available_models"), models}};
    JsoncText edited = std::move(settings).value();
    if (Result<void> set
        = edited.set({QStringLiteral("language_models"), QStringLiteral("openai_compatible"), QStringLiteral("Sluice")},
                     provider);
        !set)
        return set.error();
    if (!endpoint.model.isEmpty()) {
        const QJsonObject model {{QStringLiteral("provider"), QStringLiteral("Sluice")},
                                 {QStringLiteral("model"), endpoint.model}};
        if (Result<void> set = edited.set({QStringLiteral("agent"), QStringLiteral("default_model")}, model); !set)
            return set.error();
    }
    return edited.text();
}

QString ZedWriter::existingSecret(const std::optional<QByteArray> &) const
{
    return qEnvironmentVariable(KeyVariable);
}

QStringList ZedWriter::environmentLines(const ClientEndpoint &endpoint) const
{
    return {QStringLiteral("export %1=%2").arg(QString::fromLatin1(KeyVariable), endpoint.token)};
}

} // namespace sluice
