#pragma once

#include <QString>

#include "api/ApiFormat.h"
#include "api/FormatCodec.h"
#include "config/Config.h"
#include "config/ProviderPreset.h"
#include "http/UpstreamRequest.h"

class QDateTime;

namespace sluice {

// Credentials besides the key that some providers sign with (Bedrock's SigV4), resolved like keys.
struct SigningSecrets
{
    QString accessKeyId;
    QString sessionToken;
};

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

    // Signs the request where the provider wants it (Bedrock with an access key id: AWS SigV4, apiKey being the
    // secret access key); a no-op for every other provider. Call it last: it signs the headers as they are.
    void sign(UpstreamRequest &request, const QString &apiKey, const SigningSecrets &secrets,
              const QDateTime &now) const;
    // A provider's error body with what its headers add (Bedrock names the exception in x-amzn-ErrorType):
    // what the codec's decodeError reads.
    QByteArray errorBody(const HttpHeaders &headers, const QByteArray &body) const;

    // Endpoints besides chat. Embeddings: the OpenAI-compatible types that serve /embeddings, and Gemini
    // (batchEmbedContents). Completions: the OpenAI-compatible types that still serve legacy /completions.
    // Responses: OpenAI's Responses API, served by OpenAI and Azure OpenAI (and providers marked responses_api).
    enum class Operation { Embeddings, Completions, Responses };
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
