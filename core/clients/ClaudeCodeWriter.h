#pragma once

#include "clients/ClientConfigWriter.h"

namespace sluice {

// Claude Code: the `env` block of ~/.claude/settings.json gets ANTHROPIC_BASE_URL (no /v1), ANTHROPIC_AUTH_TOKEN
// (the gateway token, sent as a bearer token) and, when a model is given, ANTHROPIC_MODEL.
class ClaudeCodeWriter : public ClientConfigWriter
{
public:
    QString name() const override { return QStringLiteral("claude-code"); }
    QString displayName() const override { return QStringLiteral("Claude Code"); }
    QString configPath() const override;
    Result<QByteArray> merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const override;
    bool tokenInFile() const override { return true; }
    QString existingSecret(const std::optional<QByteArray> &existing) const override;
    QStringList environmentLines(const ClientEndpoint &) const override { return {}; }
    QStringList warnings(const std::optional<QByteArray> &existing) const override;
};

} // namespace sluice
