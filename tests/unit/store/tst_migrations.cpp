#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "StoreTestSupport.h"
#include "store/Migrations.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"
#include "store/SqliteConnection.h"

using namespace sluice;
using namespace sluice::test;

class TestMigrations : public QObject
{
    Q_OBJECT

private:
    QString writeMigrations(const QTemporaryDir &dir, const QString &folder,
                            const QList<QPair<QString, QByteArray>> &files)
    {
        const QString path = dir.filePath(folder);
        QDir().mkpath(path);
        for (const auto &[name, script] : files) {
            QFile file(path + QLatin1Char('/') + name);
            if (!file.open(QIODevice::WriteOnly)) {
                return {};
            }
            file.write(script);
        }
        return path;
    }

private Q_SLOTS:
    void newDatabaseGetsTheSchemaAndVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("data/requests.db"));
        {
            RequestLogWriter writer;
            const auto opened = writer.open(path);
            QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        }
        QVERIFY(Migrations::latestVersion() >= 1);
        RawDatabase raw(path);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), Migrations::latestVersion());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        const QStringList expected = {QStringLiteral("requests"),
                                      QStringLiteral("request_bodies"),
                                      QStringLiteral("request_attempts"),
                                      QStringLiteral("requests_started_at"),
                                      QStringLiteral("requests_model_started_at"),
                                      QStringLiteral("requests_provider_started_at"),
                                      QStringLiteral("requests_token_started_at")};
        for (const QString &name : expected) {
            QVERIFY2(
                raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE name = '%1'").arg(name)).toInt()
                    == 1,
                qPrintable(name));
        }
        // The spend aggregation by model over a time range is served by an index, not a table scan.
        QSqlQuery planQuery(raw.db());
        QVERIFY(planQuery.exec(QStringLiteral("EXPLAIN QUERY PLAN SELECT requested_model, sum(input_tokens) FROM "
                                              "requests WHERE started_at >= 0 GROUP BY requested_model")));
        QString details;
        while (planQuery.next()) {
            details += planQuery.value(3).toString() + QLatin1Char('\n');
        }
        QVERIFY2(details.contains(QLatin1String("INDEX")), qPrintable(details));
    }

    void aLogFromBeforeAttemptsKeepsItsRequests()
    {
        // A log written by a Sluice without attempt records (schema 2) is upgraded in place.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        const auto shipped = Migrations::load();
        QVERIFY(shipped.ok());
        QList<QPair<QString, QByteArray>> upToCost;
        for (const Migrations::Migration &migration : *shipped) {
            if (migration.version <= 2) {
                upToCost.append({migration.fileName, migration.script.toUtf8()});
            }
        }
        const QString v2 = writeMigrations(dir, QStringLiteral("v2"), upToCost);
        {
            SqliteConnection connection;
            QVERIFY(connection.open(path, QStringLiteral("v2"), SqliteConnection::Mode::ReadWrite).ok());
            QSqlDatabase db = connection.database();
            QVERIFY(Migrations::apply(db, path, v2).ok());
            QCOMPARE(*Migrations::currentVersion(db), 2);
            QSqlQuery insert(db);
            QVERIFY(insert.exec(QStringLiteral(
                "INSERT INTO requests (id, started_at, token_name, endpoint, requested_model, provider, "
                "upstream_model, stream, http_status, latency_us, cost_usd, cost_status) VALUES ('old', 1735689600000, "
                "'laptop', '/v1/chat/completions', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 0, 200, 5000, 0.0002, "
                "'exact')")));
        }
        const RequestRecord fresh = makeRecord(2);
        {
            RequestLogWriter writer;
            const auto opened = writer.open(path);
            QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
            writer.append(fresh);
        }
        RequestLogReader reader(path);
        const auto recent = reader.recent(10);
        QVERIFY2(recent.ok(), qPrintable(recent.errorMessage()));
        QCOMPARE(recent->size(), 2);
        const auto old = reader.byId(QStringLiteral("old"));
        QVERIFY2(old.ok(), qPrintable(old.errorMessage()));
        QCOMPARE(old->requestedModel, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(old->costStatus, QStringLiteral("exact"));
        // Its attempts were never recorded: unknown, not "none".
        QCOMPARE(old->attemptCount, -1);
        QVERIFY(old->attempts.isEmpty());
        verifySameRecord(*reader.byId(fresh.id), fresh);
    }

    void newerDatabaseIsRefusedUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("requests.db"));
        const int newer = Migrations::latestVersion() + 1;
        {
            RawDatabase raw(path);
            QVERIFY(raw.exec(QStringLiteral("CREATE TABLE future (x)")));
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = %1").arg(newer)));
        }
        RequestLogWriter writer;
        const auto opened = writer.open(path);
        QVERIFY(!opened.ok());
        QVERIFY2(opened.errorMessage().contains(QLatin1String("newer version of Sluice")),
                 qPrintable(opened.errorMessage()));
        QVERIFY(opened.errorMessage().contains(QString::number(newer)));
        QVERIFY(!writer.isOpen());

        RequestLogReader reader(path);
        const auto read = reader.open();
        QVERIFY(!read.ok());
        QVERIFY2(read.errorMessage().contains(QLatin1String("newer version of Sluice")),
                 qPrintable(read.errorMessage()));

        RawDatabase raw(path);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), newer);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE name = 'requests'")).toInt(), 0);
    }

    void onlyPendingMigrationsRun()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("app.db"));
        const QByteArray first = "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);";
        const QString v1 = writeMigrations(dir, QStringLiteral("v1"), {{QStringLiteral("0001_a.sql"), first}});
        const QString v2 = writeMigrations(dir, QStringLiteral("v2"),
                                           {{QStringLiteral("0001_a.sql"), first},
                                            {QStringLiteral("0002_b.sql"), "ALTER TABLE a ADD COLUMN y TEXT;"}});
        SqliteConnection connection;
        QVERIFY(connection.open(path, QStringLiteral("pending"), SqliteConnection::Mode::ReadWrite).ok());
        QSqlDatabase db = connection.database();
        QVERIFY(Migrations::apply(db, path, v1).ok());
        QCOMPARE(*Migrations::currentVersion(db), 1);
        // Running 0001 again would fail ("table a already exists"), so success means only 0002 ran.
        const auto upgraded = Migrations::apply(db, path, v2);
        QVERIFY2(upgraded.ok(), qPrintable(upgraded.errorMessage()));
        QCOMPARE(*Migrations::currentVersion(db), 2);
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT x, y FROM a")) && query.next());
        QCOMPARE(query.value(0).toInt(), 1);
    }

    void failedMigrationRollsBackAndNamesTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("app.db"));
        const QString migrations = writeMigrations(
            dir, QStringLiteral("m"),
            {{QStringLiteral("0001_a.sql"), "CREATE TABLE a (x);"},
             {QStringLiteral("0002_broken.sql"), "CREATE TABLE b (x);\nINSERT INTO missing VALUES (1);"}});
        SqliteConnection connection;
        QVERIFY(connection.open(path, QStringLiteral("broken"), SqliteConnection::Mode::ReadWrite).ok());
        QSqlDatabase db = connection.database();
        const auto applied = Migrations::apply(db, path, migrations);
        QVERIFY(!applied.ok());
        QVERIFY2(applied.errorMessage().contains(QLatin1String("0002_broken.sql")), qPrintable(applied.errorMessage()));
        QCOMPARE(*Migrations::currentVersion(db), 1);
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE name = 'b'")) && query.next());
        QCOMPARE(query.value(0).toInt(), 0);
    }

    void migrationsMustBeNumberedWithoutGaps()
    {
        QTemporaryDir dir;
        const QString migrations = writeMigrations(
            dir, QStringLiteral("gap"),
            {{QStringLiteral("0001_a.sql"), "CREATE TABLE a (x);"}, {QStringLiteral("0003_c.sql"), "SELECT 1;"}});
        const auto loaded = Migrations::load(migrations);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.errorMessage().contains(QLatin1String("0003_c.sql")), qPrintable(loaded.errorMessage()));
    }

    void statementsAreSplitOutsideQuotesCommentsAndTriggers()
    {
        const QString script
            = QStringLiteral("-- a comment; with a semicolon\n"
                             "CREATE TABLE t (x TEXT DEFAULT 'a;b', \"odd;name\" INTEGER); /* block; comment */\n"
                             "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN\n"
                             "  UPDATE t SET x = 'it''s; fine' WHERE rowid = new.rowid;\n"
                             "END;\n"
                             "INSERT INTO t (x) VALUES ('v')");
        const QStringList statements = Migrations::splitStatements(script);
        QCOMPARE(statements.size(), 3);
        QVERIFY(statements.at(0).startsWith(QLatin1String("CREATE TABLE t")));
        QVERIFY(statements.at(0).contains(QLatin1String("'a;b'")));
        QVERIFY(statements.at(1).startsWith(QLatin1String("CREATE TRIGGER")));
        QVERIFY(statements.at(1).endsWith(QLatin1String("END")));
        QCOMPARE(statements.at(2), QStringLiteral("INSERT INTO t (x) VALUES ('v')"));

        // And they run: the trigger fires on the insert.
        QTemporaryDir dir;
        SqliteConnection connection;
        const QString path = dir.filePath(QStringLiteral("split.db"));
        QVERIFY(connection.open(path, QStringLiteral("split"), SqliteConnection::Mode::ReadWrite).ok());
        QSqlDatabase db = connection.database();
        for (const QString &statement : statements) {
            QSqlQuery query(db);
            QVERIFY2(query.exec(statement), qPrintable(statement));
        }
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT x FROM t")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("it's; fine"));
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
