#pragma once

#include <memory>

#include <QString>

#include "common/RequestRecord.h"
#include "common/Result.h"
#include "store/StoreLocation.h"

namespace sluice {

// What the request log writer writes through, on its own thread: one per store kind (SqliteLogBackend,
// PostgresLogBackend). The writer owns the queue, the batching, the journal and the retries; a backend turns a
// batch into one transaction. A record whose id is already in the store is skipped, so writing a batch again after
// a failure that hid a commit never logs a request twice.
class LogBackend
{
public:
    virtual ~LogBackend() = default;

    // Connects (creating the store if needed) and brings the schema up to date. connectionName is unique to the writer.
    virtual Result<void> open(const QString &connectionName) = 0;
    // Writes records [0, count) in one transaction with their bodies, attempts, observed prompts and the spend
    // rollups; on failure nothing of the batch is kept and the message says what to fix.
    virtual Result<void> write(const RequestRecord *records, qsizetype count) = 0;
    virtual void close() = 0;

    static std::unique_ptr<LogBackend> create(const StoreLocation &location);
};

} // namespace sluice
