#include "Migrations.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

#include "StoreLogging.h"

namespace sluice {

namespace {

bool startsTrigger(const QString &statement)
{
    static const QRegularExpression trigger(QStringLiteral("^\\s*CREATE\\s+(TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\b"),
                                            QRegularExpression::CaseInsensitiveOption);
    return trigger.match(statement).hasMatch();
}

bool endsWithEnd(const QString &statement)
{
    static const QRegularExpression end(QStringLiteral("\\bEND\\s*$"), QRegularExpression::CaseInsensitiveOption);
    return end.match(statement).hasMatch();
}

} // namespace

Result<QList<Migrations::Migration>> Migrations::load(const QString &directory)
{
    static const QRegularExpression namePattern(QStringLiteral("^(\\d{4})_[A-Za-z0-9_-]+\\.sql$"));
    const QDir dir(directory);
    const QStringList names = dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    QList<Migration> migrations;
    for (const QString &name : names) {
        const auto match = namePattern.match(name);
        if (!match.hasMatch()) {
            return makeError(QStringLiteral("Migration file %1 is not named NNNN_name.sql.").arg(name));
        }
        const int version = match.captured(1).toInt();
        if (version != migrations.size() + 1) {
            return makeError(QStringLiteral("Migration %1 is out of sequence: expected number %2.")
                                 .arg(name)
                                 .arg(migrations.size() + 1, 4, 10, QLatin1Char('0')));
        }
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly)) {
            return makeError(QStringLiteral("Cannot read migration %1: %2.").arg(name, file.errorString()));
        }
        migrations.append({version, name, QString::fromUtf8(file.readAll())});
    }
    if (migrations.isEmpty()) {
        return makeError(QStringLiteral("No database migrations found in %1.").arg(directory));
    }
    return migrations;
}

int Migrations::latestVersion()
{
    static const int latest = [] {
        const auto migrations = load();
        return migrations ? int(migrations->size()) : 0;
    }();
    return latest;
}

Result<int> Migrations::currentVersion(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        return makeError(QStringLiteral("Cannot read the request log's schema version (%1): the file may not be "
                                        "a SQLite database.")
                             .arg(query.lastError().text()));
    }
    return query.value(0).toInt();
}

Result<int> Migrations::knownVersion(const QSqlDatabase &db, const QString &databasePath)
{
    const Result<int> version = currentVersion(db);
    if (!version)
        return version.error();
    const int latest = latestVersion();
    if (*version > latest)
        return newerDatabaseError(databasePath, *version, latest);
    return *version;
}

Error Migrations::newerDatabaseError(const QString &databasePath, int databaseVersion, int knownVersion)
{
    return makeError(QStringLiteral("The request log %1 was written by a newer version of Sluice (schema version "
                                    "%2; this version knows up to %3). Update Sluice, or choose another data folder "
                                    "(--data-dir).")
                         .arg(QDir::toNativeSeparators(databasePath))
                         .arg(databaseVersion)
                         .arg(knownVersion));
}

Result<void> Migrations::apply(QSqlDatabase &db, const QString &databasePath, const QString &directory)
{
    const auto migrations = load(directory);
    if (!migrations) {
        return migrations.error();
    }
    const int latest = int(migrations->size());
    const auto current = currentVersion(db);
    if (!current) {
        return current.error();
    }
    if (*current > latest) {
        return newerDatabaseError(databasePath, *current, latest);
    }
    for (const Migration &migration : *migrations) {
        if (migration.version <= *current) {
            continue;
        }
        if (!db.transaction()) {
            return makeError(QStringLiteral("Cannot upgrade the request log %1 (%2): check that the disk is writable "
                                            "and has free space.")
                                 .arg(QDir::toNativeSeparators(databasePath), db.lastError().text()));
        }
        QStringList statements = splitStatements(migration.script);
        statements.append(QStringLiteral("PRAGMA user_version = %1").arg(migration.version));
        for (const QString &statement : std::as_const(statements)) {
            QSqlQuery query(db);
            if (!query.exec(statement)) {
                const QString reason = query.lastError().text();
                query.finish();
                db.rollback();
                return makeError(QStringLiteral("Upgrading the request log %1 with %2 failed (%3); it was left at "
                                                "schema version %4. Check that the disk is writable and has free "
                                                "space.")
                                     .arg(QDir::toNativeSeparators(databasePath), migration.fileName, reason)
                                     .arg(migration.version - 1));
            }
        }
        if (!db.commit()) {
            const QString reason = db.lastError().text();
            db.rollback();
            return makeError(QStringLiteral("Upgrading the request log %1 with %2 could not be saved (%3): check that "
                                            "the disk is writable and has free space.")
                                 .arg(QDir::toNativeSeparators(databasePath), migration.fileName, reason));
        }
        qCInfo(lcStore) << "request log" << databasePath << "migrated to schema version" << migration.version;
    }
    return {};
}

QStringList Migrations::splitStatements(const QString &script)
{
    QStringList statements;
    QString current;
    const qsizetype length = script.size();
    for (qsizetype i = 0; i < length; ++i) {
        const QChar c = script.at(i);
        const QChar next = i + 1 < length ? script.at(i + 1) : QChar();
        if (c == QLatin1Char('-') && next == QLatin1Char('-')) {
            while (i < length && script.at(i) != QLatin1Char('\n')) {
                ++i;
            }
            current += QLatin1Char('\n');
            continue;
        }
        if (c == QLatin1Char('/') && next == QLatin1Char('*')) {
            const qsizetype end = script.indexOf(QLatin1String("*/"), i + 2);
            i = end < 0 ? length : end + 1;
            current += QLatin1Char(' ');
            continue;
        }
        if (c == QLatin1Char('\'') || c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('[')) {
            const QChar close = c == QLatin1Char('[') ? QLatin1Char(']') : c;
            qsizetype end = script.indexOf(close, i + 1);
            if (end < 0) {
                end = length - 1;
            }
            current += QStringView(script).mid(i, end - i + 1);
            i = end;
            continue;
        }
        if (c == QLatin1Char(';') && (!startsTrigger(current) || endsWithEnd(current))) {
            const QString statement = current.trimmed();
            if (!statement.isEmpty()) {
                statements.append(statement);
            }
            current.clear();
            continue;
        }
        current += c;
    }
    const QString rest = current.trimmed();
    if (!rest.isEmpty()) {
        statements.append(rest);
    }
    return statements;
}

} // namespace sluice
