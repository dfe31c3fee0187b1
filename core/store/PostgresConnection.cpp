#include "PostgresConnection.h"

#include <cmath>

#include <QLocale>
#include <QSqlError>
#include <QSqlQuery>

#include "StoreLogging.h"

namespace sluice {

namespace {

QString nullOf(const QMetaType &type)
{
    switch (type.id()) {
    case QMetaType::Int:
    case QMetaType::Bool:
        return QStringLiteral("CAST(NULL AS integer)");
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return QStringLiteral("CAST(NULL AS bigint)");
    case QMetaType::Double:
        return QStringLiteral("CAST(NULL AS double precision)");
    case QMetaType::QByteArray:
        return QStringLiteral("CAST(NULL AS bytea)");
    default:
        return QStringLiteral("CAST(NULL AS text)");
    }
}

} // namespace

PostgresConnection::~PostgresConnection()
{
    close();
}

bool PostgresConnection::isDriverAvailable()
{
    return QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"));
}

Result<void> PostgresConnection::open(const PostgresSettings &settings, const QString &connectionName, Mode mode,
                                      int connectTimeoutS, const QString &extraOptions)
{
    close();
    if (!isDriverAvailable()) {
        return makeError(QStringLiteral("The Qt PostgreSQL driver (QPSQL) is not available, so the store %1 cannot be "
                                        "used: install Qt's PostgreSQL plugin (on Debian: libqt6sql6-psql).")
                             .arg(settings.describe()));
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
        db.setHostName(settings.host);
        db.setPort(settings.port);
        db.setDatabaseName(settings.database);
        db.setUserName(settings.user);
        db.setPassword(settings.password);
        db.setConnectOptions(QStringLiteral("sslmode=%1;connect_timeout=%2;application_name=sluice")
                                 .arg(settings.tlsMode)
                                 .arg(connectTimeoutS)
                             + (extraOptions.isEmpty() ? QString() : QLatin1Char(';') + extraOptions));
        if (!db.open()) {
            const QString reason = db.lastError().text().trimmed();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(connectionName);
            return makeError(QStringLiteral("Cannot connect to the PostgreSQL store %1 (%2): check that the server "
                                            "runs and accepts connections from this machine, and the user, password, "
                                            "database and tls in the config's store: section.")
                                 .arg(settings.describe(), reason));
        }
        QStringList session
            = {QStringLiteral("SET standard_conforming_strings = on"),
               QStringLiteral("SET client_min_messages = warning"), QStringLiteral("SET TIME ZONE 'UTC'"),
               // A batch's statement is large enough for the JIT to start compiling it, which costs seconds where
               // running it takes a fraction of one (measured with bench/store).
               QStringLiteral("SET jit = off")};
        if (mode == Mode::ReadOnly)
            session.append(QStringLiteral("SET default_transaction_read_only = on"));
        for (const QString &statement : std::as_const(session)) {
            QSqlQuery query(db);
            if (!query.exec(statement)) {
                const QString reason = query.lastError().text().trimmed();
                query = QSqlQuery();
                db.close();
                db = QSqlDatabase();
                QSqlDatabase::removeDatabase(connectionName);
                return makeError(
                    QStringLiteral("The PostgreSQL store %1 refused to set up the session (%2 failed: %3).")
                        .arg(settings.describe(), statement, reason));
            }
        }
    }
    m_connectionName = connectionName;
    qCDebug(lcStore) << "connected to" << settings.describe() << (mode == Mode::ReadWrite ? "read-write" : "read-only")
                     << "as" << connectionName;
    return {};
}

void PostgresConnection::close()
{
    if (m_connectionName.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

QSqlDatabase PostgresConnection::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

QString PostgresConnection::literal(const QVariant &value)
{
    if (value.isNull())
        return nullOf(value.metaType());
    switch (value.typeId()) {
    case QMetaType::Bool:
        return value.toBool() ? QStringLiteral("1") : QStringLiteral("0");
    case QMetaType::Int:
    case QMetaType::LongLong:
        return QString::number(value.toLongLong());
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return QString::number(value.toULongLong());
    case QMetaType::Double: {
        const double number = value.toDouble();
        if (!std::isfinite(number))
            return QStringLiteral("CAST(NULL AS double precision)");
        // Shortest text that reads back as the same double; a typed literal, so VALUES lists resolve to float8.
        return QStringLiteral("CAST(%1 AS double precision)")
            .arg(QString::number(number, 'g', QLocale::FloatingPointShortest));
    }
    case QMetaType::QByteArray:
        return QStringLiteral("CAST('\\x%1' AS bytea)").arg(QString::fromLatin1(value.toByteArray().toHex()));
    default: {
        QString text = value.toString();
        text.remove(QChar(0));
        text.replace(QLatin1Char('\''), QLatin1String("''"));
        return QLatin1Char('\'') + text + QLatin1Char('\'');
    }
    }
}

} // namespace sluice
