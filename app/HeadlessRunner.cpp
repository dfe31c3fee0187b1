#include "HeadlessRunner.h"

#include <QCoreApplication>
#include <QTextStream>

#include "ConfigReload.h"
#include "Startup.h"
#include "UnixSignalWatcher.h"
#include "cost/LivePriceCatalog.h"
#include "gateway/GatewayService.h"
#include "store/LogRetention.h"
#include "store/RequestLogWriter.h"
#include "telemetry/Telemetry.h"

namespace sluice {

int runHeadless(const AppOptions &options)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    UnixSignalWatcher signalWatcher;

    Result<Startup> startup = Startup::prepare(options);
    if (!startup) {
        err << "sluice: " << startup.errorMessage() << Qt::endl;
        return 2;
    }
    if (!startup->pricesWarning.isEmpty())
        err << "sluice: " << startup->pricesWarning << Qt::endl;
    if (!startup->firstRunNotice.isEmpty())
        err << "sluice: " << startup->firstRunNotice << Qt::endl;
    RequestLogWriter writer;
    writer.setSecretScrubber(std::make_shared<const SecretScrubber>(startup->secrets.scrubber()));
    if (Result<void> opened = writer.open(startup->store); !opened) {
        err << "sluice: " << opened.errorMessage() << Qt::endl;
        return 1;
    }
    QObject::connect(&writer, &RequestLogWriter::writeFailed, &writer,
                     [&err](const QString &message) { err << "sluice: request log: " << message << Qt::endl; });

    GatewayService service(startup->config, startup->secrets);
    // Metrics and trace export (docs/observability.md) run on their own thread, fed as records are logged.
    const std::unique_ptr<Telemetry> telemetry = startup->startTelemetry(writer);
    service.setMetrics(telemetry->metrics());
    service.setRecordSink(startup->logSink(writer, *telemetry));
    // Tokens, budgets and the response cache open with the gateway (on its thread); the writer above has migrated
    // the database.
    service.setDatabasePath(startup->store);
    if (startup->store.isPostgres()) // the response cache stays with this gateway, in its data folder
        (void)service.setCacheDatabase(startup->databasePath);
    service.setPriceCatalog(startup->prices);
    // Budgets price requests with the catalog in force: `sluice prices update` applies without a restart.
    QObject::connect(startup->livePrices.get(), &LivePriceCatalog::catalogChanged, &service,
                     [&service, live = startup->livePrices] { service.setPriceCatalog(live->current()); });
    QObject::connect(&service, &GatewayService::budgetWarning, &service,
                     [&err](const QString &message) { err << "sluice: budget: " << message << Qt::endl; });
    Result<QUrl> url = service.start(options.port);
    if (!url) {
        err << "sluice: " << url.errorMessage() << Qt::endl;
        return 1;
    }
    out << "Sluice is listening on " << url->toString() << Qt::endl;
    // A changed config file applies without a restart; a broken one is reported and the one in force stays.
    ConfigReload reload(startup->config, startup->secrets, &service, &writer, startup->pricingConfig);
    QObject::connect(&reload, &ConfigReload::applied, &reload,
                     [&err](const QString &message) { err << "sluice: " << message << Qt::endl; });
    QObject::connect(&reload, &ConfigReload::failed, &reload,
                     [&err](const QString &message) { err << "sluice: " << message << Qt::endl; });
    // Retention (logging.retention_days, logging.max_database_mb): pruned in the background, followed on reload.
    RetentionScheduler retention(startup->store);
    const auto retentionOf = [](const Config &config) {
        return RetentionPolicy {config.logging.retentionDays, config.logging.maxDatabaseBytes};
    };
    retention.setPolicy(retentionOf(startup->config));
    retention.start();
    QObject::connect(&reload, &ConfigReload::configApplied, &retention,
                     [&retention, retentionOf](const Config &config) { retention.setPolicy(retentionOf(config)); });

    // The first SIGTERM or SIGINT drains what is in flight (gateway.shutdown_timeout_ms); a second one quits now.
    bool stopping = false;
    QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, qApp, [&service, &stopping] {
        if (std::exchange(stopping, true)) {
            QCoreApplication::quit();
            return;
        }
        service.shutdown([] { QCoreApplication::quit(); });
    });
    QCoreApplication::exec();

    service.stop();
    // Every record is logged by now: the last spans go out (within the shutdown timeout) before the log closes.
    telemetry->shutdown(startup->config.gateway.shutdownTimeoutMs);
    writer.stop();
    out << "Sluice stopped; " << writer.writtenCount() << " requests logged." << Qt::endl;
    return 0;
}

} // namespace sluice
