#pragma once

#include "common/RequestRecord.h"
#include "common/Result.h"

#include <QString>

namespace sluice {

// Read-only queries over the request log, on a connection of its own (one named connection per thread:
// create one reader per thread that reads). Safe to use while a RequestLogWriter writes (WAL).
class RequestLogReader
{
public:
    explicit RequestLogReader(const QString &databasePath);
    ~RequestLogReader();
    RequestLogReader(const RequestLogReader &) = delete;
    RequestLogReader &operator=(const RequestLogReader &) = delete;

    Result<void> open();
    // Newest first. Bodies are not loaded (use byId for them).
    Result<RequestRecords> recent(int limit);
    Result<RequestRecord> byId(const QString &id);
    Result<qint64> count();

private:
    QString m_databasePath;
    QString m_connectionName;
};

} // namespace sluice
