#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>

#include "ui/TrayController.h"

using namespace sluice;
using namespace std::chrono_literals;

class TestTrayController : public QObject
{
    Q_OBJECT

private:
    static QAction *action(const TrayController &tray, const char *name)
    {
        QAction *a = tray.menu()->findChild<QAction *>(QLatin1String(name));
        if (!a)
            qFatal("No action named %s", name);
        return a;
    }

private Q_SLOTS:
    void withoutATrayItFallsBackAfterWaiting()
    {
        QVERIFY(!QSystemTrayIcon::isSystemTrayAvailable()); // offscreen has none
        TrayController tray;
        tray.setWaitForTray(600ms);
        QSignalSpy unavailable(&tray, &TrayController::trayUnavailable);
        tray.start();
        // The desktop may still be starting: it keeps looking before giving up.
        QCOMPARE(unavailable.count(), 0);
        QTest::qWait(200);
        QCOMPARE(unavailable.count(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(unavailable.count(), 1, 3000);
        QVERIFY(!tray.isVisible());
        QTest::qWait(300);
        QCOMPARE(unavailable.count(), 1);
    }

    void tooltipSaysWhatTheGatewayIsDoing()
    {
        TrayController tray;
        tray.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341")));
        tray.setGatewayState(GatewayState::Running);
        tray.setRequestCount(12);
        QCOMPARE(tray.toolTip(), QStringLiteral("Sluice — running on http://127.0.0.1:7341 · 12 requests"));
        tray.setRequestCount(1);
        QCOMPARE(tray.toolTip(), QStringLiteral("Sluice — running on http://127.0.0.1:7341 · 1 request"));
        // Today's spend, once known, in the tooltip and (read-only) in the menu.
        auto *spend = tray.menu()->findChild<QAction *>(QStringLiteral("todaySpendAction"));
        QVERIFY(spend && !spend->isVisible());
        tray.setTodaySpend(0.0421, 2);
        QCOMPARE(tray.toolTip(),
                 QStringLiteral("Sluice — running on http://127.0.0.1:7341 · 1 request · $0.0421 today (+2 unpriced)"));
        QVERIFY(spend->isVisible() && !spend->isEnabled());
        QCOMPARE(spend->text(), QStringLiteral("Today: $0.0421 (+2 unpriced)"));
        tray.setTodaySpend(-1);
        const QImage running = tray.icon().pixmap(22, 22).toImage();

        tray.setGatewayState(GatewayState::Paused);
        QVERIFY(tray.toolTip().startsWith(QStringLiteral("Sluice — paused")));
        QVERIFY(tray.icon().pixmap(22, 22).toImage() != running);

        tray.setGatewayState(GatewayState::Error, QStringLiteral("port 7341 is already in use"));
        QCOMPARE(tray.toolTip(), QStringLiteral("Sluice — error: port 7341 is already in use"));
    }

    void budgetWarningsBecomeNotifications()
    {
        TrayController tray;
        QVERIFY(tray.lastNotification().isEmpty());
        tray.notify(QStringLiteral("Sluice budget"),
                    QStringLiteral("$0.379 of the monthly budget of token 'editor' ($2.00) is spent (19%)"));
        QCOMPARE(
            tray.lastNotification(),
            QStringLiteral("Sluice budget: $0.379 of the monthly budget of token 'editor' ($2.00) is spent (19%)"));
    }

    void menuActionsAskForWhatTheUserChose()
    {
        TrayController tray;
        tray.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
        tray.setGatewayState(GatewayState::Running);
        QSignalSpy open(&tray, &TrayController::openDashboardRequested);
        QSignalSpy pause(&tray, &TrayController::pauseRequested);
        QSignalSpy quit(&tray, &TrayController::quitRequested);

        action(tray, "openDashboardAction")->trigger();
        QCOMPARE(open.count(), 1);

        QAction *pauseAction = action(tray, "pauseAction");
        QCOMPARE(pauseAction->text(), QStringLiteral("Pause gateway"));
        pauseAction->trigger();
        QCOMPARE(pause.count(), 1);
        QCOMPARE(pause.last().first().toBool(), true);
        tray.setGatewayState(GatewayState::Paused);
        QCOMPARE(pauseAction->text(), QStringLiteral("Resume gateway"));
        pauseAction->trigger();
        QCOMPARE(pause.last().first().toBool(), false);

        QGuiApplication::clipboard()->clear();
        action(tray, "copyEndpointAction")->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("http://127.0.0.1:7341/v1"));

        action(tray, "quitAction")->trigger();
        QCOMPARE(quit.count(), 1);
    }
};

QTEST_MAIN(TestTrayController)
#include "tst_traycontroller.moc"
