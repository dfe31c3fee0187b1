#include <cmath>

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include "GuiTestRecords.h"
#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "store/RequestLogWriter.h"
#include "ui/LiveRequestsFilterModel.h"
#include "ui/LiveRequestsModel.h"
#include "ui/MainWindow.h"
#include "ui/charts/StackedBarChart.h"
#include "ui/spend/SpendBreakdownModel.h"
#include "ui/spend/SpendPage.h"
#include "ui/spend/SpendQuery.h"
#include "ui/spend/WhatIfModel.h"
#include "ui/spend/WhatIfPanel.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// The page's clock: late on 28 November 2026, UTC.
const QDateTime Now(QDate(2026, 11, 28), QTime(15, 20), Qt::UTC);
const QDateTime MonthStart(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC);

struct Model
{
    const char *name;
    const char *provider;
    double inputPerMtok; // < 0: unpriced
    double outputPerMtok;
};

constexpr Model Models[] = {
    {"claude-sonnet-4-5", "anthropic", 3, 15}, {"gpt-4.1", "openai", 2, 8},
    {"gpt-4.1-mini", "openai", 0.4, 1.6},      {"gemini-2.5-flash", "gemini", 0.3, 2.5},
    {"claude-haiku-4-5", "anthropic", 1, 5},   {"llama3.1:8b", "ollama", 0, 0},
    {"my-finetune-v2", "openai", -1, -1},
};

// A month of an individual developer's traffic: agents, an editor and scripts, with tags and projects, some
// cache hits and an unpriced fine-tune. Deterministic.
RequestRecords monthOfTraffic(int count)
{
    static const char *const clients[]
        = {"Claude Code", "Codex CLI", "Cline", "opencode", "OpenAI SDK (Python)", "curl"};
    static const char *const tokens[] = {"laptop", "ci", "editor"};
    static const char *const projects[] = {"billing-service", "website", "data-pipeline", ""};
    static const char *const tags[] = {"refactor", "tests", "review", "nightly"};
    QRandomGenerator random(42);
    RequestRecords records;
    const qint64 span = MonthStart.msecsTo(Now);
    for (int n = 0; n < count; ++n) {
        RequestRecord record;
        record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        // More traffic on weekdays and in working hours, growing through the month.
        qint64 at = qint64(double(span) * std::sqrt(random.generateDouble()));
        record.startedAt = MonthStart.addMSecs(at);
        const int clientIndex = random.bounded(int(std::size(clients)));
        int modelIndex = (clientIndex + random.bounded(3)) % int(std::size(Models));
        if (modelIndex == int(std::size(Models)) - 1 && random.bounded(8) != 0)
            modelIndex = 2; // the unpriced fine-tune is used now and then
        const Model &model = Models[modelIndex];
        record.client = QLatin1String(clients[clientIndex]);
        record.tokenName = QLatin1String(tokens[clientIndex % 3]);
        record.project = QLatin1String(projects[random.bounded(4)]);
        if (record.project.isEmpty())
            record.project = record.tokenName;
        if (random.bounded(3) == 0)
            record.tags = {QLatin1String(tags[random.bounded(4)])};
        if (random.bounded(10) == 0)
            record.tags.append(QStringLiteral("nightly"));
        record.endpoint = QStringLiteral("/v1/chat/completions");
        record.requestedModel = QLatin1String(model.name);
        record.upstreamModel = QLatin1String(model.name);
        record.provider = QLatin1String(model.provider);
        record.httpStatus = 200;
        record.latencyUs = 400000 + random.bounded(2000000);
        record.inputTokens = 2000 + random.bounded(30000);
        record.cachedTokens = record.inputTokens / 2;
        record.outputTokens = 100 + random.bounded(2000);
        record.reasoningTokens = record.provider == QLatin1String("openai") ? record.outputTokens / 4 : 0;
        if (model.inputPerMtok > 0 && random.bounded(25) == 0) {
            record.costStatus = QLatin1String(CostStatus::Cached);
            record.costUsd = 0;
            record.savedUsd = (record.inputTokens * 2.0 + record.outputTokens * 8.0) / 1e6;
        } else if (model.inputPerMtok < 0) {
            record.costStatus = QLatin1String(CostStatus::Unpriced);
        } else if (model.inputPerMtok == 0) {
            record.costStatus = QLatin1String(CostStatus::Free);
            record.costUsd = 0;
        } else {
            record.costStatus = QLatin1String(CostStatus::Exact);
            record.costUsd
                = (record.inputTokens * model.inputPerMtok + record.outputTokens * model.outputPerMtok) / 1e6;
        }
        records.append(record);
    }
    return records;
}

