#pragma once

#include <map>
#include <memory>

#include <QList>
#include <QSet>
#include <QString>

#include "routing/CircuitBreaker.h"

namespace sluice {

// The circuit breakers of every deployment, by deployment id, sharing one set of settings.
class CircuitBreakers
{
public:
    CircuitBreakers(std::shared_ptr<const Clock> clock, BreakerSettings settings);

    void setSettings(const BreakerSettings &settings);
    const BreakerSettings &settings() const { return m_settings; }

    // Created closed on first use.
    CircuitBreaker &breaker(const QString &deployment);
    const CircuitBreaker *find(const QString &deployment) const;
    bool isAvailable(const QString &deployment) const;
    // Every deployment that has a breaker, by id.
    QList<BreakerSnapshot> snapshot() const;
    // Forgets deployments that are no longer configured.
    void retain(const QSet<QString> &deployments);

private:
    std::shared_ptr<const Clock> m_clock;
    BreakerSettings m_settings;
    std::map<QString, CircuitBreaker> m_breakers; // ordered by id; references stay valid
};

} // namespace sluice
