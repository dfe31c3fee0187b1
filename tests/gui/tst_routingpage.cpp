#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "ui/BreakerStateModel.h"
#include "ui/MainWindow.h"
#include "ui/RecordFormat.h"
#include "ui/RoutingPage.h"

using namespace sluice;

namespace {
QList<BreakerSnapshot> breakers()
{
    BreakerSnapshot healthy;
    healthy.deployment = QStringLiteral("anthropic/claude-sonnet-4-5");
    healthy.state = QStringLiteral("closed");
    healthy.failureThreshold = 5;

    BreakerSnapshot open;
    open.deployment = QStringLiteral("openai/gpt-4.1");
    open.state = QStringLiteral("open");
    open.recentFailures = 0; // opening clears the count
    open.failureThreshold = 5;
    open.probeInMs = 12'400;
    open.lastFailure = QStringLiteral("server_error");
    open.lastFailureAgoMs = 17'600;

    BreakerSnapshot probing;
    probing.deployment = QStringLiteral("azure-east/gpt-4.1");
    probing.state = QStringLiteral("half_open");
    probing.failureThreshold = 5;
    probing.probeInFlight = true;
    probing.lastFailure = QStringLiteral("timeout");
    probing.lastFailureAgoMs = 31 * 60'000;

    BreakerSnapshot wobbly;
    wobbly.deployment = QStringLiteral("groq/llama-3.3-70b-versatile");
    wobbly.state = QStringLiteral("closed");
    wobbly.recentFailures = 2;
    wobbly.failureThreshold = 5;
    wobbly.lastFailure = QStringLiteral("rate_limit");
    wobbly.lastFailureAgoMs = 4'000;
    return {healthy, open, probing, wobbly};
}

QString cell(const BreakerStateModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}
} // namespace

class TestRoutingPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR)));
    }

    void eachBreakerReadsAsItsState()
    {
        BreakerStateModel model;
        model.setSnapshot(breakers());
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.trippedCount(), 2);

        QCOMPARE(cell(model, 0, BreakerStateModel::State), QStringLiteral("● Closed"));
        QCOMPARE(cell(model, 0, BreakerStateModel::Failures), QStringLiteral("0 of 5"));
        QCOMPARE(cell(model, 0, BreakerStateModel::LastFailure), QStringLiteral("none"));

        QCOMPARE(cell(model, 1, BreakerStateModel::State), QStringLiteral("● Open"));
        QCOMPARE(cell(model, 1, BreakerStateModel::Failures), QStringLiteral("reached 5"));
        QCOMPARE(cell(model, 1, BreakerStateModel::NextProbe), QStringLiteral("in 12 s"));
        QCOMPARE(cell(model, 1, BreakerStateModel::LastFailure), QStringLiteral("Server error, 18 s ago"));
        QCOMPARE(model.index(1, BreakerStateModel::State).data(Qt::ForegroundRole).value<QColor>(),
                 RecordFormat::color(RecordFormat::Tone::Failure, QApplication::palette()));

        QCOMPARE(cell(model, 2, BreakerStateModel::State), QStringLiteral("● Half-open (probing)"));
        QCOMPARE(cell(model, 2, BreakerStateModel::NextProbe), QStringLiteral("under way"));
        QCOMPARE(cell(model, 2, BreakerStateModel::LastFailure), QStringLiteral("Timeout, 31 min ago"));

        // Closed with failures building up: amber, so a deployment about to trip stands out.
        QCOMPARE(model.index(3, BreakerStateModel::State).data(Qt::ForegroundRole).value<QColor>(),
                 RecordFormat::color(RecordFormat::Tone::Warning, QApplication::palette()));
    }

    void refreshKeepsRowsInPlace()
    {
        BreakerStateModel model;
        model.setSnapshot(breakers());
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QList<BreakerSnapshot> later = breakers();
        later[1].probeInMs = 11'400;
        model.setSnapshot(later);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(cell(model, 1, BreakerStateModel::NextProbe), QStringLiteral("in 11 s"));
        later.removeLast();
        model.setSnapshot(later);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 3);
    }

    void pageAsksForStateWhileShownAndSaysWhatIsTripped()
    {
        MainWindow window;
        window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
        window.setGatewayState(GatewayState::Running);
        window.resize(1280, 640);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        RoutingPage *page = window.routingPage();
        QSignalSpy wanted(page, &RoutingPage::refreshWanted);
        QVERIFY(!page->isVisible());
        QCOMPARE(wanted.count(), 0);

        window.showPage(MainWindow::Page::Routing);
        QVERIFY(page->isVisible());
        QCOMPARE(wanted.count(), 1); // at once when shown, then every second
        QVERIFY(wanted.wait(3000));
        page->setBreakers(breakers());
        auto *summary = page->findChild<QLabel *>(QStringLiteral("routingSummary"));
        QVERIFY(summary->text().contains(QLatin1String("2 of 4 deployments skipped or being probed")));
        QVERIFY(!page->findChild<QLabel *>(QStringLiteral("routingEmptyState"))->isVisible());
        QCOMPARE(page->findChild<QTableView *>(QStringLiteral("breakerTable"))->model()->rowCount(), 4);
        QVERIFY(window.grab().save(
            QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QStringLiteral("routing-page.png"))));

        window.showPage(MainWindow::Page::Live);
        const int afterHide = int(wanted.count());
        QTest::qWait(1200);
        QCOMPARE(wanted.count(), afterHide); // nothing polls the gateway while the page is hidden

        page->setUnavailable(QStringLiteral("The gateway is not running."));
        QCOMPARE(page->model()->rowCount(), 0);
        QVERIFY(summary->text().contains(QLatin1String("The gateway is not running.")));
    }
};

QTEST_MAIN(TestRoutingPage)
#include "tst_routingpage.moc"
