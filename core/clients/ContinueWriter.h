#pragma once

#include "clients/ClientConfigWriter.h"

namespace sluice {

// Continue: ~/.continue/config.yaml gets one entry per Sluice model in its models: list, named "MODEL (Sluice)",
// with provider openai, apiBase http://HOST:PORT/v1 and apiKey (the gateway token). Entries Sluice made before
// are updated in place; the user's other models, context providers, rules and comments stay (YamlText).
class ContinueWriter : public ClientConfigWriter
{
public:
    QString name() const override { return QStringLiteral("continue"); }
    QString displayName() const override { return QStringLiteral("Continue"); }
    QString configPath() const override;
    Result<QByteArray> merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const override;
    bool tokenInFile() const override { return true; }
    QString existingSecret(const std::optional<QByteArray> &existing) const override;
    QStringList environmentLines(const ClientEndpoint &) const override { return {}; }
    QStringList warnings(const std::optional<QByteArray> &existing) const override;

    static QString entryName(const QString &model) { return model + QStringLiteral(" (Sluice)"); }
};

} // namespace sluice
