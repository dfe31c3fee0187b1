#pragma once

#include <optional>

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

#include "guardrails/GuardrailRule.h"

namespace sluice {

inline constexpr quint16 DefaultGatewayPort = 7341; // not used by Ollama, LM Studio, LiteLLM or Portkey

struct GatewaySettings
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = DefaultGatewayPort;
    // Host header names accepted besides loopback names (DNS-rebinding defence); "*" accepts any.
    QStringList allowedHosts;
    // Browser Origins allowed to call the gateway; by default none.
    QStringList allowedOrigins;
    qint64 maxHeaderBytes = 64 * 1024;
    qint64 maxBodyBytes = 32 * 1024 * 1024;
    // On SIGTERM or quit: how long requests in flight may take to finish before they are ended with an error.
    int shutdownTimeoutMs = 10'000;
    int maxConnections = 1024; // open client connections; beyond, new ones get a 503
    // Request bodies being read and answers being buffered, over all requests; beyond, a 503.
    qint64 maxBufferedBytes = 512LL * 1024 * 1024;
};

// A reference to a secret kept outside the config file: "keychain:NAME" or "env:VAR".
struct SecretRef
{
    enum class Kind { None, Keychain, Env };
    Kind kind = Kind::None;
    QString name;
    // "keychain:NAME", "env:VAR", or empty for Kind::None.
    QString toString() const;
    bool isNull() const { return kind == Kind::None; }

    // Parses "keychain:NAME" or "env:VAR"; anything else (including a bad name) gives Kind::None.
    static SecretRef parse(const QString &text);
    // Keychain entry names: letters, digits, '-', '_' and '.', at most 128 characters.
    static bool isValidKeyName(const QString &name);
    // Environment variable names: letters, digits and '_', not starting with a digit.
    static bool isValidEnvName(const QString &name);

    bool operator==(const SecretRef &other) const = default;
};

struct ProviderConfig
{
    QString name; // user's name for it, unique, e.g. "openai"
    QString type; // a ProviderPreset type: "openai", "anthropic", "gemini", "azure", "groq", "ollama", ...
    QUrl baseUrl; // e.g. https://api.openai.com/v1
    SecretRef apiKey; // the first of apiKeys
    QList<SecretRef> apiKeys; // every key of the provider, in order; rotated when one is rate limited (429)
    int connectTimeoutMs = 10'000;
    int firstByteTimeoutMs = 120'000;
    int idleTimeoutMs = 120'000;
    int totalTimeoutMs = 600'000;
    bool free = false; // local models (Ollama, LM Studio): every request costs nothing
    // Serves OpenAI's Responses API (/responses) itself: Responses clients are passed through to it in their own
    // format. Unset: OpenAI and Azure OpenAI do, other types do not.
    std::optional<bool> responsesApi;
    QString apiVersion = QStringLiteral("2024-10-21"); // Azure OpenAI's api-version query parameter
    // Amazon Bedrock: the AWS region; with accessKeyId set, requests are SigV4-signed (apiKey holds the secret
    // access key), without it apiKey is a Bedrock API key sent as a bearer token.
    QString region;
    SecretRef accessKeyId;
    SecretRef sessionToken; // temporary (STS) credentials only
    int configLine = 0; // where it was defined, for messages
};

// How a model's deployments share its requests.
enum class BalanceStrategy { Weighted, LeastLatency, LeastInFlight };

// Tries of one deployment before the route moves on.
struct RetrySettings
{
    int attempts = 2; // tries of one deployment, the first included (1: no retry)
    int backoffMs = 250; // first backoff bound; it doubles per retry, with full jitter
    int maxBackoffMs = 8'000; // longest wait; a provider asking to wait longer makes the route move on
    bool operator==(const RetrySettings &other) const = default;
};

// One place a model can be served from: a provider and the model name it knows.
struct ModelDeployment
{
    QString provider; // ProviderConfig::name
    QString upstreamModel; // name sent to the provider
    SecretRef apiKey; // when set, used instead of the provider's keys
    int weight = 1; // share of requests under weighted balancing
    // In milliseconds; 0 takes the provider's value.
    int connectTimeoutMs = 0;
    int firstByteTimeoutMs = 0;
    int idleTimeoutMs = 0;
    int totalTimeoutMs = 0;
    int configLine = 0;

