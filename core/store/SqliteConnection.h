#pragma once

#include <QSqlDatabase>
#include <QString>

#include "common/Result.h"

namespace sluice {

// One named QSQLITE connection, usable only on the thread that opened it; closed and unregistered on
// destruction. The writer opens it read-write (WAL, synchronous=NORMAL), readers open it read-only.
class SqliteConnection
{
public:
    enum class Mode { ReadWrite, ReadOnly };

    SqliteConnection() = default;
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    // Read-write creates the file and its folder if needed; read-only requires an existing log.
    Result<void> open(const QString &databasePath, const QString &connectionName, Mode mode);
    void close();
    // Gives up ownership: the connection stays registered until QSqlDatabase::removeDatabase(connectionName).
    void release() { m_connectionName.clear(); }
    bool isOpen() const { return !m_connectionName.isEmpty(); }
    QSqlDatabase database() const;

    static constexpr int BusyTimeoutMs = 5000;

private:
    Result<void> exec(QSqlDatabase &db, const QString &statement);

    QString m_databasePath;
    QString m_connectionName;
};

} // namespace sluice
