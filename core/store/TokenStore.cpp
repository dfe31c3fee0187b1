#include "TokenStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include "store/Migrations.h"

namespace sluice {

namespace {

constexpr qsizetype SecretBytes = 32;

QVariant optionalInt(qint64 value)
{
    return value > 0 ? QVariant(value) : QVariant(QMetaType(QMetaType::LongLong));
}

QVariant optionalUsd(double value)
{
    return value > 0 ? QVariant(value) : QVariant(QMetaType(QMetaType::Double));
}

} // namespace

Result<void> TokenStore::open(const StoreLocation &location, SqliteConnection::Mode mode)
{
    const QString name = QStringLiteral("sluice-tokens-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    // Read-write brings the schema up to date (creating the store if needed).
    if (Result<void> opened = m_connection.open(location, name, mode); !opened)
        return opened;
    m_databasePath = location.isPostgres() ? location.describe() : location.sqlitePath();
    m_location = location;
    m_mode = mode;
    if (mode == SqliteConnection::Mode::ReadOnly) {
        QSqlDatabase db = m_connection.database();
        const bool ready = location.isPostgres()
            ? bool(StoreConnection::checkCurrent(db, location))
            : Migrations::currentVersion(db) && db.tables().contains(QStringLiteral("gateway_tokens"));
        if (!ready) {
            m_connection.close();
            return makeError(QStringLiteral("The database %1 has no gateway token table yet; start Sluice once to "
                                            "upgrade it.")
                                 .arg(location.describe()));
        }
    }
    return {};
}

QString TokenStore::generateSecret()
{
    QByteArray bytes(SecretBytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), SecretBytes / 4);
    return QStringLiteral("sk-sluice-")
        + QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray TokenStore::digest(QByteArrayView secret)
{
    return QCryptographicHash::hash(secret, QCryptographicHash::Sha256);
}

bool TokenStore::isValidName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return pattern.match(name).hasMatch();
}

Result<QString> TokenStore::create(const StoredToken &token)
{
    if (!isValidName(token.name))
        return makeError(QStringLiteral("A token name uses 1 to 64 letters, digits, '-', '_' or '.'."));
    QSqlDatabase db = m_connection.database();
    QSqlQuery exists(db);
    exists.prepare(QStringLiteral("SELECT 1 FROM gateway_tokens WHERE name = ?"));
    exists.addBindValue(token.name);
    if (!exists.exec())
        return makeError(QStringLiteral("Cannot read the gateway tokens: %1").arg(exists.lastError().text()));
    if (exists.next()) {
        return makeError(QStringLiteral("A token named '%1' already exists; revoke it first or choose another name.")
                             .arg(token.name));
    }
    const QString secret = generateSecret();
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO gateway_tokens (name, secret_sha256, created_at, models, rpm, tpm, "
                                  "budget_daily_usd, budget_weekly_usd, budget_monthly_usd) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(token.name);
    insert.addBindValue(digest(secret.toLatin1()));
    insert.addBindValue(QDateTime::currentMSecsSinceEpoch());
    insert.addBindValue(token.models.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                               : QVariant(token.models.join(QLatin1Char(','))));
    insert.addBindValue(optionalInt(token.rpm));
    insert.addBindValue(optionalInt(token.tpm));
    insert.addBindValue(optionalUsd(token.dailyUsd));
    insert.addBindValue(optionalUsd(token.weeklyUsd));
    insert.addBindValue(optionalUsd(token.monthlyUsd));
    if (!insert.exec())
        return makeError(QStringLiteral("Cannot store the token '%1': %2").arg(token.name, insert.lastError().text()));
    return secret;
}

bool TokenStore::reconnect()
{
    if (!m_location.isPostgres())
        return false;
    // Backed off (1 s doubling to a minute): a connection attempt to a server that does not answer waits for its
    // timeout, and the gateway polls from its own thread.
    if (m_sinceReconnect.isValid() && m_sinceReconnect.elapsed() < m_reconnectDelayMs)
        return false;
    m_sinceReconnect.start();
    const QString name = QStringLiteral("sluice-tokens-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_connection.close();
    if (m_connection.open(m_location, name, m_mode)) {
        m_reconnectDelayMs = 0;
        return true;
    }
    m_reconnectDelayMs = qBound(1000, m_reconnectDelayMs * 2, 60'000);
    return false;
}

Result<QList<StoredToken>> TokenStore::list()
{
    Result<QList<StoredToken>> tokens = listOnce();
    // A PostgreSQL connection does not survive a server restart: connect again, once.
    if (!tokens && reconnect())
        tokens = listOnce();
    return tokens;
}

Result<QList<StoredToken>> TokenStore::listOnce()
{
    QSqlQuery query(m_connection.database());
    if (!query.exec(QStringLiteral("SELECT name, secret_sha256, created_at, models, rpm, tpm, budget_daily_usd, "
                                   "budget_weekly_usd, budget_monthly_usd FROM gateway_tokens ORDER BY name"))) {
        return makeError(QStringLiteral("Cannot read the gateway tokens: %1").arg(query.lastError().text()));
    }
    QList<StoredToken> tokens;
    while (query.next()) {
        StoredToken token;
        token.name = query.value(0).toString();
        token.secretSha256 = query.value(1).toByteArray();
        token.createdAt = QDateTime::fromMSecsSinceEpoch(query.value(2).toLongLong(), Qt::UTC);
        const QString models = query.value(3).toString();
        if (!models.isEmpty())
            token.models = models.split(QLatin1Char(','), Qt::SkipEmptyParts);
        token.rpm = query.value(4).toInt();
        token.tpm = query.value(5).toLongLong();
        token.dailyUsd = query.value(6).isNull() ? -1 : query.value(6).toDouble();
        token.weeklyUsd = query.value(7).isNull() ? -1 : query.value(7).toDouble();
        token.monthlyUsd = query.value(8).isNull() ? -1 : query.value(8).toDouble();
        tokens.append(token);
    }
    return tokens;
}

Result<void> TokenStore::revoke(const QString &name)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("DELETE FROM gateway_tokens WHERE name = ?"));
    query.addBindValue(name);
    if (!query.exec())
        return makeError(QStringLiteral("Cannot revoke the token '%1': %2").arg(name, query.lastError().text()));
    if (query.numRowsAffected() == 0) {
        return makeError(
            QStringLiteral("There is no token named '%1'; `sluice token list` shows the tokens.").arg(name));
    }
    return {};
}

Result<qint64> TokenStore::dataVersion()
{
    Result<qint64> version = dataVersionOnce();
    if (!version && reconnect())
        version = dataVersionOnce();
    return version;
}

Result<qint64> TokenStore::dataVersionOnce()
{
    QSqlQuery query(m_connection.database());
    // PostgreSQL: a counter the token table's trigger moves on every change, whichever gateway made it.
    const QString sql = m_connection.isPostgres()
        ? QStringLiteral("SELECT version FROM store_changes WHERE name = 'gateway_tokens'")
        : QStringLiteral("PRAGMA data_version");
    if (!query.exec(sql) || !query.next())
        return makeError(QStringLiteral("Cannot read the database's version: %1").arg(query.lastError().text()));
    return query.value(0).toLongLong();
}

} // namespace sluice
