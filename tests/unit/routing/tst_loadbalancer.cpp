#include <QTest>

#include "routing/CircuitBreakers.h"
#include "routing/LoadBalancer.h"
#include "routing/ManualClock.h"

using namespace sluice;

namespace {
ModelDeployment deployment(const QString &provider, int weight = 1)
{
    ModelDeployment result;
    result.provider = provider;
    result.upstreamModel = QStringLiteral("gpt-4.1");
    result.weight = weight;
    return result;
}

QStringList providers(const QList<ModelDeployment> &deployments)
{
    QStringList result;
    for (const ModelDeployment &d : deployments)
        result.append(d.provider);
    return result;
}
} // namespace

class TestLoadBalancer : public QObject
{
    Q_OBJECT

private slots:
    void weightedPicksFollowTheWeights();
    void weightedOrderListsEveryDeploymentOnce();
    void zeroWeightIsOnlyABackup();
    void leastLatencyPrefersTheFastestAverage();
    void latencyIsAMovingAverage();
    void leastInFlightPrefersTheIdlest();
    void openBreakersAreSkipped();
    void sameSeedSameOrder();
};

void TestLoadBalancer::weightedPicksFollowTheWeights()
{
    LoadBalancer balancer(2024);
    const QList<ModelDeployment> group
        = {deployment(QStringLiteral("openai"), 3), deployment(QStringLiteral("azure"), 1)};
    const int picks = 20'000;
    int openai = 0;
    for (int i = 0; i < picks; ++i) {
        if (balancer.rank(group, BalanceStrategy::Weighted).first().provider == QLatin1String("openai"))
            ++openai;
    }
    const double share = double(openai) / picks;
    QVERIFY2(share > 0.73 && share < 0.77, qPrintable(QString::number(share)));

    const QList<ModelDeployment> three
        = {deployment(QStringLiteral("a"), 1), deployment(QStringLiteral("b"), 2), deployment(QStringLiteral("c"), 7)};
    QHash<QString, int> counts;
    for (int i = 0; i < picks; ++i)
        ++counts[balancer.rank(three, BalanceStrategy::Weighted).first().provider];
    QVERIFY(qAbs(double(counts.value(QStringLiteral("a"))) / picks - 0.1) < 0.02);
    QVERIFY(qAbs(double(counts.value(QStringLiteral("b"))) / picks - 0.2) < 0.02);
    QVERIFY(qAbs(double(counts.value(QStringLiteral("c"))) / picks - 0.7) < 0.02);
}

