#include "OpenAiCompatibleProvider.h"

namespace sluice {

OpenAiCompatibleProvider::OpenAiCompatibleProvider(ProviderConfig config, QString apiKey)
    : m_config(std::move(config))
{
    if (!apiKey.isEmpty())
        m_authorization = "Bearer " + apiKey.toUtf8();
    m_timeouts.connectMs = m_config.connectTimeoutMs;
    m_timeouts.firstByteMs = m_config.firstByteTimeoutMs;
    m_timeouts.idleMs = m_config.idleTimeoutMs;
    m_timeouts.totalMs = m_config.totalTimeoutMs;
}

QUrl OpenAiCompatibleProvider::endpoint(QLatin1String path) const
{
    QUrl url = m_config.baseUrl;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + path);
    return url;
}

UpstreamRequest OpenAiCompatibleProvider::chatCompletions(const QByteArray &body, bool stream) const
{
    UpstreamRequest request;
    request.method = QByteArrayLiteral("POST");
    request.url = endpoint(QLatin1String("/chat/completions"));
    request.headers.append(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    request.headers.append(QByteArrayLiteral("Accept"),
                           stream ? QByteArrayLiteral("text/event-stream") : QByteArrayLiteral("application/json"));
    if (!m_authorization.isEmpty())
        request.headers.append(QByteArrayLiteral("Authorization"), m_authorization);
    request.body = body;
    request.timeouts = m_timeouts;
    return request;
}

} // namespace sluice
