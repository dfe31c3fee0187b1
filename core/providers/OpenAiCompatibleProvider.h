#pragma once

#include <QString>

#include "config/Config.h"
#include "http/UpstreamRequest.h"

namespace sluice {

// Renders requests for any OpenAI-compatible API (OpenAI itself, and the many servers that copy its wire
// format). The key is held in memory only, resolved from the keychain or environment at start-up.
class OpenAiCompatibleProvider
{
public:
    OpenAiCompatibleProvider(ProviderConfig config, QString apiKey);

    const ProviderConfig &config() const { return m_config; }
    QString name() const { return m_config.name; }

    UpstreamRequest chatCompletions(const QByteArray &body, bool stream) const;

private:
    QUrl endpoint(QLatin1String path) const;

    ProviderConfig m_config;
    QByteArray m_authorization; // "Bearer <key>", empty for keyless local servers
    UpstreamTimeouts m_timeouts;
};

} // namespace sluice
