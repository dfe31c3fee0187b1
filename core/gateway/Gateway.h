#pragma once

#include <functional>
#include <memory>

#include <QHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include "api/ApiFormat.h"
#include "common/RequestRecord.h"
#include "config/Config.h"
#include "gateway/Admission.h"
#include "gateway/GatewaySecrets.h"
#include "gateway/HostGuard.h"
#include "gateway/TokenAuthenticator.h"
#include "guardrails/Guardrails.h"
#include "http/HttpRequestHandler.h"
#include "prompts/ObservedPrompts.h"
#include "prompts/PromptResolver.h"
#include "providers/ProviderAdapter.h"
#include "store/TokenStore.h"

namespace sluice {

class ByteBudget;
class Clock;
class GatewayMetrics;
class PriceCatalog;
class Router;
class UpstreamClient;
class ResponseCache;
struct CachedAnswer;
struct CanonicalError;
struct ClientRequest;

// The request pipeline behind the HTTP server. Order, for every request:
//   host/origin guard -> pause check -> endpoint -> gateway token -> body validation (client format)
//   -> guardrails (request rules: block, mask) -> response cache lookup (a hit is answered here) -> route plan (model
//   -> deployments, fallbacks)
//   -> admission (allowed models, rate limits, budgets)
//   -> ProxyExchange (attempts, translation, relay; a whole answer is stored in the response cache)
//   -> settle (cost booked against budgets)
// and a RequestRecord handed to the record sink once per request (health checks excepted).
class Gateway : public QObject, public HttpRequestHandler
{
    Q_OBJECT
public:
    using RecordSink = std::function<void(RequestRecord &&)>;

    // clock: what routing decisions and admission (rate limits, budget periods) run on; a steady clock when
    // null.
    Gateway(const Config &config, const GatewaySecrets &secrets, UpstreamClient *client,
            std::shared_ptr<const Clock> clock = nullptr, QObject *parent = nullptr);
    ~Gateway() override;

    // Accepts the gateway tokens kept in this database too (`sluice token create`), re-read whenever the database
    // changed (checked every reloadIntervalMs), and takes the budgets' spend so far from its request log.
    Result<void> setDatabasePath(const StoreLocation &path, int reloadIntervalMs = 1000);
    // Prices finished requests for spend budgets; without it budgets count no cost.
    void setPriceCatalog(std::shared_ptr<const PriceCatalog> catalog) { m_admission.setPriceCatalog(catalog); }
    Admission &admission() { return m_admission; }

    void handle(const HttpRequest &request, HttpResponder *responder) override;
    // Only requests that can pass (a valid token, an allowed host) have their bodies read.
    bool admitHeaders(const HttpRequest &request) override;
    // Requests the HTTP layer refused are answered in the client's format and logged like any other.
    bool handleRefused(const HttpRequest &request, const HttpRefusal &refusal, HttpResponder *responder) override;

