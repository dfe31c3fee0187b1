#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include "common/Result.h"
#include "store/SqliteConnection.h"
#include "store/StoreLocation.h"

namespace sluice {

// One named QPSQL connection to a PostgreSQL store, usable only on the thread that opened it; closed and
// unregistered on destruction. Read-only connections refuse writes in the server (default_transaction_read_only).
// A connection does not survive a server restart: its owner closes it after a failure and opens it again.
class PostgresConnection
{
public:
    using Mode = SqliteConnection::Mode;

    PostgresConnection() = default;
    ~PostgresConnection();
    PostgresConnection(const PostgresConnection &) = delete;
    PostgresConnection &operator=(const PostgresConnection &) = delete;

    // connectTimeoutS: how long connecting may take (a caller on the gateway thread wants less than the default);
    // extraOptions: more libpq options, "name=value;..." (e.g. TCP keepalives).
    Result<void> open(const PostgresSettings &settings, const QString &connectionName, Mode mode,
                      int connectTimeoutS = ConnectTimeoutS, const QString &extraOptions = QString());
    void close();
    // Gives up ownership: the connection stays registered until QSqlDatabase::removeDatabase(connectionName).
    void release() { m_connectionName.clear(); }
    bool isOpen() const { return !m_connectionName.isEmpty(); }
    QSqlDatabase database() const;

    // value as a typed SQL literal (standard_conforming_strings on, which open() sets): NULL with the value's type,
    // numbers, text quoted (NUL characters, which PostgreSQL text cannot hold, left out), bytes as bytea. For
    // statements that carry many rows in one round trip.
    static QString literal(const QVariant &value);
    static bool isDriverAvailable();

    static constexpr int ConnectTimeoutS = 5;

private:
    QString m_connectionName;
};

} // namespace sluice
