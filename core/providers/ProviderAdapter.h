#pragma once

#include <QString>

#include "api/ApiFormat.h"
#include "api/FormatCodec.h"
#include "config/Config.h"
#include "config/ProviderPreset.h"
#include "http/UpstreamRequest.h"

namespace sluice {

// How one configured provider is called: which wire format it speaks, its endpoint URLs and how it takes its
// key. The bodies themselves come from the format codecs (core/api); the adapter adds the HTTP around them.
class ProviderAdapter
{
public:
    explicit ProviderAdapter(ProviderConfig config);

    const ProviderConfig &config() const { return m_config; }
    QString name() const { return m_config.name; }
    ApiFormat format() const { return m_format; }
    bool isAzure() const { return m_preset.azure; }

    // One attempt's HTTP request. apiKey may be empty for keyless local servers. anthropicBeta carries the
    // client's anthropic-beta header through to Anthropic.
    UpstreamRequest request(const QByteArray &body, const QString &upstreamModel, bool stream, const QString &apiKey,
                            const UpstreamTimeouts &timeouts, const QByteArray &anthropicBeta = {}) const;

    // Endpoints besides chat. Embeddings: the OpenAI-compatible types that serve /embeddings, and Gemini
    // (batchEmbedContents). Completions: the OpenAI-compatible types that still serve legacy /completions.
    enum class Operation { Embeddings, Completions };
    bool supports(Operation operation) const;
    // One attempt's HTTP request for such an endpoint (supports(operation) must be true); never streamed for
    // embeddings.
    UpstreamRequest request(Operation operation, const QByteArray &body, const QString &upstreamModel, bool stream,
                            const QString &apiKey, const UpstreamTimeouts &timeouts) const;

    // Provider quirks the codec must honour when rendering a body.
    EncodeOptions encodeOptions(const QString &upstreamModel, bool dropUnsupported) const;

private:
    QUrl endpoint(const QString &path, const QString &query = {}) const;

    ProviderConfig m_config;
    ProviderPreset m_preset;
    ApiFormat m_format = ApiFormat::OpenAiChat;
};

} // namespace sluice
