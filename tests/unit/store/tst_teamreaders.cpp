// The readers on a team database (docs/team.md, "Reading the team's log"): one data set is written by the store's
// writer to a SQLite log and to a throw-away PostgreSQL cluster, then every report `sluice spend` and `sluice compare
// --reprice` make (and the window's Spend page reads) must come out the same from both.
#include <memory>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include "RepriceCommand.h"
#include "SpendCommand.h"
#include "StoreTestSupport.h"
#include "cost/SpendBreakdown.h"
#include "cost/SpendReport.h"
#include "cost/WhatIfCost.h"
#include "store/PostgresConnection.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"
#include "store/StoreConnection.h"
#include "support/PostgresCluster.h"
#include "support/SameJson.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// 2026-03-02 00:00 UTC; the data set covers about 26 days from there.
constexpr qint64 BaseMs = 1772409600000;
constexpr int Records = 3000;

RequestRecord teamRecord(int n)
{
    // Off the hour, several per hour, a few hours without any.
    RequestRecord record = makeRecord(n, QDateTime::fromMSecsSinceEpoch(BaseMs + qint64(n) * 743'000 + n % 7, Qt::UTC));
    if (n % 11 == 0)
        record.upstreamModel.clear();
    if (n % 13 == 0) {
        record.costStatus = QLatin1String(CostStatus::Cached);
        record.costUsd = 0;
        record.savedUsd = 0.002 * (n % 5 + 1);
    }
    if (n % 17 == 0)
        record.inputTokens = 150000 + qint64(n) * 100; // long-context tiers
    if (n % 19 == 0) {
        record.inputTokens = -1;
        record.outputTokens = -1;
    }
    if (n % 23 == 0)
        record.tags = {QStringLiteral("nightly"), QStringLiteral("ci"), QStringLiteral("eval, \"quoted\"")};
    return record;
}

QString describe(const SpendLine &l)
{
    return QStringLiteral("%1/%2 start %3: %4 req, in %5, cached %6, write %7, out %8, reasoning %9, $%10, est $%11 "
                          "(%12), unpriced %13, free %14, hits %15, saved $%16")
        .arg(l.name, l.provider)
        .arg(l.startMs)
        .arg(l.requests)
        .arg(l.inputTokens)
        .arg(l.cachedTokens)
        .arg(l.cacheWriteTokens)
        .arg(l.outputTokens)
        .arg(l.reasoningTokens)
        .arg(l.costUsd, 0, 'g', 12)
        .arg(l.estimatedUsd, 0, 'g', 12)
        .arg(l.estimated)
        .arg(l.unpriced)
        .arg(l.free)
        .arg(l.cacheHits)
        .arg(l.savedUsd, 0, 'g', 12);
}

void verifySameLines(const QList<SpendLine> &actual, const QList<SpendLine> &expected, const QString &what)
{
    QVERIFY2(actual.size() == expected.size(),
             qPrintable(what + QStringLiteral(": %1 lines, expected %2").arg(actual.size()).arg(expected.size())));
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const SpendLine &a = actual.at(i);
        const SpendLine &e = expected.at(i);
        const bool equal = a.name == e.name && a.provider == e.provider && a.startMs == e.startMs
            && a.requests == e.requests && a.inputTokens == e.inputTokens && a.cachedTokens == e.cachedTokens
            && a.cacheWriteTokens == e.cacheWriteTokens && a.outputTokens == e.outputTokens
            && a.reasoningTokens == e.reasoningTokens && sameSum(a.costUsd, e.costUsd)
            && sameSum(a.estimatedUsd, e.estimatedUsd) && a.estimated == e.estimated && a.unpriced == e.unpriced
            && a.free == e.free && a.cacheHits == e.cacheHits && sameSum(a.savedUsd, e.savedUsd);
        QVERIFY2(
            equal,
            qPrintable(
                what
                + QStringLiteral(", line %1:\n  postgresql %2\n  sqlite     %3").arg(i).arg(describe(a), describe(e))));
    }
}

void verifySameWhatIf(const WhatIfLine &a, const WhatIfLine &e, const QString &what)
{
    const bool equal = a.name == e.name && a.requests == e.requests && a.compared == e.compared
        && a.inputTokens == e.inputTokens && a.cachedTokens == e.cachedTokens
        && a.cacheWriteTokens == e.cacheWriteTokens && a.outputTokens == e.outputTokens
        && a.reasoningTokens == e.reasoningTokens && sameSum(a.actualUsd, e.actualUsd)
        && sameSum(a.whatIfUsd, e.whatIfUsd) && a.estimated == e.estimated && a.unpricedActual == e.unpricedActual
        && sameSum(a.unpricedActualWhatIfUsd, e.unpricedActualWhatIfUsd) && a.noTokenCounts == e.noTokenCounts
        && a.missingTargetPrice == e.missingTargetPrice && a.cacheHits == e.cacheHits;
    QVERIFY2(equal,
             qPrintable(what
                        + QStringLiteral(" '%1': postgresql %2 req / %3 compared / $%4 -> $%5, sqlite %6 req / "
                                         "%7 compared / $%8 -> $%9")
                              .arg(e.name)
                              .arg(a.requests)
                              .arg(a.compared)
                              .arg(a.actualUsd)
                              .arg(a.whatIfUsd)
                              .arg(e.requests)
                              .arg(e.compared)
                              .arg(e.actualUsd)
                              .arg(e.whatIfUsd)));
}

struct Output
{
    int code = -1;
    QString out;
    QString err;
};

// Drops the lines that name the store ("... from /path/sluice.db" against "... from postgresql://..."), the only
// difference two stores holding the same rows may show.
QString withoutStoreName(const QString &text, const QString &name)
{
    QStringList lines = text.split(QLatin1Char('\n'));
    for (QString &line : lines) {
        if (line.contains(name))
            line = QStringLiteral("<store>");
    }
    return lines.join(QLatin1Char('\n'));
}

void verifySameReport(const QString &actual, const QString &expected)
{
    const QJsonDocument a = QJsonDocument::fromJson(actual.toUtf8());
    const QJsonDocument e = QJsonDocument::fromJson(expected.toUtf8());
    if (!e.isNull() && !a.isNull()) {
        QVERIFY2(sameJson(a.isObject() ? QJsonValue(a.object()) : QJsonValue(a.array()),
                          e.isObject() ? QJsonValue(e.object()) : QJsonValue(e.array())),
                 qPrintable(QStringLiteral("postgresql:\n") + actual + QStringLiteral("\nsqlite:\n") + expected));
        return;
    }
    // Tables and CSV: the same words, numbers compared as in JSON.
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    const QStringList words = actual.split(separators);
    const QStringList expectedWords = expected.split(separators);
    bool equal = words.size() == expectedWords.size();
    for (qsizetype i = 0; equal && i < expectedWords.size(); ++i) {
        bool numbers = false;
        const double x = words.at(i).toDouble(&numbers);
        bool both = false;
        const double y = expectedWords.at(i).toDouble(&both);
        equal = numbers && both ? sameSum(x, y) : words.at(i) == expectedWords.at(i);
    }
    QVERIFY2(equal, qPrintable(QStringLiteral("postgresql:\n") + actual + QStringLiteral("\nsqlite:\n") + expected));
}

} // namespace

