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
#include "store/PostgresLogBackend.h"
#include "store/PostgresMigrations.h"
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
        if (!PostgresConnection::isDriverAvailable()) {
            m_postgresMissing = QStringLiteral("the Qt PostgreSQL driver (libqt6sql6-psql) is not installed");
        } else if (PostgresCluster::binDir().isEmpty()) {
            m_postgresMissing = QStringLiteral("PostgreSQL (the postgresql package) is not installed");
        } else {
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
