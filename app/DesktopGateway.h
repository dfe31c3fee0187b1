#pragma once

#include <functional>
#include <memory>

#include <QObject>
#include <QThread>
#include <QTimer>

#include "Startup.h"
#include "store/RequestLogWriter.h"
#include "ui/GatewayState.h"

namespace sluice {

class ConfigReload;
class GatewayService;
class MainWindow;
class RetentionScheduler;
class Telemetry;
class TrayController;

// The desktop app's serving side once a config loaded: the request log writer, the gateway on its worker thread,
// telemetry, config reload and retention, wired to the window and the tray. Made when the app starts, or later
// when a config that did not load at start is fixed; its destructor drains requests in flight and stops.
class DesktopGateway : public QObject
{
    Q_OBJECT
public:
    using StateSetter = std::function<void(GatewayState, const QString &)>;

    DesktopGateway(Startup startup, MainWindow &window, TrayController &tray, StateSetter setState);
    ~DesktopGateway() override;

    // Opens the log and starts listening on port (0: the config's). The state it reaches is shown either way.
    void start(int port);

private:
    void connectWindow();

    Startup m_startup;
    MainWindow &m_window;
    TrayController &m_tray;
    StateSetter m_setState;
    RequestLogWriter m_writer;
    bool m_writerOpen = false;
    QTimer m_spendEveryMinute;
    QTimer m_spendSoon;
    QThread m_gatewayThread;
    GatewayService *m_service = nullptr;
    std::unique_ptr<Telemetry> m_telemetry;
    std::unique_ptr<ConfigReload> m_reload;
    std::unique_ptr<RetentionScheduler> m_retention;
};

} // namespace sluice
