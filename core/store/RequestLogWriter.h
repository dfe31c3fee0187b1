#pragma once

#include <memory>
#include <optional>

#include <QMutex>
#include <QObject>
#include <QThread>
#include <QWaitCondition>

#include "common/RequestRecord.h"
#include "common/Result.h"
#include "store/RequestJournal.h"
#include "store/StoreLocation.h"

namespace sluice {

class LogBackend;
class SecretScrubber;

// Writes request records to SQLite (WAL) on its own thread, in batched transactions, off the request path.
// The thread owns the only read-write connection; a batch is committed whenever records wait and the last
// commit is CommitIntervalMs old, or at once when BatchSize records wait.
//
// Queue policy: append() never blocks on I/O and never drops a record. The queue is soft-bounded: past
// softQueueLimit() waiting records (default 100,000, a few hundred MB with bodies) it still enqueues, but
// warns once per overflow episode (qCWarning and writeFailed) so a slow or stuck disk shows up before memory
// runs out; the episode ends when the queue drains below half the limit. Bodies are what make a backlog big (a
// streamed answer is logged up to its cap), so they are bounded too: past bodyByteLimit() bytes of queued bodies
// (default 64 MB), new records are queued without their bodies and marked truncated, with one warning per
// episode, until the queue's bodies drain below half the limit. The request rows are always kept. A failed write (disk
// full, read-only) keeps its batch, emits writeFailed and retries with backoff (250 ms doubling to 10 s). stop() and
// the destructor flush everything; only if writes still fail after a few attempts at stop are the remaining records
// given up, with a critical log line and writeFailed saying how many.
class RequestLogWriter : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype DefaultSoftQueueLimit = 100000;
    static constexpr qint64 DefaultBodyByteLimit = 64 * 1024 * 1024;
    static constexpr qsizetype BatchSize = 512;
    static constexpr int CommitIntervalMs = 100;

    explicit RequestLogWriter(QObject *parent = nullptr);
    ~RequestLogWriter() override; // stops and flushes

    // Opens (creating if needed) the store (a SQLite file path converts to one), runs migrations, starts the writer
    // thread. Records appended before open() are written once it succeeds. A PostgreSQL store that goes away later
    // (a restart) is connected to again by the retries; the queue holds meanwhile.
    Result<void> open(const StoreLocation &location);
    // Thread-safe, non-blocking. The record's attemptCount and deployment are derived from its attempts.
    void append(RequestRecord record);
    // Blocks until everything appended so far is committed and announced. For shutdown and tests.
    void flush();
    void stop();

    bool isOpen() const;
    // The SQLite file, or the PostgreSQL store's URL (without a password): for messages.
    QString databasePath() const;
    StoreLocation location() const;
    // Records committed since open().
    qint64 writtenCount() const;
    // Records appended but not yet committed and announced.
    qint64 queuedCount() const;
    void setSoftQueueLimit(qsizetype limit);
    qsizetype softQueueLimit() const;
    void setBodyByteLimit(qint64 bytes);
    qint64 bodyByteLimit() const;
    // Bytes of request and response bodies appended but not yet committed.
    qint64 queuedBodyBytes() const;
    // Secrets to replace in bodies, messages and attempt reasons before they are stored (on the writer thread).
    void setSecretScrubber(std::shared_ptr<const SecretScrubber> scrubber);

Q_SIGNALS:
    // Emitted from the writer thread after commits, at most every CommitIntervalMs (commits in between are
    // merged), with the records as appended, bodies included. Connect queued: the live table's feed.
    void batchCommitted(const sluice::RequestRecords &records);
    // A write failed or the queue overflowed; message says what to fix (disk full, permissions...).
    void writeFailed(const QString &message);

private:
    void run();
    void writeLoop(LogBackend &backend);

    mutable QMutex m_mutex;
    QWaitCondition m_wake; // the writer waits here for records, flush or stop
    QWaitCondition m_progress; // open() and flush() wait here for the writer
    std::unique_ptr<QThread> m_thread;
    RequestRecords m_queue;
    QString m_databasePath;
    StoreLocation m_location;
    QString m_connectionName;
    std::optional<Result<void>> m_openResult;
    qint64 m_appended = 0; // records accepted by append()
    qint64 m_settled = 0; // records committed and announced, or given up at stop
    qint64 m_written = 0;
    qsizetype m_softQueueLimit = DefaultSoftQueueLimit;
    qint64 m_queuedBodyBytes = 0;
    qint64 m_bodyByteLimit = DefaultBodyByteLimit;
    int m_flushWaiters = 0;
    bool m_running = false;
    bool m_stopping = false;
    bool m_overflowing = false;
    bool m_droppingBodies = false;
    qint64 m_uncommitted = 0; // appended (or replayed from the journal) and not yet committed
    RequestJournal m_journal; // guarded by m_mutex
    std::shared_ptr<const SecretScrubber> m_scrubber;
};

} // namespace sluice
