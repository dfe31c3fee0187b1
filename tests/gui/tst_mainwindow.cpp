#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "GuiTestRecords.h"
#include "store/RequestLogWriter.h"
#include "ui/LiveRequestsModel.h"
#include "ui/MainWindow.h"
#include "ui/RequestDetailPane.h"

using namespace sluice;
using sluice::test::GuiTestRecords;

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    template<typename T>
    static T *child(const QWidget &window, const char *name)
    {
        T *widget = window.findChild<T *>(QLatin1String(name));
        if (!widget)
            qFatal("No child named %s", name);
        return widget;
    }
    static QString bodyText(const QWidget &window, const char *name)
    {
        return child<QPlainTextEdit>(window, name)->toPlainText();
    }
    // Selects the table row showing the record with that id, as a click would.
    static bool selectRecord(MainWindow &window, const QString &id)
    {
        auto *table = child<QTableView>(window, "liveTable");
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            if (table->model()->index(row, 0).data(LiveRequestsModel::IdRole).toString() == id) {
                table->scrollTo(table->model()->index(row, 0));
                table->selectRow(row);
                return true;
            }
        }
        return false;
    }
    static void populate(MainWindow &window, const RequestRecords &records)
    {
        // As the store writer delivers them: a few batches.
        window.appendRecords(records.mid(0, 8));
        window.appendRecords(records.mid(8, 7));
        window.appendRecords(records.mid(15));
        window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
        window.setGatewayState(GatewayState::Running);
    }
    static QString screenshotPath(const char *name)
    {
        return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
    }
    static void showForScreenshot(MainWindow &window)
    {
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *splitter = child<QSplitter>(window, "liveSplitter");
        splitter->setSizes({430, 400});
        QCoreApplication::processEvents();
    }
    static const RequestRecord &findRecord(const RequestRecords &records,
                                           const std::function<bool(const RequestRecord &)> &p)
    {
        return *std::find_if(records.begin(), records.end(), p);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR)));
    }

    void showsLiveRequestsAndTheSelectedOnesDetail()
    {
        const RequestRecords records = GuiTestRecords::sample();
        QCOMPARE(records.size(), 20);
        MainWindow window;
        QCOMPARE(window.windowTitle(), QStringLiteral("Sluice"));
        QSignalSpy countChanged(&window, &MainWindow::requestCountChanged);
        populate(window, records);
        showForScreenshot(window);

        auto *table = child<QTableView>(window, "liveTable");
        QCOMPARE(table->model()->rowCount(), 20);
        // Newest first.
        QCOMPARE(table->model()->index(0, 0).data(LiveRequestsModel::IdRole).toString(), records.last().id);
        QCOMPARE(window.requestCount(), 20);
        QCOMPARE(countChanged.last().first().toLongLong(), 20);
        QCOMPARE(child<QLabel>(window, "requestCount")->text(), QStringLiteral("20 requests"));
        QVERIFY(child<QLabel>(window, "gatewayState")->text().contains(QStringLiteral("Running")));
        QCOMPARE(child<QLabel>(window, "endpoint")->text(), QStringLiteral("http://127.0.0.1:7341/v1"));

        // A non-streamed request: pretty JSON on both sides.
        const RequestRecord &plain = findRecord(
            records, [](const RequestRecord &r) { return !r.stream && r.provider == QLatin1String("deepseek"); });
        QVERIFY(selectRecord(window, plain.id));
        QCOMPARE(window.findChild<RequestDetailPane *>()->recordId(), plain.id);
        QVERIFY(bodyText(window, "requestBody").startsWith(QStringLiteral("{\n  \"model\": \"deepseek-chat\",\n")));
        QVERIFY(bodyText(window, "responseBody").contains(QStringLiteral("\n  \"choices\": [\n")));

        // The streamed one: its events, and the text they assembled.
        const RequestRecord &streamed = findRecord(records, [](const RequestRecord &r) {
            return r.stream && r.provider == QLatin1String("openai") && r.inputTokens > 1000;
        });
        QVERIFY(selectRecord(window, streamed.id));
        QVERIFY(bodyText(window, "assembledText").startsWith(QStringLiteral("**Holiday Name:**")));
        QVERIFY(bodyText(window, "responseBody").split(QLatin1Char('\n')).size() > 20);

        QCoreApplication::processEvents();
        // Its one attempt replaced the previous request's in the timeline, on screen.
        auto *decision = child<QLabel>(window, "attempt1Decision");
        QVERIFY(!window.findChild<QLabel *>(QStringLiteral("attempt2Decision")));
        QVERIFY(decision->isVisible());
        QCOMPARE(decision->text(), QStringLiteral("Done"));
        auto *timeline = child<QWidget>(window, "attemptTimeline");
        QVERIFY(timeline->visibleRegion().boundingRect().contains(
            QRect(decision->mapTo(timeline, QPoint(0, 0)), decision->size())));
        QVERIFY(window.grab().save(screenshotPath("main-window.png")));
        QVERIFY(window.findChild<RequestDetailPane *>()->grab().save(screenshotPath("request-detail.png")));
    }

    void fallbackShowsItsAttemptTimeline()
    {
        const RequestRecords records = GuiTestRecords::sample();
        MainWindow window;
        populate(window, records);
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        child<QSplitter>(window, "liveSplitter")->setSizes({330, 500});
        const RequestRecord &story = findRecord(records, [](const RequestRecord &r) { return r.attempts.size() == 3; });

        auto *table = child<QTableView>(window, "liveTable");
        QVERIFY(selectRecord(window, story.id));
        const QModelIndex selected = table->selectionModel()->selectedRows(LiveRequestsModel::Attempts).first();
        QCOMPARE(selected.data().toString(), QStringLiteral("3"));
        QVERIFY(selected.data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(table->selectionModel()->selectedRows(LiveRequestsModel::Cost).first().data().toString(),
                 QStringLiteral("$0.0098"));
        QCoreApplication::processEvents();

        // Every attempt is on screen without scrolling, its reason in full.
        auto *timeline = child<QWidget>(window, "attemptTimeline");
        for (const char *name : {"attempt1Reason", "attempt2Reason", "attempt3Decision"}) {
            auto *label = child<QLabel>(window, name);
            QVERIFY2(label->isVisible(), name);
            const QRect inTimeline(label->mapTo(timeline, QPoint(0, 0)), label->size());
            QVERIFY2(timeline->visibleRegion().boundingRect().contains(inTimeline), name);
        }
        QCOMPARE(child<QLabel>(window, "attempt2Decision")->text(), QStringLiteral("Fallback"));
        QVERIFY(window.grab().save(screenshotPath("request-fallback-timeline.png")));
    }

    void searchBoxFiltersTheTable()
    {
        MainWindow window;
        populate(window, GuiTestRecords::sample());
        window.show();
        auto *table = child<QTableView>(window, "liveTable");
        auto *search = child<QLineEdit>(window, "search");
        QTest::keyClicks(search, QStringLiteral("502"));
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, LiveRequestsModel::Status).data().toString(),
                 QStringLiteral("502 Upstream error"));
        QCOMPARE(child<QLabel>(window, "shownCount")->text(), QStringLiteral("1 of 20 rows"));
        search->clear();
        QCOMPARE(table->model()->rowCount(), 20);
        QVERIFY(!child<QLabel>(window, "emptyState")->isVisible());
        QTest::keyClicks(search, QStringLiteral("claude-3-opus"));
        QCOMPARE(table->model()->rowCount(), 0);
        QVERIFY(child<QLabel>(window, "emptyState")->isVisible());
        QCOMPARE(child<QLabel>(window, "emptyState")->text(), QStringLiteral("No requests match “claude-3-opus”."));
    }

    void emptyWindowSaysWhereToPointClients()
    {
        MainWindow window;
        window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
        window.setGatewayState(GatewayState::Running);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *hint = child<QLabel>(window, "emptyState");
        QVERIFY(hint->isVisible());
        QVERIFY(hint->text().contains(QStringLiteral("http://127.0.0.1:7341/v1")));
        QCOMPARE(child<QLabel>(window, "requestCount")->text(), QStringLiteral("0 requests"));
        QVERIFY(window.grab().save(screenshotPath("main-window-empty.png")));
        window.appendRecords({GuiTestRecords::record(QStringLiteral("first"), GuiTestRecords::baseTime())});
        QVERIFY(!hint->isVisible());
        QCOMPARE(child<QLabel>(window, "requestCount")->text(), QStringLiteral("1 request"));
    }

    void pauseAndCopyEndpointActions()
    {
        MainWindow window;
        window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
        window.setGatewayState(GatewayState::Running);
        QSignalSpy pause(&window, &MainWindow::pauseRequested);
        auto *pauseAction = window.findChild<QAction *>(QStringLiteral("pauseAction"));
        QVERIFY(pauseAction);
        QCOMPARE(pauseAction->text(), QStringLiteral("Pause gateway"));
        pauseAction->trigger();
        QCOMPARE(pause.count(), 1);
        QCOMPARE(pause.last().first().toBool(), true);

        window.setGatewayState(GatewayState::Paused);
        QCOMPARE(pauseAction->text(), QStringLiteral("Resume gateway"));
        QVERIFY(child<QLabel>(window, "gatewayState")->text().contains(QStringLiteral("Paused")));
        pauseAction->trigger();
        QCOMPARE(pause.last().first().toBool(), false);

        QGuiApplication::clipboard()->clear();
        window.findChild<QAction *>(QStringLiteral("copyEndpointAction"))->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("http://127.0.0.1:7341/v1"));

        QSignalSpy quit(&window, &MainWindow::quitRequested);
        window.findChild<QAction *>(QStringLiteral("quitAction"))->trigger();
        QCOMPARE(quit.count(), 1);
    }

    void gatewayErrorIsShownInTheWindow()
    {
        MainWindow window;
        window.show();
        const QString message = QStringLiteral("Port 7341 on 127.0.0.1 is already in use; choose another with --port.");
        window.setGatewayState(GatewayState::Error, message);
        QVERIFY(child<QLabel>(window, "gatewayState")
                    ->text()
                    .contains(QStringLiteral("Error: ") + message.toHtmlEscaped()));
        auto *banner = child<QLabel>(window, "banner");
        QVERIFY(banner->isVisible());
        QVERIFY(banner->text().contains(message));
        QVERIFY(!window.findChild<QAction *>(QStringLiteral("pauseAction"))->isEnabled());
        window.setGatewayState(GatewayState::Running);
        QVERIFY(!banner->isVisible());
    }

    void loadsHistoryAndBodiesFromTheRequestLog()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("requests.sqlite"));
        const RequestRecords records = GuiTestRecords::sample();
        {
            RequestLogWriter writer;
            QVERIFY2(writer.open(path).ok(), "cannot open the request log");
            for (const RequestRecord &r : records.mid(0, 15))
                writer.append(r);
            writer.flush();
            writer.stop();
        }

        MainWindow window;
        QSignalSpy countChanged(&window, &MainWindow::requestCountChanged);
        window.setDatabasePath(path);
        // Live records may arrive before the history: counted once, shown once.
        window.appendRecords(records.mid(14, 6));
        QTRY_COMPARE(window.liveModel()->rowCount(), 20);
        QTRY_COMPARE(window.requestCount(), 20);
        QCOMPARE(window.liveModel()->record(0).id, records.last().id);
        QCOMPARE(window.liveModel()->record(19).id, records.first().id);

        // An older row's bodies are not in memory: selecting it loads them off the GUI thread.
        window.show();
        const RequestRecord &old = records.at(3);
        QVERIFY(!window.liveModel()->hasBodies(16));
        QVERIFY(selectRecord(window, old.id));
        QTRY_VERIFY(bodyText(window, "requestBody").startsWith(QStringLiteral("{\n  \"model\": \"deepseek-chat\",\n")));
        QVERIFY(bodyText(window, "responseBody").contains(QStringLiteral("\"chat.completion\"")));

        // The log lists the retried 502 with its attempt count; its timeline arrives with its bodies.
        const RequestRecord &retried = records.at(6);
        QCOMPARE(retried.httpStatus, 502);
        auto *table = child<QTableView>(window, "liveTable");
        QVERIFY(selectRecord(window, retried.id));
        QCOMPARE(table->selectionModel()->selectedRows(LiveRequestsModel::Attempts).first().data().toString(),
                 QStringLiteral("2"));
        QTRY_VERIFY(window.findChild<QLabel *>(QStringLiteral("attempt2Decision")));
        QCOMPARE(child<QLabel>(window, "attempt2Decision")->text(), QStringLiteral("Give up"));
        QCOMPARE(child<QLabel>(window, "attempt1Wait")->text(), QStringLiteral("480 ms"));
        QCOMPARE(child<QLabel>(window, "attempt2Reason")->text(), retried.attempts.at(1).reason);
        QVERIFY(!window.findChild<QLabel *>(QStringLiteral("attemptsMessage")));
    }

    void followsADarkPalette()
    {
        const QPalette original = QApplication::palette();
        QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            const RequestRecords records = GuiTestRecords::sample();
            MainWindow window;
            populate(window, records);
            showForScreenshot(window);
            const RequestRecord &streamed = findRecord(records, [](const RequestRecord &r) {
                return r.stream && r.provider == QLatin1String("openai") && r.inputTokens > 1000;
            });
            QVERIFY(selectRecord(window, streamed.id));
            QCoreApplication::processEvents();
            auto *table = child<QTableView>(window, "liveTable");
            QCOMPARE(table->palette().color(QPalette::Base), GuiTestRecords::darkPalette().color(QPalette::Base));
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath("main-window-dark.png")));
            // The table's empty background really is dark, not a light default.
            QVERIFY(shot.pixelColor(table->mapTo(&window, QPoint(table->width() / 2, table->height() - 4))).lightnessF()
                    < 0.3);
        }
        QApplication::setPalette(original);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
