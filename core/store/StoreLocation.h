#pragma once

#include <type_traits>

#include <QString>

namespace sluice {

// Where a PostgreSQL store is (`store: {postgresql: URL, password: ..., tls: ...}`, docs/team.md). The password is
// the resolved secret, held in memory only: describe() and every message leave it out.
struct PostgresSettings
{
    QString host;
    int port = 5432;
    QString database;
    QString user;
    QString password;
    QString tlsMode
        = QStringLiteral("prefer"); // libpq's sslmode: disable | allow | prefer | require | verify-ca | verify-full

    // "postgresql://user@host:port/database", never the password.
    QString describe() const;
    bool operator==(const PostgresSettings &other) const = default;
};

// The request log's store: a SQLite file (the default, one per data folder) or a PostgreSQL database shared by
// several gateways. A QString converts to a SQLite location, so code that names a database file keeps working.
class StoreLocation
{
public:
    enum class Kind { Sqlite, Postgres };

    StoreLocation() = default;
    // Anything a QString can be made from (a path, or a QStringBuilder expression building one) is a SQLite store.
    template<typename Path, typename = std::enable_if_t<std::is_convertible_v<const Path &, QString>>>
    StoreLocation(const Path &sqlitePath) // NOLINT(google-explicit-constructor)
        : m_sqlitePath(QString(sqlitePath))
    { }
    static StoreLocation postgres(const PostgresSettings &settings, const QString &journalPath = QString());

    Kind kind() const { return m_kind; }
    bool isPostgres() const { return m_kind == Kind::Postgres; }
    bool isNull() const { return m_kind == Kind::Sqlite && m_sqlitePath.isEmpty(); }
    QString sqlitePath() const { return m_sqlitePath; }
    const PostgresSettings &postgresSettings() const { return m_postgres; }
    // The crash-safety journal of a writer on this store: beside the SQLite file, or a file in the data folder for
    // PostgreSQL (empty: none).
    QString journalPath() const;
    // For messages: the file path, or the PostgreSQL URL without a password.
    QString describe() const;

    bool operator==(const StoreLocation &other) const = default;

private:
    Kind m_kind = Kind::Sqlite;
    QString m_sqlitePath;
    PostgresSettings m_postgres;
    QString m_journalPath;
};

} // namespace sluice
