#include "LoadBalancer.h"

#include <algorithm>

#include "routing/CircuitBreakers.h"

namespace sluice {

LoadBalancer::LoadBalancer(quint32 seed)
    : m_random(seed)
{ }

LoadBalancer::Order LoadBalancer::order(const QList<ModelDeployment> &deployments, BalanceStrategy strategy,
                                        const CircuitBreakers &breakers)
{
    Order result;
    for (const ModelDeployment &deployment : rank(deployments, strategy)) {
        if (breakers.isAvailable(deployment.id()))
            result.usable.append(deployment);
        else
            result.skipped.append(deployment);
    }
    return result;
}

QList<ModelDeployment> LoadBalancer::rank(const QList<ModelDeployment> &deployments, BalanceStrategy strategy)
{
    QList<ModelDeployment> ordered = weightedShuffle(deployments);
    // Weight-0 deployments are backups under every strategy: they stay behind the others.
    const auto backupsBegin
        = std::stable_partition(ordered.begin(), ordered.end(), [](const ModelDeployment &d) { return d.weight > 0; });
    switch (strategy) {
    case BalanceStrategy::Weighted:
        break;
    case BalanceStrategy::LeastLatency:
        std::stable_sort(ordered.begin(), backupsBegin, [this](const ModelDeployment &a, const ModelDeployment &b) {
            return averageLatencyMs(a.id()) < averageLatencyMs(b.id());
        });
        break;
    case BalanceStrategy::LeastInFlight:
        std::stable_sort(ordered.begin(), backupsBegin, [this](const ModelDeployment &a, const ModelDeployment &b) {
            return inFlight(a.id()) < inFlight(b.id());
        });
        break;
    }
    return ordered;
}

QList<ModelDeployment> LoadBalancer::weightedShuffle(const QList<ModelDeployment> &deployments)
{
    QList<ModelDeployment> remaining;
    QList<ModelDeployment> backups;
    for (const ModelDeployment &deployment : deployments)
        (deployment.weight > 0 ? remaining : backups).append(deployment);
    QList<ModelDeployment> ordered;
    while (!remaining.isEmpty()) {
        qint64 total = 0;
        for (const ModelDeployment &deployment : std::as_const(remaining))
            total += deployment.weight;
        qint64 pick = m_random.bounded(total);
        qsizetype chosen = 0;
        while (pick >= remaining.at(chosen).weight) {
            pick -= remaining.at(chosen).weight;
            ++chosen;
        }
        ordered.append(remaining.takeAt(chosen));
    }
    ordered.append(backups);
    return ordered;
}

void LoadBalancer::attemptStarted(const QString &deployment)
{
    ++m_stats[deployment].inFlight;
}

void LoadBalancer::attemptFinished(const QString &deployment)
{
    const auto it = m_stats.find(deployment);
    if (it != m_stats.end() && it->inFlight > 0)
        --it->inFlight;
}

void LoadBalancer::recordLatency(const QString &deployment, qint64 latencyMs)
{
    Stats &stats = m_stats[deployment];
    const double sample = double(qMax<qint64>(0, latencyMs));
    stats.averageLatencyMs = stats.averageLatencyMs < 0
        ? sample
        : LatencySmoothing * sample + (1.0 - LatencySmoothing) * stats.averageLatencyMs;
}

double LoadBalancer::averageLatencyMs(const QString &deployment) const
{
    const auto it = m_stats.constFind(deployment);
    return it == m_stats.constEnd() ? -1 : it->averageLatencyMs;
}

int LoadBalancer::inFlight(const QString &deployment) const
{
    const auto it = m_stats.constFind(deployment);
    return it == m_stats.constEnd() ? 0 : it->inFlight;
}

void LoadBalancer::retain(const QSet<QString> &deployments)
{
    for (auto it = m_stats.begin(); it != m_stats.end();) {
        if (deployments.contains(it.key()))
            ++it;
        else
            it = m_stats.erase(it);
    }
}

} // namespace sluice
