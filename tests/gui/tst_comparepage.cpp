#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "../integration/GatewayFixture.h"
#include "GuiTestRecords.h"
#include "compare/CompareRunStore.h"
#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "cost/RequestCost.h"
#include "store/PromptStore.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"
#include "ui/LiveRequestsModel.h"
#include "ui/MainWindow.h"
#include "ui/RequestDetailPane.h"
#include "ui/compare/CompareColumnView.h"
#include "ui/compare/CompareDiffView.h"
#include "ui/compare/ComparePage.h"
#include "ui/prompts/PromptsPage.h"
#include "ui/spend/WhatIfPanel.h"

using namespace sluice;
using namespace sluice::test;

// The Compare page against a real gateway (mock upstream behind it) logging into a real database: three models
// side by side with their figures from the logged rows, a diff, saved runs, and the live table's "Replay on
// other models…". Screenshots in light and dark.
class TestComparePage : public QObject
{
    Q_OBJECT

private:
    static QString screenshotPath(const char *name)
    {
        return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
    }

    // A gateway whose records are priced with the built-in catalog and logged in m_path.
    std::unique_ptr<GatewayFixture> gateway(RequestLogWriter &writer)
    {
        FixtureExtras extras;
        extras.beforeStart = [&writer](GatewayService &service) {
            service.setRecordSink([&writer](RequestRecord &&record) {
                static const PriceCatalog catalog = PriceCatalog::builtIn().value();
                static const Config config;
                priceRecord(record, catalog, config);
                writer.append(std::move(record));
            });
        };
        return std::make_unique<GatewayFixture>(QByteArray(), extras);
    }

