#include "RequestLogReader.h"

#include <atomic>

#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include "RecordColumns.h"
#include "StoreConnection.h"
#include "StoreLogging.h"

namespace sluice {

namespace {

std::atomic<quint64> threadCounter {0};

quint64 currentThreadSerial()
{
    thread_local const quint64 serial = ++threadCounter;
    return serial;
}

} // namespace

Error RequestLogReader::queryError(const QString &what, const QSqlQuery &query)
{
    const Error error = makeError(QStringLiteral("Reading %1 from the request log %2 failed (%3).")
                                      .arg(what, QDir::toNativeSeparators(m_databasePath), query.lastError().text()));
    // A PostgreSQL connection does not survive a server restart: the next call connects again.
    if (m_location.isPostgres())
        dropConnection();
    return error;
}

void RequestLogReader::dropConnection()
{
    // Removed on the next call, once the failed query is gone.
    QMutexLocker lock(&m_mutex);
    m_broken.insert(currentThreadSerial());
}

RequestLogReader::RequestLogReader(const StoreLocation &location)
    : m_location(location)
    , m_databasePath(location.isPostgres() ? location.describe() : location.sqlitePath())
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
            if (!m_broken.remove(thread))
                return *existing;
            const QString broken = *existing;
            m_connections.remove(thread);
            lock.unlock();
            QSqlDatabase::removeDatabase(broken);
        }
    }
    const QString name = m_connectionPrefix + QString::number(thread);
    StoreConnection store;
    if (Result<void> opened = store.open(m_location, name, StoreConnection::Mode::ReadOnly); !opened)
        return opened.error();
    if (Result<void> current = StoreConnection::checkCurrent(store.database(), m_location); !current)
        return current.error();
    // From here the connection lives as long as the reader (or until a failed query on a PostgreSQL store).
    store.release();
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
        return queryError(QStringLiteral("recent requests"), query);
    }
    query.addBindValue(limit);
    if (!query.exec()) {
        return queryError(QStringLiteral("recent requests"), query);
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
        return queryError(QStringLiteral("request %1").arg(id), query);
    }
    query.addBindValue(id);
    if (!query.exec()) {
        return queryError(QStringLiteral("request %1").arg(id), query);
    }
    if (!query.next()) {
        return makeError(QStringLiteral("Request %1 is not in the request log.").arg(id));
    }
    RequestRecord record = RecordColumns::read(query, true);
    query.finish();

    QSqlQuery attempts(QSqlDatabase::database(*name, false));
    attempts.setForwardOnly(true);
    if (!attempts.prepare(RecordColumns::selectAttemptsSql())) {
        return queryError(QStringLiteral("the attempts of request %1").arg(id), attempts);
    }
    attempts.addBindValue(id);
    if (!attempts.exec()) {
        return queryError(QStringLiteral("the attempts of request %1").arg(id), attempts);
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
        return queryError(QStringLiteral("the number of requests"), query);
    }
    return query.value(0).toLongLong();
}

} // namespace sluice
