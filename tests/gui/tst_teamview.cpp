// The window on a team's PostgreSQL database, read-only (docs/team.md, "Reading the team's log"): rows written by
// the store's writer into a throw-away cluster show in the live table, the detail pane and the Spend page, new rows
// from the team's gateways appear without a restart, this machine's own records stay out, and nothing is written.
#include <memory>

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRandomGenerator>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include "GuiTestRecords.h"
#include "store/PostgresConnection.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"
#include "support/PostgresCluster.h"
#include "ui/LiveRequestsModel.h"
#include "ui/MainWindow.h"
#include "ui/RequestDetailPane.h"
#include "ui/spend/SpendPage.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// The Spend page's clock: late on 28 November 2026, UTC.
const QDateTime Now(QDate(2026, 11, 28), QTime(15, 20), Qt::UTC);
const QDateTime MonthStart(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC);

QString screenshotPath(const char *name)
{
    QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR));
    return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
}

// A team's month: three people and CI on two gateways, several models, a cut stream priced as an estimate and an
// unpriced fine-tune now and then. Deterministic; the last one is the newest.
RequestRecords teamTraffic(int count, const QDateTime &from, const QDateTime &to, quint32 seed)
{
    struct Model
    {
        const char *name;
        const char *provider;
        double inputPerMtok; // < 0: unpriced
        double outputPerMtok;
    };
    static constexpr Model models[] = {{"claude-sonnet-4-5", "anthropic", 3, 15},
                                       {"gpt-4.1", "openai", 2, 8},
                                       {"gpt-4.1-mini", "openai", 0.4, 1.6},
                                       {"gemini-2.5-flash", "gemini", 0.3, 2.5},
                                       {"my-finetune-v2", "openai", -1, -1}};
    static const char *const tokens[] = {"alice", "bob", "carol", "ci"};
    static const char *const clients[] = {"Claude Code", "Codex CLI", "Cline", "OpenAI SDK (Python)"};
    QRandomGenerator random(seed);
    RequestRecords records;
    const qint64 span = from.msecsTo(to);
    for (int n = 0; n < count; ++n) {
        const int who = random.bounded(4);
        const Model &model = models[(who + random.bounded(3)) % int(std::size(models))];
        RequestRecord record;
        record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        record.startedAt = from.addMSecs(span * (n + 1) / (count + 1));
        record.tokenName = QLatin1String(tokens[who]);
        record.client = QLatin1String(clients[who]);
        record.project = who == 3 ? QStringLiteral("nightly-evals") : QStringLiteral("billing-service");
        record.endpoint = QStringLiteral("/v1/chat/completions");
        record.requestedModel = QLatin1String(model.name);
        record.upstreamModel = QLatin1String(model.name);
        record.provider = QLatin1String(model.provider);
        record.stream = n % 3 != 0;
        record.httpStatus = n % 29 == 7 ? 502 : 200;
        if (record.httpStatus != 200) {
            record.errorClass = QLatin1String(ErrorClass::UpstreamError);
            record.errorMessage = QStringLiteral("The provider answered 502");
        }
        record.latencyUs = 300000 + random.bounded(2500000);
        record.timeToFirstTokenUs = record.stream ? 120000 + random.bounded(400000) : -1;
        record.inputTokens = 1500 + random.bounded(40000);
        record.cachedTokens = record.inputTokens / 3;
        record.outputTokens = 80 + random.bounded(2500);
        record.reasoningTokens = 0;
        if (model.inputPerMtok < 0) {
            record.costStatus = QLatin1String(CostStatus::Unpriced);
        } else {
            record.costStatus = QLatin1String(n % 41 == 5 ? CostStatus::Estimated : CostStatus::Exact);
            record.costUsd
                = (record.inputTokens * model.inputPerMtok + record.outputTokens * model.outputPerMtok) / 1e6;
        }
        record.requestBody = GuiTestRecords::chatRequest(QLatin1String(model.name), record.stream);
        record.responseBody = QByteArrayLiteral("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":"
                                                "\"The invoice totals match.\"}}]}");
        records.append(record);
    }
    return records;
}

} // namespace

