#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QString>

#include "common/Result.h"
#include "store/SqliteConnection.h"
#include "store/StoreConnection.h"
#include "store/StoredToken.h"

namespace sluice {

// The gateway tokens kept in the database (table gateway_tokens). The command line and the window open it
// read-write (creating and upgrading the database as needed); the gateway reads it. Use it from one thread.
class TokenStore
{
public:
    TokenStore() = default;

    // A SQLite file path converts to a store location; a PostgreSQL store's tokens serve every gateway on it.
    Result<void> open(const StoreLocation &location, SqliteConnection::Mode mode = SqliteConnection::Mode::ReadWrite);
    void close() { m_connection.close(); }
    bool isOpen() const { return m_connection.isOpen(); }
    // The connection, for reading the request log beside the tokens (the gateway's budgets).
    QSqlDatabase database() const { return m_connection.database(); }

    // Stores token (its name, limits and budgets) with a new secret and returns the secret: the only time it exists.
    Result<QString> create(const StoredToken &token);
    // Every token, by name.
    Result<QList<StoredToken>> list();
    // Deletes the token: requests with its secret are refused from the gateway's next reload on.
    Result<void> revoke(const QString &name);
    // Changes whenever another connection committed to the database (SQLite's PRAGMA data_version), or, on
    // PostgreSQL, whenever the tokens changed.
    Result<qint64> dataVersion();

    // "sk-sluice-" and 32 random bytes from the system's generator, base64url without padding.
    static QString generateSecret();
    static QByteArray digest(QByteArrayView secret);
    // Token names: letters, digits, '-', '_' and '.', at most 64 characters.
    static bool isValidName(const QString &name);

private:
    Result<QList<StoredToken>> listOnce();
    Result<qint64> dataVersionOnce();
    // PostgreSQL: opens the connection again (after a server restart); false for SQLite or when it cannot.
    bool reconnect();

    StoreLocation m_location;
    SqliteConnection::Mode m_mode = SqliteConnection::Mode::ReadWrite;
    QElapsedTimer m_sinceReconnect;
    int m_reconnectDelayMs = 0;
    QString m_databasePath;
    StoreConnection m_connection;
};

} // namespace sluice