class TeamReadersTest : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<PostgresCluster> m_cluster;
    QTemporaryDir m_dir;
    QString m_missing;
    StoreLocation m_sqlite;
    StoreLocation m_postgres;
    QString m_dataDir;
    QString m_teamConfig;
    QString m_localConfig;

    const QDateTime m_now = QDateTime::fromMSecsSinceEpoch(BaseMs + 25 * 86'400'000LL + 5 * 3'600'000LL, Qt::UTC);

    struct Period
    {
        const char *name;
        QDateTime from;
        QDateTime to;
    };

    QList<Period> periods() const
    {
        const QDateTime base = QDateTime::fromMSecsSinceEpoch(BaseMs, Qt::UTC);
        return {{"the whole month", base, base.addDays(31)},
                {"whole hours", base.addDays(3), base.addDays(9)},
                {"off the hour at both ends", base.addSecs(5 * 3600 + 17 * 60 + 3), base.addSecs(12 * 86400 + 1234)},
                {"within one hour", base.addSecs(7 * 3600 + 60), base.addSecs(7 * 3600 + 2500)},
                {"nothing logged", base.addDays(-20), base.addDays(-10)}};
    }

    WhatIfTarget tieredTarget() const
    {
        WhatIfTarget target;
        target.model = QStringLiteral("long-context-model");
        target.label = target.model;
        target.family = QStringLiteral("google");
        target.price.input.base = 1.25;
        target.price.input.tiers = {{200000, 2.5}};
        target.price.output = TieredPrice::flat(10);
        target.price.cacheRead = TieredPrice::flat(0.31);
        return target;
    }

    Output run(int (*command)(const QStringList &, QTextStream &, QTextStream &, const QDateTime &),
               const QStringList &args)
    {
        Output output;
        QTextStream out(&output.out);
        QTextStream err(&output.err);
        output.code = command(args, out, err, m_now.toLocalTime());
        out.flush();
        err.flush();
        return output;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        // No user config: the commands read only what the tests name.
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        m_missing = PostgresCluster::missing();
        if (!m_missing.isEmpty()) {
            if (PostgresCluster::required())
                QFAIL(qPrintable(QStringLiteral("PostgreSQL is required (SLUICE_REQUIRE_POSTGRES): ") + m_missing));
            QSKIP(qPrintable(m_missing));
        }
        m_cluster = std::make_unique<PostgresCluster>();
        QString error;
        QVERIFY2(m_cluster->start(&error), qPrintable(QStringLiteral("the test cluster did not start: ") + error));
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("team"), &error), qPrintable(error));

        m_dataDir = m_dir.filePath(QStringLiteral("data"));
        QVERIFY(QDir().mkpath(m_dataDir));
        m_sqlite = QDir(m_dataDir).filePath(QStringLiteral("sluice.db"));
        PostgresSettings settings;
        settings.host = m_cluster->host();
        settings.port = m_cluster->port();
        settings.user = m_cluster->user();
        settings.password = m_cluster->password();
        settings.database = QStringLiteral("team");
        settings.tlsMode = QStringLiteral("disable");
        m_postgres = StoreLocation::postgres(settings, m_dir.filePath(QStringLiteral("team.journal")));

        // The same rows, through the same writer, into both stores (several batches, as a gateway writes them).
        RequestRecords records;
        for (int n = 0; n < Records; ++n)
            records.append(teamRecord(n));
        for (const StoreLocation &store : {m_sqlite, m_postgres}) {
            RequestLogWriter writer;
            const Result<void> opened = writer.open(store);
            QVERIFY2(opened, qPrintable(opened.errorMessage()));
            for (int n = 0; n < Records; ++n) {
                writer.append(records.at(n));
                if (n % 700 == 699)
                    writer.flush();
            }
            writer.flush();
            QCOMPARE(writer.writtenCount(), qint64(Records));
        }

        qputenv("SLUICE_TEST_TEAM_PASSWORD", m_cluster->password().toUtf8());
        m_teamConfig = m_dir.filePath(QStringLiteral("team.yaml"));
        QFile team(m_teamConfig);
        QVERIFY(team.open(QIODevice::WriteOnly));
        team.write("store:\n  postgresql: postgresql://" + m_cluster->user().toUtf8()
                   + "@127.0.0.1:" + QByteArray::number(m_cluster->port())
                   + "/team\n  password: env:SLUICE_TEST_TEAM_PASSWORD\n  tls: disable\n");
        team.close();
        m_localConfig = m_dir.filePath(QStringLiteral("local.yaml"));
        QFile local(m_localConfig);
        QVERIFY(local.open(QIODevice::WriteOnly));
        local.write("gateway:\n  port: 4100\n");
        local.close();
    }

    void spendSummariesAgree()
    {
        SpendReport sqlite(m_sqlite);
        SpendReport postgres(m_postgres);
        for (const Period &period : periods()) {
            const Result<SpendSummary> expected = sqlite.summarize(period.from, period.to);
            QVERIFY2(expected, qPrintable(expected.errorMessage()));
            const Result<SpendSummary> actual = postgres.summarize(period.from, period.to);
            QVERIFY2(actual, qPrintable(actual.errorMessage()));
            const QString what = QLatin1String(period.name);
            verifySameLines({actual->total}, {expected->total}, what + QStringLiteral(", total"));
            verifySameLines(actual->byModel, expected->byModel, what + QStringLiteral(", by model"));
            verifySameLines(actual->byToken, expected->byToken, what + QStringLiteral(", by token"));
            if (QLatin1String(period.name) == QLatin1String("the whole month"))
                QCOMPARE(actual->total.requests, qint64(Records));
        }
    }

    void breakdownsSeriesAndBudgetsAgree()
    {
        SpendBreakdown sqlite(m_sqlite);
        SpendBreakdown postgres(m_postgres);
        int nonEmpty = 0;
        for (const Period &period : periods()) {
            const QString name = QLatin1String(period.name);
            const Result<SpendLine> expectedTotal = sqlite.total(period.from, period.to);
            QVERIFY2(expectedTotal, qPrintable(expectedTotal.errorMessage()));
            const Result<SpendLine> actualTotal = postgres.total(period.from, period.to);
            QVERIFY2(actualTotal, qPrintable(actualTotal.errorMessage()));
            verifySameLines({*actualTotal}, {*expectedTotal}, name + QStringLiteral(", total"));
            for (const SpendDimension by : SpendBreakdown::all()) {
                const QString what = name + QStringLiteral(" by ") + SpendBreakdown::nameOf(by);
                const Result<QList<SpendLine>> expected = sqlite.breakdown(by, period.from, period.to);
                QVERIFY2(expected, qPrintable(expected.errorMessage()));
                const Result<QList<SpendLine>> actual = postgres.breakdown(by, period.from, period.to);
                QVERIFY2(actual, qPrintable(what + QStringLiteral(": ") + actual.errorMessage()));
                verifySameLines(*actual, *expected, what);
                nonEmpty += expected->isEmpty() ? 0 : 1;
                for (const SpendDimension bucket : {SpendDimension::Day, SpendDimension::Hour}) {
                    const Result<QList<SpendPoint>> expectedSeries = sqlite.series(bucket, by, period.from, period.to);
                    QVERIFY2(expectedSeries, qPrintable(expectedSeries.errorMessage()));
                    const Result<QList<SpendPoint>> actualSeries = postgres.series(bucket, by, period.from, period.to);
                    QVERIFY2(actualSeries, qPrintable(actualSeries.errorMessage()));
                    QCOMPARE(actualSeries->size(), expectedSeries->size());
                    QList<SpendLine> a;
                    QList<SpendLine> e;
                    for (qsizetype i = 0; i < expectedSeries->size(); ++i) {
                        QCOMPARE(actualSeries->at(i).startMs, expectedSeries->at(i).startMs);
                        QCOMPARE(actualSeries->at(i).value, expectedSeries->at(i).value);
                        a.append(actualSeries->at(i).line);
                        e.append(expectedSeries->at(i).line);
                    }
                    verifySameLines(a, e, what + QStringLiteral(" series by ") + SpendBreakdown::nameOf(bucket));
                }
            }
            BudgetLimit overall;
            BudgetLimit token;
            token.scope = BudgetLimit::Scope::Token;
            token.name = QStringLiteral("laptop");
            BudgetLimit provider;
            provider.scope = BudgetLimit::Scope::Provider;
            provider.name = QStringLiteral("anthropic");
            BudgetLimit model;
            model.scope = BudgetLimit::Scope::Model;
            model.name = QStringLiteral("gpt-4o-mini-3");
            for (const BudgetLimit &limit : {overall, token, provider, model}) {
                const Result<double> expected = sqlite.budgetSpend(limit, period.from, period.to);
                QVERIFY2(expected, qPrintable(expected.errorMessage()));
                const Result<double> actual = postgres.budgetSpend(limit, period.from, period.to);
                QVERIFY2(actual, qPrintable(actual.errorMessage()));
                QVERIFY2(
                    sameSum(*actual, *expected),
                    qPrintable(name
                               + QStringLiteral(" budget %1: %2 != %3").arg(limit.name).arg(*actual).arg(*expected)));
            }
        }
        // The data set reaches every grouping (a test over empty results would prove nothing).
        QVERIFY(nonEmpty >= 3 * int(SpendBreakdown::all().size()));
    }

    void whatIfAgrees()
    {
        WhatIfCost sqlite(m_sqlite);
        WhatIfCost postgres(m_postgres);
        WhatIfCost postgresRows(m_postgres);
        postgresRows.setRollupEnabled(false);
        WhatIfFilter claudeCode;
        claudeCode.client = QStringLiteral("Claude Code");
        WhatIfFilter untagged;
        untagged.tag = QString();
        WhatIfFilter nightly;
        nightly.tag = QStringLiteral("nightly");
        WhatIfFilter model;
        model.model = QStringLiteral("upstream-ü-2");
        WhatIfTarget cheap = tieredTarget();
        cheap.price.cacheRead = TieredPrice();
        cheap.price.output = TieredPrice(); // tokens of a kind it has no price for
        for (const WhatIfTarget &target : {tieredTarget(), cheap}) {
            for (const Period &period : periods()) {
                for (const WhatIfFilter &filter : {WhatIfFilter(), claudeCode, untagged, nightly, model}) {
                    for (const WhatIfGrouping by :
                         {WhatIfGrouping::None, WhatIfGrouping::Client, WhatIfGrouping::Model, WhatIfGrouping::Tag}) {
                        const QString what = QLatin1String(period.name) + QStringLiteral(" by ")
                            + WhatIfCost::nameOf(by) + QStringLiteral(" ") + filter.describe();
                        const Result<WhatIfReport> expected
                            = sqlite.compute(target, by, period.from, period.to, filter);
                        QVERIFY2(expected, qPrintable(expected.errorMessage()));
                        for (WhatIfCost *reader : {&postgres, &postgresRows}) {
                            const Result<WhatIfReport> actual
                                = reader->compute(target, by, period.from, period.to, filter);
                            QVERIFY2(actual, qPrintable(what + QStringLiteral(": ") + actual.errorMessage()));
                            verifySameWhatIf(actual->total, expected->total, what);
                            QCOMPARE(actual->lines.size(), expected->lines.size());
                            for (qsizetype i = 0; i < expected->lines.size(); ++i)
                                verifySameWhatIf(actual->lines.at(i), expected->lines.at(i), what);
                        }
                    }
                }
            }
        }
    }

    void theLiveTableReadsTheTeamDatabase()
    {
        RequestLogReader sqlite(m_sqlite);
        RequestLogReader postgres(m_postgres);
        QVERIFY2(postgres.open(), qPrintable(postgres.open().errorMessage()));
        QCOMPARE(*postgres.count(), qint64(Records));
        const Result<RequestRecords> expected = sqlite.recent(50);
        const Result<RequestRecords> actual = postgres.recent(50);
        QVERIFY2(actual, qPrintable(actual.errorMessage()));
        QCOMPARE(actual->size(), expected->size());
        for (qsizetype i = 0; i < expected->size(); ++i)
            verifySameRecord(actual->at(i), expected->at(i), false);
        const Result<RequestRecord> one = postgres.byId(expected->at(3).id);
        QVERIFY2(one, qPrintable(one.errorMessage()));
        verifySameRecord(*one, *sqlite.byId(expected->at(3).id));
    }

    void theReadersNeverWriteToTheTeamDatabase()
    {
        // The window's and the reports' connections are read-only in the server itself.
        StoreConnection connection;
        QVERIFY(connection.open(m_postgres, QStringLiteral("team-readers-read-only"), StoreConnection::Mode::ReadOnly));
        QSqlQuery query(connection.database());
        QVERIFY(!query.exec(QStringLiteral("DELETE FROM requests")));
        query = QSqlQuery();
        RequestLogReader reader(m_postgres);
        QCOMPARE(*reader.count(), qint64(Records));
    }

    void spendCommandPrintsTheSameFromTheTeamDatabase()
    {
        const QString sqliteName = QDir::toNativeSeparators(m_sqlite.sqlitePath());
        const QString postgresName = m_postgres.describe();
        QList<QStringList> variants = {{}};
        for (const QString &by :
             {QStringLiteral("day"), QStringLiteral("hour"), QStringLiteral("model"), QStringLiteral("provider"),
              QStringLiteral("client"), QStringLiteral("token"), QStringLiteral("tag"), QStringLiteral("project")}) {
            for (const QString &format : {QStringLiteral("table"), QStringLiteral("csv"), QStringLiteral("json")})
                variants.append({QStringLiteral("--by"), by, QStringLiteral("--format"), format});
        }
        variants.append({QStringLiteral("--by"), QStringLiteral("client"), QStringLiteral("--from"),
                         QStringLiteral("2026-03-04T05:17:00Z"), QStringLiteral("--to"),
                         QStringLiteral("2026-03-20T10:00:00Z")});
        variants.append({QStringLiteral("--by"), QStringLiteral("tag"), QStringLiteral("--from"),
                         QStringLiteral("2026-03-02"), QStringLiteral("--to"), QStringLiteral("2026-03-31")});
        for (const QStringList &options : std::as_const(variants)) {
            const Output expected
                = run(runSpendCommand,
                      QStringList {QStringLiteral("spend"), QStringLiteral("--data-dir"), m_dataDir} + options);
            QVERIFY2(expected.code == 0, qPrintable(expected.err));
            // Requests in every report (a comparison of two empty reports would prove nothing).
            QVERIFY2(expected.out.contains(QRegularExpression(
                         QStringLiteral("[1-9]\\d*,?\\d* requests|\"requests\": *[1-9]|,[1-9]\\d*,"))),
                     qPrintable(options.join(QLatin1Char(' ')) + QStringLiteral(":\n") + expected.out));
            const Output actual = run(runSpendCommand,
                                      QStringList {QStringLiteral("spend"), QStringLiteral("--config"), m_teamConfig,
                                                   QStringLiteral("--data-dir"), m_dataDir}
                                          + options);
            QVERIFY2(actual.code == 0, qPrintable(actual.err));
            if (options.contains(QLatin1String("table")) || !options.contains(QLatin1String("--format")))
                QVERIFY2(actual.out.contains(postgresName), qPrintable(actual.out));
            verifySameReport(withoutStoreName(actual.out, postgresName), withoutStoreName(expected.out, sqliteName));
        }
    }

    void repriceCommandPrintsTheSameFromTheTeamDatabase()
    {
        const QString sqliteName = QDir::toNativeSeparators(m_sqlite.sqlitePath());
        const QString postgresName = m_postgres.describe();
        for (const QString &by : {QStringLiteral("model"), QStringLiteral("client"), QStringLiteral("tag")}) {
            for (const QString &format : {QStringLiteral("table"), QStringLiteral("csv"), QStringLiteral("json")}) {
                for (const QStringList &filter : {QStringList(), QStringList {QStringLiteral("--tag"), QString()},
                                                  QStringList {QStringLiteral("--client"), QStringLiteral("curl")}}) {
                    const QStringList options = QStringList {QStringLiteral("compare"),
                                                             QStringLiteral("--reprice"),
                                                             QStringLiteral("gpt-4.1"),
                                                             QStringLiteral("--by"),
                                                             by,
                                                             QStringLiteral("--format"),
                                                             format,
                                                             QStringLiteral("--from"),
                                                             QStringLiteral("2026-03-01"),
                                                             QStringLiteral("--to"),
                                                             QStringLiteral("2026-03-31"),
                                                             QStringLiteral("--data-dir"),
                                                             m_dataDir}
                        + filter;
                    const Output expected
                        = run(runRepriceCommand, options + QStringList {QStringLiteral("--config"), m_localConfig});
                    QVERIFY2(expected.code == 0, qPrintable(expected.err));
                    const Output actual
                        = run(runRepriceCommand, options + QStringList {QStringLiteral("--config"), m_teamConfig});
                    QVERIFY2(actual.code == 0, qPrintable(actual.err));
                    QVERIFY(!actual.out.isEmpty());
                    verifySameReport(withoutStoreName(actual.out, postgresName),
                                     withoutStoreName(expected.out, sqliteName));
                }
            }
        }
    }

    void aTeamDatabaseThatIsDownIsAClearError()
    {
        QFile broken(m_dir.filePath(QStringLiteral("down.yaml")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        // A port nothing listens on.
        broken.write("store:\n  postgresql: postgresql://sluice@127.0.0.1:1/team\n  tls: disable\n");
        broken.close();
        const Output output = run(runSpendCommand,
                                  {QStringLiteral("spend"), QStringLiteral("--config"), broken.fileName(),
                                   QStringLiteral("--by"), QStringLiteral("model")});
        QCOMPARE(output.code, 1);
        QVERIFY2(output.err.contains(QLatin1String("postgresql://sluice@127.0.0.1:1/team")), qPrintable(output.err));
        QVERIFY2(output.err.contains(QLatin1String("Cannot connect")), qPrintable(output.err));
    }
};

QTEST_GUILESS_MAIN(TeamReadersTest)
#include "tst_teamreaders.moc"
