#include "GatewayService.h"

#include "gateway/Gateway.h"
#include "http/HttpServer.h"
#include "http/UpstreamClient.h"

namespace sluice {

GatewayService::GatewayService(Config config, GatewaySecrets secrets, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_secrets(std::move(secrets))
{ }

GatewayService::~GatewayService()
{
    stop();
}

void GatewayService::setRecordSink(std::function<void(RequestRecord &&)> sink)
{
    m_sink = std::move(sink);
    if (m_gateway)
        m_gateway->setRecordSink(m_sink);
}

Result<QUrl> GatewayService::start(int portOverride)
{
    stop();
    // Created here, not in the constructor, so that sockets and timers belong to this object's thread.
    m_client = new UpstreamClient(this);
    m_gateway = new Gateway(m_config, m_secrets, m_client, this);
    m_gateway->setRecordSink(m_sink);
    m_gateway->setPaused(m_paused);
    m_gateway->setPriceCatalog(m_prices);
    connect(m_gateway, &Gateway::budgetWarning, this, &GatewayService::budgetWarning);
    if (!m_databasePath.isEmpty()) {
        if (Result<void> opened = m_gateway->setDatabasePath(m_databasePath); !opened) {
            const Error error = opened.error();
            stop();
            return error;
        }
    }
    HttpServerLimits limits;
    limits.maxHeaderBytes = m_config.gateway.maxHeaderBytes;
    limits.maxBodyBytes = m_config.gateway.maxBodyBytes;
    m_server = new HttpServer(m_gateway, limits, this);

    const quint16 port = portOverride >= 0 ? quint16(portOverride) : m_config.gateway.port;
    if (Result<void> listening = m_server->listen(m_config.gateway.listenAddress, port); !listening) {
        const Error error = listening.error();
        stop();
        return error;
    }
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_server->address().toString());
    url.setPort(m_server->port());
    m_endpoint = url;
    return url;
}

void GatewayService::stop()
{
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
    delete m_gateway;
    m_gateway = nullptr;
    delete m_client;
    m_client = nullptr;
    m_endpoint.clear();
}

void GatewayService::setPaused(bool paused)
{
    m_paused = paused;
    if (m_gateway)
        m_gateway->setPaused(paused);
}

bool GatewayService::isPaused() const
{
    return m_paused;
}

} // namespace sluice
