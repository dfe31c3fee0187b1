#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>

#include "common/Result.h"
#include "store/StoreLocation.h"

namespace sluice {

// How much of the request log to keep (logging.retention_days, logging.max_database_mb).
struct RetentionPolicy
{
    int days = 0; // 0: keep requests however old
    qint64 maxBytes = 0; // 0: no size limit
    bool isOff() const { return days <= 0 && maxBytes <= 0; }
};

// What one pruning pass did.
struct RetentionPass
{
    qint64 requestsDeleted = 0;
    qint64 bodiesDeleted = 0;
    qint64 bytesBefore = 0; // data in the database (its pages in use), before and after
    qint64 bytesAfter = 0;
};

// Keeps the request log within its retention settings: requests older than the days are deleted (their bodies and
// attempts with them); past the size limit the oldest bodies go first, then the oldest requests. The hourly spend
// rollup (spend_hourly) is never touched, so spend reports and budgets keep every request's cost. Deletes in small
// transactions on its own connection, so the request log's writer waits at most for one chunk. The file does not
// shrink: SQLite reuses the freed pages, and the size counted is the pages in use.
class LogRetention
{
public:
    // On a PostgreSQL store only the days apply: its files do not shrink as rows go (see docs/team.md).
    static Result<RetentionPass> prune(const StoreLocation &location, const RetentionPolicy &policy,
                                       const QDateTime &now = QDateTime::currentDateTimeUtc());
    // The data in the database: pages in use times the page size.
    static Result<qint64> usedBytes(const QString &databasePath);
};

// Runs LogRetention on a worker thread now and then (at start and every interval) while a policy is set.
class RetentionScheduler : public QObject
{
    Q_OBJECT
public:
    explicit RetentionScheduler(StoreLocation store, QObject *parent = nullptr);
    ~RetentionScheduler() override;

    void setPolicy(const RetentionPolicy &policy);
    // The first pass after firstDelayMs, then one every intervalMs.
    void start(int firstDelayMs = 30'000, int intervalMs = 30 * 60'000);
    // One pass now (unless one is running).
    void pruneNow();

Q_SIGNALS:
    void pruned(const sluice::RetentionPass &pass);
    void failed(const QString &message);

private:
    StoreLocation m_databasePath;
    RetentionPolicy m_policy;
    int m_timer = 0;
    int m_intervalMs = 0;
    bool m_running = false;
    class QThread *m_thread = nullptr;

protected:
    void timerEvent(QTimerEvent *event) override;
};

} // namespace sluice
Q_DECLARE_METATYPE(sluice::RetentionPass)
