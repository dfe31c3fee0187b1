#include <algorithm>

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include "StoreTestSupport.h"
#include "cost/SpendReport.h"
#include "store/Migrations.h"
#include "store/RecordColumns.h"
#include "store/RequestLogWriter.h"
#include "store/SqliteConnection.h"

using namespace sluice;
using namespace sluice::test;

namespace {

constexpr qint64 HourMs = 3600000;
// 2026-03-02 00:00 UTC: a whole hour, so the tests can place periods on and off hour boundaries.
constexpr qint64 BaseMs = 1772409600000;

// Records spread over about 40 hours (one every 47 s), some with no upstream model (spend is then by the requested
// one), with unknown token counts, unpriced, estimated and free costs from makeRecord().
RequestRecord spreadRecord(int n)
{
    RequestRecord record = makeRecord(n, QDateTime::fromMSecsSinceEpoch(BaseMs + qint64(n) * 47000, Qt::UTC));
    if (n % 11 == 0)
        record.upstreamModel.clear();
    return record;
}

// Sums over the request rows, written independently of the rollup's SQL: per hour and key, or over a period by
// a key expression. Costs and counts in the same column order as spend_hourly.
const QString RawSums = QStringLiteral(
    "COUNT(*), SUM(IFNULL(input_tokens, 0)), SUM(IFNULL(cached_tokens, 0)), SUM(IFNULL(cache_write_tokens, 0)), "
    "SUM(IFNULL(output_tokens, 0)), SUM(IFNULL(reasoning_tokens, 0)), SUM(IFNULL(cost_usd, 0)), "
    "SUM(CASE WHEN cost_status = 'estimated' AND cost_usd IS NOT NULL THEN cost_usd ELSE 0 END), "
    "SUM(CASE WHEN cost_status = 'estimated' AND cost_usd IS NOT NULL THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN cost_status = 'free' THEN 1 ELSE 0 END)");
const QString ModelKey = QStringLiteral("CASE WHEN upstream_model = '' THEN requested_model ELSE upstream_model END");

QList<QVariantList> rows(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        qWarning() << query.lastError().text() << sql;
        return {};
    }
    QList<QVariantList> result;
    while (query.next()) {
        QVariantList row;
        for (int i = 0; i < query.record().count(); ++i)
            row.append(query.value(i));
        result.append(row);
    }
    return result;
}

// Compares the key columns as text, the counts as integers and the two cost columns within rounding.
bool sameRows(const QList<QVariantList> &actual, const QList<QVariantList> &expected, int keys, QString *why)
{
    if (actual.size() != expected.size()) {
        *why = QStringLiteral("%1 rows, expected %2").arg(actual.size()).arg(expected.size());
        return false;
    }
    for (qsizetype r = 0; r < expected.size(); ++r) {
        for (int c = 0; c < expected.at(r).size(); ++c) {
            const QVariant &a = actual.at(r).at(c);
            const QVariant &e = expected.at(r).at(c);
            const int aggregate = c - keys;
            const bool cost = aggregate == 6 || aggregate == 7;
            const bool same = c < keys ? a.toString() == e.toString()
                : cost                 ? qAbs(a.toDouble() - e.toDouble()) < 1e-9
                                       : a.toLongLong() == e.toLongLong();
            if (!same) {
                *why
                    = QStringLiteral("row %1 column %2: %3, expected %4").arg(r).arg(c).arg(a.toString(), e.toString());
                return false;
            }
        }
    }
    return true;
}

QList<QVariantList> rollupByHour(const QSqlDatabase &db)
{
    return rows(
        db,
        QStringLiteral("SELECT hour, model, provider, token_name, requests, input_tokens, cached_tokens, "
                       "cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, estimated_usd, estimated, "
                       "unpriced, free FROM spend_hourly ORDER BY 1, 2, 3, 4"));
}

QList<QVariantList> requestsByHour(const QSqlDatabase &db)
{
    return rows(db,
                QStringLiteral("SELECT (started_at / %1) * %1, %2, provider, token_name, %3 FROM requests "
                               "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")
                    .arg(HourMs)
                    .arg(ModelKey, RawSums));
}

QVariantList lineValues(const QStringList &keys, const SpendLine &line)
{
    QVariantList values;
    for (const QString &key : keys)
        values.append(key);
    values << line.requests << line.inputTokens << line.cachedTokens << line.cacheWriteTokens << line.outputTokens
           << line.reasoningTokens << line.costUsd << line.estimatedUsd << line.estimated << line.unpriced << line.free;
    return values;
}

} // namespace

