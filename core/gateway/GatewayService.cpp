#include "GatewayService.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTimer>

#include "cache/CacheLogging.h"
#include "cache/ResponseCache.h"
#include "cost/BudgetLedger.h"
#include "gateway/Gateway.h"
#include "http/HttpServer.h"
#include "http/UpstreamClient.h"
#include "routing/Router.h"

namespace sluice {

namespace {
Q_LOGGING_CATEGORY(lcReload, "sluice.gateway")
}

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

void GatewayService::setDatabasePath(const StoreLocation &path)
{
    m_databasePath = path;
    if (!path.isPostgres())
        m_cacheDatabase = path.sqlitePath();
}

Result<void> GatewayService::setCacheDatabase(const QString &databasePath)
{
    m_cacheDatabase = databasePath;
    if (!m_gateway)
        return {};
    m_gateway->setResponseCache(nullptr);
    for (Gateway *retired : std::as_const(m_retired))
        retired->setResponseCache(nullptr);
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
    m_budget = std::make_unique<ByteBudget>(m_config.gateway.maxBufferedBytes);
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
    m_gateway->setByteBudget(m_budget.get());
    connect(m_gateway, &Gateway::budgetWarning, this, &GatewayService::budgetWarning);
    if (!m_databasePath.isNull()) {
        if (Result<void> opened = m_gateway->setDatabasePath(m_databasePath); !opened) {
            const Error error = opened.error();
            stop();
            return error;
        }
    }
    m_current.target = m_gateway;
    HttpServerLimits limits;
    limits.maxHeaderBytes = m_config.gateway.maxHeaderBytes;
    limits.maxBodyBytes = m_config.gateway.maxBodyBytes;
    limits.maxConnections = m_config.gateway.maxConnections;
    limits.sharedBudget = m_budget.get();
    m_server = new HttpServer(&m_current, limits, this);

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
    m_current.target = nullptr;
    qDeleteAll(m_retired);
    m_retired.clear();
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
        deleteIdleRetired();
        if (!m_gateway
            || (m_gateway->inFlight() == 0 && m_retired.isEmpty()
                && (m_server->pendingBytes() == 0 || clock->elapsed() >= timeoutMs + 1000))) {
            poll->deleteLater();
            done();
            return;
        }
        if (clock->elapsed() >= timeoutMs) {
            for (Gateway *retired : std::as_const(m_retired))
                retired->endInFlight(QStringLiteral("Sluice is shutting down and the request did not finish within "
                                                    "gateway.shutdown_timeout_ms (%1 ms).")
                                         .arg(timeoutMs));
            m_gateway->endInFlight(QStringLiteral("Sluice is shutting down and the request did not finish within "
                                                  "gateway.shutdown_timeout_ms (%1 ms).")
                                       .arg(timeoutMs));
        }
    });
    poll->start(20);
}

void GatewayService::setPaused(bool paused)
{
    m_paused = paused;
    if (m_gateway)
        m_gateway->setPaused(paused);
}

