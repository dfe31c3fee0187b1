#include "LogRetention.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimerEvent>
#include <QUuid>

#include "store/SqliteConnection.h"
#include "store/StoreConnection.h"
#include "store/StoreLogging.h"

namespace sluice {

namespace {

constexpr int ChunkRows = 500; // per transaction: the writer never waits long

Result<qint64> pagesInUse(QSqlDatabase db, bool postgres)
{
    QSqlQuery query(db);
    if (postgres) {
        if (!query.exec(QStringLiteral("SELECT pg_database_size(current_database())")) || !query.next())
            return makeError(QStringLiteral("Cannot measure the request log: %1").arg(query.lastError().text()));
        return query.value(0).toLongLong();
    }
    qint64 values[3] = {0, 0, 0};
    const char *pragmas[3] = {"PRAGMA page_count", "PRAGMA freelist_count", "PRAGMA page_size"};
    for (int i = 0; i < 3; ++i) {
        if (!query.exec(QString::fromLatin1(pragmas[i])) || !query.next())
            return makeError(QStringLiteral("Cannot measure the request log: %1").arg(query.lastError().text()));
        values[i] = query.value(0).toLongLong();
    }
    return (values[0] - values[1]) * values[2];
}

// Runs statement (one bound value) until it deletes nothing more, or until stop() says enough; returns rows deleted.
Result<qint64> deleteInChunks(QSqlDatabase db, const QString &statement, const QVariant &bound,
                              const std::function<bool()> &stop)
{
    qint64 total = 0;
    for (;;) {
        if (stop && stop())
            return total;
        QSqlQuery query(db);
        query.prepare(statement);
        if (!bound.isNull())
            query.addBindValue(bound);
        if (!query.exec())
            return makeError(QStringLiteral("Cannot prune the request log: %1").arg(query.lastError().text()));
        const int deleted = query.numRowsAffected();
        total += qMax(0, deleted);
        if (deleted <= 0)
            return total;
    }
}

} // namespace

Result<qint64> LogRetention::usedBytes(const QString &databasePath)
{
    SqliteConnection connection;
    const QString name = QStringLiteral("retention-size-") + QUuid::createUuid().toString(QUuid::Id128);
    if (Result<void> opened = connection.open(databasePath, name, SqliteConnection::Mode::ReadOnly); !opened)
        return opened.error();
    return pagesInUse(connection.database(), false);
}

Result<RetentionPass> LogRetention::prune(const StoreLocation &location, const RetentionPolicy &policy,
                                          const QDateTime &now)
{
    RetentionPass pass;
    StoreConnection connection;
    const QString name = QStringLiteral("retention-") + QUuid::createUuid().toString(QUuid::Id128);
    if (Result<void> opened = connection.open(location, name, SqliteConnection::Mode::ReadWrite); !opened)
        return opened.error();
    const bool postgres = location.isPostgres();
    QSqlDatabase db = connection.database();
    const Result<qint64> before = pagesInUse(db, postgres);
    if (!before)
        return before.error();
    pass.bytesBefore = *before;

    if (policy.days > 0) {
        const qint64 cutoff = now.addDays(-policy.days).toMSecsSinceEpoch();
        // Bodies and attempts go with their request (ON DELETE CASCADE).
        const Result<qint64> deleted = deleteInChunks(
            db,
            QStringLiteral("DELETE FROM requests WHERE seq IN (SELECT seq FROM requests WHERE started_at < ? "
                           "ORDER BY started_at LIMIT %1)")
                .arg(ChunkRows),
            cutoff, {});
        if (!deleted)
            return deleted.error();
        pass.requestsDeleted += *deleted;
    }
    // A PostgreSQL database does not shrink as rows go (VACUUM reuses the space): only the days apply there.
    if (policy.maxBytes > 0 && !postgres) {
        const auto underLimit = [&db, &policy] {
            const Result<qint64> used = pagesInUse(db, false);
            return !used || *used <= policy.maxBytes;
        };
        // Bodies are most of the size and least of the value: the oldest go first, then whole requests.
        const Result<qint64> bodies = deleteInChunks(
            db,
            QStringLiteral(
                "DELETE FROM request_bodies WHERE request_seq IN (SELECT b.request_seq FROM request_bodies b "
                "JOIN requests r ON r.seq = b.request_seq ORDER BY r.started_at LIMIT %1)")
                .arg(ChunkRows / 10),
            QVariant(), underLimit);
        if (!bodies)
            return bodies.error();
        pass.bodiesDeleted = *bodies;
        const Result<qint64> rows = deleteInChunks(
            db,
            QStringLiteral("DELETE FROM requests WHERE seq IN (SELECT seq FROM requests ORDER BY started_at LIMIT %1)")
                .arg(ChunkRows),
            QVariant(), underLimit);
        if (!rows)
            return rows.error();
        pass.requestsDeleted += *rows;
    }
    const Result<qint64> after = pagesInUse(db, postgres);
    pass.bytesAfter = after ? *after : pass.bytesBefore;
    return pass;
}

RetentionScheduler::RetentionScheduler(StoreLocation store, QObject *parent)
    : QObject(parent)
    , m_databasePath(std::move(store))
{ }

RetentionScheduler::~RetentionScheduler()
{
    if (m_thread)
        m_thread->wait();
}

void RetentionScheduler::setPolicy(const RetentionPolicy &policy)
{
    m_policy = policy;
}

void RetentionScheduler::start(int firstDelayMs, int intervalMs)
{
    m_intervalMs = intervalMs;
    if (m_timer)
        killTimer(m_timer);
    m_timer = startTimer(firstDelayMs);
}

void RetentionScheduler::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timer)
        return QObject::timerEvent(event);
    killTimer(m_timer);
    m_timer = startTimer(m_intervalMs);
    pruneNow();
}

void RetentionScheduler::pruneNow()
{
    if (m_running || m_policy.isOff())
        return;
    m_running = true;
    auto result = std::make_shared<Result<RetentionPass>>(RetentionPass {});
    m_thread = QThread::create(
        [path = m_databasePath, policy = m_policy, result] { *result = LogRetention::prune(path, policy); });
    connect(m_thread, &QThread::finished, this, [this, result] {
        m_thread->deleteLater();
        m_thread = nullptr;
        m_running = false;
        if (!*result) {
            qCWarning(lcStore).noquote() << "Retention:" << result->errorMessage();
            Q_EMIT failed(result->errorMessage());
            return;
        }
        const RetentionPass &pass = result->value();
        if (pass.requestsDeleted > 0 || pass.bodiesDeleted > 0)
            qCInfo(lcStore).noquote() << QStringLiteral("Retention: deleted %1 old requests and %2 bodies; the log "
                                                        "holds %3 MB of data")
                                             .arg(pass.requestsDeleted)
                                             .arg(pass.bodiesDeleted)
                                             .arg(double(pass.bytesAfter) / (1024 * 1024), 0, 'f', 1);
        Q_EMIT pruned(pass);
    });
    m_thread->start();
}

} // namespace sluice
