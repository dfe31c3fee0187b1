#include "StoreLocation.h"

#include <QDir>
#include <QFileInfo>

namespace sluice {

QString PostgresSettings::describe() const
{
    const bool ipv6 = host.contains(QLatin1Char(':'));
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(user, ipv6 ? QLatin1Char('[') + host + QLatin1Char(']') : host)
        .arg(port)
        .arg(database);
}

StoreLocation StoreLocation::postgres(const PostgresSettings &settings, const QString &journalPath)
{
    StoreLocation location;
    location.m_kind = Kind::Postgres;
    location.m_postgres = settings;
    location.m_journalPath = journalPath;
    return location;
}

QString StoreLocation::journalPath() const
{
    if (m_kind == Kind::Postgres)
        return m_journalPath;
    if (m_sqlitePath.isEmpty())
        return {};
    const QFileInfo database(m_sqlitePath);
    return database.absoluteDir().filePath(database.completeBaseName() + QStringLiteral(".journal"));
}

QString StoreLocation::describe() const
{
    return m_kind == Kind::Postgres ? m_postgres.describe() : QDir::toNativeSeparators(m_sqlitePath);
}

} // namespace sluice
