#include "RoutePlanner.h"

#include <QSet>

#include "routing/DurationText.h"
#include "routing/ErrorClassifier.h"
#include "routing/RetryPolicy.h"
#include "routing/RoutingLogging.h"
#include "routing/RoutingState.h"

namespace sluice {

namespace {
QString quotedModel(const QString &model)
{
    return QLatin1Char('\'') + model + QLatin1Char('\'');
}

// A route built in code (not by the loader) may name only provider and upstream model.
QList<ModelDeployment> deploymentsOf(const ModelRoute &route)
{
    if (!route.deployments.isEmpty())
        return route.deployments;
    ModelDeployment deployment;
    deployment.provider = route.provider;
    deployment.upstreamModel = route.upstreamModel.isEmpty() ? route.name : route.upstreamModel;
    deployment.configLine = route.configLine;
    return {deployment};
}

int effective(int deploymentValue, int providerValue, qint64 remainingMs)
{
    const qint64 value = deploymentValue > 0 ? deploymentValue : providerValue;
    return int(qBound<qint64>(1, value, qMax<qint64>(1, remainingMs)));
}
} // namespace

struct RoutePlanner::Data
{
    struct Group
    {
        QString model;
        QList<ModelDeployment> deployments;
        BalanceStrategy balance = BalanceStrategy::Weighted;
        RetrySettings retry;
    };
    struct Candidate
    {
        qsizetype group = 0;
        ModelDeployment deployment;
        QString id;
    };

    std::shared_ptr<RoutingState> state;
    QString requestedModel;
    QList<Group> groups;
    QList<FailureClass> fallbackOn;
    qint64 startMs = 0;
    qint64 deadlineMs = 0;

    qsizetype nextGroup = 0;
    QList<Candidate> queue; // what is left of the current group, in order
    Candidate current;
    bool retryCurrent = false;
    int triesOnCurrent = 0; // tries that count toward retry.attempts (key switches do not)
    QSet<QString> seenIds;
    QSet<QString> rateLimitedKeys; // "provider key-reference" pairs answered 429 during this request

    bool inFlight = false;
    CircuitBreaker::Permit permit = CircuitBreaker::Permit::Refused;
    qint64 attemptStartMs = 0;
    SecretRef currentKey;
    int attemptNumber = 0;
    int skipped = 0;

    QList<AttemptRecord> records;
    QString stopReason;
    bool finished = false;

    qint64 now() const { return state->clock->nowMs(); }
    qint64 remaining() const { return deadlineMs - (now() - startMs); }

