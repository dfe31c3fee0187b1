// The store's contract, run against both implementations: SQLite (a file in a temporary folder) and PostgreSQL (a
// throw-away cluster, tests/support/PostgresCluster). What one store does, the other must do the same way.
#include <memory>

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include "StoreTestSupport.h"
#include "store/LogBackend.h"
#include "store/LogRetention.h"
#include "store/PostgresConnection.h"
#include "store/PostgresCopyEncoder.h"
#include "store/PostgresLogBackend.h"
#include "store/PostgresMigrations.h"
#include "store/RecordColumns.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"
#include "store/StoreConnection.h"
#include "store/TokenStore.h"
#include "support/PostgresCluster.h"

using namespace sluice;
using namespace sluice::test;

namespace {

constexpr qint64 HourMs = 3600000;
// 2026-03-02 00:00 UTC.
constexpr qint64 BaseMs = 1772409600000;

RequestRecord spreadRecord(int n)
{
    RequestRecord record = makeRecord(n, QDateTime::fromMSecsSinceEpoch(BaseMs + qint64(n) * 47000, Qt::UTC));
    if (n % 11 == 0)
        record.upstreamModel.clear();
    return record;
}

// Portable SQL over the raw rows, written independently of the writers' rollup SQL.
const QString RawSpend = QStringLiteral(
    "SELECT started_at - started_at % 3600000 AS hour, CASE WHEN upstream_model = '' THEN requested_model ELSE "
    "upstream_model END AS model, provider, token_name, COUNT(*), SUM(COALESCE(input_tokens, 0)), "
    "SUM(COALESCE(output_tokens, 0)), SUM(COALESCE(cost_usd, 0)), SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) "
    "FROM requests GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
const QString RolledUpSpend = QStringLiteral(
    "SELECT hour, model, provider, token_name, requests, input_tokens, output_tokens, cost_usd, unpriced "
    "FROM spend_hourly ORDER BY 1, 2, 3, 4");

QList<QVariantList> rows(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        qWarning().noquote() << query.lastError().text() << sql;
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

// Rows compared as text for keys and with a tolerance for sums (the stores type their sums differently).
void verifySameRows(const QList<QVariantList> &actual, const QList<QVariantList> &expected, int keyColumns)
{
    QCOMPARE(actual.size(), expected.size());
    for (qsizetype r = 0; r < expected.size(); ++r) {
        QCOMPARE(actual.at(r).size(), expected.at(r).size());
        for (qsizetype c = 0; c < expected.at(r).size(); ++c) {
            if (c < keyColumns) {
                QCOMPARE(actual.at(r).at(c).toString(), expected.at(r).at(c).toString());
            } else {
                const double a = actual.at(r).at(c).toDouble();
                const double e = expected.at(r).at(c).toDouble();
                if (qAbs(a - e) > 1e-9 * qMax(1.0, qAbs(e)))
                    QFAIL(qPrintable(QStringLiteral("row %1 column %2: %3 != %4").arg(r).arg(c).arg(a).arg(e)));
            }
        }
    }
}

// A record with every column set, and text that a text format or a literal would have to escape: quotes, backslashes,
// tabs, line breaks, a NUL (PostgreSQL text cannot hold it: left out), non-ASCII; bodies with NUL and high bytes.
RequestRecord awkwardRecord(int n)
{
    RequestRecord record = makeRecord(n, QDateTime::fromMSecsSinceEpoch(BaseMs + n * 1000, Qt::UTC));
    const QString awkward = QString(QStringLiteral("it's \\N\t\"x\"\r\n")) + QChar(0) + QStringLiteral("ü€😀 %1").arg(n);
    record.errorClass = QLatin1String(ErrorClass::UpstreamError);
    record.errorMessage = awkward;
    record.servedModel = QStringLiteral("served\\") + awkward;
    record.client = awkward;
    record.tags = {awkward, QStringLiteral("b")};
    record.project = awkward;
    record.promptName = QStringLiteral("prompt-%1").arg(n);
    record.promptVersion = n + 2;
    record.compareRun = QStringLiteral("run-%1").arg(n);
    record.guardrailHits
        = {GuardrailHit {QStringLiteral("email"), QStringLiteral("mask"), QStringLiteral("request"), 3}};
    record.latencyUs = 5'000'000'000LL + n; // more than 32 bits
    record.inputTokens = 3'000'000'000LL;
    record.costUsd = 0.1 + n * 1e-7;
    record.costStatus = QLatin1String(CostStatus::Estimated);
    record.savedUsd = 0.25;
    record.requestBody = QByteArray("{\"a\":\"\0\x01\xfe\xff'\\\t\n\"}", 14).repeated(n + 1);
    record.responseBody = n % 2 ? QByteArray() : QByteArray("\\x00 'data'\n");
    for (AttemptRecord &attempt : record.attempts)
        attempt.reason += awkward;
    return record;
}

QString withoutNul(QString text)
{
    return text.remove(QChar(0));
}

} // namespace

class StoreContractTest : public QObject
{
    Q_OBJECT

private:
    bool m_postgresAvailable = false;
    QString m_postgresMissing;
    std::unique_ptr<PostgresCluster> m_cluster;
    QTemporaryDir m_dir;
    int m_databases = 0;

    // A new, empty store of the kind the test row names.
    StoreLocation newStore()
    {
        const QString name = QStringLiteral("store%1").arg(++m_databases);
        if (QLatin1String(QTest::currentDataTag()) == QLatin1String("sqlite"))
            return m_dir.filePath(name + QStringLiteral(".db"));
        QString error;
        if (!m_cluster->createDatabase(name, &error))
            qWarning().noquote() << error;
        return StoreLocation::postgres(postgresSettings(name), m_dir.filePath(name + QStringLiteral(".journal")));
    }

    PostgresSettings postgresSettings(const QString &database) const
    {
        PostgresSettings settings;
        settings.host = m_cluster->host();
        settings.port = m_cluster->port();
        settings.user = m_cluster->user();
        settings.password = m_cluster->password();
        settings.database = database;
        settings.tlsMode = QStringLiteral("disable");
        return settings;
    }

    void storeKinds(bool postgresOnly = false)
    {
        QTest::addColumn<int>("unused");
        if (!postgresOnly)
            QTest::newRow("sqlite") << 0;
        QTest::newRow("postgresql") << 0;
    }

    // Skips a PostgreSQL row when PostgreSQL is not installed here, unless the run requires it (CI).
    bool skipWithoutPostgres()
    {
        if (QLatin1String(QTest::currentDataTag()) != QLatin1String("postgresql") || m_postgresAvailable)
            return false;
        if (PostgresCluster::required())
            qFatal("PostgreSQL is required (SLUICE_REQUIRE_POSTGRES) but unavailable: %s",
                   qPrintable(m_postgresMissing));
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_postgresMissing = PostgresCluster::missing();
        if (m_postgresMissing.isEmpty()) {
            m_cluster = std::make_unique<PostgresCluster>();
            QString error;
            // Installed but not starting is a failure, never a skip.
            m_postgresAvailable = m_cluster->start(&error);
            QVERIFY2(m_postgresAvailable, qPrintable(QStringLiteral("the test cluster did not start: ") + error));
        }
        if (!m_postgresAvailable && PostgresCluster::required())
            QFAIL(qPrintable(QStringLiteral("PostgreSQL is required (SLUICE_REQUIRE_POSTGRES): ") + m_postgresMissing));
    }

    void writesAndReadsBackEveryField_data() { storeKinds(); }
    void writesAndReadsBackEveryField()
    {
        if (skipWithoutPostgres())
            QSKIP(qPrintable(m_postgresMissing));
        const StoreLocation location = newStore();
        RequestRecords written;
        {
            RequestLogWriter writer;
            QVERIFY2(writer.open(location), qPrintable(writer.open(location).errorMessage()));
            for (int n = 0; n < 700; ++n) {
                RequestRecord record = makeRecord(n, QDateTime::fromMSecsSinceEpoch(BaseMs - n * 1000, Qt::UTC));
                written.append(record);
                writer.append(record);
            }
            writer.flush();
            QCOMPARE(writer.writtenCount(), qint64(700));
        }
        RequestLogReader reader(location);
        const Result<void> opened = reader.open();
        QVERIFY2(opened, qPrintable(opened.errorMessage()));
        QCOMPARE(*reader.count(), qint64(700));
        // The newest is n = 0.
        const Result<RequestRecords> recent = reader.recent(5);
        QVERIFY2(recent, qPrintable(recent.errorMessage()));
        QCOMPARE(recent->size(), 5);
        for (int i = 0; i < 5; ++i)
            verifySameRecord(recent->at(i), written.at(i), false);
        for (const int n : {0, 1, 2, 3, 5, 7, 9, 10, 699}) {
            const Result<RequestRecord> record = reader.byId(written.at(n).id);
            QVERIFY2(record, qPrintable(record.errorMessage()));
            verifySameRecord(*record, written.at(n));
        }
        QVERIFY(!reader.byId(QStringLiteral("no-such-id")));
    }

    void largeBodiesAreCompressedAndReadBack_data() { storeKinds(); }
    void largeBodiesAreCompressedAndReadBack()
    {
        if (skipWithoutPostgres())
            QSKIP(qPrintable(m_postgresMissing));
        const StoreLocation location = newStore();
        RequestRecord record = makeRecord(1);
        record.requestBody = QByteArray("{\"messages\":[") + QByteArray(200000, 'x') + QByteArray("]}");
        record.responseBody = QByteArray("\0\x01\xfe\xff'\\", 6).repeated(5000);
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(location));
            writer.append(record);
            writer.flush();
        }
        RequestLogReader reader(location);
        const Result<RequestRecord> read = reader.byId(record.id);
        QVERIFY2(read, qPrintable(read.errorMessage()));
        QCOMPARE(read->requestBody, record.requestBody);
        QCOMPARE(read->responseBody, record.responseBody);
    }

