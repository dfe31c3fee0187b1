#pragma once

#include "common/RequestRecord.h"
#include "common/Result.h"

#include <QMutex>
#include <QObject>
#include <QThread>

namespace sluice {

// Writes request records to SQLite (WAL) on its own thread, in batched transactions, off the request path.
// append() never blocks the caller. The queue is bounded (maxQueued); when it is full, records are still
// kept: append() counts an overflow and the writer flushes immediately, so nothing is dropped silently
// (see docs/architecture.md for the policy). A normal stop() flushes everything first.
class RequestLogWriter : public QObject
{
    Q_OBJECT
public:
    explicit RequestLogWriter(QObject *parent = nullptr);
    ~RequestLogWriter() override; // stops and flushes

    // Opens (creating if needed) the database at path, runs migrations, starts the writer thread.
    Result<void> open(const QString &databasePath);
    // Thread-safe, non-blocking.
    void append(RequestRecord record);
    // Blocks until everything appended so far is committed. For shutdown and tests.
    void flush();
    void stop();

    QString databasePath() const;
    qint64 writtenCount() const;

Q_SIGNALS:
    // Emitted from the writer thread after each committed batch (connect queued): the live table's feed.
    void batchCommitted(const sluice::RequestRecords &records);
    // A write failed; records are retried, message says what to fix (disk full, permissions...).
    void writeFailed(const QString &message);
};

} // namespace sluice
