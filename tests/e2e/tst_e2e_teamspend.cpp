// The real `sluice spend` and `sluice compare --reprice` on a team's PostgreSQL database (docs/team.md, "Reading the
// team's log"): the same requests written to a data folder's SQLite log and to a throw-away cluster by the store's
// writer give the same JSON from both, with --config and with the default config file.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include "E2eSupport.h"
#include "store/PostgresConnection.h"
#include "store/RequestLogWriter.h"
#include "support/PostgresCluster.h"
#include "support/SameJson.h"

using namespace sluice;
using namespace sluice::test;

namespace {

RequestRecords monthOfRequests()
{
    static const char *const models[] = {"gpt-4.1", "gpt-4.1-mini", "claude-sonnet-4-5"};
    static const char *const providers[] = {"openai", "openai", "anthropic"};
    static const char *const tokens[] = {"alice", "bob", "ci"};
    RequestRecords records;
    const QDateTime start(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC);
    for (int n = 0; n < 400; ++n) {
        RequestRecord record;
        record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        record.startedAt = start.addSecs(qint64(n) * 6311 + n % 13);
        record.tokenName = QLatin1String(tokens[n % 3]);
        record.client = n % 4 ? QStringLiteral("Claude Code") : QStringLiteral("curl");
        if (n % 5 == 0)
            record.tags = {QStringLiteral("nightly")};
        record.endpoint = QStringLiteral("/v1/chat/completions");
        record.requestedModel = QLatin1String(models[n % 3]);
        record.upstreamModel = record.requestedModel;
        record.provider = QLatin1String(providers[n % 3]);
        record.httpStatus = 200;
        record.latencyUs = 500000;
        record.inputTokens = 1000 + n * 37;
        record.cachedTokens = n % 2 ? 200 : 0;
        record.outputTokens = 100 + n;
        record.reasoningTokens = 0;
        if (n % 17 == 3) {
            record.costStatus = QLatin1String(CostStatus::Unpriced);
        } else {
            record.costStatus = QLatin1String(CostStatus::Exact);
            record.costUsd = (record.inputTokens * 2.0 + record.outputTokens * 8.0) / 1e6;
        }
        records.append(record);
    }
    return records;
}

} // namespace

class TestE2eTeamSpend : public QObject
{
    Q_OBJECT

private:
    PostgresCluster m_cluster;
    QTemporaryDir m_dir;

