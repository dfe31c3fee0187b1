#include "PostgresMigrations.h"

#include <QSqlError>
#include <QSqlQuery>

#include "Migrations.h"
#include "StoreLogging.h"

namespace sluice {

namespace {

// pg_advisory_xact_lock key: "sluice" in ASCII, so other applications' locks do not collide with it.
constexpr qint64 MigrationLockKey = 0x736c75696365;

Error newerError(const QString &where, int version, int latest)
{
    return makeError(QStringLiteral("The PostgreSQL store %1 was set up by a newer version of Sluice (schema version "
                                    "%2; this version knows up to %3): update Sluice on this machine.")
                         .arg(where)
                         .arg(version)
                         .arg(latest));
}

} // namespace

int PostgresMigrations::latestVersion()
{
    static const int latest = [] {
        const auto migrations = Migrations::load(defaultDirectory());
        return migrations ? int(migrations->size()) : 0;
    }();
    return latest;
}

Result<int> PostgresMigrations::currentVersion(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT to_regclass('sluice_schema_version') IS NOT NULL")) || !query.next())
        return makeError(QStringLiteral("Cannot read the store's schema version (%1).").arg(query.lastError().text()));
    if (!query.value(0).toBool())
        return 0;
    if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM sluice_schema_version")) || !query.next())
        return makeError(QStringLiteral("Cannot read the store's schema version (%1).").arg(query.lastError().text()));
    return query.value(0).toInt();
}

Result<void> PostgresMigrations::apply(QSqlDatabase &db, const QString &where, const QString &directory)
{
    const auto migrations = Migrations::load(directory);
    if (!migrations)
        return migrations.error();
    const int latest = int(migrations->size());
    if (!db.transaction()) {
        return makeError(
            QStringLiteral("Cannot set up the PostgreSQL store %1 (%2).").arg(where, db.lastError().text()));
    }
    const auto fail = [&db, &where](const QString &what, const QString &reason) {
        db.rollback();
        return makeError(QStringLiteral("Setting up the PostgreSQL store %1 failed at %2 (%3): check that the user "
                                        "may create tables in the database (e.g. owns it).")
                             .arg(where, what, reason));
    };
    {
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(MigrationLockKey)))
            return fail(QStringLiteral("the migration lock"), query.lastError().text());
        if (!query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS sluice_schema_version (version integer NOT NULL)")))
            return fail(QStringLiteral("the version table"), query.lastError().text());
    }
    const Result<int> current = currentVersion(db);
    if (!current)
        return fail(QStringLiteral("the version table"), current.errorMessage());
    if (*current > latest) {
        db.rollback();
        return newerError(where, *current, latest);
    }
    for (const Migrations::Migration &migration : *migrations) {
        if (migration.version <= *current)
            continue;
        QSqlQuery query(db);
        // One simple-protocol call runs the whole file (functions and triggers included) in this transaction.
        if (!query.exec(migration.script))
            return fail(migration.fileName, query.lastError().text());
        if (!query.exec(QStringLiteral("DELETE FROM sluice_schema_version"))
            || !query.exec(
                QStringLiteral("INSERT INTO sluice_schema_version (version) VALUES (%1)").arg(migration.version)))
            return fail(migration.fileName, query.lastError().text());
        qCInfo(lcStore).noquote() << "PostgreSQL store" << where << "migrated to schema version" << migration.version;
    }
    if (!db.commit()) {
        const QString reason = db.lastError().text();
        return fail(QStringLiteral("commit"), reason);
    }
    return {};
}

Result<void> PostgresMigrations::checkCurrent(const QSqlDatabase &db, const QString &where)
{
    const Result<int> version = currentVersion(db);
    if (!version)
        return version.error();
    const int latest = latestVersion();
    if (*version > latest)
        return newerError(where, *version, latest);
    if (*version < latest) {
        return makeError(QStringLiteral("The PostgreSQL store %1 has schema version %2 and needs %3: start a gateway "
                                        "(sluice --headless) with this store once to set it up.")
                             .arg(where)
                             .arg(*version)
                             .arg(latest));
    }
    return {};
}

} // namespace sluice
