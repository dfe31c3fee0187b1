#pragma once

#include <memory>
#include <optional>

#include <QList>
#include <QString>

#include "common/Result.h"
#include "config/Config.h"
#include "routing/CircuitBreaker.h"
#include "routing/Clock.h"
#include "routing/KeyRotator.h"
#include "routing/RoutePlanner.h"

namespace sluice {

class CircuitBreakers;
class LoadBalancer;
struct RoutingState;

// The routing shared by every request: the configured routes and each deployment's health (circuit
// breakers, latency, attempts in flight, which provider key is current). Hands each request a RoutePlanner.
// Not thread-safe: create and use it on the gateway thread.
class Router
{
public:
    // No clock: the real one. No seed: a random one (tests pass one for repeatable balancing and jitter).
    explicit Router(const Config &config, std::shared_ptr<const Clock> clock = nullptr,
                    std::optional<quint32> seed = std::nullopt);
    ~Router();
    Router(const Router &) = delete;
    Router &operator=(const Router &) = delete;

    // A reloaded config: deployments that remain keep their breaker state and statistics.
    void setConfig(const Config &config);
    const Config &config() const;

    // The plan for one request of `model`; an error naming the configured models when it is unknown.
    Result<RoutePlanner> plan(const QString &model);

    // Every deployment's circuit breaker (deployments never tried yet are closed and not listed).
    QList<BreakerSnapshot> breakerSnapshot() const;
    QList<KeyRotator::KeyStatus> keyStatus(const QString &provider) const;

    CircuitBreakers &circuitBreakers();
    LoadBalancer &loadBalancer();
    KeyRotator &keyRotator();

private:
    std::shared_ptr<RoutingState> m_state;
};

} // namespace sluice
