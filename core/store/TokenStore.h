#pragma once

#include <QList>
#include <QString>

#include "common/Result.h"
#include "store/SqliteConnection.h"
#include "store/StoredToken.h"

namespace sluice {

// The gateway tokens kept in the database (table gateway_tokens). The command line and the window open it
// read-write (creating and upgrading the database as needed); the gateway reads it. Use it from one thread.
class TokenStore
{
public:
    TokenStore() = default;

    Result<void> open(const QString &databasePath, SqliteConnection::Mode mode = SqliteConnection::Mode::ReadWrite);
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
    // Changes whenever another connection committed to the database (SQLite's PRAGMA data_version).
    Result<qint64> dataVersion();

    // "sk-sluice-" and 32 random bytes from the system's generator, base64url without padding.
    static QString generateSecret();
    static QByteArray digest(QByteArrayView secret);
    // Token names: letters, digits, '-', '_' and '.', at most 64 characters.
    static bool isValidName(const QString &name);

private:
    QString m_databasePath;
    SqliteConnection m_connection;
};

} // namespace sluice
