#include "RequestLogWriter.h"

#include <algorithm>
#include <atomic>
#include <utility>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMetaMethod>

#include "AttemptSummary.h"
#include "LogBackend.h"
#include "StoreLogging.h"
#include "common/SecretScrubber.h"

namespace sluice {

namespace {

// Bounds one transaction when a backlog is drained, so a failure never has to redo an unbounded batch.
constexpr qsizetype MaxTransactionSize = 4096;
constexpr int FirstRetryDelayMs = 250;
constexpr int MaxRetryDelayMs = 10000;
constexpr int AttemptsAtStop = 3;
// After a backlog this large drains, freed heap is handed back to the system: glibc keeps it otherwise, so RSS
// would ratchet up with every burst of streamed answers.
constexpr qsizetype TrimAfterRecords = 1024;
constexpr qint64 TrimAfterBodyBytes = 16 * 1024 * 1024;

void scrubRecord(RequestRecord &record, const SecretScrubber &scrubber)
{
    record.requestBody = scrubber.scrub(record.requestBody);
    record.responseBody = scrubber.scrub(record.responseBody);
    record.errorMessage = scrubber.scrub(record.errorMessage);
    record.observedPromptSample = scrubber.scrub(record.observedPromptSample);
    for (AttemptRecord &attempt : record.attempts)
        attempt.reason = scrubber.scrub(attempt.reason);
}

qint64 bodyBytes(const RequestRecord &record)
{
    return record.requestBody.size() + record.responseBody.size();
}

void releaseFreedMemory()
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

QString recordCount(qint64 count)
{
    return count == 1 ? QStringLiteral("1 request record") : QStringLiteral("%1 request records").arg(count);
}

} // namespace

RequestLogWriter::RequestLogWriter(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<sluice::RequestRecords>("sluice::RequestRecords");
}

RequestLogWriter::~RequestLogWriter()
{
    stop();
}

Result<void> RequestLogWriter::open(const StoreLocation &location)
{
    const QString databasePath = location.isPostgres() ? location.describe() : location.sqlitePath();
    {
        QMutexLocker lock(&m_mutex);
        if (m_thread) {
            return makeError(
                QStringLiteral("The request log %1 is already open.").arg(QDir::toNativeSeparators(m_databasePath)));
        }
        static std::atomic<int> connectionCounter {0};
        m_databasePath = databasePath;
        m_location = location;
        m_connectionName = QStringLiteral("sluice-store-writer-%1").arg(++connectionCounter);
        m_openResult.reset();
        m_stopping = false;
        m_written = 0;
        // What a crash left unwritten goes first; a journal that cannot open costs crash safety, not the log.
        const QString journalPath = location.journalPath();
        Result<RequestRecords> left = journalPath.isEmpty()
            ? Result<RequestRecords>(
                makeError(QStringLiteral("No folder for the journal of the request log %1.").arg(databasePath)))
            : m_journal.open(journalPath);
        if (!left) {
            qCWarning(lcStore).noquote() << left.errorMessage() << "- requests are logged without crash safety";
        } else if (!left->isEmpty()) {
            qCInfo(lcStore) << "writing" << left->size() << "requests a previous run left in the journal";
            for (const RequestRecord &record : std::as_const(*left)) {
                m_queue.append(record);
                ++m_appended;
                ++m_uncommitted;
            }
        }
    }
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("sluice-store-writer"));
    m_thread->start();

    Result<void> result;
    {
        QMutexLocker lock(&m_mutex);
        while (!m_openResult) {
            m_progress.wait(&m_mutex);
        }
        result = *m_openResult;
    }
    if (!result) {
        m_thread->wait();
        m_thread.reset();
        qCWarning(lcStore).noquote() << result.errorMessage();
    }
    return result;
}

