#include <QTest>

#include "config/ConfigLoader.h"
#include "routing/CircuitBreakers.h"
#include "routing/LoadBalancer.h"
#include "routing/ManualClock.h"
#include "routing/Router.h"

using namespace sluice;
using Action = RouteDecision::Action;

namespace {
const QByteArray Providers = R"(
providers:
  - {name: openai, type: openai, base_url: https://api.openai.com/v1, api_key: keychain:openai}
  - {name: azure, type: openai, base_url: https://azure.example/v1, api_key: keychain:azure}
  - {name: anthropic, type: openai, base_url: https://anthropic.example/v1, api_key: keychain:anthropic,
     timeouts: {total_ms: 90000}}
  - {name: local, type: openai, base_url: http://127.0.0.1:11434/v1}
)";

Config load(const QByteArray &yaml)
{
    const Result<Config> result = ConfigLoader::loadString(yaml, QStringLiteral("test.yaml"));
    if (!result.ok())
        qFatal("test config does not load: %s", qPrintable(result.errorMessage()));
    return result.value();
}

AttemptOutcome status(int code, const HttpHeaders &headers = {}, const QByteArray &body = {})
{
    return AttemptOutcome::http(code, body, headers);
}

QStringList decisions(const QList<AttemptRecord> &records)
{
    QStringList result;
    for (const AttemptRecord &record : records)
        result.append(record.decision);
    return result;
}

QStringList modelsOf(const QList<AttemptRecord> &records)
{
    QStringList result;
    for (const AttemptRecord &record : records)
        result.append(record.model);
    return result;
}

const QByteArray ContextError
    = R"({"error":{"message":"The maximum context length is 128000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}})";
} // namespace

class TestRoutePlanner : public QObject
{
    Q_OBJECT

private slots:
    void init() { m_clock = std::make_shared<ManualClock>(); }
    void unknownModelIsAnError();
    void rateLimitThenSuccessOnRetry();
    void serverErrorFallsBackToAnotherModel();
    void clientErrorIsNotFallenBack();
    void clientErrorFallsBackWhenConfigured();
    void contextWindowFallsToALargerModel();
    void openBreakerIsSkipped();
    void breakerOpensFromRequestFailures();
    void halfOpenLetsOneRequestProbe();
    void allFailingGivesUpWithTheFullAttemptList();
    void keysRotateOn429();
    void deadlineBoundsRetriesAndTimeouts();
    void longRetryAfterMovesOnInsteadOfWaiting();
    void streamThatAlreadyStartedIsNotRetried();
    void destroyingAPlannerMidAttemptFreesWhatItHeld();
    void leastInFlightSpreadsConcurrentRequests();
    void leastLatencyLearnsFromAnswers();
    void routeBuiltInCodeWithoutDeployments();
    void reloadKeepsBreakerStateOfRemainingDeployments();

private:
    std::shared_ptr<ManualClock> m_clock;
};

void TestRoutePlanner::unknownModelIsAnError()
{
    Router router(load(Providers + "models:\n  - {name: smart, provider: openai}\n"), m_clock, 1);
    const Result<RoutePlanner> plan = router.plan(QStringLiteral("gpt-5"));
    QVERIFY(!plan.ok());
    QVERIFY(plan.errorMessage().contains(QLatin1String("'gpt-5' is not configured")));
    QVERIFY(plan.errorMessage().contains(QLatin1String("smart")));
}

