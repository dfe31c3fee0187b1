#include <QFile>
#include <QTest>

#include "routing/RetryPolicy.h"

using namespace sluice;

namespace {
const QDateTime Now(QDate(2025, 1, 1), QTime(12, 0), Qt::UTC);

RetrySettings settings(int attempts, int backoffMs, int maxBackoffMs)
{
    RetrySettings result;
    result.attempts = attempts;
    result.backoffMs = backoffMs;
    result.maxBackoffMs = maxBackoffMs;
    return result;
}
} // namespace

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private slots:
    void backoffDoublesUpToTheCap();
    void fullJitterStaysWithinBoundsAndSpreads();
    void retryAfter_data();
    void retryAfter();
    void retryAfterMsTakesPrecedence();
    void geminiRetryInfoFromRecording();
    void geminiRetryInfoShapes();
    void noHintMeansNoServerDelay();
    void retriesStopWhenAttemptsAreUsed();
    void serverDelayOverridesShorterBackoff();
    void serverDelayLongerThanMaxBackoffIsNotWaitedFor();
    void deadlineCutsRetries();
};

void TestRetryPolicy::backoffDoublesUpToTheCap()
{
    const RetryPolicy policy(settings(10, 250, 8000));
    const QList<qint64> expected = {250, 500, 1000, 2000, 4000, 8000, 8000, 8000};
    for (int retry = 1; retry <= expected.size(); ++retry)
        QCOMPARE(policy.backoffCeilingMs(retry), expected.at(retry - 1));
    QCOMPARE(RetryPolicy(settings(3, 0, 0)).backoffCeilingMs(5), 0);
}

void TestRetryPolicy::fullJitterStaysWithinBoundsAndSpreads()
{
    const RetryPolicy policy(settings(10, 250, 8000));
    QRandomGenerator random(42);
    const int samples = 4000;
    qint64 low = std::numeric_limits<qint64>::max();
    qint64 high = 0;
    double sum = 0;
    for (int i = 0; i < samples; ++i) {
        const qint64 wait = policy.backoffMs(3, random);
        QVERIFY(wait >= 0 && wait <= 1000);
        low = qMin(low, wait);
        high = qMax(high, wait);
        sum += double(wait);
    }
    // Full jitter: uniform over [0, 1000], so the waits cover the whole range and average about half of it.
    QVERIFY2(low < 50, qPrintable(QString::number(low)));
    QVERIFY2(high > 950, qPrintable(QString::number(high)));
    const double mean = sum / samples;
    QVERIFY2(mean > 450 && mean < 550, qPrintable(QString::number(mean)));
}

void TestRetryPolicy::retryAfter_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("expectedMs");
    QTest::newRow("seconds") << QByteArray("12") << qint64(12'000);
    QTest::newRow("fractional seconds") << QByteArray(" 1.5 ") << qint64(1'500);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("IMF-fixdate") << QByteArray("Wed, 01 Jan 2025 12:00:30 GMT") << qint64(30'000);
    QTest::newRow("date in the past") << QByteArray("Tue, 31 Dec 2024 23:59:00 GMT") << qint64(0);
    QTest::newRow("asctime date") << QByteArray("Wed Jan  1 12:00:05 2025") << qint64(5'000);
    QTest::newRow("RFC 850 date") << QByteArray("Wednesday, 01-Jan-25 12:01:00 GMT") << qint64(60'000);
    QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
    QTest::newRow("negative") << QByteArray("-3") << qint64(-1);
}

void TestRetryPolicy::retryAfter()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, expectedMs);
    const std::optional<qint64> parsed = RetryPolicy::parseRetryAfter(value, Now);
    QCOMPARE(parsed.value_or(-1), expectedMs);
    const HttpHeaders headers {{"Retry-After", value}};
    QCOMPARE(RetryPolicy::serverDelayMs(headers, {}, Now).value_or(-1), expectedMs);
}

