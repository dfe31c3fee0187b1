#include "UpstreamConnectionPool.h"

#include <algorithm>
#include <limits>

#include <QAbstractSocket>

#include "http/UpstreamConnection.h"
#include "http/UpstreamLogging.h"

namespace sluice {

UpstreamConnectionPool::UpstreamConnectionPool(QObject *parent)
    : QObject(parent)
    , m_expiryTimer(this)
{
    m_expiryTimer.setSingleShot(true);
    connect(&m_expiryTimer, &QTimer::timeout, this, &UpstreamConnectionPool::evictExpired);
}

UpstreamConnectionPool::~UpstreamConnectionPool()
{
    for (IdleConnection &entry : m_idle) {
        forget(entry);
        delete entry.connection;
    }
}

UpstreamConnection *UpstreamConnectionPool::take(const UpstreamOrigin &origin)
{
    for (qsizetype i = m_idle.size() - 1; i >= 0; --i) {
        if (!(m_idle[i].connection->origin() == origin))
            continue;
        IdleConnection entry = m_idle.takeAt(i);
        forget(entry);
        if (entry.connection->isUsable() && !entry.expiry.hasExpired()) {
            armExpiryTimer();
            entry.connection->setParent(nullptr);
            qCDebug(lcUpstream) << "reusing a connection to" << origin.authority();
            return entry.connection;
        }
        entry.connection->close();
        entry.connection->deleteLater();
    }
    armExpiryTimer();
    return nullptr;
}

bool UpstreamConnectionPool::hasIdle(const UpstreamOrigin &origin) const
{
    return std::any_of(m_idle.cbegin(), m_idle.cend(),
                       [&origin](const IdleConnection &entry) { return entry.connection->origin() == origin; });
}

void UpstreamConnectionPool::release(UpstreamConnection *connection, int serverIdleTimeoutMs)
{
    const auto sameOrigin = [connection](const IdleConnection &entry) {
        return entry.connection->origin() == connection->origin();
    };
    if (!connection->isUsable() || std::count_if(m_idle.cbegin(), m_idle.cend(), sameOrigin) >= m_maxIdlePerOrigin) {
        connection->close();
        connection->deleteLater();
        return;
    }
    int lifetimeMs = m_idleLifetimeMs;
    // Leave a margin below the server's own timeout, so a request rarely meets a connection it is closing.
    if (serverIdleTimeoutMs > 0)
        lifetimeMs = qMin(lifetimeMs, serverIdleTimeoutMs * 3 / 4);
    if (lifetimeMs <= 0) {
        connection->close();
        connection->deleteLater();
        return;
    }
    connection->setParent(this);
    IdleConnection entry {connection, QDeadlineTimer(lifetimeMs), {}};
    QAbstractSocket *socket = connection->socket();
    const auto drop = [this, connection] {
        evict(connection);
    };
    // While idle, any read event means the server closed the connection or sent bytes nobody asked for.
    entry.watches.append(connect(socket, &QAbstractSocket::readyRead, this, drop));
    entry.watches.append(connect(socket, &QAbstractSocket::disconnected, this, drop));
    entry.watches.append(connect(socket, &QAbstractSocket::errorOccurred, this, drop));
    m_idle.append(std::move(entry));
    armExpiryTimer();
}

void UpstreamConnectionPool::setMaxIdlePerOrigin(int count)
{
    m_maxIdlePerOrigin = qMax(0, count);
    QList<UpstreamConnection *> surplus;
    for (qsizetype i = m_idle.size() - 1; i >= 0; --i) {
        const UpstreamOrigin &origin = m_idle[i].connection->origin();
        const auto newer = std::count_if(m_idle.cbegin() + i + 1, m_idle.cend(), [&origin](const IdleConnection &e) {
            return e.connection->origin() == origin;
        });
        if (newer >= m_maxIdlePerOrigin)
            surplus.append(m_idle[i].connection);
    }
    for (UpstreamConnection *connection : std::as_const(surplus))
        evict(connection);
}

void UpstreamConnectionPool::evict(UpstreamConnection *connection)
{
    for (qsizetype i = 0; i < m_idle.size(); ++i) {
        if (m_idle[i].connection != connection)
            continue;
        IdleConnection entry = m_idle.takeAt(i);
        forget(entry);
        qCDebug(lcUpstream) << "closing an idle connection to" << connection->origin().authority();
        connection->close();
        connection->deleteLater();
        break;
    }
    armExpiryTimer();
}

void UpstreamConnectionPool::evictExpired()
{
    QList<UpstreamConnection *> expired;
    for (const IdleConnection &entry : std::as_const(m_idle)) {
        if (entry.expiry.hasExpired())
            expired.append(entry.connection);
    }
    for (UpstreamConnection *connection : std::as_const(expired))
        evict(connection);
    armExpiryTimer();
}

void UpstreamConnectionPool::armExpiryTimer()
{
    if (m_idle.isEmpty()) {
        m_expiryTimer.stop();
        return;
    }
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (const IdleConnection &entry : std::as_const(m_idle))
        earliest = qMin(earliest, entry.expiry.remainingTime());
    m_expiryTimer.start(int(qBound(qint64(0), earliest, qint64(std::numeric_limits<int>::max()))));
}

void UpstreamConnectionPool::forget(IdleConnection &entry)
{
    for (const QMetaObject::Connection &watch : std::as_const(entry.watches))
        QObject::disconnect(watch);
    entry.watches.clear();
}

} // namespace sluice
