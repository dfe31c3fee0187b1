#include <functional>

#include <QDir>
#include <QFile>
#include <QMap>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "StoreTestSupport.h"
#include "cost/SpendBreakdown.h"
#include "store/Migrations.h"
#include "store/RecordColumns.h"
#include "store/RequestLogWriter.h"
#include "store/SqliteConnection.h"

using namespace sluice;
using namespace sluice::test;

namespace {

constexpr qint64 HourMs = 3600000;

QDateTime utc(const char *iso)
{
    QDateTime time = QDateTime::fromString(QLatin1String(iso), Qt::ISODateWithMs);
    time.setTimeSpec(Qt::UTC);
    return time;
}

// 2026-02-27 21:00 UTC: the records run over the end of February into March (one every 97 s, about 5.6 days), so
// periods can start and end on UTC day and month boundaries, on whole hours and off them.
const QDateTime Start = utc("2026-02-27T21:00:00");
constexpr int RecordCount = 5000;

RequestRecord spreadRecord(int n)
{
    RequestRecord record = makeRecord(n, Start.addMSecs(qint64(n) * 97000 + (n % 7) * 13));
    if (n % 11 == 0)
        record.upstreamModel.clear();
    if (n % 13 == 0) {
        record.costStatus = QLatin1String(CostStatus::Cached);
        record.costUsd = 0;
        record.savedUsd = 0.0021 * (n % 5 + 1);
        record.cacheHit = true;
    }
    return record;
}

// The values a record counts under, written from the record (not from any SQL).
QStringList keysOf(const RequestRecord &record, SpendDimension by)
{
    switch (by) {
    case SpendDimension::Day:
        return {record.startedAt.toUTC().date().toString(Qt::ISODate)};
    case SpendDimension::Hour:
        return {record.startedAt.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:00Z"))};
    case SpendDimension::Model:
        return {record.upstreamModel.isEmpty() ? record.requestedModel : record.upstreamModel};
    case SpendDimension::Provider:
        return {record.provider};
    case SpendDimension::Client:
        return {record.client};
    case SpendDimension::Token:
        return {record.tokenName};
    case SpendDimension::Tag:
        return record.tags.isEmpty() ? QStringList {QString()} : record.tags;
    case SpendDimension::Project:
        return {record.project.isEmpty() ? record.tokenName : record.project};
    }
    return {};
}

void add(SpendLine &line, const RequestRecord &record)
{
    const auto known = [](qint64 value) {
        return value < 0 ? 0 : value;
    };
    ++line.requests;
    line.inputTokens += known(record.inputTokens);
    line.cachedTokens += known(record.cachedTokens);
    line.cacheWriteTokens += known(record.cacheWriteTokens);
    line.outputTokens += known(record.outputTokens);
    line.reasoningTokens += known(record.reasoningTokens);
    if (record.costUsd >= 0) {
        line.costUsd += record.costUsd;
        if (record.costStatus == QLatin1String(CostStatus::Estimated)) {
            line.estimatedUsd += record.costUsd;
            ++line.estimated;
        }
    } else {
        ++line.unpriced;
    }
    if (record.costStatus == QLatin1String(CostStatus::Free))
        ++line.free;
    if (record.costStatus == QLatin1String(CostStatus::Cached))
        ++line.cacheHits;
    if (record.savedUsd >= 0)
        line.savedUsd += record.savedUsd;
}

QMap<QString, SpendLine> expectedLines(const RequestRecords &records, SpendDimension by, const QDateTime &from,
                                       const QDateTime &to)
{
    QMap<QString, SpendLine> lines;
    for (const RequestRecord &record : records) {
        if (record.startedAt < from || record.startedAt >= to)
            continue;
        for (const QString &key : keysOf(record, by))
            add(lines[key], record);
    }
    return lines;
}

QString differenceOf(const QString &what, const SpendLine &actual, const SpendLine &expected)
{
    const auto count = [&](const char *field, qint64 a, qint64 e) {
        return a == e ? QString()
                      : QStringLiteral("%1 %2: %3, expected %4\n").arg(what, QLatin1String(field)).arg(a).arg(e);
    };
    const auto money = [&](const char *field, double a, double e) {
        return qAbs(a - e) < 1e-9 ? QString()
                                  : QStringLiteral("%1 %2: %3, expected %4\n")
                                        .arg(what, QLatin1String(field))
                                        .arg(a, 0, 'g', 12)
                                        .arg(e, 0, 'g', 12);
    };
    return count("requests", actual.requests, expected.requests)
        + count("input", actual.inputTokens, expected.inputTokens)
        + count("cached", actual.cachedTokens, expected.cachedTokens)
        + count("cache write", actual.cacheWriteTokens, expected.cacheWriteTokens)
        + count("output", actual.outputTokens, expected.outputTokens)
        + count("reasoning", actual.reasoningTokens, expected.reasoningTokens)
        + money("cost", actual.costUsd, expected.costUsd)
        + money("estimated", actual.estimatedUsd, expected.estimatedUsd)
        + count("estimated count", actual.estimated, expected.estimated)
        + count("unpriced", actual.unpriced, expected.unpriced) + count("free", actual.free, expected.free)
        + count("cache hits", actual.cacheHits, expected.cacheHits)
        + money("saved", actual.savedUsd, expected.savedUsd);
}

} // namespace

class TestSpendBreakdown : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    RequestRecords m_records;

