#pragma once

#include "clients/ClientConfigWriter.h"

namespace sluice {

// Codex CLI: $CODEX_HOME/config.toml (default ~/.codex/config.toml) gets `model_provider = "sluice"` (and
// `model = ...` when a model is given) and a [model_providers.sluice] table: base_url http://HOST:PORT/v1,
// wire_api "responses", env_key "SLUICE_API_KEY". Codex reads the token from that environment variable, so the
// file holds no secret. The file is edited line by line (TomlText): everything else stays byte for byte.
class CodexWriter : public ClientConfigWriter
{
public:
    static constexpr const char *KeyVariable = "SLUICE_API_KEY";

    QString name() const override { return QStringLiteral("codex"); }
    QString displayName() const override { return QStringLiteral("Codex CLI"); }
    QString configPath() const override;
    Result<QByteArray> merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const override;
    bool tokenInFile() const override { return false; }
    QString existingSecret(const std::optional<QByteArray> &) const override;
    QStringList environmentLines(const ClientEndpoint &endpoint) const override;
};

} // namespace sluice
