#include "RequestLogReader.h"

#include <atomic>

#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include "Migrations.h"
#include "RecordColumns.h"
#include "SqliteConnection.h"
#include "StoreLogging.h"

namespace sluice {

namespace {

std::atomic<quint64> threadCounter {0};

quint64 currentThreadSerial()
{
    thread_local const quint64 serial = ++threadCounter;
    return serial;
}

Error queryError(const QString &what, const QSqlQuery &query, const QString &databasePath)
{
    return makeError(QStringLiteral("Reading %1 from the request log %2 failed (%3).")
                         .arg(what, QDir::toNativeSeparators(databasePath), query.lastError().text()));
}

} // namespace

RequestLogReader::RequestLogReader(const QString &databasePath)
    : m_databasePath(databasePath)
{
    static std::atomic<int> readerCounter {0};
    m_connectionPrefix = QStringLiteral("sluice-store-reader-%1-").arg(++readerCounter);
}

RequestLogReader::~RequestLogReader()
{
    QMutexLocker lock(&m_mutex);
    // Removing the last handle closes the connection, also for threads that have finished since.
    for (const QString &name : std::as_const(m_connections)) {
        QSqlDatabase::removeDatabase(name);
    }
}

Result<void> RequestLogReader::open()
{
    const auto name = connection();
    if (!name) {
        return name.error();
    }
    return {};
}

Result<QString> RequestLogReader::connection()
{
    const quint64 thread = currentThreadSerial();
    {
        QMutexLocker lock(&m_mutex);
        const auto existing = m_connections.constFind(thread);
        if (existing != m_connections.constEnd()) {
            return *existing;
        }
    }
    const QString name = m_connectionPrefix + QString::number(thread);
    SqliteConnection sqlite;
    Result<void> opened = sqlite.open(m_databasePath, name, SqliteConnection::Mode::ReadOnly);
    if (!opened) {
        return opened.error();
    }
    {
        const auto version = Migrations::currentVersion(sqlite.database());
        if (!version) {
            return version.error();
        }
        const int latest = Migrations::latestVersion();
        if (*version > latest) {
            return Migrations::newerDatabaseError(m_databasePath, *version, latest);
        }
        if (*version < latest) {
            return makeError(QStringLiteral("The request log %1 has schema version %2 and needs upgrading to %3: "
                                            "start the gateway once with this data folder to upgrade it.")
                                 .arg(QDir::toNativeSeparators(m_databasePath))
                                 .arg(*version)
                                 .arg(latest));
        }
    }
    // From here the connection lives as long as the reader; the destructor closes it.
    sqlite.release();
    QMutexLocker lock(&m_mutex);
    m_connections.insert(thread, name);
    return name;
}

Result<RequestRecords> RequestLogReader::recent(int limit)
{
    if (limit <= 0) {
        return RequestRecords();
    }
    const auto name = connection();
    if (!name) {
        return name.error();
    }
    QSqlQuery query(QSqlDatabase::database(*name, false));
    query.setForwardOnly(true);
    if (!query.prepare(RecordColumns::selectSql(false)
                       + QStringLiteral(" ORDER BY r.started_at DESC, r.seq DESC LIMIT ?"))) {
        return queryError(QStringLiteral("recent requests"), query, m_databasePath);
    }
    query.addBindValue(limit);
    if (!query.exec()) {
        return queryError(QStringLiteral("recent requests"), query, m_databasePath);
    }
    RequestRecords records;
    records.reserve(limit);
    while (query.next()) {
        records.append(RecordColumns::read(query, false));
    }
    return records;
}

Result<RequestRecord> RequestLogReader::byId(const QString &id)
{
    const auto name = connection();
    if (!name) {
        return name.error();
    }
    QSqlQuery query(QSqlDatabase::database(*name, false));
    query.setForwardOnly(true);
    if (!query.prepare(RecordColumns::selectSql(true) + QStringLiteral(" WHERE r.id = ?"))) {
        return queryError(QStringLiteral("request %1").arg(id), query, m_databasePath);
    }
    query.addBindValue(id);
    if (!query.exec()) {
        return queryError(QStringLiteral("request %1").arg(id), query, m_databasePath);
    }
    if (!query.next()) {
        return makeError(QStringLiteral("Request %1 is not in the request log.").arg(id));
    }
    RequestRecord record = RecordColumns::read(query, true);
    query.finish();

    QSqlQuery attempts(QSqlDatabase::database(*name, false));
    attempts.setForwardOnly(true);
    if (!attempts.prepare(RecordColumns::selectAttemptsSql())) {
        return queryError(QStringLiteral("the attempts of request %1").arg(id), attempts, m_databasePath);
    }
    attempts.addBindValue(id);
    if (!attempts.exec()) {
        return queryError(QStringLiteral("the attempts of request %1").arg(id), attempts, m_databasePath);
    }
    while (attempts.next()) {
        record.attempts.append(RecordColumns::readAttempt(attempts));
    }
    return record;
}

Result<qint64> RequestLogReader::count()
{
    const auto name = connection();
    if (!name) {
        return name.error();
    }
    QSqlQuery query(QSqlDatabase::database(*name, false));
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM requests")) || !query.next()) {
        return queryError(QStringLiteral("the number of requests"), query, m_databasePath);
    }
    return query.value(0).toLongLong();
}

} // namespace sluice