    void verifyPeriod(const QString &path, const RequestRecords &records, const QDateTime &from, const QDateTime &to)
    {
        SpendBreakdown breakdown(path);
        const QString period = from.toString(Qt::ISODateWithMs) + QStringLiteral("..") + to.toString(Qt::ISODateWithMs);
        for (const SpendDimension by : SpendBreakdown::all()) {
            const QString what = period + QStringLiteral(" by ") + SpendBreakdown::nameOf(by);
            const auto lines = breakdown.breakdown(by, from, to);
            QVERIFY2(lines.ok(), qPrintable(lines.errorMessage()));
            const QMap<QString, SpendLine> expected = expectedLines(records, by, from, to);
            QStringList names;
            for (const SpendLine &line : *lines)
                names.append(line.name);
            QCOMPARE(names.size(), expected.size());
            QString differences;
            for (const SpendLine &line : *lines) {
                QVERIFY2(expected.contains(line.name), qPrintable(what + QStringLiteral(": unexpected ") + line.name));
                differences += differenceOf(what + QLatin1Char(' ') + line.name, line, expected.value(line.name));
            }
            QVERIFY2(differences.isEmpty(), qPrintable(differences));
            if (SpendBreakdown::isTime(by)) {
                QStringList sorted = names;
                std::sort(sorted.begin(), sorted.end());
                QCOMPARE(names, sorted);
            } else {
                // Most expensive first; costs within a billionth of a dollar count as equal (SpendLine::costOrder).
                for (qsizetype i = 1; i < lines->size(); ++i)
                    QVERIFY(SpendLine::costOrder(lines->at(i - 1).costUsd)
                            >= SpendLine::costOrder(lines->at(i).costUsd));
            }
        }
        const auto total = breakdown.total(from, to);
        QVERIFY2(total.ok(), qPrintable(total.errorMessage()));
        const SpendLine expectedTotal
            = expectedLines(records, SpendDimension::Hour, from, to).isEmpty() ? SpendLine() : [&] {
                  SpendLine sum;
                  for (const RequestRecord &record : records) {
                      if (record.startedAt >= from && record.startedAt < to)
                          add(sum, record);
                  }
                  return sum;
              }();
        const QString difference = differenceOf(period + QStringLiteral(" total"), *total, expectedTotal);
        QVERIFY2(difference.isEmpty(), qPrintable(difference));

        // What each kind of budget counts: the known costs of its requests.
        const auto budgetSum = [&](const std::function<bool(const RequestRecord &)> &match) {
            double sum = 0;
            for (const RequestRecord &record : records) {
                if (record.startedAt >= from && record.startedAt < to && record.costUsd > 0 && match(record))
                    sum += record.costUsd;
            }
            return sum;
        };
        const std::pair<BudgetLimit::Scope, QString> scopes[]
            = {{BudgetLimit::Scope::Overall, QString()},
               {BudgetLimit::Scope::Token, QStringLiteral("laptop")},
               {BudgetLimit::Scope::Provider, QStringLiteral("anthropic")},
               {BudgetLimit::Scope::Model, QStringLiteral("gpt-4o-mini-3")}};
        for (const auto &[scope, name] : scopes) {
            BudgetLimit limit;
            limit.scope = scope;
            limit.name = name;
            const auto spent = breakdown.budgetSpend(limit, from, to);
            QVERIFY2(spent.ok(), qPrintable(spent.errorMessage()));
            const double expected = budgetSum([&, s = scope, n = name](const RequestRecord &r) {
                switch (s) {
                case BudgetLimit::Scope::Overall:
                    return true;
                case BudgetLimit::Scope::Token:
                    return r.tokenName == n;
                case BudgetLimit::Scope::Provider:
                    return r.provider == n;
                case BudgetLimit::Scope::Model:
                    return r.requestedModel == n;
                }
                return false;
            });
            QVERIFY2(qAbs(*spent - expected) < 1e-9,
                     qPrintable(period + QStringLiteral(" budget of ") + name
                                + QStringLiteral(": %1, expected %2").arg(*spent).arg(expected)));
        }

        // The stacked series adds up, bucket by bucket, to the by-day breakdown.
        const auto series = breakdown.series(SpendDimension::Day, SpendDimension::Tag, from, to);
        QVERIFY2(series.ok(), qPrintable(series.errorMessage()));
        QMap<QString, SpendLine> byDayAndTag;
        for (const SpendPoint &point : *series) {
            const QString key = QDateTime::fromMSecsSinceEpoch(point.startMs, Qt::UTC).date().toString(Qt::ISODate)
                + QLatin1Char('/') + point.value;
            byDayAndTag.insert(key, point.line);
        }
        QMap<QString, SpendLine> expectedByDayAndTag;
        for (const RequestRecord &record : records) {
            if (record.startedAt < from || record.startedAt >= to)
                continue;
            for (const QString &tag : keysOf(record, SpendDimension::Tag))
                add(expectedByDayAndTag[keysOf(record, SpendDimension::Day).constFirst() + QLatin1Char('/') + tag],
                    record);
        }
        QCOMPARE(byDayAndTag.keys(), expectedByDayAndTag.keys());
        for (auto it = expectedByDayAndTag.cbegin(); it != expectedByDayAndTag.cend(); ++it) {
            const QString d
                = differenceOf(period + QStringLiteral(" series ") + it.key(), byDayAndTag.value(it.key()), it.value());
            QVERIFY2(d.isEmpty(), qPrintable(d));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("requests.db"));
        RequestLogWriter writer;
        const auto opened = writer.open(m_path);
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        // Many batches, the same hours and values recurring across them.
        for (int round = 0; round < 4; ++round) {
            for (int n = round; n < RecordCount; n += 4) {
                const RequestRecord record = spreadRecord(n);
                m_records.append(record);
                writer.append(record);
            }
            writer.flush();
        }
        QCOMPARE(writer.writtenCount(), RecordCount);
    }

