#pragma once

#include <QHash>
#include <QMutex>
#include <QSet>
#include <QString>

#include "common/RequestRecord.h"
#include "common/Result.h"
#include "store/StoreLocation.h"

class QSqlQuery;

namespace sluice {

// Read-only queries over the request log. Each thread that calls it gets a connection of its own (named after
// this reader and the thread), opened on first use and closed with the reader; destroy the reader only once
// no thread uses it. Safe to use while a RequestLogWriter writes (WAL). A PostgreSQL
// store's connection that failed a query is dropped and opened again on the next call (a server restart).
class RequestLogReader
{
public:
    explicit RequestLogReader(const StoreLocation &location);
    ~RequestLogReader();
    RequestLogReader(const RequestLogReader &) = delete;
    RequestLogReader &operator=(const RequestLogReader &) = delete;

    // Opens the calling thread's connection and checks the schema: a missing log, a log written by a newer
    // Sluice or one not yet upgraded is reported here. The other calls open on demand.
    Result<void> open();
    // Newest first. Bodies and attempts are not loaded (use byId for them); attemptCount and deployment are.
    Result<RequestRecords> recent(int limit);
    // The whole record: bodies and every attempt, in order.
    Result<RequestRecord> byId(const QString &id);
    Result<qint64> count();

    QString databasePath() const { return m_databasePath; }

private:
    // The calling thread's connection name, opening it if needed.
    Result<QString> connection();
    Error queryError(const QString &what, const QSqlQuery &query);
    void dropConnection();

    StoreLocation m_location;
    QString m_databasePath;
    QString m_connectionPrefix;
    QMutex m_mutex;
    QHash<quint64, QString> m_connections; // by thread serial (never reused, unlike QThread pointers)
    QSet<quint64> m_broken; // threads whose connection failed a query: opened again on their next call
};

} // namespace sluice