void TestLoadBalancer::weightedOrderListsEveryDeploymentOnce()
{
    LoadBalancer balancer(5);
    const QList<ModelDeployment> group
        = {deployment(QStringLiteral("a"), 5), deployment(QStringLiteral("b"), 1), deployment(QStringLiteral("c"), 2)};
    for (int i = 0; i < 50; ++i) {
        QStringList order = providers(balancer.rank(group, BalanceStrategy::Weighted));
        order.sort();
        QCOMPARE(order, QStringList({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
    }
}

void TestLoadBalancer::zeroWeightIsOnlyABackup()
{
    LoadBalancer balancer(9);
    const QList<ModelDeployment> group
        = {deployment(QStringLiteral("backup"), 0), deployment(QStringLiteral("main"), 1)};
    for (BalanceStrategy strategy :
         {BalanceStrategy::Weighted, BalanceStrategy::LeastLatency, BalanceStrategy::LeastInFlight}) {
        for (int i = 0; i < 100; ++i)
            QCOMPARE(providers(balancer.rank(group, strategy)),
                     QStringList({QStringLiteral("main"), QStringLiteral("backup")}));
    }
}

void TestLoadBalancer::leastLatencyPrefersTheFastestAverage()
{
    LoadBalancer balancer(1);
    const ModelDeployment slow = deployment(QStringLiteral("slow"));
    const ModelDeployment fast = deployment(QStringLiteral("fast"));
    const ModelDeployment fresh = deployment(QStringLiteral("fresh"));
    balancer.recordLatency(slow.id(), 900);
    balancer.recordLatency(fast.id(), 120);
    // Unmeasured deployments go first, so each gets measured.
    for (int i = 0; i < 20; ++i)
        QCOMPARE(providers(balancer.rank({slow, fast, fresh}, BalanceStrategy::LeastLatency)),
                 QStringList({QStringLiteral("fresh"), QStringLiteral("fast"), QStringLiteral("slow")}));
    balancer.recordLatency(fresh.id(), 2'000);
    QCOMPARE(providers(balancer.rank({slow, fast, fresh}, BalanceStrategy::LeastLatency)),
             QStringList({QStringLiteral("fast"), QStringLiteral("slow"), QStringLiteral("fresh")}));
}

void TestLoadBalancer::latencyIsAMovingAverage()
{
    LoadBalancer balancer(1);
    const QString id = deployment(QStringLiteral("a")).id();
    QCOMPARE(balancer.averageLatencyMs(id), -1.0);
    balancer.recordLatency(id, 100);
    QCOMPARE(balancer.averageLatencyMs(id), 100.0);
    balancer.recordLatency(id, 1'100);
    QCOMPARE(balancer.averageLatencyMs(id), 100.0 + LoadBalancer::LatencySmoothing * 1'000);
    // One slow answer moves the average but does not replace it.
    const ModelDeployment a = deployment(QStringLiteral("a"));
    const ModelDeployment b = deployment(QStringLiteral("b"));
    balancer.recordLatency(b.id(), 350);
    QCOMPARE(balancer.rank({a, b}, BalanceStrategy::LeastLatency).first().provider, QStringLiteral("b"));
    balancer.recordLatency(a.id(), 100);
    balancer.recordLatency(a.id(), 100);
    QCOMPARE(balancer.rank({a, b}, BalanceStrategy::LeastLatency).first().provider, QStringLiteral("a"));
}

void TestLoadBalancer::leastInFlightPrefersTheIdlest()
{
    LoadBalancer balancer(1);
    const ModelDeployment a = deployment(QStringLiteral("a"));
    const ModelDeployment b = deployment(QStringLiteral("b"));
    const ModelDeployment c = deployment(QStringLiteral("c"));
    balancer.attemptStarted(a.id());
    balancer.attemptStarted(a.id());
    balancer.attemptStarted(c.id());
    QCOMPARE(balancer.inFlight(a.id()), 2);
    QCOMPARE(providers(balancer.rank({a, b, c}, BalanceStrategy::LeastInFlight)),
             QStringList({QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("a")}));
    balancer.attemptFinished(a.id());
    balancer.attemptFinished(a.id());
    balancer.attemptStarted(b.id());
    balancer.attemptStarted(b.id());
    QCOMPARE(providers(balancer.rank({a, b, c}, BalanceStrategy::LeastInFlight)),
             QStringList({QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("b")}));
    // Finishing more than started never goes below zero.
    balancer.attemptFinished(a.id());
    QCOMPARE(balancer.inFlight(a.id()), 0);
}

void TestLoadBalancer::openBreakersAreSkipped()
{
    auto clock = std::make_shared<ManualClock>();
    BreakerSettings settings;
    settings.failures = 1;
    CircuitBreakers breakers(clock, settings);
    LoadBalancer balancer(3);
    const ModelDeployment a = deployment(QStringLiteral("a"), 100);
    const ModelDeployment b = deployment(QStringLiteral("b"), 1);
    CircuitBreaker &breaker = breakers.breaker(a.id());
    breaker.recordFailure(breaker.acquire(), FailureClass::ServerError);
    for (BalanceStrategy strategy :
         {BalanceStrategy::Weighted, BalanceStrategy::LeastLatency, BalanceStrategy::LeastInFlight}) {
        const LoadBalancer::Order order = balancer.order({a, b}, strategy, breakers);
        QCOMPARE(providers(order.usable), QStringList({QStringLiteral("b")}));
        QCOMPARE(providers(order.skipped), QStringList({QStringLiteral("a")}));
    }
    clock->advance(qint64(settings.cooldownS) * 1000);
    QCOMPARE(balancer.order({a, b}, BalanceStrategy::Weighted, breakers).usable.size(), 2);
}

void TestLoadBalancer::sameSeedSameOrder()
{
    const QList<ModelDeployment> group
        = {deployment(QStringLiteral("a"), 1), deployment(QStringLiteral("b"), 1), deployment(QStringLiteral("c"), 1)};
    LoadBalancer first(77);
    LoadBalancer second(77);
    for (int i = 0; i < 20; ++i)
        QCOMPARE(providers(first.rank(group, BalanceStrategy::Weighted)),
                 providers(second.rank(group, BalanceStrategy::Weighted)));
}

QTEST_GUILESS_MAIN(TestLoadBalancer)
#include "tst_loadbalancer.moc"
