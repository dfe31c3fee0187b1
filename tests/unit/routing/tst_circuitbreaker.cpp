#include <QTest>

#include "routing/CircuitBreaker.h"
#include "routing/CircuitBreakers.h"
#include "routing/ManualClock.h"

using namespace sluice;
using State = CircuitBreaker::State;
using Permit = CircuitBreaker::Permit;

namespace {
BreakerSettings settings(int failures, int windowS, int cooldownS)
{
    BreakerSettings result;
    result.failures = failures;
    result.windowS = windowS;
    result.cooldownS = cooldownS;
    return result;
}

void fail(CircuitBreaker &breaker, int times)
{
    for (int i = 0; i < times; ++i)
        breaker.recordFailure(breaker.acquire(), FailureClass::ServerError);
}
} // namespace

class TestCircuitBreaker : public QObject
{
    Q_OBJECT

private slots:
    void init() { m_clock = std::make_shared<ManualClock>(); }
    void opensAfterNFailuresWithinTheWindow();
    void failuresOutsideTheWindowAreForgotten();
    void successesDoNotHideRecentFailures();
    void openRefusesUntilTheCooldownEnds();
    void halfOpenLetsExactlyOneProbeThrough();
    void probeSuccessCloses();
    void probeFailureReopensForAFullCooldown();
    void releasedProbeLetsAnotherOneThrough();
    void lateResultsOfEarlierRequestsDoNotMoveIt();
    void zeroFailuresTurnsItOff();
    void snapshotForTheAdminView();
    void registryKeepsOneBreakerPerDeployment();

private:
    std::shared_ptr<ManualClock> m_clock;
};

