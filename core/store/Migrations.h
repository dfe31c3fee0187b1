#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include "common/Result.h"

namespace sluice {

// The request log's schema versions: numbered SQL files (NNNN_name.sql, from 0001 without gaps), applied in
// order, each in one transaction that also sets PRAGMA user_version to its number.
class Migrations
{
public:
    struct Migration
    {
        int version = 0;
        QString fileName;
        QString script;
    };

    // The migrations shipped in the binary's resources.
    static QString defaultDirectory() { return QStringLiteral(":/migrations"); }

    static Result<QList<Migration>> load(const QString &directory = defaultDirectory());
    // The schema version the shipped migrations produce.
    static int latestVersion();
    static Result<int> currentVersion(const QSqlDatabase &db);
    // currentVersion(), refused with newerDatabaseError() when a newer Sluice wrote the database: what a reader
    // checks on opening.
    static Result<int> knownVersion(const QSqlDatabase &db, const QString &databasePath);
    // Brings db up to the newest migration in directory. A database with a newer version is refused untouched.
    static Result<void> apply(QSqlDatabase &db, const QString &databasePath,
                              const QString &directory = defaultDirectory());
    // The error for a database written by a newer Sluice, shared by the writer and readers.
    static Error newerDatabaseError(const QString &databasePath, int databaseVersion, int knownVersion);
    // Statements end with ';' outside quotes and comments; a CREATE TRIGGER statement ends with "END;".
    static QStringList splitStatements(const QString &script);
};

} // namespace sluice