void RequestLogWriter::append(RequestRecord record)
{
    AttemptSummary::fill(record);
    bool wake = false;
    bool overflowStarted = false;
    bool droppingStarted = false;
    qint64 waiting = 0;
    qint64 bytes = bodyBytes(record);
    QByteArray droppedBodies[2]; // freed after the lock is released
    {
        QMutexLocker lock(&m_mutex);
        if (m_stopping) {
            lock.unlock();
            qCWarning(lcStore) << "request" << record.id << "finished after the request log was stopped; not logged";
            return;
        }
        if (bytes > 0 && (m_droppingBodies || m_queuedBodyBytes + bytes > m_bodyByteLimit)) {
            droppedBodies[0] = std::exchange(record.requestBody, QByteArray());
            droppedBodies[1] = std::exchange(record.responseBody, QByteArray());
            record.bodiesTruncated = true;
            bytes = 0;
            droppingStarted = !m_droppingBodies;
            m_droppingBodies = true;
        }
        m_queuedBodyBytes += bytes;
        // Journaled under the lock that the writer empties the journal under: never lost between the two.
        m_journal.append(record);
        m_queue.append(std::move(record));
        ++m_appended;
        ++m_uncommitted;
        waiting = m_appended - m_settled;
        if (waiting > m_softQueueLimit && !m_overflowing) {
            m_overflowing = true;
            overflowStarted = true;
        }
        // The writer only needs a nudge when the queue stops being empty or a batch is full; otherwise its
        // timed wait picks the records up.
        wake = m_queue.size() == 1 || m_queue.size() == BatchSize;
    }
    if (wake) {
        m_wake.wakeOne();
    }
    if (droppingStarted) {
        const QString message = QStringLiteral("The request log is falling behind: more than %1 MB of request and "
                                               "response bodies are waiting to be written, so new requests are "
                                               "logged without their bodies (marked truncated) until it catches up. "
                                               "Check that the disk is not full, slow or failing.")
                                    .arg(bodyByteLimit() / (1024 * 1024));
        qCWarning(lcStore).noquote() << message;
        Q_EMIT writeFailed(message);
    }
    if (overflowStarted) {
        const QString path = databasePath();
        const QString destination = path.isEmpty()
            ? QStringLiteral("for the request log to be opened")
            : QStringLiteral("to be written to %1").arg(QDir::toNativeSeparators(path));
        const QString message = QStringLiteral("The request log is falling behind: %1 are waiting %2. They are kept "
                                               "in memory; check that the disk is not full, slow or failing.")
                                    .arg(recordCount(waiting), destination);
        qCWarning(lcStore).noquote() << message;
        Q_EMIT writeFailed(message);
    }
}

void RequestLogWriter::flush()
{
    QMutexLocker lock(&m_mutex);
    if (!m_running) {
        return;
    }
    const qint64 target = m_appended;
    ++m_flushWaiters;
    m_wake.wakeOne();
    while (m_settled < target && m_running) {
        m_progress.wait(&m_mutex);
    }
    --m_flushWaiters;
}

void RequestLogWriter::stop()
{
    {
        QMutexLocker lock(&m_mutex);
        m_stopping = true;
        if (!m_thread) {
            if (!m_queue.isEmpty()) {
                qCWarning(lcStore).noquote()
                    << recordCount(m_queue.size()) << "never logged: the request log was not opened";
                m_settled += m_queue.size();
                m_queue.clear();
                m_queuedBodyBytes = 0;
            }
            return;
        }
        if (QThread::currentThread() == m_thread.get()) {
            qCWarning(lcStore) << "stop() called from the writer thread itself; ignored";
            return;
        }
        m_wake.wakeOne();
    }
    m_thread->wait();
    m_thread.reset();
    QMutexLocker lock(&m_mutex);
    m_journal.close(); // kept, not emptied, if some records could not be written: the next start writes them
}

bool RequestLogWriter::isOpen() const
{
    QMutexLocker lock(&m_mutex);
    return m_running;
}

StoreLocation RequestLogWriter::location() const
{
    QMutexLocker lock(&m_mutex);
    return m_location;
}

QString RequestLogWriter::databasePath() const
{
    QMutexLocker lock(&m_mutex);
    return m_databasePath;
}

qint64 RequestLogWriter::writtenCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_written;
}

qint64 RequestLogWriter::queuedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_appended - m_settled;
}

