#include "TrayController.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QMenu>

#include "Icons.h"
#include "RecordFormat.h"
#include "UiLogging.h"

namespace sluice {

namespace {
constexpr std::chrono::milliseconds RetryInterval {250};
}

TrayController::TrayController(QObject *parent)
    : QObject(parent)
    , m_menu(std::make_unique<QMenu>())
    , m_tray(new QSystemTrayIcon(this))
{
    m_openAction = m_menu->addAction(tr("Open dashboard"), this, &TrayController::openDashboardRequested);
    m_openAction->setObjectName(QStringLiteral("openDashboardAction"));
    QFont bold = m_openAction->font();
    bold.setBold(true);
    m_openAction->setFont(bold);
    m_spendAction = m_menu->addAction(QString());
    m_spendAction->setObjectName(QStringLiteral("todaySpendAction"));
    m_spendAction->setEnabled(false);
    m_spendAction->setVisible(false);
    m_menu->addSeparator();
    m_pauseAction
        = m_menu->addAction(QString(), this, [this] { Q_EMIT pauseRequested(m_state != GatewayState::Paused); });
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_copyAction = m_menu->addAction(tr("Copy endpoint URL"), this, &TrayController::copyEndpoint);
    m_copyAction->setObjectName(QStringLiteral("copyEndpointAction"));
    m_menu->addSeparator();
    m_quitAction = m_menu->addAction(tr("Quit Sluice"), this, &TrayController::quitRequested);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));

    m_tray->setContextMenu(m_menu.get());
    connect(m_tray, &QSystemTrayIcon::activated, this, &TrayController::onActivated);

    m_retry.setInterval(RetryInterval);
    connect(&m_retry, &QTimer::timeout, this, &TrayController::checkForTray);
    update();
}

TrayController::~TrayController()
{
    m_tray->hide();
}

void TrayController::start()
{
    m_waited = std::chrono::milliseconds(0);
    checkForTray();
}

void TrayController::checkForTray()
{
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_retry.stop();
        m_tray->show();
        return;
    }
    if (m_waited >= m_waitForTray) {
        m_retry.stop();
        qCInfo(lcUi) << "No system tray appeared; Sluice runs in its window instead.";
        Q_EMIT trayUnavailable();
        return;
    }
    m_waited += RetryInterval;
    if (!m_retry.isActive())
        m_retry.start();
}

bool TrayController::isVisible() const
{
    return m_tray->isVisible();
}

void TrayController::setEndpoint(const QUrl &endpoint)
{
    m_endpoint = endpoint;
    update();
}

void TrayController::setGatewayState(GatewayState state, const QString &message)
{
    m_state = state;
    m_stateMessage = message;
    update();
}

void TrayController::setRequestCount(qint64 count)
{
    m_requestCount = count;
    update();
}

void TrayController::setTodaySpend(double usd, qint64 unpriced)
{
    m_todayUsd = usd;
    m_todayUnpriced = unpriced;
    update();
}

QString TrayController::toolTip() const
{
    QString requests = RecordFormat::count(m_requestCount, tr("request"), tr("requests"));
    if (m_todayUsd >= 0)
        requests += tr(" · %1 today").arg(RecordFormat::usd(m_todayUsd))
            + (m_todayUnpriced > 0 ? tr(" (+%1 unpriced)").arg(m_todayUnpriced) : QString());
    switch (m_state) {
    case GatewayState::Starting:
        return tr("Sluice — starting");
    case GatewayState::Running:
        return tr("Sluice — running on %1 · %2").arg(m_endpoint.toString(), requests);
    case GatewayState::Paused:
        return tr("Sluice — paused (%1) · %2").arg(m_endpoint.toString(), requests);
    case GatewayState::Error:
        return m_stateMessage.isEmpty() ? tr("Sluice — error") : tr("Sluice — error: %1").arg(m_stateMessage);
    }
    return QStringLiteral("Sluice");
}

QIcon TrayController::icon() const
{
    return m_state == GatewayState::Running ? Icons::application() : Icons::applicationPaused();
}

void TrayController::update()
{
    const bool paused = m_state == GatewayState::Paused;
    m_pauseAction->setText(paused ? tr("Resume gateway") : tr("Pause gateway"));
    m_pauseAction->setEnabled(m_state == GatewayState::Running || paused);
    m_copyAction->setEnabled(!m_endpoint.isEmpty());
    m_spendAction->setVisible(m_todayUsd >= 0);
    if (m_todayUsd >= 0)
        m_spendAction->setText(tr("Today: %1").arg(RecordFormat::usd(m_todayUsd))
                               + (m_todayUnpriced > 0 ? tr(" (+%1 unpriced)").arg(m_todayUnpriced) : QString()));
    m_tray->setIcon(icon());
    m_tray->setToolTip(toolTip());
}

void TrayController::copyEndpoint()
{
    if (!m_endpoint.isEmpty())
        QGuiApplication::clipboard()->setText(m_endpoint.toString());
}

void TrayController::onActivated(QSystemTrayIcon::ActivationReason reason)
{
    if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
        Q_EMIT openDashboardRequested();
}

void TrayController::notify(const QString &title, const QString &message)
{
    m_lastNotification = title + QStringLiteral(": ") + message;
    if (m_tray->isVisible())
        m_tray->showMessage(title, message, QSystemTrayIcon::Warning);
}

} // namespace sluice