void TestRoutePlanner::rateLimitThenSuccessOnRetry()
{
    Router router(load(Providers + R"(
models:
  - name: smart
    provider: openai
    upstream_model: gpt-4.1
    retry: {attempts: 2, backoff_ms: 250, max_backoff_ms: 8000}
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    const std::optional<PlannedAttempt> first = planner.next();
    QVERIFY(first);
    QCOMPARE(first->number, 1);
    QCOMPARE(first->deploymentId, QStringLiteral("openai/gpt-4.1"));
    QCOMPARE(first->deployment.upstreamModel, QStringLiteral("gpt-4.1"));
    QCOMPARE(first->key.toString(), QStringLiteral("keychain:openai"));
    QVERIFY(!first->isFallback);
    m_clock->advance(40);

    const RouteDecision retry = planner.finish(status(429, {{"Retry-After", "1"}}));
    QCOMPARE(retry.action, Action::Retry);
    QCOMPARE(retry.waitMs, 1'000);
    QCOMPARE(retry.failure, FailureClass::RateLimit);
    m_clock->advance(retry.waitMs);

    const std::optional<PlannedAttempt> second = planner.next();
    QVERIFY(second);
    QCOMPARE(second->number, 2);
    QCOMPARE(second->deploymentId, QStringLiteral("openai/gpt-4.1"));
    m_clock->advance(300);
    QCOMPARE(planner.finish(status(200)).action, Action::Done);
    QVERIFY(!planner.next());
    QVERIFY(planner.stopReason().isEmpty());

    const QList<AttemptRecord> &records = planner.attempts();
    QCOMPARE(records.size(), 2);
    QCOMPARE(decisions(records), QStringList({QStringLiteral("retry"), QStringLiteral("done")}));
    QCOMPARE(records.at(0).httpStatus, 429);
    QCOMPARE(records.at(0).errorClass, QStringLiteral("rate_limit"));
    QCOMPARE(records.at(0).waitBeforeNextMs, 1'000);
    QCOMPARE(records.at(0).latencyMs, 40);
    QVERIFY2(records.at(0).reason.contains(QLatin1String("provider asked to wait")), qPrintable(records.at(0).reason));
    QCOMPARE(records.at(1).httpStatus, 200);
    QVERIFY(records.at(1).errorClass.isEmpty());
    QCOMPARE(records.at(1).startedAtMs, 1'040);
    QCOMPARE(records.at(1).latencyMs, 300);
    QCOMPARE(records.at(1).provider, QStringLiteral("openai"));
    QCOMPARE(records.at(1).keyRef, QStringLiteral("keychain:openai"));
    QCOMPARE(planner.attemptCount(), 2);
}

void TestRoutePlanner::serverErrorFallsBackToAnotherModel()
{
    Router router(load(Providers + R"(
models:
  - name: smart
    provider: openai
    upstream_model: gpt-4.1
    fallbacks: [claude]
    retry: {attempts: 1}
  - name: claude
    provider: anthropic
    upstream_model: claude-sonnet-4
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    QCOMPARE(planner.modelChain(), QStringList({QStringLiteral("smart"), QStringLiteral("claude")}));
    QVERIFY(planner.next());
    const RouteDecision decision = planner.finish(status(500));
    QCOMPARE(decision.action, Action::MoveOn);
    QCOMPARE(decision.waitMs, 0);
    QVERIFY2(decision.reason.contains(QLatin1String("falling back to model 'claude'")), qPrintable(decision.reason));

    const std::optional<PlannedAttempt> fallback = planner.next();
    QVERIFY(fallback);
    QCOMPARE(fallback->model, QStringLiteral("claude"));
    QVERIFY(fallback->isFallback);
    QCOMPARE(fallback->deploymentId, QStringLiteral("anthropic/claude-sonnet-4"));
    QCOMPARE(fallback->key.toString(), QStringLiteral("keychain:anthropic"));
    QCOMPARE(fallback->timeouts.totalMs, 90'000);
    QCOMPARE(planner.finish(status(200)).action, Action::Done);
    QCOMPARE(decisions(planner.attempts()), QStringList({QStringLiteral("fallback"), QStringLiteral("done")}));
    QCOMPARE(modelsOf(planner.attempts()), QStringList({QStringLiteral("smart"), QStringLiteral("claude")}));
    QCOMPARE(planner.attempts().first().errorClass, QStringLiteral("server_error"));
}

void TestRoutePlanner::clientErrorIsNotFallenBack()
{
    Router router(load(Providers + R"(
models:
  - name: smart
    provider: openai
    fallbacks: [claude]
  - name: claude
    provider: anthropic
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    QVERIFY(planner.next());
    const RouteDecision decision
        = planner.finish(status(400, {}, R"({"error":{"message":"Unsupported parameter: 'max_tokens'"}})"));
    QCOMPARE(decision.action, Action::GiveUp);
    QCOMPARE(decision.failure, FailureClass::ClientError);
    QVERIFY2(decision.reason.contains(QLatin1String("client_error is not in fallback_on")),
             qPrintable(decision.reason));
    QVERIFY(!planner.next());
    QCOMPARE(planner.attempts().size(), 1);
    QCOMPARE(planner.attempts().first().decision, QStringLiteral("give_up"));
    QCOMPARE(planner.stopReason(), decision.reason);
    // A client error says nothing against the deployment.
    QCOMPARE(router.breakerSnapshot().first().recentFailures, 0);
}

void TestRoutePlanner::clientErrorFallsBackWhenConfigured()
{
    Router router(load(Providers + R"(
models:
  - name: smart
    provider: openai
    fallbacks: [claude]
    fallback_on: [client_error, server_error]
  - name: claude
    provider: anthropic
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    QVERIFY(planner.next());
    QCOMPARE(planner.finish(status(404)).action, Action::MoveOn);
    QCOMPARE(planner.next()->model, QStringLiteral("claude"));
    // Not retried on the same deployment: the same request fails the same way there.
    QCOMPARE(planner.attempts().size(), 2);
}

void TestRoutePlanner::contextWindowFallsToALargerModel()
{
    Router router(load(Providers + R"(
models:
  - name: small
    deployments:
      - {provider: openai, model: gpt-4o-mini}
      - {provider: azure, model: gpt-4o-mini}
    fallbacks: [big]
  - name: big
    provider: anthropic
    upstream_model: claude-sonnet-4-1m
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("small")).value();
    QVERIFY(planner.next());
    const RouteDecision decision = planner.finish(status(400, {}, ContextError));
    QCOMPARE(decision.action, Action::MoveOn);
    QCOMPARE(decision.failure, FailureClass::ContextWindowExceeded);
    // The other deployment of the same model has the same window: straight to the larger model.
    const std::optional<PlannedAttempt> bigger = planner.next();
    QVERIFY(bigger);
    QCOMPARE(bigger->model, QStringLiteral("big"));
    QCOMPARE(bigger->deployment.upstreamModel, QStringLiteral("claude-sonnet-4-1m"));
    QCOMPARE(planner.finish(status(200)).action, Action::Done);
    QCOMPARE(planner.attempts().size(), 2);
    QCOMPARE(planner.attempts().first().errorClass, QStringLiteral("context_window_exceeded"));
    QCOMPARE(planner.attempts().first().decision, QStringLiteral("fallback"));
}

void TestRoutePlanner::openBreakerIsSkipped()
{
    Router router(load(Providers + R"(
routing:
  breaker: {failures: 2, window_s: 60, cooldown_s: 30}
models:
  - name: smart
    deployments:
      - {provider: openai, model: gpt-4.1}
      - {provider: azure, model: gpt-4.1}
)"),
                  m_clock, 1);
    CircuitBreaker &breaker = router.circuitBreakers().breaker(QStringLiteral("openai/gpt-4.1"));
    breaker.recordFailure(breaker.acquire(), FailureClass::ServerError);
    breaker.recordFailure(breaker.acquire(), FailureClass::ServerError);
    m_clock->advance(10'000);

    for (int request = 0; request < 10; ++request) {
        RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
        const std::optional<PlannedAttempt> attempt = planner.next();
        QVERIFY(attempt);
        QCOMPARE(attempt->deploymentId, QStringLiteral("azure/gpt-4.1"));
        QCOMPARE(planner.finish(status(200)).action, Action::Done);
        const QList<AttemptRecord> &records = planner.attempts();
        QCOMPARE(decisions(records), QStringList({QStringLiteral("skipped"), QStringLiteral("done")}));
        QCOMPARE(records.first().deployment, QStringLiteral("openai/gpt-4.1"));
        QCOMPARE(records.first().httpStatus, 0);
        QVERIFY2(records.first().reason.contains(QLatin1String("circuit breaker open")),
                 qPrintable(records.first().reason));
        QVERIFY2(records.first().reason.contains(QLatin1String("20 s")), qPrintable(records.first().reason));
        QCOMPARE(planner.attemptCount(), 1);
    }
}

void TestRoutePlanner::breakerOpensFromRequestFailures()
{
    Router router(load(Providers + R"(
routing:
  breaker: {failures: 2, window_s: 60, cooldown_s: 30}
models:
  - name: smart
    provider: openai
    fallbacks: [claude]
    retry: {attempts: 1}
  - name: claude
    provider: anthropic
)"),
                  m_clock, 1);
    for (int request = 0; request < 2; ++request) {
        RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
        QCOMPARE(planner.next()->deployment.provider, QStringLiteral("openai"));
        QCOMPARE(planner.finish(AttemptOutcome::transportFailure(AttemptOutcome::Transport::Connect)).action,
                 Action::MoveOn);
        QCOMPARE(planner.next()->deployment.provider, QStringLiteral("anthropic"));
        QCOMPARE(planner.finish(status(200)).action, Action::Done);
    }
    const QList<BreakerSnapshot> snapshot = router.breakerSnapshot();
    const auto openai = std::find_if(snapshot.cbegin(), snapshot.cend(), [](const BreakerSnapshot &s) {
        return s.deployment == QLatin1String("openai/smart");
    });
    QVERIFY(openai != snapshot.cend());
    QCOMPARE(openai->state, QStringLiteral("open"));
    QCOMPARE(openai->lastFailure, QStringLiteral("connection"));

    RoutePlanner third = router.plan(QStringLiteral("smart")).value();
    QCOMPARE(third.next()->deployment.provider, QStringLiteral("anthropic"));
    QCOMPARE(third.attempts().first().decision, QStringLiteral("skipped"));
}

void TestRoutePlanner::halfOpenLetsOneRequestProbe()
{
    Router router(load(Providers + R"(
routing:
  breaker: {failures: 1, window_s: 60, cooldown_s: 30}
models:
  - name: smart
    provider: openai
    fallbacks: [claude]
    retry: {attempts: 1}
  - name: claude
    provider: anthropic
)"),
                  m_clock, 1);
    {
        RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
        QVERIFY(planner.next());
        QCOMPARE(planner.finish(status(503)).action, Action::MoveOn);
    }
    m_clock->advance(30'000);
    RoutePlanner probe = router.plan(QStringLiteral("smart")).value();
    RoutePlanner other = router.plan(QStringLiteral("smart")).value();
    QCOMPARE(probe.next()->deployment.provider, QStringLiteral("openai"));
    const std::optional<PlannedAttempt> otherAttempt = other.next();
    QCOMPARE(otherAttempt->deployment.provider, QStringLiteral("anthropic"));
    QVERIFY2(other.attempts().first().reason.contains(QLatin1String("half-open")),
             qPrintable(other.attempts().first().reason));
    QCOMPARE(probe.finish(status(200)).action, Action::Done);
    QCOMPARE(other.finish(status(200)).action, Action::Done);

    RoutePlanner after = router.plan(QStringLiteral("smart")).value();
    QCOMPARE(after.next()->deployment.provider, QStringLiteral("openai"));
    QCOMPARE(after.attempts().size(), 1);
}

void TestRoutePlanner::allFailingGivesUpWithTheFullAttemptList()
{
    Router router(load(Providers + R"(
routing:
  default_fallbacks: [local]
  breaker: {failures: 100}
models:
  - name: smart
    deployments:
      - {provider: openai, model: gpt-4.1}
      - {provider: azure, model: gpt-4.1}
    fallbacks: [claude]
    retry: {attempts: 2, backoff_ms: 100, max_backoff_ms: 1000}
  - name: claude
    provider: anthropic
    upstream_model: claude-sonnet-4
    retry: {attempts: 2, backoff_ms: 100, max_backoff_ms: 1000}
  - name: local
    provider: local
    upstream_model: llama3
    retry: {attempts: 1}
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    QCOMPARE(planner.modelChain(),
             QStringList({QStringLiteral("smart"), QStringLiteral("claude"), QStringLiteral("local")}));
    RouteDecision last;
    int sent = 0;
    while (const std::optional<PlannedAttempt> attempt = planner.next()) {
        ++sent;
        QVERIFY(sent <= 10);
        m_clock->advance(50);
        last = planner.finish(status(503));
        m_clock->advance(last.waitMs);
    }
    QCOMPARE(sent, 7);
    QCOMPARE(last.action, Action::GiveUp);
    const QList<AttemptRecord> &records = planner.attempts();
    QCOMPARE(decisions(records),
             QStringList({QStringLiteral("retry"), QStringLiteral("next"), QStringLiteral("retry"),
                          QStringLiteral("fallback"), QStringLiteral("retry"), QStringLiteral("fallback"),
                          QStringLiteral("give_up")}));
    QCOMPARE(
        modelsOf(records),
        QStringList({QStringLiteral("smart"), QStringLiteral("smart"), QStringLiteral("smart"), QStringLiteral("smart"),
                     QStringLiteral("claude"), QStringLiteral("claude"), QStringLiteral("local")}));
    QCOMPARE(records.at(0).deployment, records.at(1).deployment);
    QCOMPARE(records.at(2).deployment, records.at(3).deployment);
    QVERIFY(records.at(0).deployment != records.at(2).deployment);
    for (const AttemptRecord &record : records) {
        QCOMPARE(record.httpStatus, 503);
        QCOMPARE(record.errorClass, QStringLiteral("server_error"));
        QCOMPARE(record.latencyMs, 50);
        QVERIFY(!record.reason.isEmpty());
        if (record.decision == QLatin1String("retry"))
            QVERIFY(record.waitBeforeNextMs >= 0 && record.waitBeforeNextMs <= 100);
        else
            QCOMPARE(record.waitBeforeNextMs, 0);
    }
    QVERIFY2(records.last().reason.contains(QLatin1String("every deployment and fallback model has been tried")),
             qPrintable(records.last().reason));
    QCOMPARE(planner.stopReason(), records.last().reason);
    for (qsizetype i = 1; i < records.size(); ++i)
        QVERIFY(records.at(i).startedAtMs >= records.at(i - 1).startedAtMs + records.at(i - 1).latencyMs);
}

void TestRoutePlanner::keysRotateOn429()
{
    Router router(load(R"(
providers:
  - name: openai
    type: openai
    base_url: https://api.openai.com/v1
    api_keys: [keychain:openai-1, keychain:openai-2]
models:
  - name: smart
    provider: openai
    retry: {attempts: 1}
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    QCOMPARE(planner.next()->key.toString(), QStringLiteral("keychain:openai-1"));
    const RouteDecision rotate = planner.finish(status(429));
    QCOMPARE(rotate.action, Action::Retry);
    QCOMPARE(rotate.waitMs, 0);
    QVERIFY2(rotate.reason.contains(QLatin1String("switching from key keychain:openai-1 to keychain:openai-2")),
             qPrintable(rotate.reason));
    QCOMPARE(planner.next()->key.toString(), QStringLiteral("keychain:openai-2"));
    QCOMPARE(planner.finish(status(200)).action, Action::Done);
    QCOMPARE(planner.attempts().at(0).keyRef, QStringLiteral("keychain:openai-1"));
    QCOMPARE(planner.attempts().at(1).keyRef, QStringLiteral("keychain:openai-2"));

    // The next request starts on the key that works; when it is rate limited too, no key is left to try.
    RoutePlanner second = router.plan(QStringLiteral("smart")).value();
    QCOMPARE(second.next()->key.toString(), QStringLiteral("keychain:openai-2"));
    const RouteDecision exhausted = second.finish(status(429));
    QCOMPARE(exhausted.action, Action::GiveUp);
    QCOMPARE(second.attempts().size(), 1);
    QCOMPARE(router.keyStatus(QStringLiteral("openai")).size(), 2);
}

void TestRoutePlanner::deadlineBoundsRetriesAndTimeouts()
{
    Router router(load(Providers + R"(
routing:
  deadline_ms: 5000
models:
  - name: smart
    provider: openai
    retry: {attempts: 5, backoff_ms: 100, max_backoff_ms: 8000}
)"),
                  m_clock, 1);
    {
        RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
        const std::optional<PlannedAttempt> attempt = planner.next();
        QCOMPARE(attempt->timeouts.totalMs, 5'000);
        QCOMPARE(attempt->timeouts.firstByteMs, 5'000);
        QCOMPARE(attempt->timeouts.connectMs, 5'000);
        m_clock->advance(2'000);
        const RouteDecision decision = planner.finish(status(503, {{"Retry-After", "4"}}));
        QCOMPARE(decision.action, Action::GiveUp);
        QVERIFY2(decision.reason.contains(QLatin1String("deadline")), qPrintable(decision.reason));
    }
    {
        RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
        QVERIFY(planner.next());
        m_clock->advance(2'000);
        const RouteDecision retry = planner.finish(status(503, {{"Retry-After", "1"}}));
        QCOMPARE(retry.action, Action::Retry);
        m_clock->advance(retry.waitMs);
        const std::optional<PlannedAttempt> second = planner.next();
        QCOMPARE(second->timeouts.totalMs, 2'000);
        m_clock->advance(2'000);
        QCOMPARE(planner
                     .finish(AttemptOutcome::transportFailure(AttemptOutcome::Transport::Timeout, {},
                                                              QStringLiteral("total")))
                     .action,
                 Action::GiveUp);
        QVERIFY(!planner.next());
        QCOMPARE(planner.remainingMs(), 0);
        QCOMPARE(planner.attempts().last().errorClass, QStringLiteral("timeout"));
    }
}

void TestRoutePlanner::longRetryAfterMovesOnInsteadOfWaiting()
{
    Router router(load(Providers + R"(
models:
  - name: smart
    provider: openai
    fallbacks: [claude]
    retry: {attempts: 3, backoff_ms: 250, max_backoff_ms: 8000}
  - name: claude
    provider: anthropic
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    QVERIFY(planner.next());
    const RouteDecision decision = planner.finish(status(429, {{"retry-after", "60"}}));
    QCOMPARE(decision.action, Action::MoveOn);
    QVERIFY2(decision.reason.contains(QLatin1String("longer than max_backoff_ms")), qPrintable(decision.reason));
    QCOMPARE(planner.next()->model, QStringLiteral("claude"));
}

void TestRoutePlanner::streamThatAlreadyStartedIsNotRetried()
{
    Router router(load(Providers + R"(
models:
  - name: smart
    provider: openai
    fallbacks: [claude]
  - name: claude
    provider: anthropic
)"),
                  m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    QVERIFY(planner.next());
    AttemptOutcome cut = AttemptOutcome::transportFailure(AttemptOutcome::Transport::Reset);
    cut.httpStatus = 200;
    cut.contentSent = true;
    const RouteDecision decision = planner.finish(cut);
    QCOMPARE(decision.action, Action::GiveUp);
    QCOMPARE(decision.failure, FailureClass::Connection);
    QVERIFY2(decision.reason.contains(QLatin1String("already reached the client")), qPrintable(decision.reason));
    QVERIFY(!planner.next());
}

void TestRoutePlanner::destroyingAPlannerMidAttemptFreesWhatItHeld()
{
    Router router(load(Providers + R"(
routing:
  breaker: {failures: 1, cooldown_s: 30}
models:
  - name: smart
    provider: openai
    upstream_model: gpt-4.1
)"),
                  m_clock, 1);
    const QString id = QStringLiteral("openai/gpt-4.1");
    CircuitBreaker &breaker = router.circuitBreakers().breaker(id);
    breaker.recordFailure(breaker.acquire(), FailureClass::ServerError);
    m_clock->advance(30'000);
    {
        RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
        QVERIFY(planner.next());
        QCOMPARE(router.loadBalancer().inFlight(id), 1);
        QVERIFY(!router.circuitBreakers().isAvailable(id));
    }
    QCOMPARE(router.loadBalancer().inFlight(id), 0);
    QVERIFY(router.circuitBreakers().isAvailable(id));

    RoutePlanner cancelled = router.plan(QStringLiteral("smart")).value();
    QVERIFY(cancelled.next());
    cancelled.abandon();
    QCOMPARE(cancelled.attempts().first().errorClass, QStringLiteral("cancelled"));
    QVERIFY(!cancelled.next());
    QVERIFY(router.circuitBreakers().isAvailable(id));

    // The client going away as an outcome is the same: nothing is retried, the probe is freed.
    RoutePlanner gone = router.plan(QStringLiteral("smart")).value();
    QVERIFY(gone.next());
    QCOMPARE(gone.finish(AttemptOutcome::transportFailure(AttemptOutcome::Transport::Cancelled)).action,
             Action::GiveUp);
    QVERIFY(router.circuitBreakers().isAvailable(id));
}

void TestRoutePlanner::leastInFlightSpreadsConcurrentRequests()
{
    Router router(load(Providers + R"(
models:
  - name: smart
    balance: least-in-flight
    deployments:
      - {provider: openai, model: gpt-4.1}
      - {provider: azure, model: gpt-4.1}
)"),
                  m_clock, 1);
    RoutePlanner first = router.plan(QStringLiteral("smart")).value();
    RoutePlanner second = router.plan(QStringLiteral("smart")).value();
    RoutePlanner third = router.plan(QStringLiteral("smart")).value();
    const QString a = first.next()->deploymentId;
    const QString b = second.next()->deploymentId;
    QVERIFY(a != b);
    QCOMPARE(first.finish(status(200)).action, Action::Done);
    QCOMPARE(third.next()->deploymentId, a);
}

void TestRoutePlanner::leastLatencyLearnsFromAnswers()
{
    Router router(load(Providers + R"(
models:
  - name: smart
    balance: least-latency
    deployments:
      - {provider: openai, model: gpt-4.1}
      - {provider: azure, model: gpt-4.1}
)"),
                  m_clock, 1);
    QHash<QString, qint64> latency = {{QStringLiteral("openai/gpt-4.1"), 900}, {QStringLiteral("azure/gpt-4.1"), 150}};
    // The first two requests measure both; after that the faster one is chosen.
    for (int request = 0; request < 6; ++request) {
        RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
        const QString id = planner.next()->deploymentId;
        if (request >= 2)
            QCOMPARE(id, QStringLiteral("azure/gpt-4.1"));
        AttemptOutcome ok = status(200);
        ok.timeToFirstByteMs = latency.value(id);
        m_clock->advance(5'000);
        QCOMPARE(planner.finish(ok).action, Action::Done);
    }
    QCOMPARE(router.loadBalancer().averageLatencyMs(QStringLiteral("azure/gpt-4.1")), 150.0);
}

void TestRoutePlanner::routeBuiltInCodeWithoutDeployments()
{
    Config config;
    ProviderConfig provider;
    provider.name = QStringLiteral("openai");
    provider.apiKey = SecretRef::parse(QStringLiteral("env:OPENAI_API_KEY"));
    config.providers.append(provider);
    ModelRoute route;
    route.name = QStringLiteral("mini");
    route.provider = QStringLiteral("openai");
    config.models.append(route);
    Router router(config, m_clock, 1);
    RoutePlanner planner = router.plan(QStringLiteral("mini")).value();
    const std::optional<PlannedAttempt> attempt = planner.next();
    QVERIFY(attempt);
    QCOMPARE(attempt->deploymentId, QStringLiteral("openai/mini"));
    QCOMPARE(attempt->key.toString(), QStringLiteral("env:OPENAI_API_KEY"));
    QCOMPARE(attempt->timeouts.connectMs, provider.connectTimeoutMs);
}

void TestRoutePlanner::reloadKeepsBreakerStateOfRemainingDeployments()
{
    const Config config = load(Providers + R"(
routing:
  breaker: {failures: 1}
models:
  - name: smart
    deployments:
      - {provider: openai, model: gpt-4.1}
      - {provider: azure, model: gpt-4.1}
)");
    Router router(config, m_clock, 1);
    for (const QString &id : {QStringLiteral("openai/gpt-4.1"), QStringLiteral("azure/gpt-4.1")}) {
        CircuitBreaker &breaker = router.circuitBreakers().breaker(id);
        breaker.recordFailure(breaker.acquire(), FailureClass::Timeout);
    }
    router.setConfig(config);
    QCOMPARE(router.breakerSnapshot().size(), 2);
    QVERIFY(!router.circuitBreakers().isAvailable(QStringLiteral("openai/gpt-4.1")));

    router.setConfig(load(Providers + R"(
routing:
  breaker: {failures: 1}
models:
  - {name: smart, provider: openai, upstream_model: gpt-4.1}
)"));
    QCOMPARE(router.breakerSnapshot().size(), 1);
    RoutePlanner planner = router.plan(QStringLiteral("smart")).value();
    QVERIFY(!planner.next());
    QVERIFY2(planner.stopReason().contains(QLatin1String("circuit breakers are open")),
             qPrintable(planner.stopReason()));
    QCOMPARE(planner.attempts().size(), 1);
}

QTEST_GUILESS_MAIN(TestRoutePlanner)
#include "tst_routeplanner.moc"