void RequestLogWriter::setSoftQueueLimit(qsizetype limit)
{
    QMutexLocker lock(&m_mutex);
    m_softQueueLimit = std::max<qsizetype>(limit, 1);
}

qsizetype RequestLogWriter::softQueueLimit() const
{
    QMutexLocker lock(&m_mutex);
    return m_softQueueLimit;
}

void RequestLogWriter::setBodyByteLimit(qint64 bytes)
{
    QMutexLocker lock(&m_mutex);
    m_bodyByteLimit = std::max<qint64>(bytes, 0);
}

qint64 RequestLogWriter::bodyByteLimit() const
{
    QMutexLocker lock(&m_mutex);
    return m_bodyByteLimit;
}

qint64 RequestLogWriter::queuedBodyBytes() const
{
    QMutexLocker lock(&m_mutex);
    return m_queuedBodyBytes;
}

void RequestLogWriter::run()
{
    // Set before the thread started and unchanged while it runs.
    const StoreLocation location = m_location;
    const QString connectionName = m_connectionName;
    {
        const std::unique_ptr<LogBackend> backend = LogBackend::create(location);
        Result<void> opened = backend->open(connectionName);
        if (!opened) {
            backend->close();
            QMutexLocker lock(&m_mutex);
            m_openResult = opened;
            m_progress.wakeAll();
            return;
        }
        {
            QMutexLocker lock(&m_mutex);
            m_openResult = opened;
            m_running = true;
            m_progress.wakeAll();
        }
        writeLoop(*backend);
        backend->close();
    }
    QMutexLocker lock(&m_mutex);
    m_running = false;
    m_progress.wakeAll();
}