class TeamViewTest : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<PostgresCluster> m_cluster;
    QTemporaryDir m_dir;
    StoreLocation m_team;
    RequestRecords m_written;

    void write(const RequestRecords &records)
    {
        RequestLogWriter writer;
        const Result<void> opened = writer.open(m_team);
        QVERIFY2(opened, qPrintable(opened.errorMessage()));
        for (const RequestRecord &record : records)
            writer.append(record);
        writer.flush();
        QCOMPARE(writer.writtenCount(), qint64(records.size()));
        m_written += records;
    }

    qint64 rowsInTeamDatabase()
    {
        RequestLogReader reader(m_team);
        const Result<qint64> count = reader.count();
        return count ? *count : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString missing = PostgresCluster::missing();
        if (!missing.isEmpty()) {
            if (PostgresCluster::required())
                QFAIL(qPrintable(QStringLiteral("PostgreSQL is required (SLUICE_REQUIRE_POSTGRES): ") + missing));
            QSKIP(qPrintable(missing));
        }
        m_cluster = std::make_unique<PostgresCluster>();
        QString error;
        QVERIFY2(m_cluster->start(&error), qPrintable(QStringLiteral("the test cluster did not start: ") + error));
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("team"), &error), qPrintable(error));
        PostgresSettings settings;
        settings.host = m_cluster->host();
        settings.port = m_cluster->port();
        settings.user = m_cluster->user();
        settings.password = m_cluster->password();
        settings.database = QStringLiteral("team");
        settings.tlsMode = QStringLiteral("disable");
        m_team = StoreLocation::postgres(settings, m_dir.filePath(QStringLiteral("team.journal")));
        // The team's gateways logged the month so far through the store's writer.
        write(teamTraffic(1200, MonthStart, Now.addSecs(-600), 11));
    }

    void showsTheTeamDatabaseReadOnly_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void showsTheTeamDatabaseReadOnly()
    {
        QFETCH(bool, dark);
        const QPalette original = QApplication::palette();
        if (dark)
            QApplication::setPalette(GuiTestRecords::darkPalette());
        const qint64 before = rowsInTeamDatabase();
        QCOMPARE(before, qint64(m_written.size()));
        {
            MainWindow window;
            window.spendPage()->setClock([] { return Now; });
            // The local log (this machine's gateway) is elsewhere; the team view wins for the table and Spend.
            window.setDatabasePath(m_dir.filePath(QStringLiteral("local/sluice.db")));
            window.setTeamStore(m_team);
            window.resize(1360, 820);
            window.show();
            QVERIFY(window.isTeamView());

            auto *banner = window.findChild<QLabel *>(QStringLiteral("teamBanner"));
            QVERIFY(banner);
            QVERIFY(banner->isVisible());
            QVERIFY2(banner->text().contains(QLatin1String("Team database (read-only)")), qPrintable(banner->text()));
            QVERIFY2(banner->text().contains(m_team.describe().toHtmlEscaped()), qPrintable(banner->text()));
            QVERIFY(!banner->text().contains(m_cluster->password()));

            // The table loads the team's newest rows off the GUI thread, and the count of every row.
            QTRY_COMPARE_WITH_TIMEOUT(window.liveModel()->rowCount(), int(m_written.size()), 20000);
            QTRY_COMPARE(window.requestCount(), qint64(m_written.size()));

            // Records of this machine's own gateway (logged locally) stay out of the team's table.
            RequestRecord local = GuiTestRecords::record(QStringLiteral("local-only"), Now.addSecs(-5));
            window.appendRecords({local});
            QVERIFY(!window.liveModel()->contains(QStringLiteral("local-only")));

            // Another gateway logs more: the window follows the database without a restart.
            const RequestRecords more = teamTraffic(3, Now.addSecs(-300), Now.addSecs(-60), dark ? 23 : 17);
            write(more);
            QTRY_VERIFY_WITH_TIMEOUT(window.liveModel()->contains(more.last().id), 4 * MainWindow::TeamPollMs);
            QTRY_COMPARE(window.requestCount(), qint64(m_written.size()));

            // The detail pane reads the selected request's bodies from the team database.
            auto *table = window.findChild<QTableView *>(QStringLiteral("liveTable"));
            QVERIFY(table);
            table->selectRow(0);
            auto *detail = window.findChild<RequestDetailPane *>();
            QVERIFY(detail);
            QTRY_VERIFY(!detail->recordId().isEmpty());
            // The bodies of a row read without them come from the team database when it is selected.
            auto *requestBody = detail->findChild<QPlainTextEdit *>(QStringLiteral("requestBody"));
            QVERIFY(requestBody);
            QString selectedModel;
            for (const RequestRecord &record : std::as_const(m_written)) {
                if (record.id == detail->recordId())
                    selectedModel = record.requestedModel;
            }
            QVERIFY(!selectedModel.isEmpty());
            QTRY_VERIFY_WITH_TIMEOUT(requestBody->toPlainText().contains(selectedModel), 10000);
            QTest::qWait(300);
            QVERIFY(window.grab().save(screenshotPath(dark ? "team-view-live-dark.png" : "team-view-live.png")));

            window.showPage(MainWindow::Page::Spend);
            QTRY_VERIFY_WITH_TIMEOUT(window.spendPage()->isLoaded(), 20000);
            QTest::qWait(300);
            QVERIFY(window.grab().save(screenshotPath(dark ? "team-view-spend-dark.png" : "team-view-spend.png")));
            QVERIFY(banner->isVisible());
        }
        // Read-only: the window wrote nothing to the team database.
        QCOMPARE(rowsInTeamDatabase(), qint64(m_written.size()));
        QApplication::setPalette(original);
    }

    void saysWhenTheTeamDatabaseCannotBeRead()
    {
        PostgresSettings settings = m_team.postgresSettings();
        settings.password = QStringLiteral("not-the-password");
        MainWindow window;
        window.setTeamStore(StoreLocation::postgres(settings));
        window.show();
        auto *banner = window.findChild<QLabel *>(QStringLiteral("teamBanner"));
        QVERIFY(banner);
        QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(QLatin1String("Cannot read it now")),
                                 4 * MainWindow::TeamPollMs);
        QVERIFY(!banner->text().contains(QLatin1String("not-the-password")));
        QCOMPARE(window.liveModel()->rowCount(), 0);
    }
};

QTEST_MAIN(TeamViewTest)
#include "tst_teamview.moc"
