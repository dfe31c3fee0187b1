#include "GatewayService.h"

#include <QElapsedTimer>
#include <QTimer>

#include "cache/CacheLogging.h"
#include "cache/ResponseCache.h"
#include "gateway/Gateway.h"
#include "http/HttpServer.h"
#include "http/UpstreamClient.h"
#include "routing/Router.h"

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

void GatewayService::setPriceCatalog(std::shared_ptr<const PriceCatalog> catalog)
{
    m_prices = std::move(catalog);
    if (m_gateway)
        m_gateway->setPriceCatalog(m_prices);
}

void GatewayService::setRoutingClock(std::shared_ptr<const Clock> clock)
{
    m_routingClock = std::move(clock);
}

QList<BreakerSnapshot> GatewayService::breakerSnapshot() const
{
    return m_gateway ? m_gateway->router().breakerSnapshot() : QList<BreakerSnapshot>();
}

void GatewayService::setDatabasePath(const QString &path)
{
    m_databasePath = path;
    m_cacheDatabase = path;
}

Result<void> GatewayService::setCacheDatabase(const QString &databasePath)
{
    m_cacheDatabase = databasePath;
    if (!m_gateway)
        return {};
    m_gateway->setResponseCache(nullptr);
    auto cache = std::make_unique<ResponseCache>(m_config.cache);
    if (Result<void> opened = cache->open(databasePath); !opened) {
        m_cache.reset();
        return opened;
    }
    m_cache = std::move(cache);
    m_gateway->setResponseCache(m_cache.get());
    return {};
}

Result<QUrl> GatewayService::start(int portOverride)
{
    stop();
    // Created here, not in the constructor, so that sockets and timers belong to this object's thread.
    m_client = new UpstreamClient(this);
    m_gateway = new Gateway(m_config, m_secrets, m_client, m_routingClock, this);
    m_gateway->setRecordSink(m_sink);
    // A cache that cannot open costs speed, not answers: the gateway serves without it.
    if (!m_cacheDatabase.isEmpty()) {
        if (Result<void> cache = setCacheDatabase(m_cacheDatabase); !cache)
            qCWarning(lcCache).noquote() << "Serving without the response cache:" << cache.errorMessage();
    }
    m_gateway->setPaused(m_paused);
    m_gateway->setPriceCatalog(m_prices);
    m_gateway->setMetrics(m_metrics);
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
    limits.maxConnections = m_config.gateway.maxConnections;
    m_budget = std::make_unique<ByteBudget>(m_config.gateway.maxBufferedBytes);
    limits.sharedBudget = m_budget.get();
    m_gateway->setByteBudget(m_budget.get());
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
    m_cache.reset();
    delete m_client;
    m_client = nullptr;
    m_endpoint.clear();
}

int GatewayService::connectionCount() const
{
    return m_server ? m_server->connectionCount() : 0;
}

void GatewayService::shutdown(std::function<void()> done)
{
    if (!m_gateway || !m_server) {
        done();
        return;
    }
    m_server->stopListening();
    m_gateway->setDraining(true);
    auto *poll = new QTimer(this);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    const int timeoutMs = m_config.gateway.shutdownTimeoutMs;
    connect(poll, &QTimer::timeout, this, [this, poll, clock, timeoutMs, done = std::move(done)] {
        // Done once every request is answered and its last bytes are with the OS (a second at most for those).
        if (!m_gateway
            || (m_gateway->inFlight() == 0
                && (m_server->pendingBytes() == 0 || clock->elapsed() >= timeoutMs + 1000))) {
            poll->deleteLater();
            done();
            return;
        }
        if (clock->elapsed() >= timeoutMs)
            m_gateway->endInFlight(QStringLiteral("Sluice is shutting down and the request did not finish within "
                                                  "gateway.shutdown_timeout_ms (%1 ms).")
                                       .arg(timeoutMs));
    });
    poll->start(20);
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
