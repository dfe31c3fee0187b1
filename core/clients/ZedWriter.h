#pragma once

#include "clients/ClientConfigWriter.h"

namespace sluice {

// Zed: ~/.config/zed/settings.json (JSON with comments) gets an OpenAI-compatible provider "Sluice" under
// language_models.openai_compatible (api_url http://HOST:PORT/v1 and every Sluice model in available_models) and,
// when a model is given, agent.default_model. Zed reads the provider's key from SLUICE_API_KEY (or its own agent
// settings), so the file holds no secret. Edited in place (JsoncText): comments and every other setting stay.
class ZedWriter : public ClientConfigWriter
{
public:
    static constexpr const char *KeyVariable = "SLUICE_API_KEY";

    QString name() const override { return QStringLiteral("zed"); }
    QString displayName() const override { return QStringLiteral("Zed"); }
    QString configPath() const override;
    Result<QByteArray> merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const override;
    bool tokenInFile() const override { return false; }
    QString existingSecret(const std::optional<QByteArray> &) const override;
    QStringList environmentLines(const ClientEndpoint &endpoint) const override;
};

} // namespace sluice