void TestCircuitBreaker::opensAfterNFailuresWithinTheWindow()
{
    CircuitBreaker breaker(m_clock, settings(5, 60, 30));
    fail(breaker, 4);
    QCOMPARE(breaker.state(), State::Closed);
    QVERIFY(breaker.isAvailable());
    m_clock->advance(10'000);
    fail(breaker, 1);
    QCOMPARE(breaker.state(), State::Open);
    QVERIFY(!breaker.isAvailable());
    QCOMPARE(breaker.acquire(), Permit::Refused);
}

void TestCircuitBreaker::failuresOutsideTheWindowAreForgotten()
{
    CircuitBreaker breaker(m_clock, settings(3, 60, 30));
    fail(breaker, 2);
    m_clock->advance(60'000);
    fail(breaker, 2);
    QCOMPARE(breaker.state(), State::Closed);
    QCOMPARE(breaker.recentFailures(), 2);
    fail(breaker, 1);
    QCOMPARE(breaker.state(), State::Open);
}

void TestCircuitBreaker::successesDoNotHideRecentFailures()
{
    CircuitBreaker breaker(m_clock, settings(3, 60, 30));
    for (int i = 0; i < 3; ++i) {
        breaker.recordFailure(breaker.acquire(), FailureClass::Timeout);
        breaker.recordSuccess(breaker.acquire());
    }
    QCOMPARE(breaker.state(), State::Open);
}

void TestCircuitBreaker::openRefusesUntilTheCooldownEnds()
{
    CircuitBreaker breaker(m_clock, settings(1, 60, 30));
    fail(breaker, 1);
    QCOMPARE(breaker.probeInMs(), 30'000);
    m_clock->advance(29'999);
    QCOMPARE(breaker.state(), State::Open);
    QCOMPARE(breaker.acquire(), Permit::Refused);
    QCOMPARE(breaker.probeInMs(), 1);
    m_clock->advance(1);
    QCOMPARE(breaker.state(), State::HalfOpen);
    QVERIFY(breaker.isAvailable());
}

void TestCircuitBreaker::halfOpenLetsExactlyOneProbeThrough()
{
    CircuitBreaker breaker(m_clock, settings(1, 60, 30));
    fail(breaker, 1);
    m_clock->advance(30'000);
    QCOMPARE(breaker.acquire(), Permit::Probe);
    QVERIFY(!breaker.isAvailable());
    for (int i = 0; i < 5; ++i)
        QCOMPARE(breaker.acquire(), Permit::Refused);
    // However long the probe takes, nobody else gets through meanwhile.
    m_clock->advance(120'000);
    QCOMPARE(breaker.acquire(), Permit::Refused);
    QCOMPARE(breaker.state(), State::HalfOpen);
}

void TestCircuitBreaker::probeSuccessCloses()
{
    CircuitBreaker breaker(m_clock, settings(2, 60, 30));
    fail(breaker, 2);
    m_clock->advance(30'000);
    const Permit probe = breaker.acquire();
    QCOMPARE(probe, Permit::Probe);
    breaker.recordSuccess(probe);
    QCOMPARE(breaker.state(), State::Closed);
    QCOMPARE(breaker.acquire(), Permit::Normal);
    QCOMPARE(breaker.recentFailures(), 0);
    // It starts counting afresh: one failure does not reopen it.
    fail(breaker, 1);
    QCOMPARE(breaker.state(), State::Closed);
}

void TestCircuitBreaker::probeFailureReopensForAFullCooldown()
{
    CircuitBreaker breaker(m_clock, settings(2, 60, 30));
    fail(breaker, 2);
    m_clock->advance(30'000);
    breaker.recordFailure(breaker.acquire(), FailureClass::Connection);
    QCOMPARE(breaker.state(), State::Open);
    QCOMPARE(breaker.probeInMs(), 30'000);
    m_clock->advance(29'000);
    QCOMPARE(breaker.acquire(), Permit::Refused);
    m_clock->advance(1'000);
    QCOMPARE(breaker.acquire(), Permit::Probe);
}

void TestCircuitBreaker::releasedProbeLetsAnotherOneThrough()
{
    CircuitBreaker breaker(m_clock, settings(1, 60, 30));
    fail(breaker, 1);
    m_clock->advance(30'000);
    const Permit probe = breaker.acquire();
    breaker.release(probe);
    QCOMPARE(breaker.state(), State::HalfOpen);
    QCOMPARE(breaker.acquire(), Permit::Probe);
}

void TestCircuitBreaker::lateResultsOfEarlierRequestsDoNotMoveIt()
{
    CircuitBreaker breaker(m_clock, settings(1, 60, 30));
    const Permit early = breaker.acquire();
    QCOMPARE(early, Permit::Normal);
    fail(breaker, 1);
    m_clock->advance(30'000);
    const Permit probe = breaker.acquire();
    QCOMPARE(probe, Permit::Probe);
    // The request that started while it was closed ends now: only the probe decides.
    breaker.recordSuccess(early);
    QCOMPARE(breaker.state(), State::HalfOpen);
    breaker.recordFailure(early, FailureClass::ServerError);
    QCOMPARE(breaker.state(), State::HalfOpen);
    breaker.recordSuccess(probe);
    QCOMPARE(breaker.state(), State::Closed);
}

void TestCircuitBreaker::zeroFailuresTurnsItOff()
{
    CircuitBreaker breaker(m_clock, settings(0, 60, 30));
    fail(breaker, 50);
    QCOMPARE(breaker.state(), State::Closed);
    QCOMPARE(breaker.acquire(), Permit::Normal);
}

void TestCircuitBreaker::snapshotForTheAdminView()
{
    CircuitBreaker breaker(m_clock, settings(2, 60, 30));
    BreakerSnapshot closed = breaker.snapshot(QStringLiteral("openai/gpt-4.1"));
    QCOMPARE(closed.deployment, QStringLiteral("openai/gpt-4.1"));
    QCOMPARE(closed.state, QStringLiteral("closed"));
    QCOMPARE(closed.lastFailureAgoMs, -1);
    QCOMPARE(closed.failureThreshold, 2);

    breaker.recordFailure(breaker.acquire(), FailureClass::RateLimit);
    m_clock->advance(1'000);
    BreakerSnapshot oneFailure = breaker.snapshot(QStringLiteral("openai/gpt-4.1"));
    QCOMPARE(oneFailure.recentFailures, 1);
    QCOMPARE(oneFailure.lastFailure, QStringLiteral("rate_limit"));
    QCOMPARE(oneFailure.lastFailureAgoMs, 1'000);

    breaker.recordFailure(breaker.acquire(), FailureClass::Timeout);
    m_clock->advance(5'000);
    BreakerSnapshot open = breaker.snapshot(QStringLiteral("openai/gpt-4.1"));
    QCOMPARE(open.state, QStringLiteral("open"));
    QCOMPARE(open.probeInMs, 25'000);
    QCOMPARE(open.lastFailure, QStringLiteral("timeout"));

    m_clock->advance(25'000);
    QVERIFY(breaker.acquire() == Permit::Probe);
    BreakerSnapshot halfOpen = breaker.snapshot(QStringLiteral("openai/gpt-4.1"));
    QCOMPARE(halfOpen.state, QStringLiteral("half_open"));
    QVERIFY(halfOpen.probeInFlight);
}

void TestCircuitBreaker::registryKeepsOneBreakerPerDeployment()
{
    CircuitBreakers breakers(m_clock, settings(1, 60, 30));
    QVERIFY(breakers.isAvailable(QStringLiteral("a/x")));
    QVERIFY(!breakers.find(QStringLiteral("a/x")));
    CircuitBreaker &a = breakers.breaker(QStringLiteral("a/x"));
    a.recordFailure(a.acquire(), FailureClass::ServerError);
    QVERIFY(!breakers.isAvailable(QStringLiteral("a/x")));
    QVERIFY(breakers.isAvailable(QStringLiteral("b/y")));
    breakers.breaker(QStringLiteral("b/y"));
    QCOMPARE(breakers.snapshot().size(), 2);
    QCOMPARE(breakers.snapshot().first().state, QStringLiteral("open"));

    // New settings apply to existing breakers; removed deployments are forgotten.
    breakers.setSettings(settings(0, 60, 30));
    QVERIFY(breakers.isAvailable(QStringLiteral("a/x")));
    breakers.retain({QStringLiteral("b/y")});
    QCOMPARE(breakers.snapshot().size(), 1);
    QCOMPARE(breakers.snapshot().first().deployment, QStringLiteral("b/y"));
}

QTEST_GUILESS_MAIN(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"
