#include "DesktopRunner.h"

#include <chrono>
#include <future>

#include <QApplication>
#include <QDir>
#include <QPointer>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

#include "ConfigReload.h"
#include "SingleInstance.h"
#include "Startup.h"
#include "UnixSignalWatcher.h"
#include "config/ConfigLoader.h"
#include "cost/LivePriceCatalog.h"
#include "cost/SpendReport.h"
#include "gateway/GatewayService.h"
#include "store/LogRetention.h"
#include "store/RequestLogWriter.h"
#include "store/TokenStore.h"
#include "telemetry/Telemetry.h"
#include "ui/Background.h"
#include "ui/ClientsPage.h"
#include "ui/GuardrailsPage.h"
#include "ui/MainWindow.h"
#include "ui/ProvidersPage.h"
#include "ui/RoutingPage.h"
#include "ui/SettingsPage.h"
#include "ui/TrayController.h"
#include "ui/spend/SpendPage.h"

namespace sluice {

namespace {

// Calls back when the window is closed (hidden to the tray, or for good).
class WindowCloseWatcher : public QObject
{
public:
    explicit WindowCloseWatcher(std::function<void()> closed)
        : m_closed(std::move(closed))
    { }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Close)
            m_closed();
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_closed;
};

} // namespace

int runDesktop(const AppOptions &options)
{
    // One desktop Sluice per data folder: a second launch shows the first one's window and leaves.
    SingleInstance instance(options.dataDir.isEmpty() ? Startup::defaultDataDir() : options.dataDir);
    if (!instance.claim()) {
        qInfo().noquote() << "sluice: already running; its window was brought to the front";
        return 0;
    }
    QApplication::setQuitOnLastWindowClosed(false);
    UnixSignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, qApp, [] { QApplication::quit(); });

    MainWindow window;
    TrayController tray;
    auto showWindow = [&window] {
        window.show();
        window.raise();
        window.activateWindow();
    };
    auto setState = [&](GatewayState state, const QString &message) {
        window.setGatewayState(state, message);
        tray.setGatewayState(state, message);
    };
    QObject::connect(&tray, &TrayController::openDashboardRequested, &window, showWindow);
    QObject::connect(&instance, &SingleInstance::raiseRequested, &window, [showWindow] {
        qInfo().noquote() << "sluice: another launch asked for the window";
        showWindow();
    });
    QObject::connect(&tray, &TrayController::quitRequested, qApp, &QApplication::quit);
    QObject::connect(&window, &MainWindow::quitRequested, qApp, &QApplication::quit);
    QObject::connect(&window, &MainWindow::requestCountChanged, &tray, &TrayController::setRequestCount);
    // Without a tray there is no other way back to the app: the window stays up and closing it quits.
    QObject::connect(&tray, &TrayController::trayUnavailable, &window, [&] {
        QApplication::setQuitOnLastWindowClosed(true);
        showWindow();
    });
    // The window's size and place, and whether the close-to-tray hint was shown, in the user's config folder.
    QSettings settings(QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
                           .filePath(QStringLiteral("sluice/desktop.conf")),
                       QSettings::IniFormat);
    window.restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    WindowCloseWatcher closeWatcher([&] {
        settings.setValue(QStringLiteral("window/geometry"), window.saveGeometry());
        // Closing the window leaves Sluice serving in the tray: said once, the first time.
        if (!QApplication::quitOnLastWindowClosed() && !settings.value(QStringLiteral("hints/closeToTray")).toBool()) {
            tray.notify(QObject::tr("Sluice keeps running"),
                        QObject::tr("The gateway still serves your tools. Open the window from the tray icon; quit "
                                    "from its menu."));
            settings.setValue(QStringLiteral("hints/closeToTray"), true);
        }
    });
    window.installEventFilter(&closeWatcher);
    tray.start();
    // --minimized (the autostart entry): the tray only; without a tray host the handler above shows the window.
    if (!options.minimized)
        showWindow();

    Result<Startup> startup = Startup::prepare(options);
    // The Providers & keys page edits the config file, also when the file is what keeps the gateway from starting.
    window.providersPage()->setConfigPath(options.configPath.isEmpty() ? ConfigLoader::defaultPath()
                                                                       : options.configPath);
    if (!startup) {
        setState(GatewayState::Error, startup.errorMessage());
        return QApplication::exec();
    }

    if (!startup->firstRunNotice.isEmpty())
        qInfo().noquote() << "sluice:" << startup->firstRunNotice;
    RequestLogWriter writer;
    writer.setSecretScrubber(std::make_shared<const SecretScrubber>(startup->secrets.scrubber()));
    if (Result<void> opened = writer.open(startup->databasePath); !opened) {
        setState(GatewayState::Error, opened.errorMessage());
        return QApplication::exec();
    }
    QObject::connect(&writer, &RequestLogWriter::batchCommitted, &window, &MainWindow::appendRecords);
    QObject::connect(&writer, &RequestLogWriter::writeFailed, &window,
                     [&](const QString &message) { setState(GatewayState::Error, message); });
    window.setDatabasePath(startup->databasePath);
    // The Spend page shows the config's budgets; the gateway announces soft thresholds, the page the limits.
    QList<BudgetLimit> budgets = startup->config.budgets.limits;
    {
        TokenStore tokenStore;
        if (tokenStore.open(startup->databasePath, SqliteConnection::Mode::ReadOnly)) {
            // The budgets of tokens made with `sluice token create --budget`, as the gateway's admission reads them.
            const Result<QList<StoredToken>> tokens = tokenStore.list();
            for (const StoredToken &token : tokens ? *tokens : QList<StoredToken>()) {
                const std::pair<BudgetPeriod, double> limits[] = {{BudgetPeriod::Daily, token.dailyUsd},
                                                                  {BudgetPeriod::Weekly, token.weeklyUsd},
                                                                  {BudgetPeriod::Monthly, token.monthlyUsd}};
                for (const auto &[period, usd] : limits) {
                    if (usd <= 0)
                        continue;
                    BudgetLimit limit;
                    limit.scope = BudgetLimit::Scope::Token;
                    limit.name = token.name;
                    limit.period = period;
                    limit.limitUsd = usd;
                    budgets.append(limit);
                }
            }
        }
    }
    window.spendPage()->setBudgets(budgets, startup->config.budgets.softFraction);
    QObject::connect(window.spendPage(), &SpendPage::budgetNotice, &tray,
                     [&tray](const QString &title, const QString &message) { tray.notify(title, message); });
    window.guardrailsPage()->setRules(startup->config.guardrails, startup->config.sourcePath);

    // Today's spend in the tray, read off the GUI thread: every minute, and a few seconds after requests are logged.
    const auto refreshSpend = [&tray, database = startup->databasePath] {
        runInBackground<Result<SpendSummary>>(
            &tray,
            [database]() -> Result<SpendSummary> {
                SpendReport report(database);
                if (Result<void> opened = report.open(); !opened)
                    return opened.error();
                const auto [from, to] = SpendReport::day(QDateTime::currentDateTime());
                return report.summarize(from, to);
            },
            [&tray](const Result<SpendSummary> &spend) {
                if (spend)
                    tray.setTodaySpend(spend->total.costUsd, spend->total.unpriced);
            });
    };
    QTimer spendEveryMinute;
    QObject::connect(&spendEveryMinute, &QTimer::timeout, &tray, refreshSpend);
    spendEveryMinute.start(60'000);
    QTimer spendSoon;
    spendSoon.setSingleShot(true);
    spendSoon.setInterval(3000);
    QObject::connect(&spendSoon, &QTimer::timeout, &tray, refreshSpend);
    QObject::connect(&writer, &RequestLogWriter::batchCommitted, &spendSoon, [&spendSoon] {
        if (!spendSoon.isActive())
            spendSoon.start();
    });
    refreshSpend();
    window.clientsPage()->setPaths(startup->config.sourcePath, startup->databasePath);
    window.settingsPage()->setPaths(startup->config.sourcePath, startup->databasePath);
    // First run (nothing to serve yet): the window opens on the getting-started steps.
    if (startup->config.providers.isEmpty() || startup->config.models.isEmpty())
        window.showPage(MainWindow::Page::Providers);

    QThread gatewayThread;
    gatewayThread.setObjectName(QStringLiteral("gateway"));
    auto *service = new GatewayService(startup->config, startup->secrets);
    // Metrics and trace export (docs/observability.md) run on their own thread, fed as records are logged.
    const std::unique_ptr<Telemetry> telemetry = startup->startTelemetry(writer);
    service->setMetrics(telemetry->metrics());
    service->setRecordSink(startup->logSink(writer, *telemetry));
    // Tokens, budgets and the response cache open with the gateway (on its thread); the writer above has migrated
    // the database.
    service->setDatabasePath(startup->databasePath);
    service->setPriceCatalog(startup->prices);
    // Budgets price requests with the catalog in force: `sluice prices update` applies without a restart.
    QObject::connect(startup->livePrices.get(), &LivePriceCatalog::catalogChanged, service,
                     [service, live = startup->livePrices] { service->setPriceCatalog(live->current()); });
    QObject::connect(service, &GatewayService::budgetWarning, &tray,
                     [&tray](const QString &message) { tray.notify(QStringLiteral("Sluice budget"), message); });
    service->moveToThread(&gatewayThread);
    QObject::connect(&gatewayThread, &QThread::finished, service, &QObject::deleteLater);
    gatewayThread.start();

    Result<QUrl> url = makeError(QString());
    QMetaObject::invokeMethod(
        service, [&] { url = service->start(options.port); }, Qt::BlockingQueuedConnection);
    if (url) {
        window.setEndpoint(url.value());
        window.clientsPage()->setEndpoint(url.value());
        tray.setEndpoint(url.value());
        setState(GatewayState::Running, {});
    } else {
        setState(GatewayState::Error, url.errorMessage());
    }

    // The routing page asks for the breakers every second while shown; they are read on the gateway thread.
    RoutingPage *routing = window.routingPage();
    QObject::connect(routing, &RoutingPage::refreshWanted, routing, [service, routing] {
        QMetaObject::invokeMethod(service, [service, page = QPointer<RoutingPage>(routing)] {
            QList<BreakerSnapshot> breakers = service->breakerSnapshot();
            QMetaObject::invokeMethod(page, [page, breakers = std::move(breakers)] {
                if (page)
                    page->setBreakers(breakers);
            });
        });
    });
    if (!url)
        routing->setUnavailable(QObject::tr("The gateway is not running."));

    auto setPaused = [&](bool paused) {
        QMetaObject::invokeMethod(service, [service, paused] { service->setPaused(paused); });
        setState(paused ? GatewayState::Paused : GatewayState::Running, {});
    };
    QObject::connect(&window, &MainWindow::pauseRequested, &window, setPaused);
    QObject::connect(&tray, &TrayController::pauseRequested, &tray, setPaused);

    // A changed config file applies without a restart; a broken one is reported and the one in force stays.
    ConfigReload reload(startup->config, startup->secrets, service, &writer, startup->pricingConfig);
    QObject::connect(&reload, &ConfigReload::applied, &reload, [&window](const QString &message) {
        qInfo().noquote() << "sluice:" << message;
        window.providersPage()->reload();
    });
    QObject::connect(&reload, &ConfigReload::failed, &tray, [&tray](const QString &message) {
        qWarning().noquote() << "sluice:" << message;
        tray.notify(QObject::tr("Sluice config"), message);
    });
    // Retention (logging.retention_days, logging.max_database_mb): pruned in the background, followed on reload.
    RetentionScheduler retention(startup->databasePath);
    const auto retentionOf = [](const Config &config) {
        return RetentionPolicy {config.logging.retentionDays, config.logging.maxDatabaseBytes};
    };
    retention.setPolicy(retentionOf(startup->config));
    retention.start();
    QObject::connect(&reload, &ConfigReload::configApplied, &retention,
                     [&retention, retentionOf](const Config &config) { retention.setPolicy(retentionOf(config)); });
    // Guardrail rules apply to the next request after a reload; the page shows the rules in force.
    QObject::connect(&reload, &ConfigReload::configApplied, &window, [&window](const Config &config) {
        window.guardrailsPage()->setRules(config.guardrails, config.sourcePath);
    });

    const int code = QApplication::exec();
    settings.setValue(QStringLiteral("window/geometry"), window.saveGeometry());
    // Requests in flight get gateway.shutdown_timeout_ms to finish on the gateway's thread; the window is gone.
    auto drained = std::make_shared<std::promise<void>>();
    std::future<void> finished = drained->get_future();
    QMetaObject::invokeMethod(service, [service, drained] { service->shutdown([drained] { drained->set_value(); }); });
    finished.wait_for(std::chrono::milliseconds(startup->config.gateway.shutdownTimeoutMs + 3000));
    QMetaObject::invokeMethod(
        service, [service] { service->stop(); }, Qt::BlockingQueuedConnection);
    gatewayThread.quit();
    gatewayThread.wait();
    telemetry->shutdown(startup->config.gateway.shutdownTimeoutMs);
    writer.stop();
    return code;
}

} // namespace sluice
