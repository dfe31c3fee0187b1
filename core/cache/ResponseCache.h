#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QString>

#include "cache/CachedAnswer.h"
#include "common/Result.h"
#include "config/Config.h"
#include "store/SqliteConnection.h"

namespace sluice {

// The exact-match response cache: answers by CacheKey in the request log's database (table response_cache), with
// a time to live per entry and a bound on entries and bytes past which the oldest entries are evicted.
// It has its own connection, used only on the thread that opened it (the gateway's): a lookup is one primary-key
// read; a store is one short transaction after the answer was sent. It never checkpoints the WAL (the log writer
// does) and waits at most BusyTimeoutMs for the writer's lock, so the gateway thread never waits on disk for long;
// a store that cannot get the lock is skipped (a later request stores it).
class ResponseCache
{
public:
    explicit ResponseCache(const CacheSettings &settings);
    ~ResponseCache();
    ResponseCache(const ResponseCache &) = delete;
    ResponseCache &operator=(const ResponseCache &) = delete;

    // databasePath must already carry the schema (RequestLogWriter::open applies the migrations).
    Result<void> open(const QString &databasePath);
    bool isOpen() const { return m_connection.isOpen(); }
    // Milliseconds since the Unix epoch; tests pass a fake clock.
    void setClock(std::function<qint64()> nowMs) { m_nowMs = std::move(nowMs); }

    // The live entry for key; an expired one is removed and not returned.
    std::optional<CachedAnswer> lookup(const QByteArray &key);
    // Stores answer under key for ttlMs, replacing any entry of that key, then evicts the oldest entries while
    // over a bound.
    Result<void> store(const QByteArray &key, const QString &requestedModel, CachedAnswer answer, qint64 ttlMs);
    // Removes every expired entry; returns how many.
    qint64 purgeExpired();

    qint64 entryCount() const { return m_entries; }
    qint64 byteCount() const { return m_bytes; }

    static constexpr int BusyTimeoutMs = 100;

private:
    Result<void> recount();
    Result<void> evict();
    qint64 now() const { return m_nowMs(); }

    CacheSettings m_settings;
    SqliteConnection m_connection;
    std::function<qint64()> m_nowMs;
    qint64 m_entries = 0;
    qint64 m_bytes = 0;
    int m_storesSincePurge = 0;
};

} // namespace sluice
