#pragma once

#include <QDeadlineTimer>
#include <QList>
#include <QObject>
#include <QTimer>

#include "http/UpstreamOrigin.h"

namespace sluice {

class UpstreamConnection;

// Idle keep-alive connections, per origin. A connection the server closes (or writes to) while idle is
// dropped at once; one idle for longer than its lifetime is closed before the server's own timeout races us.
class UpstreamConnectionPool : public QObject
{
    Q_OBJECT
public:
    explicit UpstreamConnectionPool(QObject *parent = nullptr);
    ~UpstreamConnectionPool() override;

    // The most recently used idle connection to origin that is still usable, or nullptr. The caller owns it.
    UpstreamConnection *take(const UpstreamOrigin &origin);
    // Whether an idle connection to origin is waiting (it may still turn out unusable in take()).
    bool hasIdle(const UpstreamOrigin &origin) const;
    // Keeps a connection whose exchange ended cleanly, or closes it when origin already has enough idle ones.
    // serverIdleTimeoutMs: the server's Keep-Alive timeout when it announced one, else -1.
    void release(UpstreamConnection *connection, int serverIdleTimeoutMs = -1);

    void setMaxIdlePerOrigin(int count);
    int maxIdlePerOrigin() const { return m_maxIdlePerOrigin; }
    // How long an idle connection is kept when the server announces no shorter keep-alive timeout.
    void setIdleLifetime(int ms) { m_idleLifetimeMs = ms; }
    int idleCount() const { return int(m_idle.size()); }

private:
    struct IdleConnection
    {
        UpstreamConnection *connection;
        QDeadlineTimer expiry;
        QList<QMetaObject::Connection> watches;
    };

    void evict(UpstreamConnection *connection);
    void evictExpired();
    void armExpiryTimer();
    static void forget(IdleConnection &entry);

    QList<IdleConnection> m_idle; // oldest first
    QTimer m_expiryTimer;
    // Enough for a busy client's concurrency: below it, every burst above the cap reconnects (measured: a
    // cap of 8 at 32 concurrent requests opened a new connection for 28% of the requests).
    int m_maxIdlePerOrigin = 64;
    int m_idleLifetimeMs = 30'000;
};

} // namespace sluice