    void setRecordSink(RecordSink sink) { m_sink = std::move(sink); }
    void setPaused(bool paused) { m_paused = paused; }
    // Shutting down: new requests get a 503 (logged); those in flight go on.
    void setDraining(bool draining) { m_draining = draining; }
    // Ends every request still in flight (ProxyExchange::endForShutdown).
    void endInFlight(const QString &message);
    bool isPaused() const { return m_paused; }
    int inFlight() const { return m_inFlight; }
    Router &router() { return *m_router; }
    // The response cache (null: none); it must outlive this gateway and live on its thread.
    void setResponseCache(ResponseCache *cache) { m_cache = cache; }
    // Buffered answers count against this budget (shared with the HTTP server's request bodies); it must outlive
    // this gateway.
    void setByteBudget(ByteBudget *budget) { m_budget = budget; }
    // Serves GET /metrics from these (metrics.enabled); null: /metrics is an unknown path.
    void setMetrics(std::shared_ptr<GatewayMetrics> metrics) { m_metrics = std::move(metrics); }

Q_SIGNALS:
    // A budget passed its soft threshold (once per budget and period): for a tray notification.
    void budgetWarning(const QString &message);

private:
    void handleProxied(const HttpRequest &request, HttpResponder *responder, RequestRecord record, ApiFormat format,
                       const QString &pathModel, bool pathStream, const HttpHeaders &promptHeaders = {});
    // A request whose model names a registry prompt ("prompt:NAME[@LABEL|@vN]", docs/prompts.md): rendered into the
    // client's format, then proxied like any other. modelOverride: /v1/prompts/NAME/completions' "model".
    void handlePromptModel(const HttpRequest &request, HttpResponder *responder, RequestRecord record, ApiFormat format,
                           const QString &model, bool pathStream, const QString &modelOverride = {});
    // POST /v1/prompts/{name}/completions (render false) and /render (render true).
    void handlePromptEndpoint(const HttpRequest &request, HttpResponder *responder, RequestRecord record,
                              const QString &name, bool render);
    void observePrompt(const HttpRequest &request, const ClientRequest &client, RequestRecord &record);
    void handleModels(HttpResponder *responder, RequestRecord record);
    // GET /v1beta/models (model empty) or /v1beta/models/{model}, in Gemini's shape.
    void handleGeminiModels(HttpResponder *responder, RequestRecord record, const QString &model);
    void handleCountTokens(const HttpRequest &request, HttpResponder *responder, RequestRecord record, ApiFormat format,
                           const QString &pathModel);
    void handleRoutingState(HttpResponder *responder, RequestRecord record);
    void handleHealth(HttpResponder *responder);
    void handleMetrics(const HttpRequest &request, HttpResponder *responder);
    void respondJson(HttpResponder *responder, RequestRecord record, const QByteArray &body);
    void respondError(HttpResponder *responder, RequestRecord record, ApiFormat format, const CanonicalError &error,
                      const char *errorClass, const HttpHeaders &extraHeaders = {},
                      GuardrailSession *guardrails = nullptr);
    void respondFromCache(HttpResponder *responder, RequestRecord record, const ClientRequest &client,
                          const CachedAnswer &answer);
    void reloadStoredTokens();
    RequestRecord newRecord(const HttpRequest &request) const;
    // Hands the record to the sink, its bodies masked by the guardrails first (with the request's session, when
    // it had one, so placeholders match those the provider saw).
    void complete(RequestRecord &&record, GuardrailSession *guardrails = nullptr);

    Config m_config;
    GatewaySecrets m_secrets;
    SecretScrubber m_scrubber;
    HostGuard m_hostGuard;
    std::shared_ptr<const Guardrails> m_guardrails; // shared with the log masking of streamed answers (a worker)
    TokenAuthenticator m_tokens;
    TokenAuthenticator m_metricsToken; // metrics.token, when set: /metrics takes it besides gateway tokens
    Admission m_admission;
    TokenStore m_tokenStore;
    QTimer m_reloadTimer;
    qint64 m_dataVersion = -1;
    QHash<QString, ProviderAdapter> m_adapters;
    std::unique_ptr<Router> m_router;
    UpstreamClient *m_client;
    ResponseCache *m_cache = nullptr;
    ByteBudget *m_budget = nullptr;
    std::shared_ptr<GatewayMetrics> m_metrics;
    PromptResolver m_prompts;
    ObservedPrompts m_observedPrompts;
    RecordSink m_sink;
    bool m_paused = false;
    bool m_draining = false;
    int m_inFlight = 0;
    qint64 m_arrivedNs = 0; // of the request being handled synchronously (errors and listings answer at once)
    // The log scans of streamed answers (complete()). Declared last so it is destroyed first: its destructor waits
    // for scans still running, whose records are then posted to this object while it is still one (and dropped
    // with it), never to a deleted one.
    QThreadPool m_logScans;
};

} // namespace sluice
