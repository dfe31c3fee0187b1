#pragma once

#include <QSqlDatabase>
#include <QString>

#include "common/Result.h"

namespace sluice {

// The PostgreSQL store's schema versions: numbered SQL files of their own (resources/migrations/postgresql,
// NNNN_name.sql from 0001 without gaps), tracked in the table sluice_schema_version. Every pending migration is
// applied in one transaction under an advisory lock, so gateways starting together on a new database migrate it
// once; a database from a newer Sluice is refused untouched.
class PostgresMigrations
{
public:
    static QString defaultDirectory() { return QStringLiteral(":/migrations/postgresql"); }
    // The schema version the shipped migrations produce.
    static int latestVersion();
    // 0 for a database Sluice has not set up yet.
    static Result<int> currentVersion(const QSqlDatabase &db);
    // where names the store in messages (never a password).
    static Result<void> apply(QSqlDatabase &db, const QString &where, const QString &directory = defaultDirectory());
    // The store is at latestVersion(): readers need this; the error says to start a gateway first or to update.
    static Result<void> checkCurrent(const QSqlDatabase &db, const QString &where);
};

} // namespace sluice