double knownCost(const RequestRecords &records, const QDateTime &from, const QDateTime &to)
{
    double sum = 0;
    for (const RequestRecord &record : records) {
        if (record.startedAt >= from && record.startedAt < to && record.costUsd > 0)
            sum += record.costUsd;
    }
    return sum;
}

QList<BudgetLimit> budgets()
{
    BudgetLimit overall;
    overall.period = BudgetPeriod::Monthly;
    overall.limitUsd = 150;
    BudgetLimit ci;
    ci.scope = BudgetLimit::Scope::Token;
    ci.name = QStringLiteral("ci");
    ci.period = BudgetPeriod::Daily;
    ci.limitUsd = 8;
    BudgetLimit sonnet;
    sonnet.scope = BudgetLimit::Scope::Model;
    sonnet.name = QStringLiteral("claude-sonnet-4-5");
    sonnet.period = BudgetPeriod::Weekly;
    sonnet.limitUsd = 60;
    sonnet.softFraction = 0.5;
    return {overall, ci, sonnet};
}

QString screenshotPath(const char *name)
{
    return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
}

} // namespace

class TestSpendPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    RequestRecords m_records;

    void openWindow(MainWindow &window)
    {
        window.spendPage()->setClock([] { return Now; });
        window.spendPage()->setBudgets(budgets(), 0.8);
        QSignalSpy loaded(window.spendPage(), &SpendPage::loaded);
        window.setDatabasePath(m_path);
        window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
        window.setGatewayState(GatewayState::Running);
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPage(MainWindow::Page::Spend);
        QVERIFY(loaded.wait(10000) || window.spendPage()->isLoaded());
        QTRY_VERIFY(window.spendPage()->isLoaded());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR));
        m_path = m_dir.filePath(QStringLiteral("sluice.db"));
        m_records = monthOfTraffic(20000);
        RequestLogWriter writer;
        const auto opened = writer.open(m_path);
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        for (const RequestRecord &record : std::as_const(m_records))
            writer.append(record);
        writer.flush();
    }

    void showsTheMonthWithBudgets()
    {
        MainWindow window;
        openWindow(window);
        SpendPage *page = window.spendPage();
        const SpendSnapshot &s = page->snapshot();
        const QDateTime monthEnd = MonthStart.addMonths(1);
        // Totals equal the logged requests' known costs; unpriced ones are counted apart.
        QCOMPARE(s.total.requests, qint64(m_records.size()));
        QVERIFY(qAbs(s.total.costUsd - knownCost(m_records, MonthStart, monthEnd)) < 1e-6);
        const qint64 unpriced
            = std::count_if(m_records.cbegin(), m_records.cend(), [](const RequestRecord &r) { return r.costUsd < 0; });
        QVERIFY(unpriced > 0);
        QCOMPARE(s.total.unpriced, unpriced);
        QCOMPARE(page->findChild<QLabel *>(QStringLiteral("spendUnpricedValue"))->text(),
                 QLocale(QLocale::English).toString(unpriced));
        QVERIFY(s.total.cacheHits > 0 && s.total.savedUsd > 0);
        // The chart has a bar per day of the month and a stack per most expensive model, the rest as "Other".
        QCOMPARE(page->chart()->categories().size(), 30);
        QCOMPARE(page->chart()->stackNames().constFirst(), s.breakdown.constFirst().name);
        // The table's lines add up to the total.
        double lines = 0;
        for (const SpendLine &line : page->breakdownModel()->lines())
            lines += line.costUsd;
        QVERIFY(qAbs(lines - s.total.costUsd) < 1e-6);
        const QModelIndex finetune = [&] {
            for (int row = 0; row < page->breakdownModel()->rowCount(); ++row) {
                const QModelIndex index = page->breakdownModel()->index(row, SpendBreakdownModel::Cost);
                if (page->breakdownModel()->lines().at(row).name == QLatin1String("my-finetune-v2"))
                    return index;
            }
            return QModelIndex();
        }();
        QVERIFY(finetune.isValid());
        QCOMPARE(finetune.data().toString(), QStringLiteral("unpriced")); // never $0
        // Budgets: spend in their periods, with a burn rate and a forecast.
        QCOMPARE(s.budgets.size(), 3);
        const BudgetStatus &overall = s.budgets.at(0);
        QVERIFY(qAbs(overall.spentUsd - knownCost(m_records, MonthStart, monthEnd)) < 1e-6);
        QVERIFY(overall.forecastUsd > overall.spentUsd);
        QCOMPARE(overall.resetsAt, monthEnd);
        const auto gauges = page->findChildren<QProgressBar *>(QStringLiteral("budgetGauge"));
        QCOMPARE(gauges.size(), 3);
        QTest::qWait(50); // the chart's scene repaints on the next event loop turn
        QVERIFY(window.grab().save(screenshotPath("spend-page.png")));

        // By client, the tools show up by name.
        QSignalSpy loaded(page, &SpendPage::loaded);
        page->setGroupBy(SpendDimension::Client);
        QVERIFY(loaded.wait(10000));
        QStringList clients;
        for (const SpendLine &line : page->snapshot().breakdown)
            clients.append(line.name);
        QVERIFY2(clients.contains(QStringLiteral("Claude Code")) && clients.contains(QStringLiteral("Codex CLI")),
                 qPrintable(clients.join(QLatin1Char(','))));
        page->setGroupBy(SpendDimension::Tag);
        QVERIFY(loaded.wait(10000));

        // A custom period of two days is drawn by hour, against the two days before.
        const QDateTime customFrom(QDate(2026, 11, 10), QTime(0, 0), Qt::UTC);
        page->setPeriod(SpendPage::Period::Custom, customFrom.date(), QDate(2026, 11, 11));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(page->chart()->categories().size(), 48);
        QVERIFY(qAbs(page->snapshot().total.costUsd - knownCost(m_records, customFrom, customFrom.addDays(2))) < 1e-6);
        QVERIFY(qAbs(page->snapshot().previousTotal.costUsd - knownCost(m_records, customFrom.addDays(-2), customFrom))
                < 1e-6);
        page->setPeriod(SpendPage::Period::ThisMonth);
        QVERIFY(loaded.wait(10000));
        QTest::qWait(50);
        QVERIFY(window.grab().save(screenshotPath("spend-page-by-tag.png")));
    }

    void followsADarkPalette()
    {
        const QPalette original = QApplication::palette();
        QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            MainWindow window;
            openWindow(window);
            QTest::qWait(50);
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath("spend-page-dark.png")));
            auto *chart = window.spendPage()->chart();
            const QPoint corner = chart->mapTo(&window, QPoint(6, chart->height() - 6));
            QVERIFY(shot.pixelColor(corner).lightnessF() < 0.3); // the chart's background is dark too
        }
        QApplication::setPalette(original);
    }

    void liveRecordsAreAddedWithoutQuerying()
    {
        MainWindow window;
        openWindow(window);
        SpendPage *page = window.spendPage();
        QSignalSpy queries(page, &SpendPage::loadRequested);
        QSignalSpy notices(page, &SpendPage::budgetNotice);
        const SpendLine before = page->snapshot().total;
        const double ciBefore = page->snapshot().budgets.at(1).spentUsd;
        RequestRecord live = m_records.constLast();
        live.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        live.startedAt = Now.addSecs(-30);
        live.tokenName = QStringLiteral("ci");
        live.costStatus = QLatin1String(CostStatus::Exact);
        live.costUsd = 9.5; // past the ci token's daily $8 on its own
        window.appendRecords({live});
        QCOMPARE(page->snapshot().total.requests, before.requests + 1);
        QVERIFY(qAbs(page->snapshot().total.costUsd - (before.costUsd + 9.5)) < 1e-9);
        QVERIFY(qAbs(page->snapshot().budgets.at(1).spentUsd - (ciBefore + 9.5)) < 1e-9);
        QCOMPARE(notices.count(), 1); // the limit, once
        QVERIFY(notices.first().at(1).toString().contains(QLatin1String("token 'ci'")));
        live.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        window.appendRecords({live});
        QCOMPARE(notices.count(), 1); // once per period
        QTest::qWait(400); // the throttled redraw
        QCOMPARE(queries.count(), 0);
        QCOMPARE(page->findChild<QLabel *>(QStringLiteral("spendRequestsValue"))->text(),
                 QLocale(QLocale::English).toString(before.requests + 2));
    }

    void liveAdditionsEqualARead_data()
    {
        QTest::addColumn<SpendDimension>("by");
        QTest::addColumn<SpendDimension>("bucket");
        QTest::newRow("model by day") << SpendDimension::Model << SpendDimension::Day;
        QTest::newRow("tag by day") << SpendDimension::Tag << SpendDimension::Day;
        QTest::newRow("client by hour") << SpendDimension::Client << SpendDimension::Hour;
        QTest::newRow("project by hour") << SpendDimension::Project << SpendDimension::Hour;
    }

    void liveAdditionsEqualARead()
    {
        // What the page adds in memory as requests are logged is what reading the log again gives.
        QFETCH(SpendDimension, by);
        QFETCH(SpendDimension, bucket);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sluice.db"));
        RequestRecords records = monthOfTraffic(3000);
        std::sort(records.begin(), records.end(),
                  [](const RequestRecord &a, const RequestRecord &b) { return a.startedAt < b.startedAt; });
        const RequestRecords before = records.mid(0, 2000);
        const RequestRecords later = records.mid(2000);
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            for (const RequestRecord &record : before)
                writer.append(record);
        }
        SpendRequest request;
        request.from = MonthStart.addDays(20).addSecs(1800); // off the hour
        request.to = MonthStart.addDays(29);
        request.bucket = bucket;
        request.by = by;
        request.budgets = budgets();
        request.now = Now;
        SpendQuery query(path);
        Result<SpendSnapshot> live = query.read(request);
        QVERIFY2(live.ok(), qPrintable(live.errorMessage()));
        SpendSnapshot added = *live;
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            for (const RequestRecord &record : later) {
                writer.append(record);
                added.add(record);
            }
        }
        SpendQuery again(path);
        const Result<SpendSnapshot> read = again.read(request);
        QVERIFY2(read.ok(), qPrintable(read.errorMessage()));
        const auto same = [](const SpendLine &a, const SpendLine &b) {
            return a.requests == b.requests && a.inputTokens == b.inputTokens && a.cachedTokens == b.cachedTokens
                && a.outputTokens == b.outputTokens && a.reasoningTokens == b.reasoningTokens
                && qAbs(a.costUsd - b.costUsd) < 1e-9 && a.unpriced == b.unpriced && a.free == b.free
                && a.cacheHits == b.cacheHits && qAbs(a.savedUsd - b.savedUsd) < 1e-9;
        };
        QVERIFY(read->total.requests > live->total.requests);
        QVERIFY(same(added.total, read->total));
        QVERIFY(same(added.monthToDate, read->monthToDate));
        QCOMPARE(added.breakdown.size(), read->breakdown.size());
        for (const SpendLine &line : std::as_const(read->breakdown)) {
            const auto match = std::find_if(added.breakdown.cbegin(), added.breakdown.cend(),
                                            [&](const SpendLine &l) { return l.name == line.name; });
            QVERIFY2(match != added.breakdown.cend() && same(*match, line), qPrintable(line.name));
        }
        QCOMPARE(added.series.size(), read->series.size());
        for (const SpendPoint &point : std::as_const(read->series)) {
            const auto match = std::find_if(added.series.cbegin(), added.series.cend(), [&](const SpendPoint &p) {
                return p.startMs == point.startMs && p.value == point.value;
            });
            QVERIFY2(match != added.series.cend() && same(match->line, point.line), qPrintable(point.value));
        }
        QCOMPARE(added.budgets.size(), read->budgets.size());
        for (qsizetype i = 0; i < read->budgets.size(); ++i)
            QVERIFY2(qAbs(added.budgets.at(i).spentUsd - read->budgets.at(i).spentUsd) < 1e-9,
                     qPrintable(read->budgets.at(i).title));
    }

    void clickFiltersTheLiveTable()
    {
        MainWindow window;
        openWindow(window);
        // The live table holds the newest requests.
        RequestRecords newest = m_records;
        std::sort(newest.begin(), newest.end(),
                  [](const RequestRecord &a, const RequestRecord &b) { return a.startedAt < b.startedAt; });
        newest = newest.mid(newest.size() - 300);
        window.appendRecords(newest);
        QTRY_VERIFY(window.liveModel()->rowCount() > 300); // the log's newest rows are loaded in the background too
        SpendPage *page = window.spendPage();
        const QString value = page->chart()->stackNames().constFirst();
        const int lastDay = int(page->chart()->categories().size()) - 3; // 28 November
        Q_EMIT page->chart()->segmentClicked(value, lastDay);
        auto *table = window.findChild<QTableView *>(QStringLiteral("liveTable"));
        QVERIFY(table->isVisible());
        const QDateTime day(QDate(2026, 11, 28), QTime(0, 0), Qt::UTC);
        // Counted over what the live table holds (the newest rows of the log, loaded in the background, and these).
        qint64 expected = 0;
        LiveRequestsModel *live = window.liveModel();
        for (int row = 0; row < live->rowCount(); ++row) {
            const RequestRecord &r = live->record(row);
            if (r.startedAt >= day && r.startedAt < day.addDays(1) && r.upstreamModel == value)
                ++expected;
        }
        QVERIFY(expected > 0);
        QVERIFY2(table->model()->rowCount() == int(expected),
                 qPrintable(window.findChild<QLabel *>(QStringLiteral("spendFilter"))->text() + QLatin1Char(' ')
                            + QString::number(table->model()->rowCount()) + QLatin1Char(' ')
                            + QString::number(expected)));
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("spendFilter"))->text().contains(value));
        QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("clearSpendFilter")), Qt::LeftButton);
        QCOMPARE(table->model()->rowCount(), live->rowCount());

        // The search box finds requests by client, project and tag too.
        int codex = 0;
        for (int row = 0; row < live->rowCount(); ++row)
            codex += live->record(row).client == QLatin1String("Codex CLI") ? 1 : 0;
        QVERIFY(codex > 0);
        window.findChild<QLineEdit *>(QStringLiteral("search"))->setText(QStringLiteral("codex cli"));
        QCOMPARE(table->model()->rowCount(), codex);
    }

    void exportsMatchTheLoggedSums()
    {
        MainWindow window;
        openWindow(window);
        SpendPage *page = window.spendPage();
        const QString csvPath = m_dir.filePath(QStringLiteral("breakdown.csv"));
        QString error;
        QVERIFY2(page->exportBreakdown(csvPath, QStringLiteral("csv"), &error), qPrintable(error));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.takeFirst().startsWith(QLatin1String("model,requests,")));
        double usd = 0;
        qint64 requests = 0;
        for (const QString &line : std::as_const(lines)) {
            const QStringList cells = line.split(QLatin1Char(','));
            requests += cells.at(1).toLongLong();
            usd += cells.at(7).toDouble();
        }
        QCOMPARE(requests, qint64(m_records.size()));
        QVERIFY(qAbs(usd - knownCost(m_records, MonthStart, MonthStart.addMonths(1))) < 1e-6);

        const QString jsonPath = m_dir.filePath(QStringLiteral("breakdown.json"));
        QVERIFY(page->exportBreakdown(jsonPath, QStringLiteral("json"), &error));
        QFile json(jsonPath);
        QVERIFY(json.open(QIODevice::ReadOnly));
        QVERIFY(json.readAll().contains("\"currency\": \"USD\""));
    }

    void exportsTheRequestRowsOfALine()
    {
        // What "Requests of the selected row" writes: the rows of the period counted under that value.
        SpendQuery query(m_path);
        QSignalSpy exported(&query, &SpendQuery::exported);
        const QDateTime from(QDate(2026, 11, 20), QTime(0, 0), Qt::UTC);
        const QDateTime to = from.addDays(3);
        const QString csvPath = m_dir.filePath(QStringLiteral("requests.csv"));
        query.exportRequests(from, to, SpendDimension::Client, QStringLiteral("Claude Code"), true, csvPath,
                             QStringLiteral("csv"));
        QCOMPARE(exported.count(), 1);
        const auto matches = [&](const RequestRecord &r) {
            return r.startedAt >= from && r.startedAt < to && r.client == QLatin1String("Claude Code");
        };
        const qint64 expected = std::count_if(m_records.cbegin(), m_records.cend(), matches);
        QVERIFY(expected > 0);
        QCOMPARE(exported.first().at(1).toLongLong(), expected);
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.takeFirst().startsWith(QLatin1String("id,started_at,token,project,client,tags,")));
        QCOMPARE(lines.size(), int(expected));
        double usd = 0;
        for (const QString &line : std::as_const(lines)) {
            const QStringList cells = line.split(QLatin1Char(','));
            QCOMPARE(cells.at(4), QStringLiteral("Claude Code"));
            usd += cells.at(17).toDouble();
        }
        double expectedUsd = 0;
        for (const RequestRecord &r : std::as_const(m_records)) {
            if (matches(r) && r.costUsd > 0)
                expectedUsd += r.costUsd;
        }
        QVERIFY(qAbs(usd - expectedUsd) < 1e-6);

        const QString jsonPath = m_dir.filePath(QStringLiteral("requests.json"));
        query.exportRequests(from, to, SpendDimension::Day, QString(), false, jsonPath, QStringLiteral("json"));
        QCOMPARE(exported.count(), 2);
        const qint64 all = std::count_if(m_records.cbegin(), m_records.cend(), [&](const RequestRecord &r) {
            return r.startedAt >= from && r.startedAt < to;
        });
        QCOMPARE(exported.last().at(1).toLongLong(), all);
        QFile rows(jsonPath);
        QVERIFY(rows.open(QIODevice::ReadOnly));
        QJsonParseError error;
        const QJsonArray array = QJsonDocument::fromJson(rows.readAll(), &error).array();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(array.size(), all);
        QVERIFY(array.first().toObject().contains(QLatin1String("client")));
    }

    // The What-if tab: the period's requests repriced on a configured model whose price the config sets ($1/M
    // input, $0.25/M cache reads, $4/M output), per client, against a sum written from the records themselves.
    void whatIfTabRepricesThePeriod_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }

    void whatIfTabRepricesThePeriod()
    {
        QFETCH(bool, dark);
        const QPalette original = QApplication::palette();
        if (dark)
            QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            MainWindow window;
            openWindow(window);
            SpendPage *page = window.spendPage();
            WhatIfPanel *panel = page->whatIfPanel();
            QVERIFY(panel);
            const Result<Config> config = ConfigLoader::loadString(QByteArrayLiteral(R"(
providers:
  - name: openai
    type: openai
    api_key: env:SLUICE_TEST_UNUSED_KEY
models:
  - name: house-model
    provider: openai
    upstream_model: house-upstream
prices:
  overrides:
    - model: house-upstream
      input_mtok: 1
      cache_read_mtok: 0.25
      output_mtok: 4
)"),
                                                                   QStringLiteral("test.yaml"));
            QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
            Result<PriceCatalog> catalog = PriceCatalog::builtIn();
            QVERIFY(catalog.ok());
            panel->setPriceSources(*config, std::make_shared<const PriceCatalog>(std::move(catalog).value()));
            auto *tabs = page->findChild<QTabWidget *>(QStringLiteral("spendTabs"));
            QVERIFY(tabs);
            tabs->setCurrentWidget(panel);
            QSignalSpy loaded(page, &SpendPage::loaded);
            page->setGroupBy(SpendDimension::Client); // the panel follows the page's grouping
            QVERIFY(loaded.wait(10000));
            QCOMPARE(panel->grouping(), WhatIfGrouping::Client);
            QSignalSpy repriced(panel, &WhatIfPanel::loaded);
            panel->setTarget(QStringLiteral("house-model"));
            QVERIFY(!panel->isLoaded()); // read on a worker thread: nothing yet
            QVERIFY(repriced.wait(20000));

            double actual = 0;
            double whatIf = 0;
            double unpricedWhatIf = 0;
            qint64 compared = 0;
            qint64 cacheHits = 0;
            const QDateTime monthEnd = MonthStart.addMonths(1);
            for (const RequestRecord &r : std::as_const(m_records)) {
                if (r.startedAt < MonthStart || r.startedAt >= monthEnd)
                    continue;
                if (r.costStatus == QLatin1String(CostStatus::Cached)) {
                    ++cacheHits;
                    continue;
                }
                const double cost
                    = ((r.inputTokens - r.cachedTokens) * 1.0 + r.cachedTokens * 0.25 + r.outputTokens * 4.0) / 1e6;
                if (r.costUsd < 0) {
                    unpricedWhatIf += cost;
                    continue;
                }
                ++compared;
                actual += r.costUsd;
                whatIf += cost;
            }
            const WhatIfReport &report = panel->report();
            QCOMPARE(report.total.compared, compared);
            QCOMPARE(report.total.cacheHits, cacheHits);
            QVERIFY(qAbs(report.total.actualUsd - actual) < 1e-6);
            QVERIFY(qAbs(report.total.whatIfUsd - whatIf) < 1e-6);
            QVERIFY(qAbs(report.total.unpricedActualWhatIfUsd - unpricedWhatIf) < 1e-6);
            QCOMPARE(report.by, WhatIfGrouping::Client);
            // One row per client and the total, marked as an estimate.
            QCOMPARE(panel->model()->rowCount(), 6 + 1);
            auto *view = panel->findChild<QTableView *>(QStringLiteral("whatIfTable"));
            QVERIFY(view->model()->index(view->model()->rowCount() - 1, 0).data(WhatIfModel::TotalRole).toBool());
            QCOMPARE(panel->model()->headerData(WhatIfModel::WhatIf, Qt::Horizontal, Qt::DisplayRole).toString(),
                     QStringLiteral("What-if (estimate)"));
            QVERIFY(panel->findChild<QLabel *>(QStringLiteral("whatIfEstimateMark"))->isVisible());
            QVERIFY(
                panel->findChild<QLabel *>(QStringLiteral("whatIfNote"))->text().contains(QLatin1String("tokenizer")));
            QVERIFY(panel->findChild<QLabel *>(QStringLiteral("whatIfSummary"))->text().contains(QLatin1String("~$")));

            // An unknown model says what to do, in the panel.
            QSignalSpy failed(panel, &WhatIfPanel::failed);
            panel->setTarget(QStringLiteral("no-such-model-xyz"));
            QVERIFY(failed.wait(20000));
            QVERIFY(panel->findChild<QLabel *>(QStringLiteral("whatIfSummary"))
                        ->text()
                        .contains(QLatin1String("prices.overrides")));
            panel->setTarget(QStringLiteral("house-model"));
            QVERIFY(repriced.wait(20000));
            QTest::qWait(50);
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath(dark ? "spend-page-what-if-dark.png" : "spend-page-what-if.png")));
            if (dark) {
                auto *table = panel->findChild<QTableView *>(QStringLiteral("whatIfTable"));
                const QPoint inside = table->viewport()->mapTo(&window, QPoint(4, table->viewport()->height() - 4));
                QVERIFY(shot.pixelColor(inside).lightnessF() < 0.3);
            }
        }
        QApplication::setPalette(original);
    }
};

QTEST_MAIN(TestSpendPage)
#include "tst_spendpage.moc"