class TestSpendRollup : public QObject
{
    Q_OBJECT

private:
    // The spend report over [from, to) against sums over the request rows of that period.
    void verifyReport(const QString &path, qint64 fromMs, qint64 toMs)
    {
        SpendReport report(path);
        const auto summary = report.summarize(QDateTime::fromMSecsSinceEpoch(fromMs, Qt::UTC),
                                              QDateTime::fromMSecsSinceEpoch(toMs, Qt::UTC));
        QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
        RawDatabase raw(path);
        const QString period
            = QStringLiteral(" FROM requests WHERE started_at >= %1 AND started_at < %2 ").arg(fromMs).arg(toMs);
        QString why;
        const auto total = rows(raw.db(), QStringLiteral("SELECT ") + RawSums + period);
        QVERIFY(total.first().first().toLongLong() > 0);
        QVERIFY2(sameRows({lineValues({}, summary->total)}, total, 0, &why), qPrintable(why));

        QList<QVariantList> byModel;
        for (const SpendLine &line : summary->byModel)
            byModel.append(lineValues({line.name, line.provider}, line));
        std::sort(byModel.begin(), byModel.end(), [](const QVariantList &a, const QVariantList &b) {
            return std::pair(a.at(0).toString(), a.at(1).toString())
                < std::pair(b.at(0).toString(), b.at(1).toString());
        });
        const auto expectedByModel = rows(
            raw.db(),
            QStringLiteral("SELECT %1, provider, %2 %3 GROUP BY 1, 2 ORDER BY 1, 2").arg(ModelKey, RawSums, period));
        QVERIFY(expectedByModel.size() > 1);
        QVERIFY2(sameRows(byModel, expectedByModel, 2, &why), qPrintable(why));

        QList<QVariantList> byToken;
        for (const SpendLine &line : summary->byToken)
            byToken.append(lineValues({line.name}, line));
        std::sort(byToken.begin(), byToken.end(),
                  [](const QVariantList &a, const QVariantList &b) { return a.at(0).toString() < b.at(0).toString(); });
        const auto expectedByToken
            = rows(raw.db(), QStringLiteral("SELECT token_name, %1 %2 GROUP BY 1 ORDER BY 1").arg(RawSums, period));
        QVERIFY(expectedByToken.size() > 1);
        QVERIFY2(sameRows(byToken, expectedByToken, 1, &why), qPrintable(why));
    }

private Q_SLOTS:
    void rollupEqualsTheSumsOfTheRequestRows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        {
            RequestLogWriter writer;
            const auto opened = writer.open(path);
            QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
            // Many batches, the same hours and keys recurring across them, and one id logged twice.
            for (int round = 0; round < 6; ++round) {
                for (int n = round; n < 3000; n += 6)
                    writer.append(spreadRecord(n));
                writer.flush();
            }
            RequestRecord duplicate = spreadRecord(3001);
            writer.append(duplicate);
            writer.append(duplicate);
            writer.flush();
            QCOMPARE(writer.writtenCount(), 3002);
        }
        RawDatabase raw(path);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM requests")).toInt(), 3001);
        const auto expected = requestsByHour(raw.db());
        QVERIFY(expected.size() > 100);
        QString why;
        QVERIFY2(sameRows(rollupByHour(raw.db()), expected, 4, &why), qPrintable(why));
    }

    void spendReportAddsPartialHoursFromTheRequestRows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            for (int n = 0; n < 3000; ++n)
                writer.append(spreadRecord(n));
        }
        // Off the hour at both ends, on the hour at both ends, and within one hour.
        verifyReport(path, BaseMs + 17 * 60000 + 5, BaseMs + 31 * HourMs + 23 * 60000);
        verifyReport(path, BaseMs + 2 * HourMs, BaseMs + 20 * HourMs);
        verifyReport(path, BaseMs + 5 * HourMs + 60000, BaseMs + 5 * HourMs + 50 * 60000);
        verifyReport(path, 0, BaseMs + 1000 * HourMs);
    }

    void upgradeBackfillsTheRollupFromLoggedRequests()
    {
        // A log from before the rollup: its requests must count once upgraded, and new ones add to them.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        const auto shipped = Migrations::load();
        QVERIFY(shipped.ok());
        QList<Migrations::Migration> before;
        for (const Migrations::Migration &migration : *shipped) {
            if (migration.fileName.endsWith(QLatin1String("_spend_rollup.sql")))
                break;
            before.append(migration);
        }
        QVERIFY(!before.isEmpty() && before.size() < shipped->size());
        const QString oldDir = dir.filePath(QStringLiteral("old"));
        QDir().mkpath(oldDir);
        for (const Migrations::Migration &migration : std::as_const(before)) {
            QFile file(oldDir + QLatin1Char('/') + migration.fileName);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(migration.script.toUtf8());
        }
        {
            SqliteConnection connection;
            QVERIFY(connection.open(path, QStringLiteral("old"), SqliteConnection::Mode::ReadWrite).ok());
            QSqlDatabase db = connection.database();
            QVERIFY(Migrations::apply(db, path, oldDir).ok());
            QSqlQuery insert(db);
            // The requests table as it was then: without the columns later migrations added.
            QString insertSql = RecordColumns::insertRequestSql();
            for (const char *column : {"served_model", "client", "tags", "project", "guardrails", "prompt_name",
                                       "prompt_version", "observed_prompt", "compare_run"}) {
                insertSql.remove(QStringLiteral(", ") + QLatin1String(column))
                    .remove(QStringLiteral(", :") + QLatin1String(column));
            }
            QVERIFY(insert.prepare(insertSql));
            QVERIFY(db.transaction());
            for (int n = 0; n < 1500; ++n) {
                RecordColumns::bindRequest(insert, spreadRecord(n));
                QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
            }
            QVERIFY(db.commit());
        }
        {
            RequestLogWriter writer;
            const auto opened = writer.open(path);
            QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
            for (int n = 1500; n < 3000; ++n)
                writer.append(spreadRecord(n));
        }
        RawDatabase raw(path);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT TOTAL(requests) FROM spend_hourly")).toInt(), 3000);
        QString why;
        QVERIFY2(sameRows(rollupByHour(raw.db()), requestsByHour(raw.db()), 4, &why), qPrintable(why));
        verifyReport(path, BaseMs + 17 * 60000, BaseMs + 39 * HourMs + 1);
    }
};

QTEST_GUILESS_MAIN(TestSpendRollup)
#include "tst_spendrollup.moc"
