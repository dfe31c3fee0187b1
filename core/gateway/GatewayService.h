#pragma once

#include <functional>
#include <memory>

#include <QObject>
#include <QUrl>

#include "common/ByteBudget.h"
#include "common/RequestRecord.h"
#include "common/Result.h"
#include "config/Config.h"
#include "gateway/GatewaySecrets.h"
#include "http/HttpRequestHandler.h"
#include "routing/CircuitBreaker.h"
#include "store/StoreLocation.h"

namespace sluice {

class Clock;
class Gateway;
class GatewayMetrics;
class HttpServer;
class ResponseCache;
class PriceCatalog;
class UpstreamClient;

// The running gateway: HTTP server, upstream client and pipeline, all on the thread this object lives on.
// Desktop mode moves it to a worker thread and calls start()/stop() there (blocking queued); headless mode
// keeps it on the main thread.
class GatewayService : public QObject
{
    Q_OBJECT
public:
    GatewayService(Config config, GatewaySecrets secrets, QObject *parent = nullptr);
    ~GatewayService() override;

    // Records are handed to sink on this object's thread; it must be thread-safe and must not block.
    void setRecordSink(std::function<void(RequestRecord &&)> sink);
    // The clock routing decisions (breakers, key rests, latency averages) run on; a steady clock by default.
    // Takes effect at the next start(); tests pass a ManualClock.
    void setRoutingClock(std::shared_ptr<const Clock> clock);
    // Only the response cache's database (setDatabasePath sets it too). Call on this object's thread; before
    // start() the cache opens with the gateway, after it at once. Without it nothing is cached.
    Result<void> setCacheDatabase(const QString &databasePath);
    ResponseCache *responseCache() const { return m_cache.get(); }
    // Before start(): the request log's database, already migrated: its gateway tokens are accepted too, the
    // budgets start from its log, and the response cache keeps its entries there.
    // A PostgreSQL store serves tokens and prompts; the response cache then stays in setCacheDatabase()'s file.
    void setDatabasePath(const StoreLocation &path);
    // Prices requests for the spend budgets; call again (on this object's thread) when the catalog is updated.
    void setPriceCatalog(std::shared_ptr<const PriceCatalog> catalog);
    // Before start(): GET /metrics is served from these (Telemetry::metrics(); null: no /metrics).
    void setMetrics(std::shared_ptr<GatewayMetrics> metrics) { m_metrics = std::move(metrics); }

    // Listens on the configured address and port (portOverride > 0 replaces the port; 0 keeps it).
    Result<QUrl> start(int portOverride = -1);
    void stop();
    // Open client connections (0 when stopped).
    int connectionCount() const;
    // A graceful stop: no new connections, new requests refused (503), those in flight given up to
    // gateway.shutdown_timeout_ms to finish, then ended with an explicit error; done() runs once every request is
    // answered and handed to the record sink. stop() still has to follow.
    void shutdown(std::function<void()> done);
    void setPaused(bool paused);
    bool isPaused() const;
    QUrl endpoint() const { return m_endpoint; }
    // Every configured deployment's circuit breaker, by deployment id; empty when not started.
    QList<BreakerSnapshot> breakerSnapshot() const;
    Gateway *gateway() const { return m_gateway; }
    // Applies a changed config without a restart: new requests (on open connections too) take a new pipeline;
    // requests in flight finish on the one they started on, which is then deleted. Spend counted for budgets
    // carries over. Returns the changed settings that take effect only at the next start (listen address, port,
    // server limits, response cache size). Call on this object's thread.
    QStringList reconfigure(Config config, GatewaySecrets secrets);
    const Config &config() const { return m_config; }

Q_SIGNALS:
    // A spend budget passed its soft threshold (docs/costs.md); emitted on this object's thread.
    void budgetWarning(const QString &message);

private:
    // The server's handler: forwards to the gateway in force, so a reload needs no new server.
    class CurrentGateway : public HttpRequestHandler
    {
    public:
        Gateway *target = nullptr;
        void handle(const HttpRequest &request, HttpResponder *responder) override;
        bool admitHeaders(const HttpRequest &request) override;
        bool handleRefused(const HttpRequest &request, const HttpRefusal &refusal, HttpResponder *responder) override;
    };
    Gateway *makeGateway(const Config &config, const GatewaySecrets &secrets);
    void deleteIdleRetired();

    Config m_config;
    GatewaySecrets m_secrets;
    std::function<void(RequestRecord &&)> m_sink;
    std::shared_ptr<const Clock> m_routingClock;
    QString m_cacheDatabase;
    std::unique_ptr<ResponseCache> m_cache;
    StoreLocation m_databasePath;
    std::shared_ptr<const PriceCatalog> m_prices;
    std::shared_ptr<GatewayMetrics> m_metrics;
    UpstreamClient *m_client = nullptr;
    Gateway *m_gateway = nullptr;
    HttpServer *m_server = nullptr;
    QUrl m_endpoint;
    bool m_paused = false;
    std::unique_ptr<ByteBudget> m_budget; // over the server and the gateway, which it outlives
    CurrentGateway m_current;
    QList<Gateway *> m_retired; // replaced by a reload, finishing their requests in flight
};

} // namespace sluice
