#pragma once

#include <functional>
#include <memory>

#include "AppOptions.h"
#include "common/RequestRecord.h"
#include "common/Result.h"
#include "config/Config.h"
#include "cost/LivePriceCatalog.h"
#include "cost/PriceCatalog.h"
#include "gateway/GatewaySecrets.h"
#include "store/StoreLocation.h"

namespace sluice {

class RequestLogWriter;
class SecretResolver;
class Telemetry;

// What both the desktop app and headless mode need before serving: the validated config, the secrets it
// references (resolved once, held in memory only) and where the request log lives.
struct Startup
{
    Config config;
    // The config the record sink prices with: ConfigReload replaces it (on the gateway thread) after a reload.
    std::shared_ptr<Config> pricingConfig;
    GatewaySecrets secrets;
    QString databasePath;
    // Where the request log, tokens and prompts are: databasePath, or the config's PostgreSQL store (its password
    // resolved, held in memory only). The response cache stays in databasePath either way.
    StoreLocation store;
    std::shared_ptr<const PriceCatalog> prices; // built-in, or a newer one installed with `sluice prices update`
    // The catalog in force from moment to moment: follows `sluice prices update` without a restart.
    std::shared_ptr<LivePriceCatalog> livePrices;
    QString pricesWarning; // an installed catalog that could not be read (the built-in one is used)
    QString firstRunNotice; // the default config was just written: what to do next

    // Prices a finished record (unless budgets already did) and hands it on; called on the gateway thread.
    std::function<void(RequestRecord &&)> pricingSink(std::function<void(RequestRecord &&)> next) const;

    // The metrics and trace export the config asks for (docs/observability.md), reading the writer's queue.
    std::unique_ptr<Telemetry> startTelemetry(const RequestLogWriter &writer) const;
    // Every finished record: priced, counted by telemetry (off the request path), then logged.
    std::function<void(RequestRecord &&)> logSink(RequestLogWriter &writer, Telemetry &telemetry) const;

    static Result<Startup> prepare(const AppOptions &options);
    // The store the config names (store.postgresql, its password resolved), or the SQLite file databasePath.
    static Result<StoreLocation> storeOf(const Config &config, const QString &databasePath, const QString &dataDir,
                                         SecretResolver &resolver);
    static QString defaultDataDir();
};

} // namespace sluice