    void runThreeModels(MainWindow &window, const char *screenshot, const char *detailShot)
    {
        RequestLogWriter writer;
        QVERIFY(writer.open(m_path).ok());
        auto fixture = gateway(writer);
        connect(&writer, &RequestLogWriter::batchCommitted, &window, &MainWindow::appendRecords);
        window.setEndpoint(fixture->url(QStringLiteral("/")));
        ComparePage *page = window.comparePage();
        page->setModelNames({QStringLiteral("gpt-test"), QStringLiteral("claude-test"), QStringLiteral("gemini-test")});
        window.showPage(MainWindow::Page::Compare);
        page->useTypedPrompt(QStringLiteral("Invent a holiday, then say how you are."));
        page->setModels({{QStringLiteral("gpt-test"), {}},
                         {QStringLiteral("claude-test"), {{QStringLiteral("temperature"), 0.2}}},
                         {QStringLiteral("gemini-test"), {}}});
        QSignalSpy idle(page, &ComparePage::idle);
        QVERIFY(page->runButton()->isEnabled());
        QTest::mouseClick(page->runButton(), Qt::LeftButton);
        QVERIFY(page->isRunning());
        QVERIFY(page->cancelButton()->isEnabled());
        // The GUI thread stays free while the models answer: the run ends, then its rows complete the columns.
        QTRY_VERIFY_WITH_TIMEOUT(!page->isRunning(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(page->savedRuns()->count() >= 1, 10000);
        const CompareRunResult &run = page->shownRun();
        QCOMPARE(run.columns.size(), 3);
        for (const CompareColumn &column : run.columns) {
            QVERIFY2(column.state == CompareColumn::State::Done, qPrintable(column.error));
            QVERIFY(column.costUsd >= 0 || column.costStatus == QLatin1String("unpriced"));
            QVERIFY(!column.provider.isEmpty()); // from the logged row
        }
        QCOMPARE(page->columnViews().size(), 3);
        QVERIFY(page->columnViews().at(0)->outputText().startsWith(QLatin1String("**Holiday Name:**")));
        QVERIFY(page->columnViews().at(1)->outputText().startsWith(QLatin1String("Hello!")));
        QVERIFY(page->columnViews().at(0)->figuresText().contains(QLatin1String("TTFT")));
        page->diffView()->select(1, 2);
        QVERIFY(page->diffView()->summaryText().contains(QLatin1String("% of the words shared")));
        QVERIFY(page->diffView()->diffHtml().contains(QLatin1String("line-through")));
        QTest::qWait(150);
        QVERIFY(window.grab().save(screenshotPath(screenshot)));

        // Replay a logged row from the live table: Compare opens with its exact body.
        QTRY_VERIFY_WITH_TIMEOUT(window.liveModel()->rowCount() >= 3, 5000);
        RequestLogReader reader(m_path);
        const Result<RequestRecord> logged = reader.byId(run.columns.at(1).requestId);
        QVERIFY(logged.ok());
        auto *detail = window.findChild<RequestDetailPane *>(QStringLiteral("detailPane"));
        QVERIFY(detail);
        detail->showRecord(logged.value());
        QVERIFY(detail->replayButton()->isEnabled());
        window.showPage(MainWindow::Page::Live);
        if (detailShot) {
            QTest::qWait(100);
            QVERIFY(window.grab().save(screenshotPath(detailShot)));
        }
        // One click: Compare opens with its exact body and answers it on three models, the original first.
        const qsizetype savedBefore = page->savedRuns()->count();
        QTest::mouseClick(detail->replayButton(), Qt::LeftButton);
        QVERIFY(page->sourceLabel()->text().contains(logged->id.left(8)));
        QVERIFY(page->promptEdit()->isReadOnly());
        QCOMPARE(QJsonDocument::fromJson(page->promptEdit()->toPlainText().toUtf8()),
                 QJsonDocument::fromJson(logged->requestBody));
        QVERIFY(page->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!page->isRunning(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(page->savedRuns()->count() > savedBefore, 10000);
        const CompareRunResult &replayed = page->shownRun();
        QCOMPARE(replayed.columns.size(), 3);
        QCOMPARE(replayed.columns.at(0).model.model, logged->requestedModel);
        for (const CompareColumn &column : replayed.columns)
            QVERIFY2(column.state == CompareColumn::State::Done, qPrintable(column.error));
        if (detailShot) {
            QTest::qWait(150);
            QVERIFY(window.grab().save(screenshotPath("compare-replay-result.png")));
        }
        fixture.reset();
        writer.stop();
    }

    QTemporaryDir m_dir;
    QString m_path;

private Q_SLOTS:
    void initTestCase() { QVERIFY(QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR))); }

    void init()
    {
        m_path = m_dir.filePath(QStringLiteral("compare-%1.db").arg(QDateTime::currentMSecsSinceEpoch()));
        CompareRunStore migrate; // the window reads an existing, current log
        QVERIFY(migrate.open(m_path, true).ok());
    }

    void threeModelsSideBySideWithADiff()
    {
        MainWindow window;
        window.resize(1500, 900);
        window.setDatabasePath(m_path);
        window.show();
        runThreeModels(window, "compare.png", nullptr);
    }

    void savedRunsReopenRerunExportAndDelete()
    {
        MainWindow window;
        window.resize(1500, 900);
        window.setDatabasePath(m_path);
        window.show();
        runThreeModels(window, "compare-replayed.png", "compare-replay-button.png");
        ComparePage *page = window.comparePage();
        QTRY_COMPARE(page->savedRuns()->count(), 2); // the three models, then the replay on three models
        const QString id = page->savedRuns()->item(0)->data(Qt::UserRole).toString();
        QSignalSpy idle(page, &ComparePage::idle);
        const QString markdown = m_dir.filePath(QStringLiteral("run.md"));
        page->exportSavedRun(id, markdown, QStringLiteral("markdown"));
        QVERIFY(idle.wait(5000));
        QFile file(markdown);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("| gpt-test | ok |"));
        QVERIFY(text.contains("## claude-test"));
        page->deleteSavedRun(id);
        QTRY_COMPARE(page->savedRuns()->count(), 1);
    }

    void promptVersionOpensInCompare()
    {
        {
            PromptStore prompts;
            QVERIFY(prompts.open(m_path).ok());
            QVERIFY(prompts
                        .create(QStringLiteral("greet"), QStringLiteral("chat"),
                                QStringLiteral(R"([{"role":"system","content":"You are terse."},)"
                                               R"({"role":"user","content":"Hi {{name}}"}])"),
                                QStringLiteral(R"({"temperature":0.3})"), QStringLiteral("First"),
                                QStringLiteral("ada"))
                        .ok());
        }
        RequestLogWriter writer;
        QVERIFY(writer.open(m_path).ok());
        auto fixture = gateway(writer);
        MainWindow window;
        window.resize(1500, 900);
        window.setDatabasePath(m_path);
        window.setEndpoint(fixture->url(QStringLiteral("/")));
        window.show();
        window.showPage(MainWindow::Page::Prompts);
        QTRY_VERIFY_WITH_TIMEOUT(window.promptsPage()->selectPrompt(QStringLiteral("greet")), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(window.promptsPage()->versionsModel()->rowCount() == 1, 5000);
        auto *versions = window.promptsPage()->findChild<QTableView *>(QStringLiteral("promptVersions"));
        auto *open = window.promptsPage()->findChild<QPushButton *>(QStringLiteral("openInCompare"));
        QVERIFY(versions && open);
        versions->setCurrentIndex(versions->model()->index(0, 0));
        QVERIFY(open->isEnabled());
        QTest::mouseClick(open, Qt::LeftButton);

        ComparePage *page = window.comparePage();
        QVERIFY(page->isVisible());
        QVERIFY(page->sourceLabel()->text().contains(QLatin1String("greet version 1")));
        auto *variables = page->findChild<QLineEdit *>(QStringLiteral("compareVariables"));
        QVERIFY(variables && variables->isVisible());
        page->setModels({{QStringLiteral("gpt-test"), {}}, {QStringLiteral("claude-test"), {}}});
        // A missing variable is the prompt's own error, in the page's message bar.
        QSignalSpy idle(page, &ComparePage::idle);
        page->run();
        QTRY_VERIFY_WITH_TIMEOUT(page->message()->text().contains(QLatin1String("name")), 5000);
        QVERIFY(!page->isRunning());
        variables->setText(QStringLiteral("name=Ada"));
        page->run();
        QTRY_VERIFY_WITH_TIMEOUT(page->savedRuns()->count() == 1, 10000);
        QCOMPARE(page->shownRun().request.title, QStringLiteral("greet v1"));
        RequestLogReader reader(m_path);
        for (const CompareColumn &column : page->shownRun().columns) {
            QCOMPARE(column.state, CompareColumn::State::Done);
            const Result<RequestRecord> row = reader.byId(column.requestId);
            QVERIFY(row.ok());
            QVERIFY(row->requestBody.contains("Hi Ada"));
            QVERIFY(row->requestBody.contains("You are terse."));
        }
        fixture.reset();
        writer.stop();
    }

    void badOverridesAndTooFewModelsAreExplained()
    {
        ComparePage page;
        page.setGateway(QUrl(QStringLiteral("http://127.0.0.1:9")));
        page.useTypedPrompt(QStringLiteral("Hi"));
        page.setModels({{QStringLiteral("a"), {}}, {QStringLiteral("b"), {}}});
        page.findChildren<QLineEdit *>(QStringLiteral("compareOverrides")).first()->setText(QStringLiteral("{temp"));
        page.run();
        QVERIFY(!page.isRunning());
        QVERIFY(page.message()->text().contains(QLatin1String("not a JSON object")));
        page.setModels({{QStringLiteral("a"), {}}});
        QVERIFY(!page.runButton()->isEnabled());
    }

    void whatIfCostOfTheLoggedTraffic()
    {
        // Two requests logged an hour ago: 10,000 input tokens (4,000 read from the cache) and 1,000 output each,
        // logged at $0.05. On house-model ($1 input, $0.25 cache read, $4 output per million tokens) each costs
        // (6,000 × 1 + 4,000 × 0.25 + 1,000 × 4) / 1,000,000 = $0.011, so $0.022 against $0.10.
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_path).ok());
            for (int n = 0; n < 2; ++n) {
                RequestRecord record;
                record.id = QStringLiteral("what-if-%1").arg(n);
                record.startedAt = QDateTime::currentDateTimeUtc().addSecs(-3600);
                record.endpoint = QStringLiteral("/v1/chat/completions");
                record.requestedModel = QStringLiteral("gpt-4.1");
                record.provider = QStringLiteral("openai");
                record.upstreamModel = QStringLiteral("gpt-4.1");
                record.httpStatus = 200;
                record.inputTokens = 10'000;
                record.cachedTokens = 4'000;
                record.outputTokens = 1'000;
                record.costUsd = 0.05;
                record.costStatus = QStringLiteral("exact");
                writer.append(record);
            }
            writer.flush();
        }
        const Result<Config> config = ConfigLoader::loadString(QByteArrayLiteral(R"(
providers:
  - {name: openai, type: openai, api_key: env:SLUICE_TEST_UNUSED_KEY}
models:
  - {name: house-model, provider: openai, upstream_model: house-upstream}
prices:
  overrides:
    - {model: house-upstream, input_mtok: 1, cache_read_mtok: 0.25, output_mtok: 4}
)"),
                                                               QStringLiteral("test.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        Result<PriceCatalog> catalog = PriceCatalog::builtIn();
        QVERIFY(catalog.ok());

        MainWindow window;
        window.resize(1500, 900);
        window.setDatabasePath(m_path);
        window.show();
        window.showPage(MainWindow::Page::Compare);
        ComparePage *page = window.comparePage();
        WhatIfPanel *panel = page->whatIfPanel();
        panel->setPriceSources(*config, std::make_shared<const PriceCatalog>(std::move(catalog).value()));
        page->tabs()->setCurrentWidget(panel->parentWidget());
        page->whatIfPeriod()->setCurrentIndex(page->whatIfPeriod()->findText(QStringLiteral("Last 7 days")));
        QSignalSpy repriced(panel, &WhatIfPanel::loaded);
        panel->setTarget(QStringLiteral("house-model"));
        QVERIFY(repriced.wait(20000));
        const WhatIfLine &total = panel->report().total;
        QCOMPARE(total.requests, 2);
        QCOMPARE(total.compared, 2);
        QVERIFY(qAbs(total.actualUsd - 0.10) < 1e-9);
        QVERIFY2(qAbs(total.whatIfUsd - 0.022) < 1e-9, qPrintable(QString::number(total.whatIfUsd, 'f', 6)));
        QVERIFY(panel->report().from <= QDateTime::currentDateTimeUtc().addDays(-6));
        QTest::qWait(100);
        QVERIFY(window.grab().save(screenshotPath("compare-what-if.png")));
    }

    void darkPalette()
    {
        const QPalette original = QApplication::palette();
        QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            MainWindow window;
            window.resize(1500, 900);
            window.setDatabasePath(m_path);
            window.show();
            runThreeModels(window, "compare-dark.png", nullptr);
        }
        QApplication::setPalette(original);
    }
};

QTEST_MAIN(TestComparePage)
#include "tst_comparepage.moc"
