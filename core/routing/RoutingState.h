#pragma once

#include <memory>

#include <QRandomGenerator>

#include "config/Config.h"
#include "routing/CircuitBreakers.h"
#include "routing/Clock.h"
#include "routing/KeyRotator.h"
#include "routing/LoadBalancer.h"

namespace sluice {

// What every request's routing shares: the config and the deployments' health. Held by the Router and by
// every RoutePlanner, so a planner outliving its router still releases what it holds.
struct RoutingState
{
    RoutingState(const Config &routingConfig, std::shared_ptr<const Clock> routingClock, quint32 seed)
        : config(routingConfig)
        , clock(std::move(routingClock))
        , breakers(clock, routingConfig.routing.breaker)
        , balancer(seed)
        , keys(clock)
        , random(seed ^ 0x9e3779b9u)
    { }

    Config config;
    std::shared_ptr<const Clock> clock;
    CircuitBreakers breakers;
    LoadBalancer balancer;
    KeyRotator keys;
    QRandomGenerator random; // retry jitter
};

} // namespace sluice
