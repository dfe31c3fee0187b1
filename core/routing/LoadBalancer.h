#pragma once

#include <QHash>
#include <QList>
#include <QRandomGenerator>
#include <QSet>
#include <QString>

#include "config/Config.h"

namespace sluice {

class CircuitBreakers;

// Orders a model's deployments for one request. Weighted: a weighted random order (weight 0: only after
// the others). Least-latency: by a moving average of each deployment's latency, unmeasured ones first.
// Least-in-flight: by attempts under way. Ties keep the weighted random order.
class LoadBalancer
{
public:
    struct Order
    {
        QList<ModelDeployment> usable; // in the order to try them
        QList<ModelDeployment> skipped; // circuit breaker open (or its half-open probe taken)
    };

    explicit LoadBalancer(quint32 seed);

    Order order(const QList<ModelDeployment> &deployments, BalanceStrategy strategy, const CircuitBreakers &breakers);
    // The same without breakers: every deployment, ordered.
    QList<ModelDeployment> rank(const QList<ModelDeployment> &deployments, BalanceStrategy strategy);

    void attemptStarted(const QString &deployment);
    void attemptFinished(const QString &deployment);
    void recordLatency(const QString &deployment, qint64 latencyMs);

    // The moving average; -1 before the first sample.
    double averageLatencyMs(const QString &deployment) const;
    int inFlight(const QString &deployment) const;
    void retain(const QSet<QString> &deployments);

    // Share of the newest sample in the moving average.
    static constexpr double LatencySmoothing = 0.3;

private:
    struct Stats
    {
        double averageLatencyMs = -1;
        int inFlight = 0;
    };

    QList<ModelDeployment> weightedShuffle(const QList<ModelDeployment> &deployments);

    QRandomGenerator m_random;
    QHash<QString, Stats> m_stats;
};

} // namespace sluice