    // "provider/model", plus "@keyref" with its own key: names its circuit breaker and latency statistics.
    QString id() const
    {
        return provider + QLatin1Char('/') + upstreamModel
            + (apiKey.isNull() ? QString() : QLatin1Char('@') + apiKey.toString());
    }
};

// A model's own response-cache setting (`cache:` on a model, docs/configuration.md).
struct RouteCacheSettings
{
    bool enabled = true;
    qint64 ttlMs = 0; // 0: CacheSettings::ttlMs
};

// A model name clients use, and where it goes.
struct ModelRoute
{
    QString name; // client-facing name
    QString provider; // ProviderConfig::name (of the first deployment)
    QString upstreamModel; // name sent to the provider; defaults to name (of the first deployment)
    // Filled by the loader (one for the short form); a route built in code may leave it empty: then it is
    // the one deployment provider + upstreamModel.
    QList<ModelDeployment> deployments;
    BalanceStrategy balance = BalanceStrategy::Weighted;
    QStringList fallbacks; // other model names tried in order when every deployment failed
    std::optional<RetrySettings> retry; // unset: RoutingSettings::retry
    std::optional<QStringList> fallbackOn; // failure class names; unset: RoutingSettings::fallbackOn
    int configLine = 0;
    // Leave out request parameters the target provider cannot honour instead of refusing the request with a 400;
    // unset: RoutingSettings::dropUnsupportedParams.
    std::optional<bool> dropUnsupportedParams;
    std::optional<RouteCacheSettings> cache; // unset: CacheSettings::enabled decides
};

// Per deployment: after `failures` failures within `windowS` seconds, requests skip it for `cooldownS`
// seconds, then one probe request decides whether it recovered.
struct BreakerSettings
{
    int failures = 5; // 0 turns breakers off
    int windowS = 60;
    int cooldownS = 30;
    bool operator==(const BreakerSettings &other) const = default;
};

struct RoutingSettings
{
    QStringList defaultFallbacks; // model names tried after a model's own fallbacks
    BreakerSettings breaker;
    qint64 deadlineMs = 600'000; // one request's whole time, every retry and fallback included
    RetrySettings retry; // for models without their own
    // Failure classes that move a request to the next deployment or fallback model (for models without their own).
    QStringList fallbackOn = {QStringLiteral("rate_limit"), QStringLiteral("server_error"), QStringLiteral("timeout"),
                              QStringLiteral("connection"), QStringLiteral("context_window_exceeded")};
    bool dropUnsupportedParams = false; // for models without their own drop_unsupported_params
};

struct GatewayToken
{
    QString name; // shown in logs and the UI
    SecretRef secret; // the token's value lives in the keychain or environment
    int configLine = 0;
    QStringList models; // client-facing model names it may use; empty: every model
    int rpm = 0; // requests per minute; 0: no limit
    qint64 tpm = 0; // tokens (input + output) of completed requests per minute; 0: no limit
};

// A spend budget's calendar period, in UTC: days start at 00:00, weeks on Monday, months on the 1st.
enum class BudgetPeriod { Daily, Weekly, Monthly };

// One spend budget in USD (docs/costs.md).
struct BudgetLimit
{
    enum class Scope { Overall, Token, Provider, Model };
    Scope scope = Scope::Overall;
    QString name; // token, provider or client-facing model name; empty for Overall
    BudgetPeriod period = BudgetPeriod::Monthly;
    double limitUsd = 0; // hard limit: requests are refused once spend and reservations reach it
    double softFraction = -1; // warn from this fraction of the limit on; -1: BudgetSettings::softFraction
    int configLine = 0; // 0: a gateway token's own budget from the database
};

struct BudgetSettings
{
    QList<BudgetLimit> limits;
    double softFraction = 0.8;
    // Output tokens reserved for a request that does not say its max_tokens.
    qint64 defaultMaxOutputTokens = 4096;
};

