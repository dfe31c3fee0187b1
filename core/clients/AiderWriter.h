#pragma once

#include "clients/ClientConfigWriter.h"

namespace sluice {

// Aider: ~/.aider.conf.yml gets openai-api-base http://HOST:PORT/v1, openai-api-key (the gateway token) and, when
// a model is given (or the file names none), model: openai/NAME, the prefix Aider routes to an OpenAI-compatible
// endpoint. The file is edited line by line (YamlText): comments and every other option stay as written.
class AiderWriter : public ClientConfigWriter
{
public:
    QString name() const override { return QStringLiteral("aider"); }
    QString displayName() const override { return QStringLiteral("Aider"); }
    QString configPath() const override;
    Result<QByteArray> merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const override;
    bool tokenInFile() const override { return true; }
    QString existingSecret(const std::optional<QByteArray> &existing) const override;
    QStringList environmentLines(const ClientEndpoint &) const override { return {}; }
    QStringList warnings(const std::optional<QByteArray> &existing) const override;
};

} // namespace sluice
