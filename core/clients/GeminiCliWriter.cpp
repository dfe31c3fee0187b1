#include "clients/GeminiCliWriter.h"

#include <QJsonObject>

#include "clients/JsonSettingsFile.h"

namespace sluice {

QString GeminiCliWriter::configPath() const
{
    return homeDir() + QStringLiteral("/.gemini/settings.json");
}

Result<QByteArray> GeminiCliWriter::merge(const std::optional<QByteArray> &existing,
                                          const ClientEndpoint &endpoint) const
{
    Result<QJsonObject> settings = JsonSettingsFile::parse(existing, configPath());
    if (!settings)
        return settings.error();
    Result<QJsonObject> security = JsonSettingsFile::childObject(*settings, QStringLiteral("security"), configPath());
    if (!security)
        return security.error();
    Result<QJsonObject> auth = JsonSettingsFile::childObject(*security, QStringLiteral("auth"),
                                                             configPath() + QStringLiteral(" (security)"));
    if (!auth)
        return auth.error();
    QJsonObject newAuth = *auth;
    newAuth.insert(QStringLiteral("selectedType"), QStringLiteral("gemini-api-key"));
    QJsonObject newSecurity = *security;
    newSecurity.insert(QStringLiteral("auth"), newAuth);
    QJsonObject result = *settings;
    result.insert(QStringLiteral("security"), newSecurity);
    if (!endpoint.model.isEmpty()) {
        Result<QJsonObject> model = JsonSettingsFile::childObject(*settings, QStringLiteral("model"), configPath());
        if (!model)
            return model.error();
        QJsonObject newModel = *model;
        newModel.insert(QStringLiteral("name"), endpoint.model);
        result.insert(QStringLiteral("model"), newModel);
    }
    return JsonSettingsFile::serialize(result);
}

QString GeminiCliWriter::existingSecret(const std::optional<QByteArray> &) const
{
    return qEnvironmentVariable("GEMINI_API_KEY");
}

QStringList GeminiCliWriter::environmentLines(const ClientEndpoint &endpoint) const
{
    return {QStringLiteral("export GOOGLE_GEMINI_BASE_URL=%1").arg(endpoint.baseUrl()),
            QStringLiteral("export GEMINI_API_KEY=%1").arg(endpoint.token)};
}

} // namespace sluice
