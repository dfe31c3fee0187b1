#include "DesktopRunner.h"

#include <memory>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include "DesktopGateway.h"
#include "SingleInstance.h"
#include "Startup.h"
#include "UnixSignalWatcher.h"
#include "config/ConfigLoader.h"
#include "config/ConfigWatcher.h"
#include "ui/GuardrailsPage.h"
#include "ui/MainWindow.h"
#include "ui/ProvidersPage.h"
#include "ui/SettingsPage.h"
#include "ui/ThemeSetting.h"
#include "ui/TrayController.h"

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

// What the window, the tray and stderr say while the config keeps the gateway from starting.
QString notServing(QString reason)
{
    while (reason.endsWith(QLatin1Char('.')))
        reason.chop(1);
    return QObject::tr("The gateway is not serving: %1. It starts as soon as this is fixed (in the file, or on the "
                       "Providers & keys page).")
        .arg(reason);
}

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
    // The theme chosen on the Settings page, kept in the same file.
    if (const ThemeSetting::Choice theme = ThemeSetting::load(settings); theme != ThemeSetting::Choice::System)
        ThemeSetting::apply(theme);
    window.settingsPage()->setDesktopSettings(&settings);
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

    // The Providers & keys page edits the config file, also when the file is what keeps the gateway from starting.
    const QString configPath = options.configPath.isEmpty() ? ConfigLoader::defaultPath() : options.configPath;
    window.providersPage()->setConfigPath(configPath);
    window.guardrailsPage()->setConfigPath(configPath);

    std::unique_ptr<DesktopGateway> gateway;
    // Loads the config and starts serving; false while it does not load (or its keys cannot be read), said in the
    // window, the tray and on stderr.
    const auto startServing = [&]() -> bool {
        Result<Startup> startup = Startup::prepare(options);
        if (!startup) {
            const QString message = notServing(startup.errorMessage());
            qWarning().noquote() << "sluice:" << message;
            setState(GatewayState::Error, message);
            return false;
        }
        gateway = std::make_unique<DesktopGateway>(std::move(startup).value(), window, tray, setState);
        gateway->start(options.port);
        return true;
    };
    // A config that does not load at start is followed until it does: a hand edit, or a change made from the
    // Providers & keys page (a key stored in the keychain changes no file), starts the gateway then.
    std::unique_ptr<ConfigWatcher> waitForConfig;
    // The text before it is loaded: an edit made while it loads is then a change the watcher still sees.
    QFile current(configPath);
    const QByteArray startText = current.open(QIODevice::ReadOnly) ? current.readAll() : QByteArray();
    current.close();
    if (!startServing()) {
        waitForConfig = std::make_unique<ConfigWatcher>(configPath, startText);
        const auto retry = [&] {
            if (gateway || !startServing())
                return;
            // The gateway's own ConfigReload follows the file from now on.
            QTimer::singleShot(0, qApp, [&waitForConfig] { waitForConfig.reset(); });
        };
        QObject::connect(waitForConfig.get(), &ConfigWatcher::changed, qApp, retry);
        QObject::connect(window.providersPage(), &ProvidersPage::configChanged, waitForConfig.get(), retry);
        QObject::connect(waitForConfig.get(), &ConfigWatcher::invalid, qApp, [&](const QString &message) {
            qWarning().noquote() << "sluice:" << notServing(message);
            setState(GatewayState::Error, notServing(message));
        });
        // An edit made before the watcher was set up has no notice of its own.
        waitForConfig->check();
    }

    const int code = QApplication::exec();
    settings.setValue(QStringLiteral("window/geometry"), window.saveGeometry());
    waitForConfig.reset();
    // Requests in flight get gateway.shutdown_timeout_ms to finish on the gateway's thread; the window is gone.
    gateway.reset();
    return code;
}

} // namespace sluice
