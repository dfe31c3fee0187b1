#pragma once

#include <QString>

#include "config/Config.h"

namespace sluice {

// Each in milliseconds, for UpstreamTimeouts; every one is cut to what is left of the request's deadline.
struct AttemptTimeouts
{
    int connectMs = 0;
    int firstByteMs = 0;
    int idleMs = 0;
    int totalMs = 0;
};

// What to send for one attempt: RoutePlanner::next() hands these out in order.
struct PlannedAttempt
{
    int number = 0; // 1 for the request's first attempt
    QString model; // configured model name served: the requested one, or a fallback
    bool isFallback = false; // model is not the requested one
    ModelDeployment deployment; // provider, upstream model, weight, ...
    QString deploymentId;
    SecretRef key; // the key reference to send (resolve it through the secret store); null: no key
    AttemptTimeouts timeouts;
};

} // namespace sluice