    void rollupEqualsRawSums_data()
    {
        QTest::addColumn<QDateTime>("from");
        QTest::addColumn<QDateTime>("to");
        QTest::newRow("UTC month, from its first day") << utc("2026-03-01T00:00:00") << utc("2026-04-01T00:00:00");
        QTest::newRow("UTC month, to its last instant") << utc("2026-02-01T00:00:00") << utc("2026-03-01T00:00:00");
        QTest::newRow("UTC day across nothing else") << utc("2026-03-02T00:00:00") << utc("2026-03-03T00:00:00");
        QTest::newRow("the day before the month's end") << utc("2026-02-28T00:00:00") << utc("2026-03-01T00:00:00");
        QTest::newRow("off the hour at both ends, over the month boundary")
            << utc("2026-02-28T22:17:05.500") << utc("2026-03-03T04:43:00.001");
        QTest::newRow("on the hour at both ends") << utc("2026-02-28T05:00:00") << utc("2026-03-01T07:00:00");
        QTest::newRow("within one hour") << utc("2026-03-01T10:05:00") << utc("2026-03-01T10:55:00");
        QTest::newRow("one millisecond around midnight")
            << utc("2026-02-28T23:59:59.999") << utc("2026-03-01T00:00:00.001");
        QTest::newRow("everything") << utc("2020-01-01T00:00:00") << utc("2030-01-01T00:00:00");
        QTest::newRow("nothing") << utc("2026-05-01T00:00:00") << utc("2026-06-01T00:00:00");
    }

