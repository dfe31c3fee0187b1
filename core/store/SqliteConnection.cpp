#include "SqliteConnection.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include "StoreLogging.h"

namespace sluice {

namespace {

QString folderHint()
{
    return QStringLiteral("check its permissions, or choose another data folder (--data-dir)");
}

} // namespace

SqliteConnection::~SqliteConnection()
{
    close();
}

Result<void> SqliteConnection::open(const QString &databasePath, const QString &connectionName, Mode mode)
{
    close();
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
        return makeError(QStringLiteral("The Qt SQLite driver (QSQLITE) is not available: install Qt's SQLite "
                                        "plugin (on Debian: libqt6sql6-sqlite)."));
    }
    const QFileInfo file(databasePath);
    const QString folder = file.absolutePath();
    if (mode == Mode::ReadWrite) {
        if (!QDir().mkpath(folder)) {
            return makeError(QStringLiteral("Cannot create the folder %1 for the request log: %2.")
                                 .arg(QDir::toNativeSeparators(folder), folderHint()));
        }
        if (!QFileInfo(folder).isWritable()) {
            return makeError(QStringLiteral("The folder %1 is not writable, so the request log cannot be kept there: "
                                            "%2.")
                                 .arg(QDir::toNativeSeparators(folder), folderHint()));
        }
        if (file.exists() && (!file.isFile() || !file.isWritable())) {
            return makeError(QStringLiteral("The request log %1 exists but is not a writable file: %2.")
                                 .arg(QDir::toNativeSeparators(databasePath), folderHint()));
        }
    } else if (!file.isFile()) {
        return makeError(QStringLiteral("There is no request log at %1 yet: it is created when the gateway first "
                                        "starts with this data folder.")
                             .arg(QDir::toNativeSeparators(databasePath)));
    }

    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        db.setDatabaseName(databasePath);
        QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs);
        if (mode == Mode::ReadOnly) {
            options += QStringLiteral(";QSQLITE_OPEN_READONLY");
        }
        db.setConnectOptions(options);
        if (!db.open()) {
            const QString reason = db.lastError().text();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(connectionName);
            return makeError(QStringLiteral("Cannot open the request log %1 (%2): %3.")
                                 .arg(QDir::toNativeSeparators(databasePath), reason, folderHint()));
        }
    }
    m_databasePath = databasePath;
    m_connectionName = connectionName;

    QSqlDatabase db = database();
    Result<void> configured;
    if (mode == Mode::ReadWrite) {
        const auto unusable = [&databasePath](const QString &reason) {
            return makeError(QStringLiteral("The file %1 is not a usable SQLite database (%2): move it away or choose "
                                            "another data folder (--data-dir).")
                                 .arg(QDir::toNativeSeparators(databasePath), reason));
        };
        QSqlQuery query(db);
        // page_size only applies to a new file: measured with bench/store, 16 KB pages cut the writer's CPU per
        // record by about a fifth and speed up range aggregations. WAL lets readers (the dashboard) run while the
        // writer commits; with synchronous=NORMAL it syncs at checkpoints only.
        if (!query.exec(QStringLiteral("PRAGMA page_size=16384"))) {
            configured = unusable(query.lastError().text());
        } else if (!query.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !query.next()) {
            configured = unusable(query.lastError().text());
        } else if (query.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
            configured = makeError(QStringLiteral("The request log %1 cannot use write-ahead logging (journal mode "
                                                  "is %2): keep the data folder on a local disk.")
                                       .arg(QDir::toNativeSeparators(databasePath), query.value(0).toString()));
        }
        query.finish();
        for (const auto &pragma :
             {QStringLiteral("PRAGMA synchronous=NORMAL"), QStringLiteral("PRAGMA foreign_keys=ON"),
              QStringLiteral("PRAGMA cache_size=-4096"), QStringLiteral("PRAGMA journal_size_limit=67108864"),
              QStringLiteral("PRAGMA wal_autocheckpoint=4096")}) {
            if (configured) {
                configured = exec(db, pragma);
            }
        }
    } else {
        configured = exec(db, QStringLiteral("PRAGMA query_only=ON"));
        if (configured) {
            configured = exec(db, QStringLiteral("PRAGMA cache_size=-8192"));
        }
    }
    if (!configured) {
        db = QSqlDatabase();
        close();
        return configured;
    }
    qCDebug(lcStore) << "opened" << databasePath << (mode == Mode::ReadWrite ? "read-write" : "read-only") << "as"
                     << connectionName;
    return {};
}

void SqliteConnection::close()
{
    if (m_connectionName.isEmpty()) {
        return;
    }
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

QSqlDatabase SqliteConnection::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

Result<void> SqliteConnection::exec(QSqlDatabase &db, const QString &statement)
{
    QSqlQuery query(db);
    if (!query.exec(statement)) {
        return makeError(QStringLiteral("Cannot prepare the request log %1 (%2 failed: %3): check that it is a "
                                        "Sluice database on a local, writable disk.")
                             .arg(QDir::toNativeSeparators(m_databasePath), statement, query.lastError().text()));
    }
    return {};
}

} // namespace sluice
