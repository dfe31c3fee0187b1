#include "CircuitBreaker.h"

namespace sluice {

CircuitBreaker::CircuitBreaker(std::shared_ptr<const Clock> clock, BreakerSettings settings)
    : m_clock(std::move(clock))
    , m_settings(settings)
{ }

void CircuitBreaker::setSettings(const BreakerSettings &settings)
{
    m_settings = settings;
    if (m_settings.failures <= 0) {
        m_state = State::Closed;
        m_probeInFlight = false;
        m_failureTimesMs.clear();
    }
}

CircuitBreaker::State CircuitBreaker::state() const
{
    if (m_state == State::Open && m_clock->nowMs() - m_openedAtMs >= qint64(m_settings.cooldownS) * 1000)
        return State::HalfOpen;
    return m_state;
}

bool CircuitBreaker::isAvailable() const
{
    switch (state()) {
    case State::Closed:
        return true;
    case State::HalfOpen:
        return !m_probeInFlight;
    case State::Open:
        break;
    }
    return false;
}

CircuitBreaker::Permit CircuitBreaker::acquire()
{
    switch (state()) {
    case State::Closed:
        return Permit::Normal;
    case State::HalfOpen:
        if (m_probeInFlight)
            return Permit::Refused;
        m_state = State::HalfOpen;
        m_probeInFlight = true;
        return Permit::Probe;
    case State::Open:
        break;
    }
    return Permit::Refused;
}

void CircuitBreaker::recordSuccess(Permit permit)
{
    // Only the probe decides a half-open breaker; successes never clear the closed window.
    if (permit != Permit::Probe)
        return;
    m_probeInFlight = false;
    m_state = State::Closed;
    m_failureTimesMs.clear();
}

void CircuitBreaker::recordFailure(Permit permit, FailureClass failure)
{
    const qint64 now = m_clock->nowMs();
    m_lastFailure = failure;
    m_lastFailureAtMs = now;
    if (m_settings.failures <= 0)
        return;
    if (permit == Permit::Probe) {
        m_probeInFlight = false;
        open(now);
        return;
    }
    // A late failure of a request that started before the breaker opened changes nothing.
    if (permit != Permit::Normal || m_state != State::Closed)
        return;
    m_failureTimesMs.append(now);
    forgetOldFailures(now);
    if (m_failureTimesMs.size() >= m_settings.failures)
        open(now);
}

void CircuitBreaker::release(Permit permit)
{
    if (permit == Permit::Probe)
        m_probeInFlight = false;
}

int CircuitBreaker::recentFailures() const
{
    forgetOldFailures(m_clock->nowMs());
    return int(m_failureTimesMs.size());
}

qint64 CircuitBreaker::probeInMs() const
{
    if (m_state != State::Open)
        return 0;
    return qMax<qint64>(0, m_openedAtMs + qint64(m_settings.cooldownS) * 1000 - m_clock->nowMs());
}

BreakerSnapshot CircuitBreaker::snapshot(const QString &deployment) const
{
    BreakerSnapshot snapshot;
    snapshot.deployment = deployment;
    snapshot.state = stateName(state());
    snapshot.recentFailures = recentFailures();
    snapshot.failureThreshold = qMax(0, m_settings.failures);
    snapshot.probeInMs = probeInMs();
    snapshot.probeInFlight = m_probeInFlight;
    snapshot.lastFailure = failureClassName(m_lastFailure);
    snapshot.lastFailureAgoMs = m_lastFailureAtMs < 0 ? -1 : m_clock->nowMs() - m_lastFailureAtMs;
    return snapshot;
}

QString CircuitBreaker::stateName(State state)
{
    switch (state) {
    case State::Closed:
        return QStringLiteral("closed");
    case State::Open:
        return QStringLiteral("open");
    case State::HalfOpen:
        return QStringLiteral("half_open");
    }
    return {};
}

void CircuitBreaker::open(qint64 now)
{
    m_state = State::Open;
    m_openedAtMs = now;
    m_failureTimesMs.clear();
}

void CircuitBreaker::forgetOldFailures(qint64 now) const
{
    const qint64 windowStart = now - qint64(m_settings.windowS) * 1000;
    while (!m_failureTimesMs.isEmpty() && m_failureTimesMs.first() <= windowStart)
        m_failureTimesMs.removeFirst();
}

} // namespace sluice
