#include "clients/CodexWriter.h"

#include <QDir>

#include "clients/TomlText.h"

namespace sluice {

QString CodexWriter::configPath() const
{
    const QString codexHome = qEnvironmentVariable("CODEX_HOME");
    return (codexHome.isEmpty() ? homeDir() + QStringLiteral("/.codex") : codexHome) + QStringLiteral("/config.toml");
}

Result<QByteArray> CodexWriter::merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const
{
    Result<TomlText> toml = TomlText::parse(existing.value_or(QByteArray()), configPath());
    if (!toml)
        return toml.error();
    const QString table = QStringLiteral("model_providers.sluice");
    if (toml->spellsOtherwise(table))
        return makeError(QStringLiteral("%1 describes the provider \"sluice\" as a dotted key, an inline table or "
                                        "sub-tables, which this set-up does not edit; the file was left as it is. "
                                        "Write it as a [model_providers.sluice] table (or remove it) and run the "
                                        "set-up again")
                             .arg(configPath()));
    TomlText edited = std::move(toml).value();
    if (!endpoint.model.isEmpty())
        edited.setTopLevel(QStringLiteral("model"), TomlText::quoted(endpoint.model));
    edited.setTopLevel(QStringLiteral("model_provider"), TomlText::quoted(QStringLiteral("sluice")));
    edited.setInTable(table, QStringLiteral("name"), TomlText::quoted(QStringLiteral("Sluice")));
    edited.setInTable(table, QStringLiteral("base_url"), TomlText::quoted(endpoint.baseUrl() + QStringLiteral("/v1")));
    edited.setInTable(table, QStringLiteral("wire_api"), TomlText::quoted(QStringLiteral("responses")));
    edited.setInTable(table, QStringLiteral("env_key"), TomlText::quoted(QString::fromLatin1(KeyVariable)));
    return edited.text();
}

QString CodexWriter::existingSecret(const std::optional<QByteArray> &) const
{
    return qEnvironmentVariable(KeyVariable);
}

QStringList CodexWriter::environmentLines(const ClientEndpoint &endpoint) const
{
    return {QStringLiteral("export %1=%2").arg(QString::fromLatin1(KeyVariable), endpoint.token)};
}

} // namespace sluice
