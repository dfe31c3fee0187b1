#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "StoreTestSupport.h"
#include "store/LogRetention.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"

using namespace sluice;
using namespace sluice::test;

namespace {

const QDateTime Now = QDateTime(QDate(2026, 6, 30), QTime(12, 0), Qt::UTC);

// 60 requests, one a day going back from Now, each with bodies of bodyBytes (incompressible, so they take room).
void fill(const QString &path, qint64 bodyBytes)
{
    RequestLogWriter writer;
    QVERIFY(writer.open(path).ok());
    for (int day = 0; day < 60; ++day) {
        RequestRecord record = makeRecord(day, Now.addDays(-day));
        record.costStatus = QLatin1String(CostStatus::Exact);
        record.costUsd = 0.01;
        record.requestBody.clear();
        for (qint64 i = 0; record.requestBody.size() < bodyBytes; ++i)
            record.requestBody += QUuid::createUuid().toRfc4122();
        record.responseBody = record.requestBody;
        writer.append(std::move(record));
    }
    writer.stop();
}

qint64 scalar(const QString &path, const QString &sql)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
    db.setDatabaseName(path);
    qint64 value = -1;
    if (db.open()) {
        QSqlQuery query(db);
        if (query.exec(sql) && query.next())
            value = query.value(0).toLongLong();
        db.close();
    }
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    return value;
}

} // namespace

class TestLogRetention : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oldRequestsGoSpendStays()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sluice.db"));
        fill(path, 1000);
        const qint64 spendBefore = scalar(path, QStringLiteral("SELECT SUM(requests) FROM spend_hourly"));
        QCOMPARE(spendBefore, 60);

        const Result<RetentionPass> pass = LogRetention::prune(path, RetentionPolicy {30, 0}, Now);
        QVERIFY2(pass.ok(), qPrintable(pass.errorMessage()));
        // Days 31..59 are older than 30 days (day 30 is exactly at the cut: kept).
        QCOMPARE(pass->requestsDeleted, 29);
        QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM requests")), 31);
        QCOMPARE(scalar(path, QStringLiteral("SELECT MIN(started_at) FROM requests")),
                 Now.addDays(-30).toMSecsSinceEpoch());
        // Their bodies and attempts went with them; the hourly spend kept every request.
        QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM request_bodies")), 31);
        QCOMPARE(scalar(path,
                        QStringLiteral("SELECT COUNT(*) FROM request_attempts WHERE request_seq NOT IN "
                                       "(SELECT seq FROM requests)")),
                 0);
        QCOMPARE(scalar(path, QStringLiteral("SELECT SUM(requests) FROM spend_hourly")), spendBefore);
        // A second pass has nothing left to do.
        QCOMPARE(LogRetention::prune(path, RetentionPolicy {30, 0}, Now)->requestsDeleted, 0);
    }

    void overTheSizeLimitBodiesGoFirst()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sluice.db"));
        fill(path, 64 * 1024); // ~128 KiB per request, ~7.5 MiB in all
        const Result<qint64> before = LogRetention::usedBytes(path);
        QVERIFY(before.ok() && *before > 6 * 1024 * 1024);

        const qint64 limit = 2 * 1024 * 1024;
        const Result<RetentionPass> pass = LogRetention::prune(path, RetentionPolicy {0, limit}, Now);
        QVERIFY2(pass.ok(), qPrintable(pass.errorMessage()));
        QVERIFY(pass->bytesAfter <= limit);
        QCOMPARE(*LogRetention::usedBytes(path), pass->bytesAfter);
        QVERIFY(pass->bodiesDeleted > 0);
        // Dropping the oldest bodies was enough: every request is still there, the newest with its bodies.
        QCOMPARE(pass->requestsDeleted, 0);
        QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM requests")), 60);
        RequestLogReader reader(path);
        QVERIFY(reader.open().ok());
        const Result<RequestRecords> recent = reader.recent(1);
        QVERIFY(recent.ok());
        const Result<RequestRecord> newest = reader.byId(recent->first().id);
        QVERIFY(newest.ok());
        QVERIFY2(newest->requestBody.size() >= 64 * 1024, QByteArray::number(newest->requestBody.size()).constData());
        // The oldest lost theirs.
        QCOMPARE(
            scalar(path,
                   QStringLiteral("SELECT COUNT(*) FROM request_bodies WHERE request_seq = (SELECT seq FROM requests "
                                  "ORDER BY started_at LIMIT 1)")),
            0);
    }

    void offDoesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sluice.db"));
        fill(path, 100);
        const Result<RetentionPass> pass = LogRetention::prune(path, RetentionPolicy {}, Now);
        QVERIFY(pass.ok());
        QCOMPARE(pass->requestsDeleted + pass->bodiesDeleted, 0);
        QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM requests")), 60);
    }

    void schedulerPrunesInTheBackground()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sluice.db"));
        fill(path, 100);
        // Every request is older than a day compared with a year later: the scheduler's pass (at "now") keeps none
        // older than 1 day, and all of them are months old by the real clock only if Now is in the past.
        RetentionScheduler scheduler(path);
        scheduler.setPolicy(RetentionPolicy {1, 0});
        QSignalSpy pruned(&scheduler, &RetentionScheduler::pruned);
        scheduler.start(10, 60'000);
        QVERIFY(pruned.wait(10000));
        const RetentionPass pass = pruned.first().first().value<RetentionPass>();
        QCOMPARE(pass.requestsDeleted, QDateTime::currentDateTimeUtc() > Now.addDays(1) ? 60 : 59);
    }
};

QTEST_GUILESS_MAIN(TestLogRetention)
#include "tst_logretention.moc"