    void aRequestIsLoggedOnceWhateverWritesItAgain_data() { storeKinds(); }
    void aRequestIsLoggedOnceWhateverWritesItAgain()
    {
        if (skipWithoutPostgres())
            QSKIP(qPrintable(m_postgresMissing));
        const StoreLocation location = newStore();
        const RequestRecord record = spreadRecord(3);
        for (int round = 0; round < 2; ++round) {
            RequestLogWriter writer;
            QVERIFY(writer.open(location));
            writer.append(record);
            writer.append(spreadRecord(100 + round));
            writer.append(record);
            writer.flush();
        }
        {
            // And twice within one batch (its bodies and attempts must not collide with themselves).
            RequestRecords twice = {spreadRecord(200), record, spreadRecord(200)};
            twice[2].id = twice[0].id;
            const std::unique_ptr<LogBackend> backend = LogBackend::create(location);
            QVERIFY(backend->open(QStringLiteral("contract-backend-dup")));
            const Result<void> written = backend->write(twice.constData(), twice.size());
            QVERIFY2(written, qPrintable(written.errorMessage()));
            backend->close();
        }
        RequestLogReader reader(location);
        QCOMPARE(*reader.count(), qint64(4));
        StoreConnection raw;
        QVERIFY(raw.open(location, QStringLiteral("contract-raw-dup"), StoreConnection::Mode::ReadOnly));
        // The rollup counted the request once too.
        verifySameRows(rows(raw.database(), RolledUpSpend), rows(raw.database(), RawSpend), 4);
        QCOMPARE(rows(raw.database(),
                      QStringLiteral("SELECT COUNT(*) FROM request_attempts WHERE request_seq = "
                                     "(SELECT seq FROM requests WHERE id = '%1')")
                          .arg(record.id))
                     .value(0)
                     .value(0)
                     .toInt(),
                 int(record.attempts.size()));
    }