    void enterGroup(qsizetype index);
    bool advance();
    bool hasMoreCandidates() const;
    QString nextModelName() const;
    void recordSkip(const Candidate &candidate, const CircuitBreaker &breaker);
    RouteDecision conclude(RouteDecision::Action action, qint64 waitMs, FailureClass failure, const QString &reason,
                           const QString &decision);
    void stop(const QString &reason);
};

RoutePlanner::RoutePlanner(std::shared_ptr<RoutingState> state, const QString &requestedModel)
    : m_d(std::make_unique<Data>())
{
    Data &d = *m_d;
    d.state = std::move(state);
    d.requestedModel = requestedModel;
    d.startMs = d.now();
    const Config &config = d.state->config;
    d.deadlineMs = config.routing.deadlineMs;
    const ModelRoute *route = config.model(requestedModel);
    if (!route)
        return;
    QStringList chain = {route->name};
    for (const QStringList &names : {route->fallbacks, config.routing.defaultFallbacks}) {
        for (const QString &name : names) {
            if (!chain.contains(name))
                chain.append(name);
        }
    }
    for (const QString &name : std::as_const(chain)) {
        const ModelRoute *model = config.model(name);
        if (!model) {
            qCWarning(lcRouter) << "Fallback model" << name << "of" << requestedModel << "is not configured";
            continue;
        }
        d.groups.append(
            {model->name, deploymentsOf(*model), model->balance, model->retry.value_or(config.routing.retry)});
    }
    for (const QString &name : route->fallbackOn.value_or(config.routing.fallbackOn)) {
        if (const std::optional<FailureClass> failure = failureClassFromName(name))
            d.fallbackOn.append(*failure);
    }
}

RoutePlanner::RoutePlanner(RoutePlanner &&other) noexcept = default;

RoutePlanner &RoutePlanner::operator=(RoutePlanner &&other) noexcept
{
    if (this != &other) {
        abandon();
        m_d = std::move(other.m_d);
    }
    return *this;
}

RoutePlanner::~RoutePlanner()
{
    abandon();
}

const QString &RoutePlanner::requestedModel() const
{
    static const QString none;
    return m_d ? m_d->requestedModel : none;
}

QStringList RoutePlanner::modelChain() const
{
    QStringList chain;
    if (!m_d)
        return chain;
    for (const Data::Group &group : std::as_const(m_d->groups))
        chain.append(group.model);
    return chain;
}

void RoutePlanner::Data::enterGroup(qsizetype index)
{
    const Group &group = groups.at(index);
    QList<ModelDeployment> fresh;
    for (const ModelDeployment &deployment : group.deployments) {
        // A deployment shared by two models of the chain is tried once.
        if (!seenIds.contains(deployment.id()))
            fresh.append(deployment);
    }
    const LoadBalancer::Order order = state->balancer.order(fresh, group.balance, state->breakers);
    for (const ModelDeployment &deployment : order.skipped) {
        seenIds.insert(deployment.id());
        recordSkip({index, deployment, deployment.id()}, state->breakers.breaker(deployment.id()));
    }
    for (const ModelDeployment &deployment : order.usable) {
        seenIds.insert(deployment.id());
        queue.append({index, deployment, deployment.id()});
    }
}

bool RoutePlanner::Data::advance()
{
    while (queue.isEmpty()) {
        if (nextGroup >= groups.size())
            return false;
        enterGroup(nextGroup++);
    }
    current = queue.takeFirst();
    triesOnCurrent = 0;
    return true;
}

bool RoutePlanner::Data::hasMoreCandidates() const
{
    if (!queue.isEmpty())
        return true;
    for (qsizetype g = nextGroup; g < groups.size(); ++g) {
        for (const ModelDeployment &deployment : groups.at(g).deployments) {
            if (!seenIds.contains(deployment.id()))
                return true;
        }
    }
    return false;
}

QString RoutePlanner::Data::nextModelName() const
{
    for (qsizetype g = nextGroup; g < groups.size(); ++g) {
        for (const ModelDeployment &deployment : groups.at(g).deployments) {
            if (!seenIds.contains(deployment.id()))
                return groups.at(g).model;
        }
    }
    return {};
}

void RoutePlanner::Data::recordSkip(const Candidate &candidate, const CircuitBreaker &breaker)
{
    ++skipped;
    AttemptRecord record;
    record.model = groups.at(candidate.group).model;
    record.deployment = candidate.id;
    record.provider = candidate.deployment.provider;
    record.upstreamModel = candidate.deployment.upstreamModel;
    record.startedAtMs = now() - startMs;
    record.decision = QStringLiteral("skipped");
    if (breaker.state() == CircuitBreaker::State::HalfOpen) {
        record.reason = QStringLiteral("circuit breaker half-open: its one probe request is under way");
    } else {
        record.reason = QStringLiteral("circuit breaker open after repeated failures; next probe in %1")
                            .arg(durationText(breaker.probeInMs()));
    }
    qCInfo(lcRouter).noquote() << requestedModel << "skips" << candidate.id << '-' << record.reason;
    records.append(record);
}

RouteDecision RoutePlanner::Data::conclude(RouteDecision::Action action, qint64 waitMs, FailureClass failure,
                                           const QString &reason, const QString &decision)
{
    AttemptRecord &record = records.last();
    record.decision = decision;
    record.waitBeforeNextMs = waitMs;
    record.reason = reason;
    if (action == RouteDecision::Action::Done || action == RouteDecision::Action::GiveUp) {
        finished = true;
        if (action == RouteDecision::Action::GiveUp)
            stopReason = reason;
    }
    if (action == RouteDecision::Action::Done)
        qCDebug(lcRouter).noquote() << requestedModel << "answered by" << record.deployment;
    else
        qCInfo(lcRouter).noquote() << requestedModel << record.deployment << decision << '-' << reason;
    return RouteDecision {action, waitMs, failure, reason};
}

void RoutePlanner::Data::stop(const QString &reason)
{
    finished = true;
    stopReason = reason;
    qCInfo(lcRouter).noquote() << requestedModel << "stops -" << reason;
}

std::optional<PlannedAttempt> RoutePlanner::next()
{
    if (!m_d)
        return std::nullopt;
    Data &d = *m_d;
    if (d.inFlight) {
        qCWarning(lcRouter) << "next() called while an attempt is under way; call finish() first";
        return std::nullopt;
    }
    if (d.finished)
        return std::nullopt;
    if (d.groups.isEmpty()) {
        d.stop(QStringLiteral("the model %1 is not configured").arg(quotedModel(d.requestedModel)));
        return std::nullopt;
    }
    const qint64 remaining = d.remaining();
    if (remaining <= 0) {
        d.stop(QStringLiteral("the request's deadline of %1 (routing.deadline_ms) has passed")
                   .arg(durationText(d.deadlineMs)));
        return std::nullopt;
    }
    for (;;) {
        if (!d.retryCurrent && !d.advance()) {
            if (d.attemptNumber == 0) {
                d.stop(QStringLiteral("every deployment of %1%2 is skipped: their circuit breakers are open")
                           .arg(quotedModel(d.requestedModel),
                                d.groups.size() > 1 ? QStringLiteral(" and of its fallback models") : QString()));
            } else {
                d.stop(QStringLiteral("no deployment of %1 or its fallback models is left to try%2")
                           .arg(quotedModel(d.requestedModel),
                                d.skipped > 0 ? QStringLiteral(" (%1 skipped: circuit breaker open)").arg(d.skipped)
                                              : QString()));
            }
            return std::nullopt;
        }
        d.retryCurrent = false;
        CircuitBreaker &breaker = d.state->breakers.breaker(d.current.id);
        const CircuitBreaker::Permit permit = breaker.acquire();
        if (permit == CircuitBreaker::Permit::Refused) {
            d.recordSkip(d.current, breaker);
            continue;
        }

        const ModelDeployment &deployment = d.current.deployment;
        const ProviderConfig defaults;
        const ProviderConfig *provider = d.state->config.provider(deployment.provider);
        const ProviderConfig &timeouts = provider ? *provider : defaults;

        PlannedAttempt attempt;
        attempt.number = ++d.attemptNumber;
        attempt.model = d.groups.at(d.current.group).model;
        attempt.isFallback = attempt.model != d.requestedModel;
        attempt.deployment = deployment;
        attempt.deploymentId = d.current.id;
        attempt.key = deployment.apiKey.isNull() ? d.state->keys.current(deployment.provider) : deployment.apiKey;
        attempt.timeouts.connectMs = effective(deployment.connectTimeoutMs, timeouts.connectTimeoutMs, remaining);
        attempt.timeouts.firstByteMs = effective(deployment.firstByteTimeoutMs, timeouts.firstByteTimeoutMs, remaining);
        attempt.timeouts.idleMs = effective(deployment.idleTimeoutMs, timeouts.idleTimeoutMs, remaining);
        attempt.timeouts.totalMs = effective(deployment.totalTimeoutMs, timeouts.totalTimeoutMs, remaining);

        ++d.triesOnCurrent;
        d.inFlight = true;
        d.permit = permit;
        d.attemptStartMs = d.now();
        d.currentKey = attempt.key;
        d.state->balancer.attemptStarted(d.current.id);

        AttemptRecord record;
        record.model = attempt.model;
        record.deployment = attempt.deploymentId;
        record.provider = deployment.provider;
        record.upstreamModel = deployment.upstreamModel;
        record.keyRef = attempt.key.toString();
        record.startedAtMs = d.attemptStartMs - d.startMs;
        d.records.append(record);
        return attempt;
    }
}

RouteDecision RoutePlanner::finish(const AttemptOutcome &outcome)
{
    using Action = RouteDecision::Action;
    if (!m_d || !m_d->inFlight) {
        qCWarning(lcRouter) << "finish() called without an attempt under way";
        return RouteDecision {Action::GiveUp, 0, FailureClass::None, QStringLiteral("no attempt was under way")};
    }
    Data &d = *m_d;
    d.inFlight = false;
    const Data::Candidate candidate = d.current;
    AttemptRecord &record = d.records.last();
    record.latencyMs = d.now() - d.attemptStartMs;
    record.httpStatus = outcome.httpStatus;

    const Classification classification = ErrorClassifier::classify(outcome);
    const FailureClass failure = classification.failureClass;
    record.errorClass = failureClassName(failure);

    d.state->balancer.attemptFinished(candidate.id);
    CircuitBreaker &breaker = d.state->breakers.breaker(candidate.id);
    if (failure == FailureClass::Cancelled)
        breaker.release(d.permit);
    else if (isDeploymentFailure(failure))
        breaker.recordFailure(d.permit, failure);
    else
        breaker.recordSuccess(d.permit); // it answered: client-caused errors say nothing against its health
    d.permit = CircuitBreaker::Permit::Refused;

    if (failure == FailureClass::None) {
        d.state->balancer.recordLatency(candidate.id,
                                        outcome.timeToFirstByteMs >= 0 ? outcome.timeToFirstByteMs : record.latencyMs);
        return d.conclude(Action::Done, 0, failure, classification.reason, QStringLiteral("done"));
    }
    if (failure == FailureClass::Cancelled)
        return d.conclude(Action::GiveUp, 0, failure, classification.reason, QStringLiteral("give_up"));
    if (outcome.contentSent) {
        return d.conclude(Action::GiveUp, 0, failure,
                          classification.reason
                              + QStringLiteral("; part of the answer had already reached the client, so it cannot "
                                               "be retried or sent elsewhere"),
                          QStringLiteral("give_up"));
    }

    const qint64 remaining = d.remaining();
    const std::optional<qint64> serverDelay
        = RetryPolicy::serverDelayMs(outcome.headers, outcome.body, d.state->clock->utcNow());
    const QString &provider = candidate.deployment.provider;

    // A 429 on one of the provider's keys: switch to a key that has not been rate limited yet.
    if (failure == FailureClass::RateLimit && candidate.deployment.apiKey.isNull() && !d.currentKey.isNull()) {
        d.rateLimitedKeys.insert(provider + QLatin1Char(' ') + d.currentKey.toString());
        const SecretRef nextKey
            = d.state->keys.rateLimited(provider, d.currentKey, serverDelay.value_or(KeyRotator::DefaultRestMs));
        if (!nextKey.isNull() && nextKey != d.currentKey
            && !d.rateLimitedKeys.contains(provider + QLatin1Char(' ') + nextKey.toString())
            && !d.state->keys.isResting(provider, nextKey) && breaker.isAvailable() && remaining > 0) {
            --d.triesOnCurrent;
            d.retryCurrent = true;
            return d.conclude(
                Action::Retry, 0, failure,
                classification.reason
                    + QStringLiteral("; switching from key %1 to %2").arg(d.currentKey.toString(), nextKey.toString()),
                QStringLiteral("retry"));
        }
    }

    QString why = classification.reason;
    if (isDeploymentFailure(failure)) {
        if (!classification.retryable) {
            why += QStringLiteral("; retrying cannot help");
        } else if (!breaker.isAvailable()) {
            why += QStringLiteral("; its circuit breaker opened");
        } else {
            const RetryPolicy policy(d.groups.at(candidate.group).retry);
            const RetryVerdict verdict = policy.decide(d.triesOnCurrent, serverDelay, remaining, d.state->random);
            if (verdict.retry) {
                d.retryCurrent = true;
                return d.conclude(Action::Retry, verdict.waitMs, failure, why + QStringLiteral("; ") + verdict.reason,
                                  QStringLiteral("retry"));
            }
            why += QStringLiteral("; ") + verdict.reason;
        }
    }

    if (!d.fallbackOn.contains(failure)) {
        return d.conclude(Action::GiveUp, 0, failure,
                          why
                              + QStringLiteral("; %1 is not in fallback_on, so no other deployment is tried")
                                    .arg(failureClassName(failure)),
                          QStringLiteral("give_up"));
    }
    // The model's other deployments have the same context window: only a fallback model can help.
    if (failure == FailureClass::ContextWindowExceeded)
        d.queue.clear();
    if (remaining <= 0) {
        return d.conclude(Action::GiveUp, 0, failure, why + QStringLiteral("; the request's deadline has passed"),
                          QStringLiteral("give_up"));
    }
    if (!d.queue.isEmpty()) {
        return d.conclude(Action::MoveOn, 0, failure,
                          why + QStringLiteral("; trying the next deployment, %1").arg(d.queue.first().id),
                          QStringLiteral("next"));
    }
    if (d.hasMoreCandidates()) {
        return d.conclude(Action::MoveOn, 0, failure,
                          why + QStringLiteral("; falling back to model %1").arg(quotedModel(d.nextModelName())),
                          QStringLiteral("fallback"));
    }
    return d.conclude(Action::GiveUp, 0, failure,
                      why
                          + (d.groups.size() > 1 || d.groups.first().deployments.size() > 1
                                 ? QStringLiteral("; every deployment and fallback model has been tried")
                                 : QStringLiteral("; no other deployment or fallback model is configured for %1")
                                       .arg(quotedModel(d.requestedModel))),
                      QStringLiteral("give_up"));
}

void RoutePlanner::abandon(const QString &reason)
{
    if (!m_d || !m_d->inFlight)
        return;
    Data &d = *m_d;
    d.inFlight = false;
    d.state->balancer.attemptFinished(d.current.id);
    d.state->breakers.breaker(d.current.id).release(d.permit);
    d.permit = CircuitBreaker::Permit::Refused;
    AttemptRecord &record = d.records.last();
    record.latencyMs = d.now() - d.attemptStartMs;
    record.errorClass = failureClassName(FailureClass::Cancelled);
    record.decision = QStringLiteral("give_up");
    record.reason = reason.isEmpty() ? QStringLiteral("cancelled: the client went away") : reason;
    d.finished = true;
    d.stopReason = record.reason;
}

void RoutePlanner::refuse(const QString &reason)
{
    if (!m_d || !m_d->inFlight)
        return;
    abandon();
    AttemptRecord &record = m_d->records.last();
    record.errorClass = failureClassName(FailureClass::ClientError);
    record.reason = QStringLiteral("refused: ") + reason;
    m_d->stopReason = record.reason;
}

const QList<AttemptRecord> &RoutePlanner::attempts() const
{
    static const QList<AttemptRecord> none;
    return m_d ? m_d->records : none;
}

int RoutePlanner::attemptCount() const
{
    return m_d ? m_d->attemptNumber : 0;
}

QString RoutePlanner::stopReason() const
{
    return m_d ? m_d->stopReason : QString();
}

qint64 RoutePlanner::elapsedMs() const
{
    return m_d ? m_d->now() - m_d->startMs : 0;
}

qint64 RoutePlanner::remainingMs() const
{
    return m_d ? m_d->remaining() : 0;
}

} // namespace sluice
