#pragma once

#include <memory>
#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

#include "common/RequestRecord.h"
#include "routing/AttemptOutcome.h"
#include "routing/PlannedAttempt.h"
#include "routing/RouteDecision.h"

namespace sluice {

struct RoutingState;

// One request's way through its model's deployments, its fallback models and the default chain. The
// request path asks next() what to send, reports how it ended with finish(), and follows the decision:
//
//     std::optional<PlannedAttempt> attempt = planner.next();   // nullopt: stopReason() says why
//     ... send it, then:
//     RouteDecision decision = planner.finish(outcome);        // Done / Retry / MoveOn / GiveUp
//     ... on Retry or MoveOn, wait decision.waitMs and call next() again.
//
// Every attempt (and every deployment skipped for an open circuit breaker) is recorded in attempts() for
// the request's log record. Move-only; destroying it with an attempt under way abandons that attempt.
// Not thread-safe: use it on the thread that owns the Router.
class RoutePlanner
{
public:
    RoutePlanner(RoutePlanner &&other) noexcept;
    RoutePlanner &operator=(RoutePlanner &&other) noexcept;
    RoutePlanner(const RoutePlanner &) = delete;
    RoutePlanner &operator=(const RoutePlanner &) = delete;
    ~RoutePlanner();

    const QString &requestedModel() const;
    // The requested model followed by the fallback models it may use, in order.
    QStringList modelChain() const;

    // The next attempt to send, skipping deployments whose circuit breaker is open. nullopt once the plan is
    // finished (Done or GiveUp), nothing is left to try, or the deadline has passed.
    std::optional<PlannedAttempt> next();
    // How the attempt from next() ended, and what to do now.
    RouteDecision finish(const AttemptOutcome &outcome);
    // The attempt from next() will never finish (the client went away): frees its breaker probe and
    // in-flight count, records it as cancelled and ends the plan.
    void abandon(const QString &reason = {});
    // The attempt from next() was never sent, for a reason of the request's own (a parameter the deployment's
    // format cannot express): as abandon(), recorded as a client error with that reason.
    void refuse(const QString &reason);

    const QList<AttemptRecord> &attempts() const;
    // Attempts actually sent (skipped deployments not counted).
    int attemptCount() const;
    // Why the plan ended without success, or why next() returned nothing; empty while it goes on.
    QString stopReason() const;
    qint64 elapsedMs() const;
    // What is left of the request's deadline (routing.deadline_ms).
    qint64 remainingMs() const;

private:
    friend class Router;
    struct Data;

    RoutePlanner(std::shared_ptr<RoutingState> state, const QString &requestedModel);

    std::unique_ptr<Data> m_d;
};

} // namespace sluice
