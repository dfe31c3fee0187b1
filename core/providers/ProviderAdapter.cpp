#include "ProviderAdapter.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include "api/BedrockConverseCodec.h"
#include "api/GeminiCodec.h"
#include "providers/SigV4Signer.h"

namespace sluice {

namespace {
constexpr auto AnthropicVersion = "2023-06-01";

// OpenAI-compatible types whose APIs have no /embeddings, or no legacy /completions (per their API references).
bool hasNoEmbeddings(const QString &type)
{
    static const QStringList types = {QStringLiteral("groq"), QStringLiteral("deepseek"), QStringLiteral("xai"),
                                      QStringLiteral("cerebras"), QStringLiteral("perplexity")};
    return types.contains(type);
}

bool hasNoCompletions(const QString &type)
{
    static const QStringList types
        = {QStringLiteral("groq"), QStringLiteral("mistral"), QStringLiteral("deepseek"), QStringLiteral("perplexity")};
    return types.contains(type);
}
} // namespace

ProviderAdapter::ProviderAdapter(ProviderConfig config)
    : m_config(std::move(config))
{
    if (const ProviderPreset *preset = ProviderPreset::find(m_config.type))
        m_preset = *preset;
    switch (m_preset.wire) {
    case ProviderPreset::Wire::OpenAiChat:
        m_format = ApiFormat::OpenAiChat;
        break;
    case ProviderPreset::Wire::AnthropicMessages:
        m_format = ApiFormat::AnthropicMessages;
        break;
    case ProviderPreset::Wire::Gemini:
        m_format = ApiFormat::Gemini;
        break;
    case ProviderPreset::Wire::BedrockConverse:
        m_format = ApiFormat::BedrockConverse;
        break;
    }
}

QUrl ProviderAdapter::endpoint(const QString &path, const QString &query) const
{
    QUrl url = m_config.baseUrl;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + path);
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

UpstreamRequest ProviderAdapter::request(const QByteArray &body, const QString &upstreamModel, bool stream,
                                         const QString &apiKey, const UpstreamTimeouts &timeouts,
                                         const QByteArray &anthropicBeta) const
{
    UpstreamRequest request;
    request.method = QByteArrayLiteral("POST");
    request.body = body;
    request.timeouts = timeouts;
    request.headers.append(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    request.headers.append(QByteArrayLiteral("Accept"),
                           stream ? QByteArrayLiteral("text/event-stream") : QByteArrayLiteral("application/json"));
    const QByteArray key = apiKey.toUtf8();
    switch (m_format) {
    case ApiFormat::OpenAiChat:
    case ApiFormat::OpenAiResponses:
    case ApiFormat::OpenAiCompletions:
    case ApiFormat::OpenAiEmbeddings:
        if (m_preset.azure) {
            request.url = endpoint(QStringLiteral("/openai/deployments/%1/chat/completions")
                                       .arg(QString::fromLatin1(QUrl::toPercentEncoding(upstreamModel))),
                                   QStringLiteral("api-version=") + m_config.apiVersion);
            if (!key.isEmpty())
                request.headers.append(QByteArrayLiteral("api-key"), key);
        } else {
            request.url = endpoint(QStringLiteral("/chat/completions"));
            if (!key.isEmpty())
                request.headers.append(QByteArrayLiteral("Authorization"), "Bearer " + key);
        }
        break;
    case ApiFormat::AnthropicMessages:
        // base_url may be given with or without the /v1 suffix.
        request.url = endpoint(m_config.baseUrl.path().endsWith(QLatin1String("/v1")) ? QStringLiteral("/messages")
                                                                                      : QStringLiteral("/v1/messages"));
        request.headers.append(QByteArrayLiteral("anthropic-version"), QByteArray(AnthropicVersion));
        if (!anthropicBeta.isEmpty())
            request.headers.append(QByteArrayLiteral("anthropic-beta"), anthropicBeta);
        if (!key.isEmpty())
            request.headers.append(QByteArrayLiteral("x-api-key"), key);
        break;
    case ApiFormat::Gemini: {
        QString path = GeminiCodec::requestPath(upstreamModel, stream);
        // base_url may be given with or without the /v1beta suffix.
        if (m_config.baseUrl.path().endsWith(QLatin1String("/v1beta")) && path.startsWith(QLatin1String("/v1beta")))
            path.remove(0, 7);
        const qsizetype query = path.indexOf(QLatin1Char('?'));
        request.url = query < 0 ? endpoint(path) : endpoint(path.left(query), path.mid(query + 1));
        if (!key.isEmpty())
            request.headers.append(QByteArrayLiteral("x-goog-api-key"), key);
        break;
    }
    case ApiFormat::BedrockConverse: {
        // Set encoded: the model id's ':' must go out (and be signed) as %3A, not be re-encoded.
        request.url = m_config.baseUrl;
        QString base = request.url.path(QUrl::FullyEncoded);
        while (base.endsWith(QLatin1Char('/')))
            base.chop(1);
        request.url.setPath(base + BedrockConverseCodec::requestPath(upstreamModel, stream), QUrl::TolerantMode);
        if (stream)
            request.headers.set(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/vnd.amazon.eventstream"));
        // Without an access key id the key is a Bedrock API key; with one, sign() adds SigV4 instead.
        if (!key.isEmpty() && m_config.accessKeyId.isNull())
            request.headers.append(QByteArrayLiteral("Authorization"), "Bearer " + key);
        break;
    }
    }
    return request;
}

void ProviderAdapter::sign(UpstreamRequest &request, const QString &apiKey, const SigningSecrets &secrets,
                           const QDateTime &now) const
{
    if (m_format != ApiFormat::BedrockConverse || m_config.accessKeyId.isNull())
        return;
    const SigV4Signer signer(AwsCredentials {secrets.accessKeyId, apiKey, secrets.sessionToken}, m_config.region,
                             QStringLiteral("bedrock"));
    signer.signRequest(request, now);
}

QByteArray ProviderAdapter::errorBody(const HttpHeaders &headers, const QByteArray &body) const
{
    const QByteArray errorType = headers.value(QByteArrayLiteral("x-amzn-ErrorType"));
    if (m_format != ApiFormat::BedrockConverse || errorType.isEmpty())
        return body;
    QJsonObject object = QJsonDocument::fromJson(body).object();
    if (object.contains(QLatin1String("__type")))
        return body;
    if (object.isEmpty() && !body.trimmed().isEmpty())
        object.insert(QStringLiteral("message"), QString::fromUtf8(body.left(600)).simplified());
    object.insert(QStringLiteral("__type"), QString::fromUtf8(errorType));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool ProviderAdapter::supports(Operation operation) const
{
    switch (operation) {
    case Operation::Embeddings:
        return m_format == ApiFormat::Gemini || (m_format == ApiFormat::OpenAiChat && !hasNoEmbeddings(m_config.type));
    case Operation::Completions:
        return m_format == ApiFormat::OpenAiChat && !hasNoCompletions(m_config.type);
    case Operation::Responses:
        return m_format == ApiFormat::OpenAiChat
            && m_config.responsesApi.value_or(m_config.type == QLatin1String("openai") || m_preset.azure);
    }
    return false;
}

UpstreamRequest ProviderAdapter::request(Operation operation, const QByteArray &body, const QString &upstreamModel,
                                         bool stream, const QString &apiKey, const UpstreamTimeouts &timeouts) const
{
    UpstreamRequest upstream = request(body, upstreamModel, stream, apiKey, timeouts);
    QString path = QStringLiteral("/completions");
    if (operation == Operation::Embeddings)
        path = QStringLiteral("/embeddings");
    else if (operation == Operation::Responses)
        path = QStringLiteral("/responses");
    if (operation == Operation::Responses && m_preset.azure) {
        // Azure serves the Responses API on its v1 path, which names the deployment in the body's model.
        upstream.url = endpoint(QStringLiteral("/openai/v1/responses"));
    } else if (m_format == ApiFormat::Gemini) {
        QString geminiPath = QStringLiteral("/v1beta/models/") + upstreamModel + QStringLiteral(":batchEmbedContents");
        if (m_config.baseUrl.path().endsWith(QLatin1String("/v1beta")))
            geminiPath.remove(0, 7);
        upstream.url = endpoint(geminiPath);
    } else if (m_preset.azure) {
        upstream.url = endpoint(QStringLiteral("/openai/deployments/%1%2")
                                    .arg(QString::fromLatin1(QUrl::toPercentEncoding(upstreamModel)), path),
                                QStringLiteral("api-version=") + m_config.apiVersion);
    } else {
        upstream.url = endpoint(path);
    }
    return upstream;
}

EncodeOptions ProviderAdapter::encodeOptions(const QString &upstreamModel, bool dropUnsupported) const
{
    EncodeOptions options;
    options.model = upstreamModel;
    options.dropUnsupported = dropUnsupported;
    // Local OpenAI-compatible servers and several hosted ones predate max_completion_tokens.
    options.legacyMaxTokens
        = m_format == ApiFormat::OpenAiChat && m_config.type != QLatin1String("openai") && !m_preset.azure;
    return options;
}

} // namespace sluice