    void rollupEqualsRawSums()
    {
        QFETCH(QDateTime, from);
        QFETCH(QDateTime, to);
        verifyPeriod(m_path, m_records, from, to);
    }

    void dimensionNamesAreStable()
    {
        QStringList names;
        for (const SpendDimension by : SpendBreakdown::all()) {
            names.append(SpendBreakdown::nameOf(by));
            QCOMPARE(SpendBreakdown::fromName(names.constLast()), by);
        }
        QCOMPARE(names.join(QLatin1Char('|')), QStringLiteral("day|hour|model|provider|client|token|tag|project"));
        QVERIFY(!SpendBreakdown::fromName(QStringLiteral("week")));
    }

    void upgradeBackfillsTheRollupFromLoggedRequests()
    {
        // A log from before attribution: its requests count (unknown client, untagged, the token as project) once
        // upgraded, and new ones add to them.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        const auto shipped = Migrations::load();
        QVERIFY(shipped.ok());
        QList<Migrations::Migration> before;
        for (const Migrations::Migration &migration : *shipped) {
            if (migration.fileName.endsWith(QLatin1String("_attribution.sql")))
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
        RequestRecords records;
        {
            SqliteConnection connection;
            QVERIFY(connection.open(path, QStringLiteral("old"), SqliteConnection::Mode::ReadWrite).ok());
            QSqlDatabase db = connection.database();
            QVERIFY(Migrations::apply(db, path, oldDir).ok());
            QSqlQuery insert(db);
            QString insertSql = RecordColumns::insertRequestSql();
            // The columns of this migration and of later ones are not in the old schema.
            for (const char *column : {"client", "tags", "project", "guardrails", "prompt_name", "prompt_version",
                                       "observed_prompt", "compare_run"}) {
                insertSql.remove(QStringLiteral(", ") + QLatin1String(column))
                    .remove(QStringLiteral(", :") + QLatin1String(column));
            }
            QVERIFY(insert.prepare(insertSql));
            QVERIFY(db.transaction());
            for (int n = 0; n < 1500; ++n) {
                RequestRecord record = spreadRecord(n);
                RecordColumns::bindRequest(insert, record);
                QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
                record.client.clear();
                record.tags.clear();
                record.project.clear();
                records.append(record);
            }
            QVERIFY(db.commit());
        }
        {
            // Read-only readers do not upgrade: they say what to do.
            SpendBreakdown old(path);
            const Result<void> opened = old.open();
            QVERIFY(!opened.ok());
            QVERIFY2(opened.errorMessage().contains(QLatin1String("start the gateway once")),
                     qPrintable(opened.errorMessage()));
        }
        {
            RequestLogWriter writer;
            const auto opened = writer.open(path);
            QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
            for (int n = 1500; n < 3000; ++n) {
                records.append(spreadRecord(n));
                writer.append(records.constLast());
            }
        }
        verifyPeriod(path, records, utc("2026-02-27T22:30:00"), utc("2026-03-03T01:00:00"));
    }

    void olderLogIsReportedNotMisread()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("missing.db"));
        SpendBreakdown breakdown(path);
        const auto total = breakdown.total(utc("2026-03-01T00:00:00"), utc("2026-04-01T00:00:00"));
        QVERIFY(!total.ok());
        QVERIFY(!QFile::exists(path)); // read-only: never creates a log
    }
};

QTEST_GUILESS_MAIN(TestSpendBreakdown)
#include "tst_spendbreakdown.moc"
