#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "StoreTestSupport.h"
#include "common/SecretScrubber.h"
#include "store/RecordColumns.h"
#include "store/RequestJournal.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"

using namespace sluice;
using namespace sluice::test;

class TestRequestLogWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void concurrentAppendsAreAllWrittenExactly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestLogWriter writer;
        const auto opened = writer.open(path);
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        QCOMPARE(writer.databasePath(), path);

        constexpr int threadCount = 4;
        constexpr int perThread = 2500;
        QList<RequestRecords> produced(threadCount);
        QList<QThread *> threads;
        for (int t = 0; t < threadCount; ++t) {
            RequestRecords *mine = &produced[t];
            threads.append(QThread::create([&writer, mine, t] {
                for (int i = 0; i < perThread; ++i) {
                    RequestRecord record = makeRecord(t * perThread + i);
                    mine->append(record);
                    writer.append(std::move(record));
                }
            }));
        }
        for (QThread *thread : std::as_const(threads)) {
            thread->start();
        }
        for (QThread *thread : std::as_const(threads)) {
            QVERIFY(thread->wait(30000));
            delete thread;
        }
        writer.flush();
        QCOMPARE(writer.writtenCount(), qint64(threadCount * perThread));
        QCOMPARE(writer.queuedCount(), qint64(0));

        RequestLogReader reader(path);
        QCOMPARE(*reader.count(), qint64(threadCount * perThread));
        for (const RequestRecords &records : std::as_const(produced)) {
            for (const RequestRecord &expected : records) {
                const auto actual = reader.byId(expected.id);
                QVERIFY2(actual.ok(), qPrintable(actual.errorMessage()));
                verifySameRecord(*actual, expected);
                if (QTest::currentTestFailed()) {
                    return;
                }
            }
        }
    }

    void batchCommittedCarriesTheWrittenRecords()
    {
        QTemporaryDir dir;
        RequestLogWriter writer;
        QVERIFY(writer.open(dir.filePath(QStringLiteral("requests.db"))).ok());
        QSignalSpy committed(&writer, &RequestLogWriter::batchCommitted);
        QHash<QString, RequestRecord> expected;
        for (int i = 0; i < 700; ++i) {
            const RequestRecord record = makeRecord(i);
            expected.insert(record.id, record);
            writer.append(record);
        }
        writer.flush();
        QVERIFY(committed.count() >= 1);
        qsizetype announced = 0;
        for (const QList<QVariant> &arguments : std::as_const(committed)) {
            const auto records = arguments.at(0).value<RequestRecords>();
            for (const RequestRecord &record : records) {
                QVERIFY2(expected.contains(record.id), qPrintable(record.id));
                verifySameRecord(record, expected.value(record.id));
                ++announced;
            }
        }
        QCOMPARE(announced, expected.size());
    }

    void batchCommittedReachesAnotherThreadQueued()
    {
        QTemporaryDir dir;
        RequestLogWriter writer;
        QVERIFY(writer.open(dir.filePath(QStringLiteral("requests.db"))).ok());
        QStringList received;
        QThread *receiverThread = QThread::currentThread();
        bool onReceiverThread = true;
        connect(&writer, &RequestLogWriter::batchCommitted, this, [&](const RequestRecords &records) {
            onReceiverThread = onReceiverThread && QThread::currentThread() == receiverThread;
            for (const RequestRecord &record : records) {
                received.append(record.id);
            }
        });
        const RequestRecord record = makeRecord(1);
        writer.append(record);
        QTRY_COMPARE(received, QStringList {record.id});
        QVERIFY(onReceiverThread);
    }

    void destroyingTheWriterFlushesPendingRecords()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestRecord last;
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            for (int i = 0; i < 3000; ++i) {
                last = makeRecord(i);
                writer.append(last);
            }
        }
        RequestLogReader reader(path);
        QCOMPARE(*reader.count(), qint64(3000));
        const auto stored = reader.byId(last.id);
        QVERIFY2(stored.ok(), qPrintable(stored.errorMessage()));
        verifySameRecord(*stored, last);
    }

    void secretsNeverReachTheDatabase()
    {
        // A client pasted its gateway token into a prompt; an upstream quoted the provider key in an error.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        auto scrubber = std::make_shared<SecretScrubber>();
        scrubber->add(QStringLiteral("sk-sluice-planted-token"));
        scrubber->add(QStringLiteral("sk-provider-planted-key"));
        RequestRecord record = makeRecord(1);
        record.requestBody = R"({"messages":[{"role":"user","content":"my token is sk-sluice-planted-token"}]})";
        record.responseBody = R"({"error":{"message":"bad key sk-provider-planted-key"}})";
        record.errorMessage = QStringLiteral("Provider 'p' answered HTTP 401: bad key sk-provider-planted-key");
        AttemptRecord attempt;
        attempt.deployment = QStringLiteral("p/m");
        attempt.reason = QStringLiteral("client error: bad key sk-provider-planted-key");
        record.attempts = {attempt};
        {
            RequestLogWriter writer;
            writer.setSecretScrubber(scrubber);
            QVERIFY(writer.open(path).ok());
            writer.append(record);
        }
        QByteArray raw; // the database and its write-ahead log, byte for byte
        for (const QString &name : QStringList {path, path + QStringLiteral("-wal")}) {
            QFile file(name);
            if (file.open(QIODevice::ReadOnly))
                raw += file.readAll();
        }
        QVERIFY(raw.contains(SecretScrubber::Marker));
        QVERIFY(!raw.contains("sk-sluice-planted-token"));
        QVERIFY(!raw.contains("sk-provider-planted-key"));
        RequestLogReader reader(path);
        const auto stored = reader.byId(record.id);
        QVERIFY2(stored.ok(), qPrintable(stored.errorMessage()));
        QVERIFY(stored->requestBody.contains(SecretScrubber::Marker));
        QVERIFY(stored->errorMessage.contains(QLatin1String(SecretScrubber::Marker)));
    }

    void journalRoundTripsAndIgnoresATornFrame()
    {
        RequestRecord record = makeRecord(7);
        record.servedModel = QStringLiteral("gpt-4.1-nano-2025-04-14");
        record.costUsd = 0.25;
        record.costStatus = QStringLiteral("exact");
        AttemptRecord attempt;
        attempt.deployment = QStringLiteral("p/m");
        attempt.httpStatus = 503;
        attempt.reason = QStringLiteral("server error: retrying");
        record.attempts = {attempt, attempt};
        const QByteArray frame = RequestJournal::encode(record);
        const RequestRecords back = RequestJournal::decode(frame + frame + frame.left(frame.size() - 3));
        QCOMPARE(back.size(), 2); // the torn third frame (a crash inside write()) is left out
        QCOMPARE(back.first().id, record.id);
        QCOMPARE(back.first().servedModel, record.servedModel);
        QCOMPARE(back.first().costUsd, 0.25);
        QCOMPARE(back.first().attempts.size(), 2);
        QCOMPARE(back.first().attempts.last().reason, attempt.reason);
        QVERIFY(back.first().bodiesTruncated);
        QByteArray corrupt = frame;
        corrupt[20] = char(corrupt[20] ^ 0x55);
        QVERIFY(RequestJournal::decode(corrupt).isEmpty());
    }

    void recordsLeftInTheJournalAreWrittenAtStart()
    {
        // A kill -9 left two journaled records the database never got, and one it did get.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        const RequestRecord committed = makeRecord(1);
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            writer.append(committed);
        }
        const QString journalPath = dir.filePath(QStringLiteral("requests.journal"));
        QCOMPARE(QFileInfo(journalPath).size(), 0); // emptied once everything was committed
        const RequestRecord lost1 = makeRecord(2);
        const RequestRecord lost2 = makeRecord(3);
        {
            RequestJournal journal;
            QVERIFY(journal.open(journalPath).ok());
            QVERIFY(journal.append(committed));
            QVERIFY(journal.append(lost1));
            QVERIFY(journal.append(lost2));
        }
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            writer.flush();
        }
        RequestLogReader reader(path);
        QCOMPARE(*reader.count(), qint64(3)); // the one already written is not written twice
        QVERIFY(reader.byId(lost1.id).ok());
        QVERIFY(reader.byId(lost2.id).ok());
        QCOMPARE(QFileInfo(journalPath).size(), 0);
    }

    void reopeningKeepsTheLog()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        const RequestRecord first = makeRecord(1);
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            writer.append(first);
            writer.stop();
            QVERIFY(!writer.isOpen());
            QVERIFY(writer.open(path).ok());
            writer.append(makeRecord(2));
        }
        RequestLogWriter writer;
        QVERIFY(writer.open(path).ok());
        writer.append(makeRecord(3));
        writer.flush();
        RequestLogReader reader(path);
        QCOMPARE(*reader.count(), qint64(3));
        verifySameRecord(*reader.byId(first.id), first);
    }

    void recordsAppendedBeforeOpenAreWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestLogWriter writer;
        const RequestRecord early = makeRecord(4);
        writer.append(early);
        QVERIFY(writer.open(path).ok());
        writer.flush();
        RequestLogReader reader(path);
        verifySameRecord(*reader.byId(early.id), early);
    }

    void unwritablePathIsAClearError()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("not-a-folder")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        RequestLogWriter writer;
        const auto underFile = writer.open(dir.filePath(QStringLiteral("not-a-folder/sluice/requests.db")));
        QVERIFY(!underFile.ok());
        QVERIFY2(underFile.errorMessage().contains(QLatin1String("Cannot create the folder")),
                 qPrintable(underFile.errorMessage()));
        QVERIFY(underFile.errorMessage().contains(QLatin1String("not-a-folder")));
        QVERIFY(underFile.errorMessage().contains(QLatin1String("--data-dir")));
        QVERIFY(!writer.isOpen());

        const auto folder = writer.open(dir.path());
        QVERIFY(!folder.ok());
        QVERIFY2(folder.errorMessage().contains(QLatin1String("not a writable file")),
                 qPrintable(folder.errorMessage()));

        QFile garbage(dir.filePath(QStringLiteral("garbage.db")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(8192, 'x'));
        garbage.close();
        const auto notDatabase = writer.open(garbage.fileName());
        QVERIFY(!notDatabase.ok());
        QVERIFY2(notDatabase.errorMessage().contains(QLatin1String("garbage.db")),
                 qPrintable(notDatabase.errorMessage()));
    }

    void overflowWarnsOnceAndKeepsEveryRecord()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestLogWriter writer;
        writer.setSoftQueueLimit(10);
        QSignalSpy failed(&writer, &RequestLogWriter::writeFailed);
        // Not open yet, so nothing drains: the queue grows past the limit.
        for (int i = 0; i < 25; ++i) {
            writer.append(makeRecord(i));
        }
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QLatin1String("falling behind")),
                 qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(writer.queuedCount(), qint64(25));
        QVERIFY(writer.open(path).ok());
        writer.flush();
        QCOMPARE(writer.writtenCount(), qint64(25));
        RequestLogReader reader(path);
        QCOMPARE(*reader.count(), qint64(25));

        // Drained below half the limit: the next overflow is a new episode with a new warning.
        for (int i = 0; i < 40; ++i) {
            writer.append(makeRecord(100 + i));
        }
        writer.flush();
        QVERIFY(failed.count() <= 2);
        QCOMPARE(*reader.count(), qint64(65));
    }

    void bodiesOverTheByteLimitAreDroppedButEveryRequestIsLogged()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestLogWriter writer;
        writer.setBodyByteLimit(10000);
        QSignalSpy failed(&writer, &RequestLogWriter::writeFailed);
        const auto withBodies = [](int n) {
            RequestRecord record = makeRecord(n);
            record.requestBody = QByteArray(1000, 'q');
            record.responseBody = QByteArray(1000, 'a');
            record.bodiesTruncated = false;
            return record;
        };
        // Not open yet, so nothing drains: 5 records' bodies fit in 10,000 bytes, the next 15 are logged without.
        QList<RequestRecord> records;
        for (int i = 0; i < 20; ++i) {
            records.append(withBodies(i));
            writer.append(records.last());
        }
        QCOMPARE(writer.queuedBodyBytes(), qint64(10000));
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QLatin1String("without their bodies")),
                 qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(writer.open(path).ok());
        writer.flush();
        QCOMPARE(writer.queuedBodyBytes(), qint64(0));
        RequestLogReader reader(path);
        QCOMPARE(*reader.count(), qint64(20));
        for (int i = 0; i < 20; ++i) {
            const auto logged = reader.byId(records.at(i).id);
            QVERIFY2(logged.ok(), qPrintable(logged.errorMessage()));
            QCOMPARE(logged->httpStatus, records.at(i).httpStatus);
            QCOMPARE(logged->inputTokens, records.at(i).inputTokens);
            QCOMPARE(logged->requestBody.size(), i < 5 ? 1000 : 0);
            QCOMPARE(logged->responseBody.size(), i < 5 ? 1000 : 0);
            QCOMPARE(logged->bodiesTruncated, i >= 5);
        }

        // Caught up: bodies are kept again.
        const RequestRecord later = withBodies(50);
        writer.append(later);
        writer.flush();
        verifySameRecord(*reader.byId(later.id), later);
        QCOMPARE(failed.count(), 1);
    }

    void writeFailureIsReportedAndRetried()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestLogWriter writer;
        QVERIFY(writer.open(path).ok());
        QStringList failures; // queued to this thread: writeFailed comes from the writer thread
        connect(&writer, &RequestLogWriter::writeFailed, this,
                [&failures](const QString &message) { failures.append(message); });
        RawDatabase raw(path);
        // Another program takes the table away: every write fails until it comes back.
        QVERIFY(raw.exec(QStringLiteral("ALTER TABLE requests RENAME TO requests_elsewhere")));
        const RequestRecord record = makeRecord(3);
        writer.append(record);
        QTRY_VERIFY_WITH_TIMEOUT(!failures.isEmpty(), 5000);
        const QString message = failures.first();
        QVERIFY2(message.contains(QLatin1String("requests.db")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("Kept for retry")), qPrintable(message));
        QCOMPARE(writer.writtenCount(), qint64(0));
        QVERIFY(raw.exec(QStringLiteral("ALTER TABLE requests_elsewhere RENAME TO requests")));
        writer.flush();
        QCOMPARE(writer.writtenCount(), qint64(1));
        RequestLogReader reader(path);
        verifySameRecord(*reader.byId(record.id), record);
    }

    void largeBodiesAreStoredCompressed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestRecord large = makeRecord(1);
        large.requestBody.clear();
        while (large.requestBody.size() < 40000) {
            large.requestBody += "{\"role\":\"user\",\"content\":\"refactor the parser, message ";
            large.requestBody += QByteArray::number(large.requestBody.size()) + "\"},";
        }
        large.responseBody = QByteArray(12000, 'x');
        const RequestRecord small = makeRecord(2);
        QVERIFY(!small.requestBody.isEmpty());
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            writer.append(large);
            writer.append(small);
        }
        RequestLogReader reader(path);
        verifySameRecord(*reader.byId(large.id), large);
        verifySameRecord(*reader.byId(small.id), small);

        RawDatabase raw(path);
        const QString bodyOf
            = QStringLiteral("SELECT %1 FROM request_bodies b JOIN requests r ON r.seq = b.request_seq "
                             "WHERE r.id = '%2'");
        const qint64 storedLarge
            = raw.scalar(bodyOf.arg(QStringLiteral("length(request_body) + length(response_body)"), large.id))
                  .toLongLong();
        QVERIFY2(storedLarge > 0 && storedLarge < (large.requestBody.size() + large.responseBody.size()) / 4,
                 qPrintable(QString::number(storedLarge)));
        // Small bodies stay as sent, readable with any SQLite tool.
        QCOMPARE(raw.scalar(bodyOf.arg(QStringLiteral("request_body"), small.id)).toByteArray(), small.requestBody);
    }

    void unknownValuesAreNullForAggregations()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestRecord unknown = makeRecord(1);
        unknown.inputTokens = -1;
        unknown.outputTokens = 42;
        unknown.timeToFirstTokenUs = -1;
        unknown.errorClass.clear();
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            writer.append(unknown);
        }
        RawDatabase raw(path);
        const QString where = QStringLiteral(" FROM requests WHERE id = '%1'").arg(unknown.id);
        // SUM() skips NULLs: an unreported count must not be added up as -1.
        QCOMPARE(raw.scalar(QStringLiteral("SELECT input_tokens IS NULL") + where).toInt(), 1);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT time_to_first_token_us IS NULL") + where).toInt(), 1);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT error_class IS NULL") + where).toInt(), 1);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT output_tokens") + where).toLongLong(), qint64(42));
        QCOMPARE(raw.scalar(QStringLiteral("SELECT started_at") + where).toLongLong(),
                 unknown.startedAt.toMSecsSinceEpoch());
    }

    void attemptSummaryIsDerivedFromTheAttempts()
    {
        // The gateway hands over the attempts only; the live table and recent() still get count and deployment.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestRecord record = makeRecord(2);
        QCOMPARE(record.attempts.size(), 3);
        const RequestRecord expected = record;
        record.attemptCount = 0;
        record.deployment.clear();
        RequestRecord skippedOnly = makeRecord(3);
        skippedOnly.attempts.removeLast();
        skippedOnly.attemptCount = 7;
        RequestLogWriter writer;
        QVERIFY(writer.open(path).ok());
        QSignalSpy committed(&writer, &RequestLogWriter::batchCommitted);
        writer.append(record);
        writer.append(skippedOnly);
        writer.flush();

        RequestRecords announced;
        for (const QList<QVariant> &arguments : std::as_const(committed)) {
            announced += arguments.at(0).value<RequestRecords>();
        }
        QCOMPARE(announced.size(), 2);
        QCOMPARE(announced.first().id, record.id);
        QCOMPARE(announced.first().attemptCount, 3);
        QCOMPARE(announced.first().deployment, QStringLiteral("anthropic/claude-sonnet-4-20250514"));
        QCOMPARE(announced.last().attemptCount, 0);

        RequestLogReader reader(path);
        const auto recent = reader.recent(10);
        QVERIFY2(recent.ok(), qPrintable(recent.errorMessage()));
        QCOMPARE(recent->size(), 2);
        for (const RequestRecord &listed : *recent) {
            QVERIFY(listed.attempts.isEmpty());
            if (listed.id == record.id) {
                verifySameRecord(listed, expected, false);
            } else {
                // Only a skipped deployment: nothing was sent, no deployment answered, the skip stays in the timeline.
                QCOMPARE(listed.attemptCount, 0);
                QVERIFY(listed.deployment.isEmpty());
            }
        }
        verifySameRecord(*reader.byId(record.id), expected);
        const auto skipped = reader.byId(skippedOnly.id);
        QCOMPARE(skipped->attempts.size(), 1);
        QCOMPARE(skipped->attempts.first().decision, QStringLiteral("skipped"));
        QCOMPARE(skipped->attempts.first().httpStatus, 0);
    }

    void keyValuesAreNeverStored()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        const QString secret = QStringLiteral("sk-proj-Zx81TqLw0aa9secretvalue");
        RequestRecord record = makeRecord(1);
        record.attempts.first().keyRef = secret;
        RequestRecord lookalike = makeRecord(5);
        lookalike.attempts.first().keyRef = QStringLiteral("keychain:") + secret + QStringLiteral(" extra");

        static QStringList messages;
        messages.clear();
        const QtMessageHandler previous = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext &, const QString &message) { messages.append(message); });
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            writer.append(record);
            writer.append(lookalike);
        }
        qInstallMessageHandler(previous);

        RequestLogReader reader(path);
        QVERIFY(reader.byId(record.id)->attempts.first().keyRef.isEmpty());
        QVERIFY(reader.byId(lookalike.id)->attempts.first().keyRef.isEmpty());
        // The rest of the attempt is kept, and the log says why the reference is missing without quoting it.
        QCOMPARE(reader.byId(record.id)->attempts.first().reason, QStringLiteral("HTTP 200: answered"));
        QVERIFY(std::any_of(messages.cbegin(), messages.cend(),
                            [](const QString &m) { return m.contains(QLatin1String("not a key reference")); }));
        for (const QString &message : std::as_const(messages)) {
            QVERIFY2(!message.contains(QLatin1String("Zx81TqLw")), qPrintable(message));
        }
        // Nowhere in the database or its journal.
        for (const QString &file : QStringList {path, path + QStringLiteral("-wal")}) {
            QFile f(file);
            if (!f.open(QIODevice::ReadOnly)) {
                continue;
            }
            const QByteArray bytes = f.readAll();
            QVERIFY2(!bytes.contains("Zx81TqLw"), qPrintable(file));
        }
        QVERIFY(RecordColumns::isKeyReference(QStringLiteral("keychain:openai-2")));
        QVERIFY(RecordColumns::isKeyReference(QStringLiteral("env:OPENAI_API_KEY")));
        QVERIFY(!RecordColumns::isKeyReference(QStringLiteral("keychain:")));
        QVERIFY(!RecordColumns::isKeyReference(QStringLiteral("Bearer sk-123")));
    }

    void duplicateIdsDoNotBlockTheQueue()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        RequestLogWriter writer;
        QVERIFY(writer.open(path).ok());
        const RequestRecord record = makeRecord(5);
        writer.append(record);
        writer.append(record);
        const RequestRecord after = makeRecord(6);
        writer.append(after);
        writer.flush();
        RequestLogReader reader(path);
        QCOMPARE(*reader.count(), qint64(2));
        verifySameRecord(*reader.byId(record.id), record);
        verifySameRecord(*reader.byId(after.id), after);
    }
};

QTEST_GUILESS_MAIN(TestRequestLogWriter)
#include "tst_requestlogwriter.moc"
