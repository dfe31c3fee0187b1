#include "clients/ClaudeCodeWriter.h"

#include <QJsonObject>

#include "clients/JsonSettingsFile.h"

namespace sluice {

QString ClaudeCodeWriter::configPath() const
{
    return homeDir() + QStringLiteral("/.claude/settings.json");
}

Result<QByteArray> ClaudeCodeWriter::merge(const std::optional<QByteArray> &existing,
                                           const ClientEndpoint &endpoint) const
{
    Result<QJsonObject> settings = JsonSettingsFile::parse(existing, configPath());
    if (!settings)
        return settings.error();
    Result<QJsonObject> env = JsonSettingsFile::childObject(*settings, QStringLiteral("env"), configPath());
    if (!env)
        return env.error();
    QJsonObject merged = *env;
    merged.insert(QStringLiteral("ANTHROPIC_BASE_URL"), endpoint.baseUrl());
    merged.insert(QStringLiteral("ANTHROPIC_AUTH_TOKEN"), endpoint.token);
    if (!endpoint.model.isEmpty())
        merged.insert(QStringLiteral("ANTHROPIC_MODEL"), endpoint.model);
    QJsonObject result = *settings;
    result.insert(QStringLiteral("env"), merged);
    return JsonSettingsFile::serialize(result);
}

QString ClaudeCodeWriter::existingSecret(const std::optional<QByteArray> &existing) const
{
    const Result<QJsonObject> settings = JsonSettingsFile::parse(existing, configPath());
    if (!settings)
        return {};
    return settings->value(QStringLiteral("env")).toObject().value(QStringLiteral("ANTHROPIC_AUTH_TOKEN")).toString();
}

QStringList ClaudeCodeWriter::warnings(const std::optional<QByteArray> &existing) const
{
    const Result<QJsonObject> settings = JsonSettingsFile::parse(existing, configPath());
    QStringList result;
    if (settings && settings->value(QStringLiteral("env")).toObject().contains(QStringLiteral("ANTHROPIC_API_KEY")))
        result.append(QStringLiteral("%1 also sets ANTHROPIC_API_KEY, which takes precedence over the gateway token: "
                                     "remove it to go through Sluice")
                          .arg(configPath()));
    if (qEnvironmentVariableIsSet("ANTHROPIC_API_KEY") || qEnvironmentVariableIsSet("ANTHROPIC_BASE_URL"))
        result.append(QStringLiteral("ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL is set in your environment; unset it "
                                     "so the settings file is used"));
    return result;
}

} // namespace sluice
