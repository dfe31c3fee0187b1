#include "DesktopGateway.h"

#include <chrono>
#include <future>

#include <QPointer>

#include "ConfigReload.h"
#include "cost/SpendReport.h"
#include "gateway/GatewayService.h"
#include "store/LogRetention.h"
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
#include "ui/compare/ComparePage.h"
#include "ui/spend/SpendPage.h"
#include "ui/spend/WhatIfPanel.h"

namespace sluice {

namespace {

// The config's budgets and those of tokens made with `sluice token create --budget`, as the gateway's admission
// reads them.
QStringList modelNames(const Config &config)
{
    QStringList names;
    for (const ModelRoute &model : config.models)
        names.append(model.name);
    return names;
}

QList<BudgetLimit> budgetsOf(const Startup &startup)
{
    QList<BudgetLimit> budgets = startup.config.budgets.limits;
    TokenStore tokenStore;
    if (!tokenStore.open(startup.databasePath, SqliteConnection::Mode::ReadOnly))
        return budgets;
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
    return budgets;
}

} // namespace

DesktopGateway::DesktopGateway(Startup startup, MainWindow &window, TrayController &tray, StateSetter setState)
    : m_startup(std::move(startup))
    , m_window(window)
    , m_tray(tray)
    , m_setState(std::move(setState))
{ }

void DesktopGateway::start(int port)
{
    if (!m_startup.firstRunNotice.isEmpty())
        qInfo().noquote() << "sluice:" << m_startup.firstRunNotice;
    if (m_startup.store.isPostgres())
        qInfo().noquote() << "sluice: the window shows the team database" << m_startup.store.describe()
                          << "read-only; this machine's own gateway logs to" << m_startup.databasePath
                          << "(docs/team.md)";
    m_writer.setSecretScrubber(std::make_shared<const SecretScrubber>(m_startup.secrets.scrubber()));
    if (Result<void> opened = m_writer.open(m_startup.databasePath); !opened) {
        qWarning().noquote() << "sluice:" << opened.errorMessage();
        m_setState(GatewayState::Error, opened.errorMessage());
        return;
    }
    m_writerOpen = true;
    connect(&m_writer, &RequestLogWriter::batchCommitted, &m_window, &MainWindow::appendRecords);
    connect(&m_writer, &RequestLogWriter::writeFailed, this,
            [this](const QString &message) { m_setState(GatewayState::Error, message); });
    m_window.setDatabasePath(m_startup.databasePath);
    if (m_startup.store.isPostgres())
        m_window.setTeamStore(m_startup.store);
    // The Spend page shows the budgets; the gateway announces soft thresholds, the page the limits.
    m_window.spendPage()->setBudgets(budgetsOf(m_startup), m_startup.config.budgets.softFraction);
    connect(m_window.spendPage(), &SpendPage::budgetNotice, this,
            [this](const QString &title, const QString &message) { m_tray.notify(title, message); });
    m_window.guardrailsPage()->setRules(m_startup.config.guardrails, m_startup.config.sourcePath);
    // The Compare page offers the configured model names, as they are after a reload.
    m_window.comparePage()->setModelNames(modelNames(m_startup.config));
    m_window.spendPage()->whatIfPanel()->setPriceSources(m_startup.config, m_startup.prices);
    m_window.comparePage()->whatIfPanel()->setPriceSources(m_startup.config, m_startup.prices);

    // Today's spend in the tray, read off the GUI thread: every minute, and a few seconds after requests are logged.
    const auto refreshSpend = [tray = QPointer<TrayController>(&m_tray), database = m_startup.databasePath] {
        runInBackground<Result<SpendSummary>>(
            tray,
            [database]() -> Result<SpendSummary> {
                SpendReport report(database);
                if (Result<void> opened = report.open(); !opened)
                    return opened.error();
                const auto [from, to] = SpendReport::day(QDateTime::currentDateTime());
                return report.summarize(from, to);
            },
            [tray](const Result<SpendSummary> &spend) {
                if (spend && tray)
                    tray->setTodaySpend(spend->total.costUsd, spend->total.unpriced);
            });
    };
    connect(&m_spendEveryMinute, &QTimer::timeout, this, refreshSpend);
    m_spendEveryMinute.start(60'000);
    m_spendSoon.setSingleShot(true);
    m_spendSoon.setInterval(3000);
    connect(&m_spendSoon, &QTimer::timeout, this, refreshSpend);
    connect(&m_writer, &RequestLogWriter::batchCommitted, this, [this] {
        if (!m_spendSoon.isActive())
            m_spendSoon.start();
    });
    refreshSpend();
    m_window.clientsPage()->setPaths(m_startup.config.sourcePath, m_startup.databasePath);
    m_window.settingsPage()->setPaths(m_startup.config.sourcePath, m_startup.databasePath);
    m_window.providersPage()->setDatabasePath(m_startup.databasePath);
    m_window.providersPage()->reload();
    // First run (nothing to serve yet): the window opens on the getting-started steps.
    if (m_startup.config.providers.isEmpty() || m_startup.config.models.isEmpty())
        m_window.showPage(MainWindow::Page::Providers);

    m_gatewayThread.setObjectName(QStringLiteral("gateway"));
    m_service = new GatewayService(m_startup.config, m_startup.secrets);
    // Metrics and trace export (docs/observability.md) run on their own thread, fed as records are logged.
    m_telemetry = m_startup.startTelemetry(m_writer);
    m_service->setMetrics(m_telemetry->metrics());
    m_service->setRecordSink(m_startup.logSink(m_writer, *m_telemetry));
    // Tokens, budgets and the response cache open with the gateway (on its thread); the writer above has migrated
    // the database.
    m_service->setDatabasePath(m_startup.databasePath);
    m_service->setPriceCatalog(m_startup.prices);
    // Budgets price requests with the catalog in force: `sluice prices update` applies without a restart.
    connect(m_startup.livePrices.get(), &LivePriceCatalog::catalogChanged, m_service,
            [service = m_service, live = m_startup.livePrices] { service->setPriceCatalog(live->current()); });
    connect(m_service, &GatewayService::budgetWarning, this,
            [this](const QString &message) { m_tray.notify(QStringLiteral("Sluice budget"), message); });
    m_service->moveToThread(&m_gatewayThread);
    connect(&m_gatewayThread, &QThread::finished, m_service, &QObject::deleteLater);
    m_gatewayThread.start();

    Result<QUrl> url = makeError(QString());
    GatewayService *service = m_service;
    QMetaObject::invokeMethod(
        service, [&] { url = service->start(port); }, Qt::BlockingQueuedConnection);
    if (url) {
        m_window.setEndpoint(url.value());
        m_window.clientsPage()->setEndpoint(url.value());
        m_tray.setEndpoint(url.value());
        m_setState(GatewayState::Running, {});
        qInfo().noquote() << "sluice: the gateway is listening on" << url->toString();
    } else {
        qWarning().noquote() << "sluice:" << url.errorMessage();
        m_setState(GatewayState::Error, url.errorMessage());
    }

    // The routing page asks for the breakers every second while shown; they are read on the gateway thread.
    RoutingPage *routing = m_window.routingPage();
    connect(routing, &RoutingPage::refreshWanted, this, [service, routing] {
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

    auto setPaused = [this, service](bool paused) {
        QMetaObject::invokeMethod(service, [service, paused] { service->setPaused(paused); });
        m_setState(paused ? GatewayState::Paused : GatewayState::Running, {});
    };
    connect(&m_window, &MainWindow::pauseRequested, this, setPaused);
    connect(&m_tray, &TrayController::pauseRequested, this, setPaused);

    // A changed config file applies without a restart; a broken one is reported and the one in force stays.
    m_reload = std::make_unique<ConfigReload>(m_startup.config, m_startup.secrets, m_service, &m_writer,
                                              m_startup.pricingConfig);
    connect(m_reload.get(), &ConfigReload::applied, this, [this](const QString &message) {
        qInfo().noquote() << "sluice:" << message;
        m_window.providersPage()->reload();
    });
    connect(m_reload.get(), &ConfigReload::failed, this, [this](const QString &message) {
        qWarning().noquote() << "sluice:" << message;
        m_tray.notify(QObject::tr("Sluice config"), message);
    });
    // Retention (logging.retention_days, logging.max_database_mb): pruned in the background, followed on reload.
    m_retention = std::make_unique<RetentionScheduler>(m_startup.databasePath);
    const auto retentionOf = [](const Config &config) {
        return RetentionPolicy {config.logging.retentionDays, config.logging.maxDatabaseBytes};
    };
    m_retention->setPolicy(retentionOf(m_startup.config));
    m_retention->start();
    connect(m_reload.get(), &ConfigReload::configApplied, this,
            [this, retentionOf](const Config &config) { m_retention->setPolicy(retentionOf(config)); });
    // After a reload the Guardrails page shows the rules in force (they apply to the next request) and the Compare
    // page offers the models configured now.
    connect(m_reload.get(), &ConfigReload::configApplied, this, [this](const Config &config) {
        m_window.guardrailsPage()->setRules(config.guardrails, config.sourcePath);
        m_window.comparePage()->setModelNames(modelNames(config));
    });
    // The What-if tab offers the models and prices in force.
    connect(m_reload.get(), &ConfigReload::configApplied, this,
            [this, live = m_startup.livePrices](const Config &config) {
                m_window.spendPage()->whatIfPanel()->setPriceSources(config, live->current());
                m_window.comparePage()->whatIfPanel()->setPriceSources(config, live->current());
            });
}

DesktopGateway::~DesktopGateway()
{
    m_reload.reset();
    m_retention.reset();
    if (m_service) {
        // Requests in flight get gateway.shutdown_timeout_ms to finish on the gateway's thread; the window is gone.
        GatewayService *service = m_service;
        auto drained = std::make_shared<std::promise<void>>();
        std::future<void> finished = drained->get_future();
        QMetaObject::invokeMethod(service,
                                  [service, drained] { service->shutdown([drained] { drained->set_value(); }); });
        finished.wait_for(std::chrono::milliseconds(m_startup.config.gateway.shutdownTimeoutMs + 3000));
        QMetaObject::invokeMethod(
            service, [service] { service->stop(); }, Qt::BlockingQueuedConnection);
        m_gatewayThread.quit();
        m_gatewayThread.wait();
    }
    if (m_telemetry)
        m_telemetry->shutdown(m_startup.config.gateway.shutdownTimeoutMs);
    if (m_writerOpen)
        m_writer.stop();
}

} // namespace sluice
