#pragma once

#include "clients/ClientConfigWriter.h"

namespace sluice {

// opencode: provider "sluice" in $XDG_CONFIG_HOME/opencode/opencode.json (default ~/.config/opencode): the
// @ai-sdk/openai-compatible package, options.baseURL (…/v1) and options.apiKey (the gateway token), and every
// Sluice model under models; "model" becomes sluice/MODEL when a model is given. Other providers are kept.
class OpencodeWriter : public ClientConfigWriter
{
public:
    QString name() const override { return QStringLiteral("opencode"); }
    QString displayName() const override { return QStringLiteral("opencode"); }
    QString configPath() const override;
    Result<QByteArray> merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const override;
    bool tokenInFile() const override { return true; }
    QString existingSecret(const std::optional<QByteArray> &existing) const override;
    QStringList environmentLines(const ClientEndpoint &) const override { return {}; }
};

} // namespace sluice