    void rollupsAgreeWithTheRows_data() { storeKinds(); }
    void rollupsAgreeWithTheRows()
    {
        if (skipWithoutPostgres())
            QSKIP(qPrintable(m_postgresMissing));
        const StoreLocation location = newStore();
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(location));
            // Several batches: the rollups add up across commits and hours.
            for (int n = 0; n < 3000; ++n) {
                writer.append(spreadRecord(n));
                if (n % 700 == 0)
                    writer.flush();
            }
            writer.flush();
        }
        StoreConnection raw;
        QVERIFY(raw.open(location, QStringLiteral("contract-raw-rollup"), StoreConnection::Mode::ReadOnly));
        const QSqlDatabase db = raw.database();
        verifySameRows(rows(db, RolledUpSpend), rows(db, RawSpend), 4);
        // Per dimension: by client ('' when none) and by tag (each tag, '' when none).
        verifySameRows(rows(db,
                            QStringLiteral("SELECT hour, value, requests, cost_usd FROM spend_hourly_by WHERE "
                                           "dimension = 'client' ORDER BY 1, 2")),
                       rows(db,
                            QStringLiteral("SELECT started_at - started_at % 3600000, COALESCE(client, ''), "
                                           "COUNT(*), SUM(COALESCE(cost_usd, 0)) FROM requests GROUP BY 1, 2 "
                                           "ORDER BY 1, 2")),
                       2);
        const QList<QVariantList> tags = rows(db,
                                              QStringLiteral("SELECT value, SUM(requests) FROM spend_hourly_by "
                                                             "WHERE dimension = 'tag' GROUP BY value ORDER BY 1"));
        QCOMPARE(tags.size(), 3);
        QCOMPARE(tags.at(0).at(0).toString(), QString());
        QCOMPARE(tags.at(0).at(1).toInt(), 1000); // n % 3 == 0: no tags
        QCOMPARE(tags.at(1).at(0).toString(), QStringLiteral("ci"));
        QCOMPARE(tags.at(1).at(1).toInt(), 2000);
        QCOMPARE(tags.at(2).at(0).toString(), QStringLiteral("refactor-ü"));
        QCOMPARE(tags.at(2).at(1).toInt(), 1000);
        const QList<QVariantList> hours
            = rows(db, QStringLiteral("SELECT COUNT(DISTINCT hour) FROM spend_hourly WHERE hour % %1 = 0").arg(HourMs));
        QCOMPARE(hours.value(0).value(0).toInt(), int((2999 * 47000) / HourMs + 1));
    }

    void tokensAreStoredListedAndRevoked_data() { storeKinds(); }
    void tokensAreStoredListedAndRevoked()
    {
        if (skipWithoutPostgres())
            QSKIP(qPrintable(m_postgresMissing));
        const StoreLocation location = newStore();
        TokenStore admin;
        QVERIFY2(admin.open(location), qPrintable(admin.open(location).errorMessage()));
        TokenStore gateway;
        const Result<void> opened = gateway.open(location, SqliteConnection::Mode::ReadOnly);
        QVERIFY2(opened, qPrintable(opened.errorMessage()));
        const Result<qint64> before = gateway.dataVersion();
        QVERIFY2(before, qPrintable(before.errorMessage()));

        StoredToken token;
        token.name = QStringLiteral("alice");
        token.models = {QStringLiteral("gpt-4.1-mini"), QStringLiteral("claude-sonnet-4")};
        token.rpm = 60;
        token.tpm = 100000;
        token.dailyUsd = 2.5;
        const Result<QString> secret = admin.create(token);
        QVERIFY2(secret, qPrintable(secret.errorMessage()));
        QVERIFY(!admin.create(token)); // the name is taken
        StoredToken bob;
        bob.name = QStringLiteral("bob");
        QVERIFY(admin.create(bob));

        // Another connection's change is seen by the gateway's poll.
        const Result<qint64> after = gateway.dataVersion();
        QVERIFY(after);
        QVERIFY(*after != *before);
        const Result<QList<StoredToken>> listed = gateway.list();
        QVERIFY2(listed, qPrintable(listed.errorMessage()));
        QCOMPARE(listed->size(), 2);
        const StoredToken &alice = listed->at(0);
        QCOMPARE(alice.name, QStringLiteral("alice"));
        QCOMPARE(alice.secretSha256, TokenStore::digest(secret->toLatin1()));
        QCOMPARE(alice.models, token.models);
        QCOMPARE(alice.rpm, 60);
        QCOMPARE(alice.tpm, qint64(100000));
        QCOMPARE(alice.dailyUsd, 2.5);
        QCOMPARE(alice.weeklyUsd, -1.0);
        QVERIFY(qAbs(alice.createdAt.msecsTo(QDateTime::currentDateTimeUtc())) < 60000);
        QCOMPARE(listed->at(1).models, QStringList());

        // The gateway's connection is read-only.
        QVERIFY(!gateway.create(bob));
        QVERIFY(admin.revoke(QStringLiteral("alice")));
        QVERIFY(!admin.revoke(QStringLiteral("alice")));
        QVERIFY(*gateway.dataVersion() != *after);
        QCOMPARE(gateway.list()->size(), 1);
    }

    void retentionDeletesOldRequestsAndKeepsTheirSpend_data() { storeKinds(); }
    void retentionDeletesOldRequestsAndKeepsTheirSpend()
    {
        if (skipWithoutPostgres())
            QSKIP(qPrintable(m_postgresMissing));
        const StoreLocation location = newStore();
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(BaseMs, Qt::UTC);
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(location));
            for (int n = 0; n < 1200; ++n) // one every 6 minutes over 5 days: 240 a day
                writer.append(makeRecord(n, now.addSecs(-qint64(n) * 360)));
            writer.flush();
        }
        StoreConnection raw;
        QVERIFY(raw.open(location, QStringLiteral("contract-raw-retention"), StoreConnection::Mode::ReadOnly));
        const QString spend = QStringLiteral("SELECT SUM(requests), SUM(cost_usd) FROM spend_hourly");
        const QList<QVariantList> before = rows(raw.database(), spend);
        const Result<RetentionPass> pass = LogRetention::prune(location, RetentionPolicy {2, 0}, now);
        QVERIFY2(pass, qPrintable(pass.errorMessage()));
        // Older than two days: n > 480 (n == 480 is exactly two days old and stays).
        QCOMPARE(pass->requestsDeleted, qint64(1200 - 481));
        RequestLogReader reader(location);
        QCOMPARE(*reader.count(), qint64(481));
        QCOMPARE(rows(raw.database(),
                      QStringLiteral("SELECT COUNT(*) FROM request_attempts a WHERE NOT EXISTS "
                                     "(SELECT 1 FROM requests r WHERE r.seq = a.request_seq)"))
                     .value(0)
                     .value(0)
                     .toInt(),
                 0);
        verifySameRows(rows(raw.database(), spend), before, 0);
    }

    void readersNeedAStoreThatWasSetUp_data() { storeKinds(true); }
    void readersNeedAStoreThatWasSetUp()
    {
        if (skipWithoutPostgres())
            QSKIP(qPrintable(m_postgresMissing));
        const StoreLocation location = newStore();
        RequestLogReader reader(location);
        const Result<void> opened = reader.open();
        QVERIFY(!opened);
        QVERIFY2(opened.errorMessage().contains(QLatin1String("start a gateway")), qPrintable(opened.errorMessage()));
        QVERIFY(!opened.errorMessage().contains(m_cluster->password()));
    }

    void aNewerSchemaIsRefusedUntouched_data() { storeKinds(true); }
    void aNewerSchemaIsRefusedUntouched()
    {
        if (skipWithoutPostgres())
            QSKIP(qPrintable(m_postgresMissing));
        const StoreLocation location = newStore();
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(location));
        }
        {
            StoreConnection raw;
            QVERIFY(raw.open(location, QStringLiteral("contract-raw-newer"), StoreConnection::Mode::ReadWrite));
            QSqlQuery query(raw.database());
            QVERIFY(query.exec(QStringLiteral("UPDATE sluice_schema_version SET version = version + 1")));
        }
        RequestLogWriter writer;
        const Result<void> opened = writer.open(location);
        QVERIFY(!opened);
        QVERIFY2(opened.errorMessage().contains(QLatin1String("newer version of Sluice")),
                 qPrintable(opened.errorMessage()));
    }

    void wrongPasswordIsAClearErrorWithoutTheSecret()
    {
        if (!m_postgresAvailable)
            QSKIP(qPrintable(m_postgresMissing));
        PostgresSettings settings = postgresSettings(QStringLiteral("postgres"));
        settings.password = QStringLiteral("not-the-password-4711");
        RequestLogWriter writer;
        const Result<void> opened
            = writer.open(StoreLocation::postgres(settings, m_dir.filePath(QStringLiteral("x.journal"))));
        QVERIFY(!opened);
        QVERIFY2(opened.errorMessage().contains(QLatin1String("password authentication failed")),
                 qPrintable(opened.errorMessage()));
        QVERIFY2(opened.errorMessage().contains(settings.describe()), qPrintable(opened.errorMessage()));
        QVERIFY(!opened.errorMessage().contains(settings.password));
    }

    // Several gateways on one database: writers that start together migrate it once, and their concurrent batches
    // land in the same rollup rows without losing an update.
    void gatewaysShareOneDatabase()
    {
        if (!m_postgresAvailable)
            QSKIP(qPrintable(m_postgresMissing));
        QString error;
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("shared"), &error), qPrintable(error));
        const StoreLocation location = StoreLocation::postgres(postgresSettings(QStringLiteral("shared")),
                                                               m_dir.filePath(QStringLiteral("shared-%1.journal")));
        constexpr int Writers = 3;
        constexpr int PerWriter = 4000;
        std::vector<std::unique_ptr<RequestLogWriter>> writers;
        std::vector<std::unique_ptr<QThread>> openers;
        for (int w = 0; w < Writers; ++w) {
            writers.push_back(std::make_unique<RequestLogWriter>());
            StoreLocation own = StoreLocation::postgres(location.postgresSettings(),
                                                        m_dir.filePath(QStringLiteral("shared-%1.journal").arg(w)));
            openers.emplace_back(QThread::create([writer = writers.back().get(), own] {
                const Result<void> opened = writer->open(own);
                if (!opened)
                    qWarning().noquote() << opened.errorMessage();
            }));
            openers.back()->start();
        }
        for (auto &opener : openers)
            opener->wait();
        for (auto &writer : writers)
            QVERIFY(writer->isOpen());
        std::vector<std::unique_ptr<QThread>> producers;
        for (int w = 0; w < Writers; ++w) {
            producers.emplace_back(QThread::create([writer = writers.at(w).get(), w] {
                for (int n = 0; n < PerWriter; ++n)
                    writer->append(spreadRecord(w * PerWriter + n % 500)); // the same hours and keys for all
            }));
            producers.back()->start();
        }
        for (auto &producer : producers)
            producer->wait();
        for (auto &writer : writers) {
            writer->flush();
            QCOMPARE(writer->writtenCount(), qint64(PerWriter));
        }
        writers.clear();
        StoreConnection raw;
        QVERIFY(raw.open(location, QStringLiteral("contract-raw-shared"), StoreConnection::Mode::ReadOnly));
        QCOMPARE(rows(raw.database(), QStringLiteral("SELECT COUNT(*) FROM requests")).value(0).value(0).toInt(),
                 Writers * PerWriter);
        verifySameRows(rows(raw.database(), RolledUpSpend), rows(raw.database(), RawSpend), 4);
        QCOMPARE(rows(raw.database(), QStringLiteral("SELECT COUNT(*) FROM sluice_schema_version"))
                     .value(0)
                     .value(0)
                     .toInt(),
                 1);
    }

    // A PostgreSQL restart while gateways write: the writer's queue holds what arrives meanwhile, the writer
    // connects again with backoff, and every record is logged exactly once.
    void aServerRestartLosesNothing()
    {
        if (!m_postgresAvailable)
            QSKIP(qPrintable(m_postgresMissing));
        QString error;
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("restart"), &error), qPrintable(error));
        const StoreLocation location = StoreLocation::postgres(postgresSettings(QStringLiteral("restart")),
                                                               m_dir.filePath(QStringLiteral("restart.journal")));
        RequestLogWriter writer;
        QVERIFY(writer.open(location));
        QStringList failures;
        connect(
            &writer, &RequestLogWriter::writeFailed, this,
            [&failures](const QString &message) { failures.append(message); }, Qt::DirectConnection);
        RequestLogReader reader(location);
        QVERIFY(reader.open());
        int n = 0;
        for (; n < 500; ++n)
            writer.append(makeRecord(n));
        writer.flush();
        QCOMPARE(*reader.count(), qint64(500));

        QVERIFY2(m_cluster->stop(&error, PostgresCluster::StopMode::Immediate), qPrintable(error));
        for (; n < 1500; ++n) {
            writer.append(makeRecord(n));
            if (n % 100 == 0)
                QThread::msleep(20);
        }
        QTRY_VERIFY_WITH_TIMEOUT(!failures.isEmpty(), 10000);
        QVERIFY(writer.queuedCount() > 0);
        QVERIFY(!reader.count()); // the reader says so too
        QVERIFY2(failures.first().contains(location.describe()), qPrintable(failures.first()));
        QVERIFY(!failures.first().contains(m_cluster->password()));
        QThread::msleep(500);
        QVERIFY2(m_cluster->start(&error), qPrintable(error));
        writer.flush();
        QCOMPARE(writer.queuedCount(), qint64(0));
        QCOMPARE(writer.writtenCount(), qint64(1500));
        const Result<qint64> count = reader.count(); // connects again
        QVERIFY2(count, qPrintable(count.errorMessage()));
        QCOMPARE(*count, qint64(1500));
    }

    // The batch statement carries every value as a literal: quotes, backslashes and NUL never break it.
    void batchLiteralsAreEscaped()
    {
        QCOMPARE(PostgresConnection::literal(QStringLiteral("it's \\ a")), QStringLiteral("'it''s \\ a'"));
        QCOMPARE(PostgresConnection::literal(QString(QStringLiteral("a") + QChar(0) + QStringLiteral("b"))),
                 QStringLiteral("'ab'"));
        QCOMPARE(PostgresConnection::literal(QByteArray("\x00\xff", 2)), QStringLiteral("CAST('\\x00ff' AS bytea)"));
        QCOMPARE(PostgresConnection::literal(QVariant(QMetaType::fromType<qint64>())),
                 QStringLiteral("CAST(NULL AS bigint)"));
        QCOMPARE(PostgresConnection::literal(0.1), QStringLiteral("CAST(0.1 AS double precision)"));
        QCOMPARE(PostgresConnection::literal(qint64(-1)), QStringLiteral("-1"));
    }

    // The writer's binary COPY rows, byte for byte as PostgreSQL's binary format defines them.
    void copyEncoderWritesPostgresBinaryRows()
    {
        PostgresCopyEncoder encoder({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"),
                                     QStringLiteral("e"), QStringLiteral("f"), QStringLiteral("g")},
                                    {PostgresCopyEncoder::Int8Oid, PostgresCopyEncoder::Int4Oid,
                                     PostgresCopyEncoder::TextOid, PostgresCopyEncoder::ByteaOid,
                                     PostgresCopyEncoder::Float8Oid, PostgresCopyEncoder::BoolOid,
                                     PostgresCopyEncoder::Int2Oid});
        QVERIFY(encoder.check());
        encoder.addRow({qint64(-2), 7, QString(QStringLiteral("a") + QChar(0) + QStringLiteral("ü")),
                        QByteArray("\0\xff", 2), 1.5, true, QVariant(QMetaType::fromType<int>())});
        QCOMPARE(encoder.rowCount(), 1);
        const QByteArray expected = QByteArray("PGCOPY\n\xff\r\n\0", 11) + QByteArray(8, '\0') // header
            + QByteArray("\0\x07", 2) // 7 fields
            + QByteArray("\0\0\0\x08\xff\xff\xff\xff\xff\xff\xff\xfe", 12) // bigint -2
            + QByteArray("\0\0\0\x04\0\0\0\x07", 8) // integer 7
            + QByteArray("\0\0\0\x03"
                         "a\xc3\xbc",
                         7) // text without the NUL, UTF-8
            + QByteArray("\0\0\0\x02\0\xff", 6) // bytea keeps it
            + QByteArray("\0\0\0\x08\x3f\xf8\0\0\0\0\0\0", 12) // 1.5
            + QByteArray("\0\0\0\x01\x01", 5) // true
            + QByteArray("\xff\xff\xff\xff", 4) // NULL
            + QByteArray("\xff\xff", 2); // trailer
        QCOMPARE(encoder.finish().toHex(' '), expected.toHex(' '));
        QCOMPARE(encoder.rowCount(), 0); // and it starts again
        const Result<void> refused = PostgresCopyEncoder({QStringLiteral("at")}, {1114 /* timestamp */}).check();
        QVERIFY(!refused);
        QVERIFY2(refused.errorMessage().contains(QLatin1String("at")), qPrintable(refused.errorMessage()));
    }

    // Every column kind, awkward text and bytes, a body larger than one COPY chunk: read back field by field.
    void copyBatchKeepsEveryValue()
    {
        if (!m_postgresAvailable)
            QSKIP(qPrintable(m_postgresMissing));
        QString error;
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("awkward"), &error), qPrintable(error));
        const StoreLocation location = StoreLocation::postgres(postgresSettings(QStringLiteral("awkward")));
        RequestRecords records;
        for (int n = 0; n < 12; ++n)
            records.append(awkwardRecord(n));
        records[3].requestBody = QByteArray(3 * 1024 * 1024 + 7, '\0') + QByteArray("end"); // zlib-compressed
        records[5].responseBody = QByteArray(2 * 1024 * 1024, 'z');
        records[7].observedPrompt = QStringLiteral("obs-7");
        records[7].observedPromptSample
            = QByteArrayLiteral("{\"prompt_key\":\"k\",\"client\":\"Claude Code\",\"system_text\":\"You are \\u0000 "
                                "it's\",\"tools\":[\"a\"]}");
        {
            PostgresLogBackend backend(location.postgresSettings(), PostgresLogBackend::Method::Copy);
            QVERIFY(backend.open(QStringLiteral("contract-awkward")));
            const Result<void> written = backend.write(records.constData(), records.size());
            QVERIFY2(written, qPrintable(written.errorMessage()));
        }
        RequestLogReader reader(location);
        QVERIFY(reader.open());
        QCOMPARE(*reader.count(), qint64(records.size()));
        for (const RequestRecord &record : std::as_const(records)) {
            const Result<RequestRecord> read = reader.byId(record.id);
            QVERIFY2(read, qPrintable(read.errorMessage()));
            RequestRecord expected = record;
            expected.errorMessage = withoutNul(expected.errorMessage);
            expected.client = withoutNul(expected.client);
            expected.project = withoutNul(expected.project);
            for (AttemptRecord &attempt : expected.attempts)
                attempt.reason = withoutNul(attempt.reason);
            for (QString &tag : expected.tags)
                tag = withoutNul(tag);
            verifySameRecord(*read, expected);
            QCOMPARE(read->servedModel, withoutNul(record.servedModel));
            QCOMPARE(read->savedUsd, record.savedUsd);
            QCOMPARE(read->promptName, record.promptName);
            QCOMPARE(read->promptVersion, record.promptVersion);
            QCOMPARE(read->compareRun, record.compareRun);
            QCOMPARE(read->observedPrompt, record.observedPrompt);
            QCOMPARE(read->guardrailHits, record.guardrailHits);
        }
        StoreConnection raw;
        QVERIFY(raw.open(location, QStringLiteral("contract-raw-awkward"), StoreConnection::Mode::ReadOnly));
        const QList<QVariantList> observed
            = rows(raw.database(),
                   QStringLiteral("SELECT fingerprint, client, system_text, tools, first_seen FROM "
                                  "observed_prompt_versions"));
        QCOMPARE(observed.size(), 1);
        QCOMPARE(observed.at(0).at(0).toString(), QStringLiteral("obs-7"));
        QCOMPARE(observed.at(0).at(1).toString(), QStringLiteral("Claude Code"));
        QCOMPARE(observed.at(0).at(2).toString(), QStringLiteral("You are  it's"));
        QCOMPARE(observed.at(0).at(3).toString(), QStringLiteral("[\"a\"]"));
        QCOMPARE(observed.at(0).at(4).toLongLong(), records.at(7).startedAt.toMSecsSinceEpoch());
        verifySameRows(rows(raw.database(), RolledUpSpend), rows(raw.database(), RawSpend), 4);
    }

    // The COPY writer stores what the earlier one-statement writer stored: every row of every table the log writes.
    void bothPostgresWritersStoreTheSameRows()
    {
        if (!m_postgresAvailable)
            QSKIP(qPrintable(m_postgresMissing));
        RequestRecords records;
        for (int n = 0; n < 1500; ++n)
            records.append(n % 50 == 0 ? awkwardRecord(n) : spreadRecord(n));
        records[10].observedPrompt = QStringLiteral("obs-a");
        records[10].observedPromptSample
            = QByteArrayLiteral("{\"prompt_key\":\"k\",\"client\":\"c\",\"system_text\":\"s\",\"tools\":[]}");
        records[11].observedPrompt = records[10].observedPrompt; // seen again: kept once
        records[11].observedPromptSample = records[10].observedPromptSample;
        const QStringList dumps
            = {QStringLiteral("SELECT id, started_at, token_name, endpoint, requested_model, provider, upstream_model, "
                              "stream, http_status, error_class, error_message, latency_us, time_to_first_token_us, "
                              "input_tokens, output_tokens, cached_tokens, reasoning_tokens, bodies_truncated, "
                              "cache_write_tokens, cost_usd, cost_status, attempt_count, deployment, saved_usd, "
                              "served_model, client, tags, project, guardrails, prompt_name, prompt_version, "
                              "observed_prompt, compare_run FROM requests ORDER BY seq"),
               QStringLiteral("SELECT r.id, b.encoding, md5(b.request_body), md5(b.response_body), "
                              "length(b.request_body) FROM request_bodies b JOIN requests r ON r.seq = b.request_seq "
                              "ORDER BY r.seq"),
               QStringLiteral("SELECT r.id, a.attempt, a.model, a.deployment, a.provider, a.upstream_model, a.key_ref, "
                              "a.started_at_ms, a.latency_ms, a.http_status, a.error_class, a.decision, "
                              "a.wait_before_next_ms, a.reason, a.input_tokens, a.output_tokens, a.cached_tokens, "
                              "a.reasoning_tokens, a.cache_write_tokens FROM request_attempts a JOIN requests r ON "
                              "r.seq = a.request_seq ORDER BY r.seq, a.attempt"),
               QStringLiteral("SELECT * FROM spend_hourly ORDER BY hour, model, provider, token_name"),
               QStringLiteral("SELECT * FROM spend_hourly_by ORDER BY dimension, hour, value"),
               QStringLiteral("SELECT fingerprint, prompt_key, client, system_text, tools, first_seen FROM "
                              "observed_prompt_versions ORDER BY fingerprint")};
        QList<QList<QList<QVariantList>>> stored;
        for (const PostgresLogBackend::Method method :
             {PostgresLogBackend::Method::Copy, PostgresLogBackend::Method::Statement}) {
            const QString name
                = method == PostgresLogBackend::Method::Copy ? QStringLiteral("bycopy") : QStringLiteral("bystatement");
            QString error;
            QVERIFY2(m_cluster->createDatabase(name, &error), qPrintable(error));
            const StoreLocation location = StoreLocation::postgres(postgresSettings(name));
            {
                PostgresLogBackend backend(location.postgresSettings(), method);
                QVERIFY(backend.open(QStringLiteral("contract-") + name));
                // Batches of different sizes, the last one written twice (as after a lost commit answer).
                for (const auto &[from, size] :
                     {std::pair {0, 700}, std::pair {700, 1}, std::pair {701, 799}, std::pair {701, 799}}) {
                    const Result<void> written = backend.write(records.constData() + from, size);
                    QVERIFY2(written, qPrintable(written.errorMessage()));
                }
            }
            StoreConnection raw;
            QVERIFY(raw.open(location, QStringLiteral("contract-raw-") + name, StoreConnection::Mode::ReadOnly));
            QList<QList<QVariantList>> tables;
            for (const QString &dump : dumps)
                tables.append(rows(raw.database(), dump));
            QCOMPARE(tables.at(0).size(), records.size());
            stored.append(tables);
        }
        for (qsizetype t = 0; t < dumps.size(); ++t) {
            QVERIFY2(!stored.at(0).at(t).isEmpty(), qPrintable(dumps.at(t)));
            QCOMPARE(stored.at(0).at(t).size(), stored.at(1).at(t).size());
            for (qsizetype r = 0; r < stored.at(0).at(t).size(); ++r) {
                const QVariantList &copy = stored.at(0).at(t).at(r);
                const QVariantList &statement = stored.at(1).at(t).at(r);
                for (qsizetype c = 0; c < copy.size(); ++c) {
                    if (copy.at(c).isNull() != statement.at(c).isNull() || copy.at(c) != statement.at(c))
                        QFAIL(qPrintable(QStringLiteral("%1\nrow %2 column %3: %4 by COPY, %5 by the statement")
                                             .arg(dumps.at(t))
                                             .arg(r)
                                             .arg(c)
                                             .arg(copy.at(c).toString(), statement.at(c).toString())));
                }
            }
        }
    }

    // The writer's session holds its staging tables: when the server drops it, the write fails, the next one
    // connects again and sets them up anew, and a batch written again after the failure is logged once.
    void aDroppedSessionIsSetUpAgain()
    {
        if (!m_postgresAvailable)
            QSKIP(qPrintable(m_postgresMissing));
        QString error;
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("dropped"), &error), qPrintable(error));
        const StoreLocation location = StoreLocation::postgres(postgresSettings(QStringLiteral("dropped")));
        RequestRecords records;
        for (int n = 0; n < 300; ++n)
            records.append(spreadRecord(n));
        PostgresLogBackend backend(location.postgresSettings(), PostgresLogBackend::Method::Copy);
        QVERIFY(backend.open(QStringLiteral("contract-dropped")));
        QVERIFY(backend.write(records.constData(), 100));
        {
            StoreConnection admin;
            QVERIFY(admin.open(location, QStringLiteral("contract-raw-dropper"), StoreConnection::Mode::ReadWrite));
            QSqlQuery query(admin.database());
            QVERIFY2(query.exec(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                                               "current_database() AND pid <> pg_backend_pid()")),
                     qPrintable(query.lastError().text()));
        }
        const Result<void> failed = backend.write(records.constData() + 100, 100);
        QVERIFY(!failed);
        QVERIFY2(failed.errorMessage().contains(location.describe()), qPrintable(failed.errorMessage()));
        QVERIFY(!failed.errorMessage().contains(m_cluster->password()));
        for (const auto &[from, size] : {std::pair {100, 100}, std::pair {0, 300}}) {
            const Result<void> written = backend.write(records.constData() + from, size);
            QVERIFY2(written, qPrintable(written.errorMessage()));
        }
        backend.close();
        StoreConnection raw;
        QVERIFY(raw.open(location, QStringLiteral("contract-raw-dropped"), StoreConnection::Mode::ReadOnly));
        const QSqlDatabase db = raw.database();
        QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(*), COUNT(DISTINCT id) FROM requests")).value(0),
                 (QVariantList {qint64(300), qint64(300)}));
        qsizetype attempts = 0;
        qsizetype bodies = 0;
        for (const RequestRecord &record : std::as_const(records)) {
            attempts += record.attempts.size();
            bodies += RecordColumns::hasBodies(record) ? 1 : 0;
        }
        QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(*) FROM request_attempts")).value(0).value(0).toLongLong(),
                 qint64(attempts));
        QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(*) FROM request_bodies")).value(0).value(0).toLongLong(),
                 qint64(bodies));
        verifySameRows(rows(db, RolledUpSpend), rows(db, RawSpend), 4);
    }

    void cleanupTestCase()
    {
        if (m_cluster) {
            QString error;
            QVERIFY2(m_cluster->stop(&error), qPrintable(error));
        }
    }
};

QTEST_GUILESS_MAIN(StoreContractTest)
#include "tst_storecontract.moc"