    QProcessEnvironment environment(bool teamAsDefaultConfig) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SLUICE_E2E_PG_PASSWORD"), m_cluster.password());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"),
                   m_dir.filePath(teamAsDefaultConfig ? QStringLiteral("home-team") : QStringLiteral("home-none")));
        return env;
    }

    QJsonObject sluice(const QStringList &arguments, bool teamAsDefaultConfig = false)
    {
        const ProgramRun run
            = runProgram(QStringLiteral(SLUICE_BINARY), arguments, environment(teamAsDefaultConfig), m_dir.path(), 60);
        if (run.exitCode != 0) {
            qWarning().noquote() << arguments.join(QLatin1Char(' ')) << "exited" << run.exitCode << run.err;
            return {};
        }
        return QJsonDocument::fromJson(run.out).object();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = PostgresCluster::missing(); !missing.isEmpty()) {
            if (PostgresCluster::required())
                QFAIL(qPrintable(QStringLiteral("PostgreSQL is required (SLUICE_REQUIRE_POSTGRES): ") + missing));
            QSKIP(qPrintable(missing + QStringLiteral(" (scripts/install-deps.sh installs it)")));
        }
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_cluster.start(&error), qPrintable(error));
        QVERIFY2(m_cluster.createDatabase(QStringLiteral("team"), &error), qPrintable(error));
        PostgresSettings settings;
        settings.host = m_cluster.host();
        settings.port = m_cluster.port();
        settings.user = m_cluster.user();
        settings.password = m_cluster.password();
        settings.database = QStringLiteral("team");
        settings.tlsMode = QStringLiteral("disable");
        const RequestRecords records = monthOfRequests();
        for (const StoreLocation &store :
             {StoreLocation(m_dir.filePath(QStringLiteral("local/sluice.db"))), StoreLocation::postgres(settings)}) {
            RequestLogWriter writer;
            const Result<void> opened = writer.open(store);
            QVERIFY2(opened, qPrintable(opened.errorMessage()));
            for (const RequestRecord &record : records)
                writer.append(record);
            writer.flush();
            QCOMPARE(writer.writtenCount(), qint64(records.size()));
        }
        const QByteArray team = "store:\n  postgresql: postgresql://" + m_cluster.user().toUtf8() + "@127.0.0.1:"
            + QByteArray::number(m_cluster.port()) + "/team\n  password: env:SLUICE_E2E_PG_PASSWORD\n  tls: disable\n";
        QVERIFY(writeFile(m_dir.filePath(QStringLiteral("team.yaml")), team));
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("home-team/sluice"))));
        QVERIFY(writeFile(m_dir.filePath(QStringLiteral("home-team/sluice/sluice.yaml")), team));
    }

    void spendReadsTheTeamDatabase()
    {
        const QString local = m_dir.filePath(QStringLiteral("local"));
        const QString empty = m_dir.filePath(QStringLiteral("empty"));
        for (const QString &by : {QStringLiteral("token"), QStringLiteral("model"), QStringLiteral("tag")}) {
            const QStringList period
                = {QStringLiteral("spend"),      QStringLiteral("--by"),       by,
                   QStringLiteral("--from"),     QStringLiteral("2026-11-01"), QStringLiteral("--to"),
                   QStringLiteral("2026-11-30"), QStringLiteral("--format"),   QStringLiteral("json")};
            const QJsonObject expected = sluice(period + QStringList {QStringLiteral("--data-dir"), local});
            QVERIFY(!expected.isEmpty());
            QCOMPARE(expected.value(QLatin1String("total")).toObject().value(QLatin1String("requests")).toInt(), 400);
            // --config names the team's database; the data folder (empty here) is not read.
            const QJsonObject withConfig
                = sluice(period
                         + QStringList {QStringLiteral("--config"), m_dir.filePath(QStringLiteral("team.yaml")),
                                        QStringLiteral("--data-dir"), empty});
            QVERIFY2(sameJson(withConfig, expected), QJsonDocument(withConfig).toJson().constData());
            // A machine whose default config names it reads it without --config.
            const QJsonObject byDefault = sluice(period + QStringList {QStringLiteral("--data-dir"), empty}, true);
            QVERIFY2(sameJson(byDefault, expected), QJsonDocument(byDefault).toJson().constData());
        }
    }

    void repriceReadsTheTeamDatabase()
    {
        const QStringList reprice
            = {QStringLiteral("compare"),    QStringLiteral("--reprice"), QStringLiteral("gpt-4.1-mini"),
               QStringLiteral("--by"),       QStringLiteral("model"),     QStringLiteral("--from"),
               QStringLiteral("2026-11-01"), QStringLiteral("--to"),      QStringLiteral("2026-11-30"),
               QStringLiteral("--format"),   QStringLiteral("json")};
        const QJsonObject expected
            = sluice(reprice + QStringList {QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("local"))});
        QVERIFY(!expected.isEmpty());
        const QJsonObject actual
            = sluice(reprice
                     + QStringList {QStringLiteral("--config"), m_dir.filePath(QStringLiteral("team.yaml")),
                                    QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("empty"))});
        QVERIFY(!actual.isEmpty());
        QVERIFY2(sameJson(actual, expected), QJsonDocument(actual).toJson().constData());
    }
};

QTEST_GUILESS_MAIN(TestE2eTeamSpend)
#include "tst_e2e_teamspend.moc"
