#include "ResponseCache.h"

#include <QDateTime>
#include <QDir>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "cache/CacheLogging.h"

namespace sluice {

namespace {

constexpr int PurgeEveryStores = 64;
constexpr int EvictBatch = 32;

QString connectionNameFor(const void *cache)
{
    return QStringLiteral("sluice-response-cache-%1").arg(quintptr(cache), 0, 16);
}

} // namespace

ResponseCache::ResponseCache(const CacheSettings &settings)
    : m_settings(settings)
    , m_nowMs([] { return QDateTime::currentMSecsSinceEpoch(); })
{ }

ResponseCache::~ResponseCache() = default;

Result<void> ResponseCache::open(const QString &databasePath)
{
    if (Result<void> opened
        = m_connection.open(databasePath, connectionNameFor(this), SqliteConnection::Mode::ReadWrite);
        !opened)
        return opened;
    QSqlQuery query(m_connection.database());
    // Checkpoints are the log writer's job (they sync the disk); the gateway thread only appends to the WAL.
    for (const QString &pragma :
         {QStringLiteral("PRAGMA busy_timeout=%1").arg(BusyTimeoutMs), QStringLiteral("PRAGMA wal_autocheckpoint=0")}) {
        if (!query.exec(pragma)) {
            const QString reason = query.lastError().text();
            m_connection.close();
            return makeError(QStringLiteral("Cannot prepare the response cache in %1: %2.")
                                 .arg(QDir::toNativeSeparators(databasePath), reason));
        }
    }
    if (Result<void> counted = recount(); !counted) {
        m_connection.close();
        return counted;
    }
    purgeExpired();
    if (Result<void> evicted = evict(); !evicted)
        qCWarning(lcCache) << evicted.errorMessage();
    return {};
}

Result<void> ResponseCache::recount()
{
    QSqlQuery query(m_connection.database());
    if (!query.exec(QStringLiteral("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM response_cache")) || !query.next()) {
        return makeError(QStringLiteral("The request log has no usable response cache table (%1): it was written by "
                                        "an older Sluice; start this version once with the same data folder.")
                             .arg(query.lastError().text()));
    }
    m_entries = query.value(0).toLongLong();
    m_bytes = query.value(1).toLongLong();
    return {};
}

std::optional<CachedAnswer> ResponseCache::lookup(const QByteArray &key)
{
    if (!isOpen())
        return std::nullopt;
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT answer, expires_at FROM response_cache WHERE key = ?"));
    query.addBindValue(key);
    if (!query.exec()) {
        qCWarning(lcCache) << "lookup failed:" << query.lastError().text();
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    const QByteArray stored = query.value(0).toByteArray();
    const qint64 expiresAt = query.value(1).toLongLong();
    query.finish();
    if (expiresAt <= now()) {
        QSqlQuery remove(m_connection.database());
        remove.prepare(QStringLiteral("DELETE FROM response_cache WHERE key = ? RETURNING size"));
        remove.addBindValue(key);
        if (remove.exec() && remove.next()) {
            --m_entries;
            m_bytes -= remove.value(0).toLongLong();
        }
        return std::nullopt;
    }
    Result<CachedAnswer> answer = CachedAnswer::fromJson(qUncompress(stored));
    if (!answer) {
        qCWarning(lcCache) << "an entry could not be read and is ignored:" << answer.errorMessage();
        return std::nullopt;
    }
    return std::move(answer).value();
}

Result<void> ResponseCache::store(const QByteArray &key, const QString &requestedModel, CachedAnswer answer,
                                  qint64 ttlMs)
{
    if (!isOpen())
        return makeError(QStringLiteral("The response cache is not open."));
    const qint64 createdAt = now();
    answer.createdAtMs = createdAt;
    const QByteArray stored = qCompress(answer.toJson(), 1);
    QSqlDatabase db = m_connection.database();
    if (!db.transaction())
        return makeError(QStringLiteral("The response cache is busy: %1").arg(db.lastError().text()));
    QSqlQuery query(db);
    query.prepare(QStringLiteral("DELETE FROM response_cache WHERE key = ? RETURNING size"));
    query.addBindValue(key);
    qint64 entries = m_entries;
    qint64 bytes = m_bytes;
    bool ok = query.exec();
    while (ok && query.next()) {
        --entries;
        bytes -= query.value(0).toLongLong();
    }
    query.finish();
    if (ok) {
        query.prepare(QStringLiteral("INSERT INTO response_cache (key, created_at, expires_at, requested_model, size, "
                                     "answer) VALUES (?, ?, ?, ?, ?, ?)"));
        query.addBindValue(key);
        query.addBindValue(createdAt);
        query.addBindValue(createdAt + ttlMs);
        query.addBindValue(requestedModel);
        query.addBindValue(qint64(stored.size()));
        query.addBindValue(stored);
        ok = query.exec();
    }
    if (!ok || !db.commit()) {
        const QString reason = ok ? db.lastError().text() : query.lastError().text();
        db.rollback();
        return makeError(QStringLiteral("The answer was not cached: %1").arg(reason));
    }
    m_entries = entries + 1;
    m_bytes = bytes + stored.size();
    if (++m_storesSincePurge >= PurgeEveryStores) {
        m_storesSincePurge = 0;
        purgeExpired();
    }
    return evict();
}

qint64 ResponseCache::purgeExpired()
{
    if (!isOpen())
        return 0;
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("DELETE FROM response_cache WHERE expires_at <= ?"));
    query.addBindValue(now());
    if (!query.exec()) {
        qCWarning(lcCache) << "removing expired entries failed:" << query.lastError().text();
        return 0;
    }
    const qint64 removed = query.numRowsAffected();
    if (removed > 0) {
        if (Result<void> counted = recount(); !counted)
            qCWarning(lcCache) << counted.errorMessage();
    }
    return removed;
}

Result<void> ResponseCache::evict()
{
    QSqlDatabase db = m_connection.database();
    while (m_entries > m_settings.maxEntries || m_bytes > m_settings.maxBytes) {
        QSqlQuery oldest(db);
        oldest.prepare(QStringLiteral("DELETE FROM response_cache WHERE rowid IN (SELECT rowid FROM response_cache "
                                      "ORDER BY created_at LIMIT ?) RETURNING size"));
        const qint64 over = qMax<qint64>(1, m_entries - m_settings.maxEntries);
        oldest.addBindValue(m_bytes > m_settings.maxBytes ? qint64(1) : qMin<qint64>(over, EvictBatch));
        if (!oldest.exec())
            return makeError(QStringLiteral("Evicting old cache entries failed: %1").arg(oldest.lastError().text()));
        qint64 removed = 0;
        while (oldest.next()) {
            ++removed;
            m_bytes -= oldest.value(0).toLongLong();
        }
        m_entries -= removed;
        if (removed == 0) {
            // The counters drifted (another process changed the table): trust the table.
            return recount();
        }
    }
    return {};
}

} // namespace sluice
