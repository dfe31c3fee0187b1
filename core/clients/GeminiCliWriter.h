#pragma once

#include "clients/ClientConfigWriter.h"

namespace sluice {

// Gemini CLI: ~/.gemini/settings.json gets security.auth.selectedType "gemini-api-key" (and model.name when a
// model is given); the base URL and the token are environment variables (GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY)
// the user adds, so the file holds no secret.
class GeminiCliWriter : public ClientConfigWriter
{
public:
    QString name() const override { return QStringLiteral("gemini-cli"); }
    QString displayName() const override { return QStringLiteral("Gemini CLI"); }
    QString configPath() const override;
    Result<QByteArray> merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const override;
    bool tokenInFile() const override { return false; }
    QString existingSecret(const std::optional<QByteArray> &) const override;
    QStringList environmentLines(const ClientEndpoint &endpoint) const override;
};

} // namespace sluice
