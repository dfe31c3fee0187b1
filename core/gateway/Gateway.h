#pragma once

#include <functional>
#include <memory>

#include <QHash>
#include <QObject>

#include "api/ApiFormat.h"
#include "common/RequestRecord.h"
#include "config/Config.h"
#include "gateway/GatewaySecrets.h"
#include "gateway/HostGuard.h"
#include "gateway/TokenAuthenticator.h"
#include "http/HttpRequestHandler.h"
#include "providers/ProviderAdapter.h"

namespace sluice {

class Clock;
class Router;
class UpstreamClient;
class ResponseCache;
struct CachedAnswer;
struct CanonicalError;
struct ClientRequest;

// The request pipeline behind the HTTP server. Order, for every request:
//   host/origin guard -> pause check -> endpoint -> gateway token -> body validation (client format)
//   -> response cache lookup (a hit is answered here) -> route plan (model -> deployments, fallbacks)
//   -> ProxyExchange (attempts, translation, relay; a whole answer is stored in the response cache)
// and a RequestRecord handed to the record sink once per request (health checks excepted).
class Gateway : public QObject, public HttpRequestHandler
{
    Q_OBJECT
public:
    using RecordSink = std::function<void(RequestRecord &&)>;

    // clock: what routing decisions run on (a steady clock when null).
    Gateway(const Config &config, const GatewaySecrets &secrets, UpstreamClient *client,
            std::shared_ptr<const Clock> clock = nullptr, QObject *parent = nullptr);
    ~Gateway() override;

    void handle(const HttpRequest &request, HttpResponder *responder) override;

    void setRecordSink(RecordSink sink) { m_sink = std::move(sink); }
    void setPaused(bool paused) { m_paused = paused; }
    bool isPaused() const { return m_paused; }
    int inFlight() const { return m_inFlight; }
    Router &router() { return *m_router; }
    // The response cache (null: none); it must outlive this gateway and live on its thread.
    void setResponseCache(ResponseCache *cache) { m_cache = cache; }

private:
    struct Endpoint;
    void handleProxied(const HttpRequest &request, HttpResponder *responder, RequestRecord record, ApiFormat format);
    void handleModels(HttpResponder *responder, RequestRecord record);
    void handleCountTokens(const HttpRequest &request, HttpResponder *responder, RequestRecord record);
    void handleRoutingState(HttpResponder *responder, RequestRecord record);
    void handleHealth(HttpResponder *responder);
    void respondJson(HttpResponder *responder, RequestRecord record, const QByteArray &body);
    void respondError(HttpResponder *responder, RequestRecord record, ApiFormat format, const CanonicalError &error,
                      const char *errorClass);
    void respondFromCache(HttpResponder *responder, RequestRecord record, const ClientRequest &client,
                          const CachedAnswer &answer);
    RequestRecord newRecord(const HttpRequest &request) const;
    void complete(RequestRecord &&record);

    Config m_config;
    GatewaySecrets m_secrets;
    HostGuard m_hostGuard;
    TokenAuthenticator m_tokens;
    QHash<QString, ProviderAdapter> m_adapters;
    std::unique_ptr<Router> m_router;
    UpstreamClient *m_client;
    ResponseCache *m_cache = nullptr;
    RecordSink m_sink;
    bool m_paused = false;
    int m_inFlight = 0;
    qint64 m_arrivedNs = 0; // of the request being handled synchronously (errors and listings answer at once)
};

} // namespace sluice