// A price that replaces the catalog's for matching models, in USD per million tokens (docs/costs.md).
struct PriceOverride
{
    QString model; // upstream model name, case-insensitive; a trailing '*' matches every name starting with the rest
    QString provider; // ProviderConfig::name; empty: any provider
    double inputMtok = -1;
    double outputMtok = -1;
    double cacheReadMtok = -1; // -1: cache reads are charged at the input price
    double cacheWriteMtok = -1; // -1: cache writes are charged at the input price
    int configLine = 0;
};

struct PriceSettings
{
    QList<PriceOverride> overrides; // first match wins
};

// The exact-match response cache (`cache:` at the top level, docs/configuration.md).
struct CacheSettings
{
    bool enabled = false; // for models without their own cache setting
    qint64 ttlMs = 60LL * 60 * 1000;
    qint64 maxEntries = 10'000; // past either bound the oldest entries are evicted
    qint64 maxBytes = 256LL * 1024 * 1024;
};

struct LoggingSettings
{
    bool storeBodies = true;
    qint64 maxBodyBytes = 256 * 1024; // per body; longer bodies are truncated and marked
    // Retention (docs/configuration.md): requests older than this many days are deleted, their spend kept in the
    // hourly rollup; 0 keeps them.
    int retentionDays = 0;
    // Past this much data the oldest bodies, then the oldest requests, are deleted; 0: no limit.
    qint64 maxDatabaseBytes = 0;
};

// GET /metrics in Prometheus text format (`metrics:`, docs/observability.md); off by default.
struct MetricsSettings
{
    bool enabled = false;
    // When set, a scrape must send it (Authorization: Bearer) or a gateway token; unset: no token asked.
    SecretRef token;
    // Tags that get series of their own (sluice_tag_*); other tags are never labels, so series stay bounded.
    QStringList tagLabels;
};

// OTLP/HTTP trace export (`telemetry:`, docs/observability.md); off while no endpoint is set.
struct TelemetrySettings
{
    enum class Encoding { Protobuf, Json };
    QUrl endpoint; // the traces endpoint itself, e.g. http://127.0.0.1:4318/v1/traces
    QList<QPair<QString, SecretRef>> headers; // sent with every export, values from the keychain or environment
    Encoding encoding = Encoding::Protobuf;
    double sampleRatio = 1.0; // of the traces Sluice starts; a caller's traceparent decides for its own
    bool captureContent = false; // gen_ai.input.messages / gen_ai.output.messages
    QString serviceName = QStringLiteral("sluice");
    QString environment; // deployment.environment.name (and langfuse.environment); empty: none
    int queueSize = 2048; // spans waiting for export; past it new spans are dropped and counted
    int batchSize = 512; // spans per export request
    int exportIntervalMs = 2000; // a partial batch waits at most this long
    int timeoutMs = 10'000; // one export request
    // The Langfuse preset: endpoint HOST/api/public/otel/v1/traces, Basic auth, langfuse.* attributes.
    bool langfuse = false;
    QString langfusePublicKey; // written as is, or taken from langfusePublicKeyRef
    SecretRef langfusePublicKeyRef;
    SecretRef langfuseSecretKey;
    int configLine = 0;

    bool enabled() const { return endpoint.isValid() && !endpoint.isEmpty(); }
};

// Where the request log, gateway tokens and prompts live (`store:`, docs/team.md): SQLite in the data folder by
// default, or a PostgreSQL database that several gateways share.
struct StoreSettings
{
    bool postgres = false; // store.postgresql is set
    QString host;
    int port = 5432;
    QString database;
    QString user;
    SecretRef password; // None: the server asks for none (trust, peer) or libpq finds it (~/.pgpass)
    QString tlsMode
        = QStringLiteral("prefer"); // libpq sslmode: disable | allow | prefer | require | verify-ca | verify-full
};

struct Config
{
    QString sourcePath; // the file it was read from (empty for defaults)
    GatewaySettings gateway;
    QList<ProviderConfig> providers;
    QList<ModelRoute> models;
    QList<GatewayToken> tokens;
    LoggingSettings logging;
    RoutingSettings routing;
    PriceSettings prices;
    CacheSettings cache;
    BudgetSettings budgets;
    MetricsSettings metrics;
    TelemetrySettings telemetry;
    GuardrailSettings guardrails;
    StoreSettings store;

    const ProviderConfig *provider(const QString &name) const;
    const ModelRoute *model(const QString &name) const;
};

} // namespace sluice
