#include "StoreConnection.h"

#include <QDir>
#include <QSqlError>
#include <QSqlQuery>

#include "Migrations.h"
#include "PostgresMigrations.h"

namespace sluice {

Result<void> StoreConnection::open(const StoreLocation &location, const QString &connectionName, Mode mode)
{
    close();
    m_location = location;
    if (location.isPostgres()) {
        if (Result<void> opened = m_postgres.open(location.postgresSettings(), connectionName, mode); !opened)
            return opened;
        if (mode == Mode::ReadWrite) {
            QSqlDatabase db = m_postgres.database();
            if (Result<void> migrated = PostgresMigrations::apply(db, location.describe()); !migrated) {
                m_postgres.close();
                return migrated;
            }
        }
        return {};
    }
    if (Result<void> opened = m_sqlite.open(location.sqlitePath(), connectionName, mode); !opened)
        return opened;
    if (mode == Mode::ReadWrite) {
        QSqlDatabase db = m_sqlite.database();
        if (Result<void> migrated = Migrations::apply(db, location.sqlitePath()); !migrated) {
            m_sqlite.close();
            return migrated;
        }
    }
    return {};
}

void StoreConnection::close()
{
    m_sqlite.close();
    m_postgres.close();
}

Error StoreConnection::queryFailed(QSqlQuery &query, const QString &what)
{
    const QString path = m_location.isPostgres() ? m_location.describe() : m_location.sqlitePath();
    const Error error = makeError(QStringLiteral("Reading %1 from the request log %2 failed (%3).")
                                      .arg(what, QDir::toNativeSeparators(path), query.lastError().text()));
    query = QSqlQuery();
    if (m_location.isPostgres())
        close();
    return error;
}

void StoreConnection::release()
{
    m_sqlite.release();
    m_postgres.release();
}

QSqlDatabase StoreConnection::database() const
{
    return m_location.isPostgres() ? m_postgres.database() : m_sqlite.database();
}

Result<void> StoreConnection::checkCurrent(const QSqlDatabase &db, const StoreLocation &location)
{
    if (location.isPostgres())
        return PostgresMigrations::checkCurrent(db, location.describe());
    const auto version = Migrations::knownVersion(db, location.sqlitePath());
    if (!version)
        return version.error();
    if (const int latest = Migrations::latestVersion(); *version < latest) {
        return makeError(QStringLiteral("The request log %1 has schema version %2 and needs upgrading to %3: "
                                        "start the gateway once with this data folder to upgrade it.")
                             .arg(QDir::toNativeSeparators(location.sqlitePath()))
                             .arg(*version)
                             .arg(latest));
    }
    return {};
}

bool StoreConnection::hasTable(const QSqlDatabase &db, const StoreLocation &location, const QString &table)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(location.isPostgres() ? QStringLiteral("SELECT 1 WHERE to_regclass(?) IS NOT NULL")
                                             : QStringLiteral("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND "
                                                              "name = ?")))
        return false;
    query.addBindValue(table);
    return query.exec() && query.next();
}

} // namespace sluice