void TestRetryPolicy::retryAfterMsTakesPrecedence()
{
    const HttpHeaders headers {{"retry-after", "30"}, {"retry-after-ms", "1250"}};
    QCOMPARE(RetryPolicy::serverDelayMs(headers, {}, Now).value_or(-1), 1250);
    // An unreadable retry-after-ms falls back on Retry-After.
    const HttpHeaders broken {{"retry-after", "30"}, {"retry-after-ms", "later"}};
    QCOMPARE(RetryPolicy::serverDelayMs(broken, {}, Now).value_or(-1), 30'000);
}

void TestRetryPolicy::geminiRetryInfoFromRecording()
{
    QFile file(qEnvironmentVariable("SLUICE_RECORDINGS_DIR") + QStringLiteral("/google/google-429-retry-info.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QByteArray body = file.readAll();
    QCOMPARE(RetryPolicy::parseGeminiRetryDelay(body).value_or(-1), 34'400);
    QCOMPARE(RetryPolicy::serverDelayMs({}, body, Now).value_or(-1), 34'400);
    // A header, when present, wins over the body.
    QCOMPARE(RetryPolicy::serverDelayMs({{"Retry-After", "2"}}, body, Now).value_or(-1), 2'000);
}

void TestRetryPolicy::geminiRetryInfoShapes()
{
    QCOMPARE(
        RetryPolicy::parseGeminiRetryDelay(
            R"([{"error":{"code":429,"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}])")
            .value_or(-1),
        7'000);
    QCOMPARE(
        RetryPolicy::parseGeminiRetryDelay(
            R"({"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":{"seconds":"3","nanos":500000000}}]}})")
            .value_or(-1),
        3'500);
    QVERIFY(!RetryPolicy::parseGeminiRetryDelay(
        R"({"error":{"details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure"}]}})"));
}

void TestRetryPolicy::noHintMeansNoServerDelay()
{
    QVERIFY(!RetryPolicy::serverDelayMs({{"content-type", "application/json"}}, R"({"error":{}})", Now));
}

void TestRetryPolicy::retriesStopWhenAttemptsAreUsed()
{
    const RetryPolicy policy(settings(3, 100, 1000));
    QRandomGenerator random(1);
    QVERIFY(policy.decide(1, std::nullopt, 60'000, random).retry);
    QVERIFY(policy.decide(2, std::nullopt, 60'000, random).retry);
    const RetryVerdict exhausted = policy.decide(3, std::nullopt, 60'000, random);
    QVERIFY(!exhausted.retry);
    QVERIFY2(exhausted.reason.contains(QLatin1String("attempts: 3")), qPrintable(exhausted.reason));
    QVERIFY(!RetryPolicy(settings(1, 100, 1000)).decide(1, std::nullopt, 60'000, random).retry);
}

void TestRetryPolicy::serverDelayOverridesShorterBackoff()
{
    const RetryPolicy policy(settings(2, 100, 8000));
    QRandomGenerator random(7);
    const RetryVerdict verdict = policy.decide(1, 2'000, 60'000, random);
    QVERIFY(verdict.retry);
    QCOMPARE(verdict.waitMs, 2'000);
    QVERIFY2(verdict.reason.contains(QLatin1String("provider asked")), qPrintable(verdict.reason));
}

void TestRetryPolicy::serverDelayLongerThanMaxBackoffIsNotWaitedFor()
{
    const RetryPolicy policy(settings(3, 250, 8000));
    QRandomGenerator random(7);
    const RetryVerdict verdict = policy.decide(1, 34'400, 600'000, random);
    QVERIFY(!verdict.retry);
    QVERIFY2(verdict.reason.contains(QLatin1String("34 s")), qPrintable(verdict.reason));
}

void TestRetryPolicy::deadlineCutsRetries()
{
    const RetryPolicy policy(settings(5, 1000, 8000));
    QRandomGenerator random(3);
    const RetryVerdict tooLate = policy.decide(1, 3'000, 2'500, random);
    QVERIFY(!tooLate.retry);
    QVERIFY2(tooLate.reason.contains(QLatin1String("deadline")), qPrintable(tooLate.reason));
    // The same wait fits when enough time is left.
    QVERIFY(policy.decide(1, 3'000, 10'000, random).retry);
    // Backoff alone can be cut too: 4th retry's ceiling is 8 s, and nothing is left.
    QVERIFY(!policy.decide(4, std::nullopt, 0, random).retry);
}

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
