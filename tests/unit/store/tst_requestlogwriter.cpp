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

namespace {
// Every journaled field set, with text outside ASCII and strings left null, as the journal must give them back.
RequestRecord journalFixtureRecord()
{
    RequestRecord record;
    record.id = QStringLiteral("0b7e2a4c-5d1f-4e8a-9c3b-2f6d8e1a7c90");
    record.startedAt = QDateTime::fromMSecsSinceEpoch(1770933883123, Qt::UTC);
    record.tokenName = QStringLiteral("ci-bot");
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.requestedModel = QStringLiteral("fast");
    record.provider = QStringLiteral("openai");
    record.upstreamModel = QStringLiteral("gpt-4.1-nano");
    record.servedModel = QStringLiteral("gpt-4.1-nano-2025-04-14");
    record.stream = true;
    record.httpStatus = 200;
    record.errorMessage = QStringLiteral("caf\u00e9 \u2014 \U0001F600 done");
    record.latencyUs = 1234567;
    record.timeToFirstTokenUs = 45678;
    record.inputTokens = 16;
    record.outputTokens = 363;
    record.cachedTokens = 0;
    record.reasoningTokens = -1;
    record.cacheWriteTokens = 7;
    record.costUsd = 0.000123;
    record.costStatus = QStringLiteral("exact");
    record.requestBytes = 2677;
    record.relayedTextChars = 1900;
    record.cacheHit = false;
    record.savedUsd = -1;
    AttemptRecord first;
    first.model = QStringLiteral("fast");
    first.deployment = QStringLiteral("openai/gpt-4.1-nano");
    first.provider = QStringLiteral("openai");
    first.upstreamModel = QStringLiteral("gpt-4.1-nano");
    first.keyRef = QStringLiteral("keychain:openai-2");
    first.startedAtMs = 1;
    first.latencyMs = 250;
    first.httpStatus = 503;
    first.errorClass = QStringLiteral("server_error");
    first.decision = QStringLiteral("retry");
    first.waitBeforeNextMs = 100;
    first.reason = QStringLiteral("HTTP 503: the provider is unavailable");
    first.inputTokens = 3;
    AttemptRecord second = first;
    second.startedAtMs = 351;
    second.httpStatus = 200;
    second.errorClass = QString();
    second.decision = QStringLiteral("done");
    second.waitBeforeNextMs = 0;
    second.reason = QStringLiteral("HTTP 200: answered");
    second.inputTokens = 16;
    second.outputTokens = 363;
    record.attempts = {first, second};
    record.client = QStringLiteral("OpenAI SDK (Python)");
    record.tags = {QStringLiteral("nightly"), QStringLiteral("r\u00e9sum\u00e9")};
    record.project = QStringLiteral("atlas");
    record.promptName = QStringLiteral("summarise");
    record.promptVersion = 3;
    record.observedPrompt = QStringLiteral("op-5f2c");
    record.observedPromptSample = QByteArrayLiteral("{\"prompt_key\":\"op-5f2c\"}");
    record.compareRun = QStringLiteral("run-7");
    return record;
}

void verifyJournaled(const RequestRecord &actual, const RequestRecord &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.startedAt, expected.startedAt);
    QCOMPARE(actual.tokenName, expected.tokenName);
    QCOMPARE(actual.endpoint, expected.endpoint);
    QCOMPARE(actual.requestedModel, expected.requestedModel);
    QCOMPARE(actual.provider, expected.provider);
    QCOMPARE(actual.upstreamModel, expected.upstreamModel);
    QCOMPARE(actual.servedModel, expected.servedModel);
    QCOMPARE(actual.stream, expected.stream);
    QCOMPARE(actual.httpStatus, expected.httpStatus);
    QCOMPARE(actual.errorClass, expected.errorClass);
    QCOMPARE(actual.errorClass.isNull(), expected.errorClass.isNull());
    QCOMPARE(actual.errorMessage, expected.errorMessage);
    QCOMPARE(actual.latencyUs, expected.latencyUs);
    QCOMPARE(actual.timeToFirstTokenUs, expected.timeToFirstTokenUs);
    QCOMPARE(actual.inputTokens, expected.inputTokens);
    QCOMPARE(actual.outputTokens, expected.outputTokens);
    QCOMPARE(actual.cachedTokens, expected.cachedTokens);
    QCOMPARE(actual.reasoningTokens, expected.reasoningTokens);
    QCOMPARE(actual.cacheWriteTokens, expected.cacheWriteTokens);
    QCOMPARE(actual.costUsd, expected.costUsd);
    QCOMPARE(actual.costStatus, expected.costStatus);
    QCOMPARE(actual.requestBytes, expected.requestBytes);
    QCOMPARE(actual.relayedTextChars, expected.relayedTextChars);
    QCOMPARE(actual.cacheHit, expected.cacheHit);
    QCOMPARE(actual.savedUsd, expected.savedUsd);
    QCOMPARE(actual.attempts.size(), expected.attempts.size());
    for (qsizetype i = 0; i < actual.attempts.size(); ++i) {
        const AttemptRecord &a = actual.attempts.at(i);
        const AttemptRecord &e = expected.attempts.at(i);
        QCOMPARE(a.model, e.model);
        QCOMPARE(a.deployment, e.deployment);
        QCOMPARE(a.provider, e.provider);
        QCOMPARE(a.upstreamModel, e.upstreamModel);
        QCOMPARE(a.keyRef, e.keyRef);
        QCOMPARE(a.startedAtMs, e.startedAtMs);
        QCOMPARE(a.latencyMs, e.latencyMs);
        QCOMPARE(a.httpStatus, e.httpStatus);
        QCOMPARE(a.errorClass, e.errorClass);
        QCOMPARE(a.errorClass.isNull(), e.errorClass.isNull());
        QCOMPARE(a.decision, e.decision);
        QCOMPARE(a.waitBeforeNextMs, e.waitBeforeNextMs);
        QCOMPARE(a.reason, e.reason);
        QCOMPARE(a.inputTokens, e.inputTokens);
        QCOMPARE(a.outputTokens, e.outputTokens);
        QCOMPARE(a.cachedTokens, e.cachedTokens);
        QCOMPARE(a.reasoningTokens, e.reasoningTokens);
        QCOMPARE(a.cacheWriteTokens, e.cacheWriteTokens);
    }
    QCOMPARE(actual.client, expected.client);
    QCOMPARE(actual.tags, expected.tags);
    QCOMPARE(actual.project, expected.project);
    QCOMPARE(actual.promptName, expected.promptName);
    QCOMPARE(actual.promptVersion, expected.promptVersion);
    QCOMPARE(actual.observedPrompt, expected.observedPrompt);
    QCOMPARE(actual.observedPromptSample, expected.observedPromptSample);
    QCOMPARE(actual.compareRun, expected.compareRun);
    QVERIFY(actual.bodiesTruncated); // bodies are not journaled
}
} // namespace

class TestRequestLogWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void journalReadsFramesOfTheFirstFormat()
    {
        // A frame as journals of earlier versions hold it (QDataStream, UTF-16 strings, CRC-16): a crash just before
        // an upgrade leaves such frames for the new version to write.
        const QByteArray v1 = QByteArray::fromHex(
            "534c4a310000048f0000004800300062003700650032006100340063002d0035006400310066002d0034006500380061002d"
            "0039006300330062002d0032006600360064003800650031006100370063003900300000000000258d9c04bcd0f301000000"
            "0c00630069002d0062006f007400000028002f00760031002f0063006800610074002f0063006f006d0070006c0065007400"
            "69006f006e00730000000800660061007300740000000c006f00700065006e0061006900000018006700700074002d003400"
            "2e0031002d006e0061006e006f0000002e006700700074002d0034002e0031002d006e0061006e006f002d00320030003200"
            "35002d00300034002d0031003401000000c8ffffffff0000001c00630061006600e9002020140020d83dde0000200064006f"
            "006e0065000000000012d687000000000000b26e0000000000000010000000000000016b0000000000000000ffffffffffff"
            "ffff00000000000000073f201f31f46ed2460000000a006500780061006300740000000000000a75000000000000076c00bf"
            "f00000000000000000000200000008006600610073007400000026006f00700065006e00610069002f006700700074002d00"
            "34002e0031002d006e0061006e006f0000000c006f00700065006e0061006900000018006700700074002d0034002e003100"
            "2d006e0061006e006f00000022006b006500790063006800610069006e003a006f00700065006e00610069002d0032000000"
            "000000000100000000000000fa000001f700000018007300650072007600650072005f006500720072006f00720000000a00"
            "72006500740072007900000000000000640000004a00480054005400500020003500300033003a0020007400680065002000"
            "700072006f0076006900640065007200200069007300200075006e0061007600610069006c00610062006c00650000000000"
            "000003ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff000000080066006100730074000000"
            "26006f00700065006e00610069002f006700700074002d0034002e0031002d006e0061006e006f0000000c006f0070006500"
            "6e0061006900000018006700700074002d0034002e0031002d006e0061006e006f00000022006b0065007900630068006100"
            "69006e003a006f00700065006e00610069002d0032000000000000015f00000000000000fa000000c8ffffffff0000000800"
            "64006f006e006500000000000000000000002400480054005400500020003200300030003a00200061006e00730077006500"
            "72006500640000000000000010000000000000016bffffffffffffffffffffffffffffffffffffffffffffffff0000002600"
            "4f00700065006e00410049002000530044004b002000280050007900740068006f006e0029000000020000000e006e006900"
            "6700680074006c00790000000c007200e900730075006d00e90000000a00610074006c006100730000001200730075006d00"
            "6d00610072006900730065000000030000000e006f0070002d0035006600320063000000187b2270726f6d70745f6b657922"
            "3a226f702d35663263227d0000000a00720075006e002d0037f566");
        QVERIFY(v1.startsWith("SLJ1"));
        const RequestRecords back = RequestJournal::decode(v1);
        QCOMPARE(back.size(), 1);
        verifyJournaled(back.first(), journalFixtureRecord());

        // Written now: the second format, every field back as it was.
        const QByteArray v2 = RequestJournal::encode(journalFixtureRecord());
        QVERIFY(v2.startsWith("SLJ2"));
        QVERIFY(v2.size() < v1.size()); // UTF-8, not UTF-16
        const RequestRecords again = RequestJournal::decode(v2);
        QCOMPARE(again.size(), 1);
        verifyJournaled(again.first(), journalFixtureRecord());

        // Both in one file (old frames, then a new version appended before it could write them), a torn last frame.
        const RequestRecords mixed = RequestJournal::decode(v1 + v2 + v1 + v2.left(v2.size() - 1));
        QCOMPARE(mixed.size(), 3);
        verifyJournaled(mixed.at(1), journalFixtureRecord());
        verifyJournaled(mixed.at(2), journalFixtureRecord());
        // A changed byte in either format stops the reading there.
        QByteArray corruptV1 = v1;
        corruptV1[40] = char(corruptV1[40] ^ 0x01);
        QCOMPARE(RequestJournal::decode(v2 + corruptV1 + v2).size(), 1);
        QByteArray corruptV2 = v2;
        corruptV2[40] = char(corruptV2[40] ^ 0x01);
        QCOMPARE(RequestJournal::decode(v1 + corruptV2 + v1).size(), 1);
    }

    void journalKeepsEmptyAndNullStringsApart()
    {
        RequestRecord record = makeRecord(9);
        record.startedAt = QDateTime();
        record.errorClass = QString(QLatin1String("")); // empty, not null
        record.errorMessage = QString();
        record.tags = {QString(), QStringLiteral("\u00fc\U0001F680")};
        AttemptRecord attempt;
        attempt.reason = QString(QLatin1String(""));
        record.attempts = {attempt};
        const RequestRecords back = RequestJournal::decode(RequestJournal::encode(record));
        QCOMPARE(back.size(), 1);
        QVERIFY(!back.first().startedAt.isValid());
        QVERIFY(back.first().errorClass.isEmpty() && !back.first().errorClass.isNull());
        QVERIFY(back.first().errorMessage.isNull());
        QCOMPARE(back.first().tags, record.tags);
        QVERIFY(back.first().tags.first().isNull());
        QVERIFY(back.first().attempts.first().reason.isEmpty() && !back.first().attempts.first().reason.isNull());
        QVERIFY(back.first().attempts.first().model.isNull());
    }

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