QStringList GatewayService::reconfigure(Config config, GatewaySecrets secrets)
{
    QStringList restartNeeded;
    const GatewaySettings &was = m_config.gateway;
    const GatewaySettings &now = config.gateway;
    if (m_gateway) {
        if (was.listenAddress != now.listenAddress)
            restartNeeded.append(QStringLiteral("gateway.listen"));
        if (was.port != now.port)
            restartNeeded.append(QStringLiteral("gateway.port"));
        if (was.maxHeaderBytes != now.maxHeaderBytes || was.maxBodyBytes != now.maxBodyBytes
            || was.maxConnections != now.maxConnections || was.maxBufferedBytes != now.maxBufferedBytes)
            restartNeeded.append(QStringLiteral("gateway limits"));
        if (m_config.cache.maxEntries != config.cache.maxEntries || m_config.cache.maxBytes != config.cache.maxBytes)
            restartNeeded.append(QStringLiteral("cache size"));
        // The telemetry thread and the metrics' series are made once, at start.
        const MetricsSettings &metricsWas = m_config.metrics;
        if (metricsWas.enabled != config.metrics.enabled || metricsWas.token != config.metrics.token
            || metricsWas.tagLabels != config.metrics.tagLabels)
            restartNeeded.append(QStringLiteral("metrics"));
        const TelemetrySettings &telemetryWas = m_config.telemetry;
        const TelemetrySettings &telemetryNow = config.telemetry;
        if (telemetryWas.endpoint != telemetryNow.endpoint || telemetryWas.headers != telemetryNow.headers
            || telemetryWas.encoding != telemetryNow.encoding || telemetryWas.sampleRatio != telemetryNow.sampleRatio
            || telemetryWas.captureContent != telemetryNow.captureContent
            || telemetryWas.serviceName != telemetryNow.serviceName
            || telemetryWas.environment != telemetryNow.environment || telemetryWas.langfuse != telemetryNow.langfuse
            || telemetryWas.langfusePublicKey != telemetryNow.langfusePublicKey
            || telemetryWas.langfuseSecretKey != telemetryNow.langfuseSecretKey)
            restartNeeded.append(QStringLiteral("telemetry"));
    }
    m_config = std::move(config);
    m_secrets = std::move(secrets);
    if (!m_gateway)
        return restartNeeded;

    auto *next = new Gateway(m_config, m_secrets, m_client, m_routingClock, this);
    next->setRecordSink(m_sink);
    next->setResponseCache(m_cache.get());
    next->setPaused(m_paused);
    next->setPriceCatalog(m_prices);
    next->setMetrics(m_metrics);
    next->setByteBudget(m_budget.get());
    connect(next, &Gateway::budgetWarning, this, &GatewayService::budgetWarning);
    if (!m_databasePath.isNull()) {
        if (Result<void> opened = next->setDatabasePath(m_databasePath); !opened)
            qCWarning(lcReload).noquote()
                << "After the reload the stored gateway tokens are not read:" << opened.errorMessage();
    }
    // Spend the old pipeline counted (some of it not in the database yet) stays counted.
    Gateway *previous = m_gateway;
    BudgetLedger &oldLedger = previous->admission().ledger();
    BudgetLedger &newLedger = next->admission().ledger();
    const QDateTime utcNow = QDateTime::currentDateTimeUtc();
    for (qsizetype i = 0; i < newLedger.limits().size(); ++i) {
        const BudgetLimit &limit = newLedger.limits().at(i);
        for (qsizetype j = 0; j < oldLedger.limits().size(); ++j) {
            const BudgetLimit &old = oldLedger.limits().at(j);
            if (old.scope == limit.scope && old.name == limit.name && old.period == limit.period) {
                newLedger.setSpent(i, qMax(newLedger.spent(i, utcNow), oldLedger.spent(j, utcNow)), utcNow);
                break;
            }
        }
    }
    // Requests still finishing on the old pipeline are booked on the new one too.
    previous->setRecordSink([this, sink = m_sink](RequestRecord &&record) {
        if (m_gateway) {
            for (const QString &message : m_gateway->admission().settle(record))
                Q_EMIT budgetWarning(message);
        }
        if (sink)
            sink(std::move(record));
    });
    m_gateway = next;
    m_current.target = next;
    m_retired.append(previous);
    deleteIdleRetired();
    if (!m_retired.isEmpty()) {
        auto *poll = new QTimer(this);
        connect(poll, &QTimer::timeout, this, [this, poll] {
            deleteIdleRetired();
            if (m_retired.isEmpty())
                poll->deleteLater();
        });
        poll->start(50);
    }
    return restartNeeded;
}

void GatewayService::deleteIdleRetired()
{
    for (qsizetype i = m_retired.size() - 1; i >= 0; --i) {
        if (m_retired.at(i)->inFlight() == 0)
            delete m_retired.takeAt(i);
    }
}

void GatewayService::CurrentGateway::handle(const HttpRequest &request, HttpResponder *responder)
{
    target->handle(request, responder);
}

bool GatewayService::CurrentGateway::admitHeaders(const HttpRequest &request)
{
    return target->admitHeaders(request);
}

bool GatewayService::CurrentGateway::handleRefused(const HttpRequest &request, const HttpRefusal &refusal,
                                                   HttpResponder *responder)
{
    return target->handleRefused(request, refusal, responder);
}

bool GatewayService::isPaused() const
{
    return m_paused;
}

} // namespace sluice
