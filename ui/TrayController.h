#pragma once

#include <chrono>
#include <memory>

#include <QObject>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QUrl>

#include "GatewayState.h"

class QAction;
class QMenu;

namespace sluice {

// The tray icon: the gateway's state at a glance, and its menu (open the dashboard, pause or resume, copy the
// endpoint URL, quit). A desktop may still be starting when Sluice autostarts, so start() keeps checking for a
// system tray for a while before it gives up and emits trayUnavailable().
class TrayController : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds DefaultWaitForTray {8000};

    explicit TrayController(QObject *parent = nullptr);
    ~TrayController() override;

    // How long start() keeps looking for a system tray.
    void setWaitForTray(std::chrono::milliseconds wait) { m_waitForTray = wait; }
    // Shows the icon as soon as a system tray is available; emits trayUnavailable() if none appears in time.
    void start();
    bool isVisible() const;

    void setEndpoint(const QUrl &endpoint);
    void setGatewayState(sluice::GatewayState state, const QString &message = {});
    void setRequestCount(qint64 count);
    // Today's spend (known costs) and the requests whose cost is unknown, for the tooltip and the menu.
    void setTodaySpend(double usd, qint64 unpriced = 0);

    // A desktop notification from the tray icon (e.g. a budget's soft threshold); kept as lastNotification().
    void notify(const QString &title, const QString &message);
    QString lastNotification() const { return m_lastNotification; }

    QString toolTip() const;
    QIcon icon() const;
    QMenu *menu() const { return m_menu.get(); }

public Q_SLOTS:
    void copyEndpoint();

Q_SIGNALS:
    void openDashboardRequested();
    void pauseRequested(bool paused);
    void quitRequested();
    // No system tray appeared: show the window, and let closing it quit.
    void trayUnavailable();

private:
    void checkForTray();
    void update();
    void onActivated(QSystemTrayIcon::ActivationReason reason);

    std::unique_ptr<QMenu> m_menu;
    QSystemTrayIcon *m_tray;
    QAction *m_openAction;
    QAction *m_pauseAction;
    QAction *m_copyAction;
    QAction *m_quitAction;
    QAction *m_spendAction;
    QTimer m_retry;
    std::chrono::milliseconds m_waitForTray = DefaultWaitForTray;
    std::chrono::milliseconds m_waited {0};

    QUrl m_endpoint;
    GatewayState m_state = GatewayState::Starting;
    QString m_stateMessage;
    qint64 m_requestCount = 0;
    double m_todayUsd = -1; // unknown until set
    qint64 m_todayUnpriced = 0;
    QString m_lastNotification;
};

} // namespace sluice