void RequestLogWriter::writeLoop(LogBackend &backend)
{
    const QMetaMethod committedSignal = QMetaMethod::fromSignal(&RequestLogWriter::batchCommitted);

    QElapsedTimer clock;
    clock.start();
    qint64 lastCommitAt = -CommitIntervalMs;
    qint64 lastAnnounceAt = -CommitIntervalMs;
    RequestRecords pending; // taken from the queue, not yet committed
    std::shared_ptr<const SecretScrubber> scrubber;
    RequestRecords unannounced; // committed, for the next batchCommitted (kept only while someone listens)
    qint64 unannouncedCount = 0;
    int failures = 0;
    int failuresAtStop = 0;
    bool trimDue = false; // a large backlog was taken since the heap was last trimmed
    bool trimNow = false;

    for (;;) {
        bool stopping = false;
        {
            QMutexLocker lock(&m_mutex);
            for (;;) {
                const qint64 now = clock.elapsed();
                const bool urgent = m_stopping || m_flushWaiters > 0;
                if (!pending.isEmpty()) {
                    break;
                }
                if (!m_queue.isEmpty()) {
                    if (urgent || m_queue.size() >= BatchSize || now - lastCommitAt >= CommitIntervalMs) {
                        break;
                    }
                    m_wake.wait(&m_mutex, QDeadlineTimer(lastCommitAt + CommitIntervalMs - now));
                    continue;
                }
                if (unannouncedCount > 0) {
                    if (urgent || now - lastAnnounceAt >= CommitIntervalMs) {
                        break;
                    }
                    m_wake.wait(&m_mutex, QDeadlineTimer(lastAnnounceAt + CommitIntervalMs - now));
                    continue;
                }
                if (m_stopping) {
                    return;
                }
                if (trimDue) {
                    trimDue = false;
                    lock.unlock();
                    releaseFreedMemory();
                    lock.relock();
                    continue;
                }
                m_wake.wait(&m_mutex);
            }
            if (pending.isEmpty()) {
                pending.swap(m_queue);
                scrubber = m_scrubber;
                // Under steady traffic the writer is never idle: a short queue after a backlog means it drained.
                const bool backlog = pending.size() >= TrimAfterRecords || m_queuedBodyBytes >= TrimAfterBodyBytes;
                trimNow = trimDue && !backlog;
                trimDue = backlog;
            }
            stopping = m_stopping;
        }

        // Off the request path: a secret a client pasted into a prompt (or anything else the gateway missed) is
        // replaced before it is stored or shown.
        if (scrubber && !scrubber->isEmpty()) {
            for (RequestRecord &record : pending)
                scrubRecord(record, *scrubber);
        }

        QString error;
        while (!pending.isEmpty()) {
            const qsizetype count = std::min(pending.size(), MaxTransactionSize);
            if (Result<void> written = backend.write(pending.constData(), count); !written) {
                error = written.errorMessage();
                break;
            }
            lastCommitAt = clock.elapsed();
            if (failures > 0) {
                qCInfo(lcStore) << "request log writes resumed after" << failures << "failed attempts";
                failures = 0;
            }
            qint64 committedBodyBytes = 0;
            for (qsizetype i = 0; i < count; ++i) {
                committedBodyBytes += bodyBytes(pending.at(i));
            }
            if (isSignalConnected(committedSignal)) {
                std::move(pending.begin(), pending.begin() + count, std::back_inserter(unannounced));
            }
            unannouncedCount += count;
            pending.remove(0, count);
            QMutexLocker lock(&m_mutex);
            m_written += count;
            m_uncommitted -= count;
            if (m_uncommitted == 0)
                m_journal.clear(); // everything journaled is in the database
            m_queuedBodyBytes -= committedBodyBytes;
            if (m_droppingBodies && m_queuedBodyBytes < m_bodyByteLimit / 2) {
                m_droppingBodies = false;
                qCInfo(lcStore) << "request log caught up with its queued bodies; bodies are logged again";
            }
        }

        if (trimNow) {
            trimNow = false;
            releaseFreedMemory();
        }
        if (!pending.isEmpty()) {
            ++failures;
            const QString &reason = error;
            if (stopping && ++failuresAtStop >= AttemptsAtStop) {
                qsizetype lost = 0;
                {
                    QMutexLocker lock(&m_mutex);
                    lost = pending.size() + m_queue.size();
                    m_queue.clear();
                    m_queuedBodyBytes = 0;
                    m_settled += lost;
                    m_progress.wakeAll();
                }
                pending.clear();
                const QString message
                    = reason + QStringLiteral(" Sluice is stopping, so %1 could not be logged.").arg(recordCount(lost));
                qCCritical(lcStore).noquote() << message;
                Q_EMIT writeFailed(message);
            } else {
                const int delayMs = stopping
                    ? FirstRetryDelayMs
                    : std::min(MaxRetryDelayMs, FirstRetryDelayMs << std::min(failures - 1, 6));
                const QString message = reason
                    + QStringLiteral(" Kept for retry in %2 s: %1.")
                          .arg(recordCount(pending.size()))
                          .arg(delayMs / 1000.0, 0, 'g', 2);
                qCWarning(lcStore).noquote() << message;
                Q_EMIT writeFailed(message);
                const QDeadlineTimer retryAt(delayMs);
                QMutexLocker lock(&m_mutex);
                while (!retryAt.hasExpired() && (stopping || !m_stopping)) {
                    m_wake.wait(&m_mutex, retryAt);
                }
            }
        }

        if (unannouncedCount > 0) {
            bool announce = clock.elapsed() - lastAnnounceAt >= CommitIntervalMs;
            if (!announce) {
                QMutexLocker lock(&m_mutex);
                announce = m_stopping || m_flushWaiters > 0;
            }
            if (announce) {
                if (!unannounced.isEmpty()) {
                    Q_EMIT batchCommitted(unannounced);
                    unannounced = RequestRecords();
                }
                lastAnnounceAt = clock.elapsed();
                QMutexLocker lock(&m_mutex);
                m_settled += unannouncedCount;
                unannouncedCount = 0;
                if (m_overflowing && m_appended - m_settled < m_softQueueLimit / 2) {
                    m_overflowing = false;
                    qCInfo(lcStore) << "request log caught up with its queue";
                }
                m_progress.wakeAll();
            }
        }
    }
}

void RequestLogWriter::setSecretScrubber(std::shared_ptr<const SecretScrubber> scrubber)
{
    QMutexLocker lock(&m_mutex);
    m_scrubber = std::move(scrubber);
}

} // namespace sluice
