#include "Startup.h"

#include <QCoreApplication>
#include <QDir>

#include "CommandLine.h"
#include "StoreConfig.h"
#include "config/ConfigLoader.h"
#include "config/DefaultConfig.h"
#include "cost/RequestCost.h"
#include "secrets/SecretStore.h"
#include "store/RequestLogWriter.h"
#include "telemetry/GatewayMetrics.h"
#include "telemetry/Telemetry.h"

namespace sluice {

QString Startup::defaultDataDir()
{
    return CommandLine::defaultDataDir();
}

Result<StoreLocation> Startup::storeOf(const Config &config, const QString &databasePath, const QString &dataDir,
                                       SecretResolver &resolver)
{
    return storeLocationOf(config, databasePath, dataDir, resolver);
}

Result<Startup> Startup::prepare(const AppOptions &options)
{
    const QString configPath = options.configPath.isEmpty() ? ConfigLoader::defaultPath() : options.configPath;
    // First run: no config at the default location yet. Sluice writes a commented one and starts serving; a
    // config named on the command line must exist (a typo should not silently start an empty gateway).
    QString firstRunNotice;
    if (options.configPath.isEmpty()) {
        const Result<bool> written = DefaultConfig::writeIfMissing(configPath);
        if (!written)
            return written.error();
        if (*written)
            firstRunNotice = QStringLiteral("first run: wrote a default config to %1. Add a provider and a model "
                                            "(sluice provider add, sluice model add, or edit the file: its comments "
                                            "say how) and a gateway token (sluice token create); Sluice picks up "
                                            "the changes while it runs.")
                                 .arg(QDir::toNativeSeparators(configPath));
    }
    Result<Config> config = ConfigLoader::loadFile(configPath);
    if (!config)
        return config.error();

    Startup startup;
    startup.config = std::move(config).value();
    startup.firstRunNotice = firstRunNotice;
    startup.pricingConfig = std::make_shared<Config>(startup.config);

    SecretStore store;
    SecretResolver resolver(&store);
    Result<GatewaySecrets> secrets = GatewaySecrets::resolve(startup.config, resolver);
    if (!secrets)
        return secrets.error();
    startup.secrets = std::move(secrets).value();

    const QString dataDir = options.dataDir.isEmpty() ? defaultDataDir() : options.dataDir;
    if (!QDir().mkpath(dataDir))
        return makeError(QStringLiteral("Cannot create the data directory %1; choose another with --data-dir.")
                             .arg(QDir::toNativeSeparators(dataDir)));
    startup.databasePath = QDir(dataDir).filePath(QStringLiteral("sluice.db"));
    Result<StoreLocation> location = storeOf(startup.config, startup.databasePath, dataDir, resolver);
    if (!location)
        return location.error();
    startup.store = std::move(location).value();
    if (startup.store.isPostgres() && !startup.store.postgresSettings().password.isEmpty()) {
        // Kept out of answers and the log like every other secret.
        startup.secrets.keys.insert(startup.config.store.password.toString(),
                                    startup.store.postgresSettings().password);
    }
    startup.livePrices = std::make_shared<LivePriceCatalog>(dataDir);
    startup.prices = startup.livePrices->current();
    startup.pricesWarning = startup.livePrices->loadWarning();
    return startup;
}

std::function<void(RequestRecord &&)> Startup::pricingSink(std::function<void(RequestRecord &&)> next) const
{
    return
        [prices = prices, live = livePrices, config = pricingConfig, next = std::move(next)](RequestRecord &&record) {
            // Budgets price a record when it settles (Admission::settle); it is not priced twice.
            if (record.costStatus.isEmpty())
                priceRecord(record, live ? *live->current() : *prices, *config);
            next(std::move(record));
        };
}

std::unique_ptr<Telemetry> Startup::startTelemetry(const RequestLogWriter &writer) const
{
    auto telemetry = std::make_unique<Telemetry>(
        config, [secrets = secrets](const SecretRef &ref) { return secrets.key(ref); },
        QCoreApplication::applicationVersion());
    if (const std::shared_ptr<GatewayMetrics> metrics = telemetry->metrics()) {
        metrics->setQueueSources([&writer] { return writer.queuedCount(); },
                                 [&writer] { return writer.queuedBodyBytes(); }, nullptr);
    }
    return telemetry;
}

std::function<void(RequestRecord &&)> Startup::logSink(RequestLogWriter &writer, Telemetry &telemetry) const
{
    return pricingSink([&writer, &telemetry](RequestRecord &&record) {
        telemetry.submit(record);
        writer.append(std::move(record));
    });
}

} // namespace sluice
