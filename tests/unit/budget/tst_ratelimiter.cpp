#include <QTest>

#include "gateway/RateLimiter.h"

using namespace sluice;

class RateLimiterTest : public QObject
{
    Q_OBJECT

private slots:
    void requestsPerMinuteSlideWithTheWindow()
    {
        RateLimiter limiter;
        const QString token = QStringLiteral("ci");
        QVERIFY(!limiter.admit(token, 3, 0, 1'000));
        QVERIFY(!limiter.admit(token, 3, 0, 21'000));
        QVERIFY(!limiter.admit(token, 3, 0, 41'000));
        const std::optional<RateLimiter::Refusal> refused = limiter.admit(token, 3, 0, 50'000);
        QVERIFY(refused);
        QCOMPARE(refused->retryAfterMs, 11'000); // the request at 1 s leaves the window at 61 s
        QVERIFY(refused->message.contains(QLatin1String("gateway token 'ci'")));
        QVERIFY(refused->message.contains(QLatin1String("3 requests per minute")));
        QVERIFY(!limiter.admit(token, 3, 0, 61'000));
        QVERIFY(limiter.admit(QStringLiteral("other"), 0, 0, 61'000) == std::nullopt); // no limits: never refused
    }

    void tokensPerMinuteCountCompletedRequests()
    {
        RateLimiter limiter;
        const QString token = QStringLiteral("ci");
        QVERIFY(!limiter.admit(token, 0, 1000, 0));
        QVERIFY(!limiter.admit(token, 0, 1000, 0)); // in flight: not estimated
        limiter.recordTokens(token, 600, 5'000);
        limiter.recordTokens(token, 600, 10'000);
        const std::optional<RateLimiter::Refusal> refused = limiter.admit(token, 0, 1000, 20'000);
        QVERIFY(refused);
        QCOMPARE(refused->retryAfterMs, 45'000); // 600 tokens leave at 65 s, leaving 600 < 1000
        QVERIFY(refused->message.contains(QLatin1String("1000 tokens per minute (1200 used")));
        QVERIFY(!limiter.admit(token, 0, 1000, 65'000));
    }
};

QTEST_GUILESS_MAIN(RateLimiterTest)
#include "tst_ratelimiter.moc"
