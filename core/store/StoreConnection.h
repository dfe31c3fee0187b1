#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include "common/Result.h"
#include "store/PostgresConnection.h"
#include "store/SqliteConnection.h"
#include "store/StoreLocation.h"

namespace sluice {

// One named connection to either store, for the code that reads and writes beside the request log (tokens,
// readers). Read-write brings the schema up to date (creating the store if needed); read-only leaves it as it is.
// Usable only on the thread that opened it.
class StoreConnection
{
public:
    using Mode = SqliteConnection::Mode;

    Result<void> open(const StoreLocation &location, const QString &connectionName, Mode mode);
    void close();
    void release();
    bool isOpen() const { return m_sqlite.isOpen() || m_postgres.isOpen(); }
    bool isPostgres() const { return m_location.isPostgres(); }
    QSqlDatabase database() const;
    const StoreLocation &location() const { return m_location; }
    // "Reading WHAT from the request log PATH failed (the database's error)." for a query that failed on this
    // connection. The query is released and, on PostgreSQL, the connection closed: it does not survive a server
    // restart, so the next call connects again.
    Error queryFailed(QSqlQuery &query, const QString &what);

    // The store's schema is the one this Sluice writes: an older one needs a gateway to start once, a newer one
    // an update. For readers.
    static Result<void> checkCurrent(const QSqlDatabase &db, const StoreLocation &location);
    // Whether the store has the table (readers of a SQLite log older than a migration fall back or say so).
    static bool hasTable(const QSqlDatabase &db, const StoreLocation &location, const QString &table);

private:
    StoreLocation m_location;
    SqliteConnection m_sqlite;
    PostgresConnection m_postgres;
};

} // namespace sluice
