#include <QTest>

#include "routing/KeyRotator.h"
#include "routing/ManualClock.h"

using namespace sluice;

namespace {
SecretRef key(const QString &name)
{
    return SecretRef::parse(QStringLiteral("keychain:") + name);
}
} // namespace

class TestKeyRotator : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_clock = std::make_shared<ManualClock>();
        m_rotator = std::make_unique<KeyRotator>(m_clock);
        m_rotator->setKeys(QStringLiteral("openai"),
                           {key(QStringLiteral("k1")), key(QStringLiteral("k2")), key(QStringLiteral("k3"))});
    }
    void firstKeyIsCurrentUntilA429();
    void a429RotatesToTheNextKey();
    void restingKeysAreSkippedUntilTheirRestEnds();
    void whenAllRestTheSoonestBackIsUsed();
    void a429OnAnOldKeyDoesNotSkipTheCurrentOne();
    void providersWithoutKeysHaveNone();
    void reloadingKeepsStateOfKeysThatRemain();
    void statusShowsReferencesOnly();

private:
    std::shared_ptr<ManualClock> m_clock;
    std::unique_ptr<KeyRotator> m_rotator;
};

void TestKeyRotator::firstKeyIsCurrentUntilA429()
{
    for (int i = 0; i < 3; ++i)
        QCOMPARE(m_rotator->current(QStringLiteral("openai")), key(QStringLiteral("k1")));
}

void TestKeyRotator::a429RotatesToTheNextKey()
{
    QCOMPARE(m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k1")), 60'000),
             key(QStringLiteral("k2")));
    QCOMPARE(m_rotator->current(QStringLiteral("openai")), key(QStringLiteral("k2")));
    QVERIFY(m_rotator->isResting(QStringLiteral("openai"), key(QStringLiteral("k1"))));
    QCOMPARE(m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k2")), 60'000),
             key(QStringLiteral("k3")));
}

void TestKeyRotator::restingKeysAreSkippedUntilTheirRestEnds()
{
    m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k1")), 10'000);
    m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k2")), 30'000);
    QCOMPARE(m_rotator->current(QStringLiteral("openai")), key(QStringLiteral("k3")));
    // k1 has rested, but the current key stays current until it is itself rate limited.
    m_clock->advance(10'000);
    QVERIFY(!m_rotator->isResting(QStringLiteral("openai"), key(QStringLiteral("k1"))));
    QCOMPARE(m_rotator->current(QStringLiteral("openai")), key(QStringLiteral("k3")));
    // k3's 429 wraps around to k1 (rested), not k2 (still resting).
    QCOMPARE(m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k3")), 30'000),
             key(QStringLiteral("k1")));
}

void TestKeyRotator::whenAllRestTheSoonestBackIsUsed()
{
    m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k1")), 50'000);
    m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k2")), 5'000);
    const SecretRef chosen = m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k3")), 40'000);
    QCOMPARE(chosen, key(QStringLiteral("k2")));
    QVERIFY(m_rotator->isResting(QStringLiteral("openai"), chosen));
}

void TestKeyRotator::a429OnAnOldKeyDoesNotSkipTheCurrentOne()
{
    m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k1")), 1'000);
    QCOMPARE(m_rotator->current(QStringLiteral("openai")), key(QStringLiteral("k2")));
    // A request that still used k1 reports its 429 late: k2 stays current.
    QCOMPARE(m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k1")), 1'000),
             key(QStringLiteral("k2")));
}

void TestKeyRotator::providersWithoutKeysHaveNone()
{
    QVERIFY(m_rotator->current(QStringLiteral("ollama")).isNull());
    m_rotator->setKeys(QStringLiteral("ollama"), {});
    QVERIFY(m_rotator->current(QStringLiteral("ollama")).isNull());
    QVERIFY(m_rotator->rateLimited(QStringLiteral("ollama"), SecretRef(), 1'000).isNull());
}

void TestKeyRotator::reloadingKeepsStateOfKeysThatRemain()
{
    m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k1")), 60'000);
    m_rotator->setKeys(QStringLiteral("openai"), {key(QStringLiteral("k1")), key(QStringLiteral("k2"))});
    QCOMPARE(m_rotator->current(QStringLiteral("openai")), key(QStringLiteral("k2")));
    QVERIFY(m_rotator->isResting(QStringLiteral("openai"), key(QStringLiteral("k1"))));
    m_rotator->retainProviders({});
    QVERIFY(m_rotator->current(QStringLiteral("openai")).isNull());
}

void TestKeyRotator::statusShowsReferencesOnly()
{
    m_rotator->rateLimited(QStringLiteral("openai"), key(QStringLiteral("k1")), 20'000);
    const QList<KeyRotator::KeyStatus> status = m_rotator->status(QStringLiteral("openai"));
    QCOMPARE(status.size(), 3);
    QCOMPARE(status.at(0).key, QStringLiteral("keychain:k1"));
    QCOMPARE(status.at(0).restingForMs, 20'000);
    QVERIFY(!status.at(0).current);
    QVERIFY(status.at(1).current);
    QCOMPARE(status.at(1).restingForMs, 0);
}

QTEST_GUILESS_MAIN(TestKeyRotator)
#include "tst_keyrotator.moc"
