#pragma once

#include <memory>

#include <QList>
#include <QString>

#include "config/Config.h"
#include "routing/Clock.h"
#include "routing/FailureClass.h"

namespace sluice {

// One deployment's breaker as the admin endpoint and the UI show it.
struct BreakerSnapshot
{
    QString deployment; // deployment id
    QString state; // "closed", "open" or "half_open"
    int recentFailures = 0; // failures within the window (closed)
    int failureThreshold = 0; // failures that open it; 0: breakers are off
    qint64 probeInMs = 0; // open: time until one probe request is let through
    bool probeInFlight = false; // half-open: the one probe request is under way
    QString lastFailure; // failure class name of the latest failure; empty if none
    qint64 lastFailureAgoMs = -1; // -1: no failure yet
};

// Closed: requests pass; `failures` deployment failures within `window` open it. Open: requests skip the
// deployment until `cooldown` has passed. Half-open: exactly one probe request passes; its success closes
// the breaker, its failure opens it again. Not thread-safe (lives on the gateway thread).
class CircuitBreaker
{
public:
    enum class State { Closed, Open, HalfOpen };
    // What acquire() grants; hand it back with the outcome so only the probe's outcome moves a half-open breaker.
    enum class Permit { Refused, Normal, Probe };

    CircuitBreaker(std::shared_ptr<const Clock> clock, BreakerSettings settings);

    void setSettings(const BreakerSettings &settings);
    State state() const;
    // Whether acquire() would grant a permit now (changes nothing).
    bool isAvailable() const;
    Permit acquire();
    void recordSuccess(Permit permit);
    void recordFailure(Permit permit, FailureClass failure);
    // The attempt ended without saying anything about the deployment (cancelled): frees the probe.
    void release(Permit permit);

    int recentFailures() const;
    qint64 probeInMs() const;
    BreakerSnapshot snapshot(const QString &deployment) const;
    static QString stateName(State state);

private:
    void open(qint64 now);
    void forgetOldFailures(qint64 now) const;

    std::shared_ptr<const Clock> m_clock;
    BreakerSettings m_settings;
    State m_state = State::Closed; // Open turns half-open by itself once the cooldown has passed
    qint64 m_openedAtMs = 0;
    bool m_probeInFlight = false;
    mutable QList<qint64> m_failureTimesMs; // closed: failures within the window, oldest first
    FailureClass m_lastFailure = FailureClass::None;
    qint64 m_lastFailureAtMs = -1;
};

} // namespace sluice
