#include "CircuitBreakers.h"

namespace sluice {

CircuitBreakers::CircuitBreakers(std::shared_ptr<const Clock> clock, BreakerSettings settings)
    : m_clock(std::move(clock))
    , m_settings(settings)
{ }

void CircuitBreakers::setSettings(const BreakerSettings &settings)
{
    m_settings = settings;
    for (auto &[id, breaker] : m_breakers)
        breaker.setSettings(settings);
}

CircuitBreaker &CircuitBreakers::breaker(const QString &deployment)
{
    auto it = m_breakers.find(deployment);
    if (it == m_breakers.end())
        it = m_breakers.emplace(deployment, CircuitBreaker(m_clock, m_settings)).first;
    return it->second;
}

const CircuitBreaker *CircuitBreakers::find(const QString &deployment) const
{
    const auto it = m_breakers.find(deployment);
    return it == m_breakers.end() ? nullptr : &it->second;
}

bool CircuitBreakers::isAvailable(const QString &deployment) const
{
    const CircuitBreaker *found = find(deployment);
    return !found || found->isAvailable();
}

QList<BreakerSnapshot> CircuitBreakers::snapshot() const
{
    QList<BreakerSnapshot> result;
    for (const auto &[id, breaker] : m_breakers)
        result.append(breaker.snapshot(id));
    return result;
}

void CircuitBreakers::retain(const QSet<QString> &deployments)
{
    for (auto it = m_breakers.begin(); it != m_breakers.end();) {
        if (deployments.contains(it->first))
            ++it;
        else
            it = m_breakers.erase(it);
    }
}

} // namespace sluice
