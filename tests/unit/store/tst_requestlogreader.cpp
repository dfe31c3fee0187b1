#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "StoreTestSupport.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"

using namespace sluice;
using namespace sluice::test;

class TestRequestLogReader : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    RequestRecords m_records; // in start order, oldest first

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("requests.db"));
        const QDateTime base = QDateTime::fromMSecsSinceEpoch(1735689600000, Qt::UTC); // 2025-01-01
        for (int i = 0; i < 50; ++i) {
            m_records.append(makeRecord(i, base.addMSecs(i * 1500)));
        }
        // Requests finish (and are logged) in a different order than they started.
        RequestRecords shuffled = m_records;
        std::shuffle(shuffled.begin(), shuffled.end(), *QRandomGenerator::global());
        RequestLogWriter writer;
        QVERIFY(writer.open(m_path).ok());
        for (const RequestRecord &record : std::as_const(shuffled)) {
            writer.append(record);
        }
    }

    void recentIsNewestFirstWithoutBodies()
    {
        RequestLogReader reader(m_path);
        const auto opened = reader.open();
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        const auto recent = reader.recent(5);
        QVERIFY2(recent.ok(), qPrintable(recent.errorMessage()));
        QCOMPARE(recent->size(), 5);
        for (int i = 0; i < 5; ++i) {
            verifySameRecord(recent->at(i), m_records.at(m_records.size() - 1 - i), false);
        }
        QCOMPARE(reader.recent(500)->size(), m_records.size());
        QVERIFY(reader.recent(0)->isEmpty());
    }

    void byIdReturnsTheBodies()
    {
        RequestLogReader reader(m_path);
        for (const RequestRecord &expected : std::as_const(m_records)) {
            const auto actual = reader.byId(expected.id);
            QVERIFY2(actual.ok(), qPrintable(actual.errorMessage()));
            verifySameRecord(*actual, expected);
        }
        QVERIFY(m_records.at(1).responseBody.contains('\0'));
    }

    void unknownIdIsAnError()
    {
        RequestLogReader reader(m_path);
        const auto missing = reader.byId(QStringLiteral("no-such-request"));
        QVERIFY(!missing.ok());
        QVERIFY(missing.errorMessage().contains(QLatin1String("no-such-request")));
    }

    void countsEveryRequest()
    {
        RequestLogReader reader(m_path);
        QCOMPARE(*reader.count(), qint64(m_records.size()));
    }

    void missingLogIsAClearError()
    {
        RequestLogReader reader(m_dir.filePath(QStringLiteral("elsewhere/requests.db")));
        const auto opened = reader.open();
        QVERIFY(!opened.ok());
        QVERIFY2(opened.errorMessage().contains(QLatin1String("no request log")), qPrintable(opened.errorMessage()));
        QVERIFY(!reader.count().ok());
        // A reader never creates the file it was pointed at.
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("elsewhere/requests.db"))));
    }

    void seesCommitsWhileTheWriterRuns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("live.db"));
        RequestLogWriter writer;
        QVERIFY(writer.open(path).ok());
        RequestLogReader reader(path);
        QVERIFY(reader.open().ok());
        QCOMPARE(*reader.count(), qint64(0));
        const RequestRecord record = makeRecord(8);
        writer.append(record);
        writer.flush();
        QCOMPARE(*reader.count(), qint64(1));
        QCOMPARE(reader.recent(1)->first().id, record.id);
    }

    void eachThreadGetsItsOwnConnection()
    {
        RequestLogReader reader(m_path);
        QCOMPARE(*reader.count(), qint64(m_records.size()));
        qint64 countOnOtherThread = -1;
        QString newestOnOtherThread;
        std::unique_ptr<QThread> thread(QThread::create([&] {
            countOnOtherThread = reader.count().value();
            newestOnOtherThread = reader.recent(1).value().first().id;
        }));
        thread->start();
        QVERIFY(thread->wait(10000));
        QCOMPARE(countOnOtherThread, qint64(m_records.size()));
        QCOMPARE(newestOnOtherThread, m_records.last().id);
        QCOMPARE(*reader.count(), qint64(m_records.size()));
    }
};

QTEST_GUILESS_MAIN(TestRequestLogReader)
#include "tst_requestlogreader.moc"
