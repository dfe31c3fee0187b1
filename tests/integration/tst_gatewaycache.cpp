#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "cache/ResponseCache.h"
#include "cost/PriceCatalog.h"
#include "cost/RequestCost.h"
#include "store/Migrations.h"
#include "store/SqliteConnection.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// A migrated request log in a temporary folder, as the app has before the gateway starts.
QString migratedDatabase(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("sluice.db"));
    SqliteConnection connection;
    if (!connection.open(path, QStringLiteral("migrate"), SqliteConnection::Mode::ReadWrite).ok())
        return {};
    QSqlDatabase db = connection.database();
    return Migrations::apply(db, path).ok() ? path : QString();
}

// Counts generation requests that reached the provider.
int upstreamCalls(GatewayFixture &gateway)
{
    return int(gateway.upstream().requests().size());
}

const QByteArray CacheOn = "cache:\n  enabled: true\n  ttl: 1h\n";

} // namespace

class TestGatewayCache : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void secondRequestIsAHit();
    void streamedRequestReplaysANonStreamedAnswer();
    void nonStreamedRequestReplaysAStreamedAnswer();
    void anthropicClientGetsAnAnswerCachedFromAnotherFormat();
    void anthropicStreamRelayedAsSentIsCached();
    void responsesClientReplaysAsAResponsesStream();
    void entryExpires();
    void noCacheSkipsTheLookupAndNoStoreTheWrite();
    void explicitHeaderTurnsTheCacheOnAndOff();
    void errorsAndCutStreamsAreNotCached();
    void hitIsLoggedAtZeroWithTheSavedCost();
    void billedFailedAttemptIsCounted();
    void lastFailedAttemptIsNotCountedTwice();
    void hitsPassTheTokensLimitsFirst();

private:
    struct Setup
    {
        std::unique_ptr<QTemporaryDir> dir = std::make_unique<QTemporaryDir>();
        std::unique_ptr<GatewayFixture> gateway;
    };
    static Setup start(const QByteArray &yaml);
    static GatewayFixture::Reply chat(GatewayFixture &gateway, const QByteArray &body,
                                      const QList<QPair<QByteArray, QByteArray>> &headers = {});
    // The gateway's x-sluice-cache answer header for this chat request ("hit", "miss", ...).
    static QByteArray cacheOf(GatewayFixture &gateway, const QByteArray &body,
                              const QList<QPair<QByteArray, QByteArray>> &headers = {});
};

TestGatewayCache::Setup TestGatewayCache::start(const QByteArray &yaml)
{
    Setup setup;
    setup.gateway = std::make_unique<GatewayFixture>(yaml);
    const QString database = migratedDatabase(*setup.dir);
    if (database.isEmpty() || !setup.gateway->service().setCacheDatabase(database).ok())
        setup.gateway.reset();
    return setup;
}

GatewayFixture::Reply TestGatewayCache::chat(GatewayFixture &gateway, const QByteArray &body,
                                             const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request = gateway.request(QStringLiteral("/v1/chat/completions"));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    return gateway.post(request, body);
}

QByteArray TestGatewayCache::cacheOf(GatewayFixture &gateway, const QByteArray &body,
                                     const QList<QPair<QByteArray, QByteArray>> &headers)
{
    return chat(gateway, body, headers).header("x-sluice-cache");
}

void TestGatewayCache::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("SLUICE_RECORDINGS_DIR"),
             "Run this through ctest, or set SLUICE_RECORDINGS_DIR to the provider-recordings folder.");
}

void TestGatewayCache::secondRequestIsAHit()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    const auto first = chat(gateway, chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.header("x-sluice-cache"), QByteArray("miss"));
    const auto second = chat(gateway, chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(second.status, 200);
    QCOMPARE(second.header("x-sluice-cache"), QByteArray("hit"));
    QCOMPARE(upstreamCalls(gateway), 1);
    QCOMPARE(chatMessageText(second.body), chatMessageText(first.body));
    QVERIFY(chatMessageText(second.body).startsWith(QLatin1String("**Holiday Name")));
    QCOMPARE(jsonOf(second.body).value(QLatin1String("model")).toString(), QStringLiteral("gpt-test"));
    QCOMPARE(jsonOf(second.body).value(QLatin1String("usage")).toObject().value(QLatin1String("completion_tokens")),
             jsonOf(first.body).value(QLatin1String("usage")).toObject().value(QLatin1String("completion_tokens")));

    // Another prompt is a miss.
    const auto other = chat(gateway, chatBody(QStringLiteral("gpt-test"), false, {}, QStringLiteral("Another one.")));
    QCOMPARE(other.header("x-sluice-cache"), QByteArray("miss"));
    QCOMPARE(upstreamCalls(gateway), 2);

    QVERIFY(gateway.waitForRecords(3));
    const RequestRecord &hit = gateway.records.at(1);
    QVERIFY(hit.cacheHit);
    QVERIFY(!gateway.records.at(0).cacheHit);
    QCOMPARE(hit.httpStatus, 200);
    QCOMPARE(hit.provider, QStringLiteral("mock"));
    QCOMPARE(hit.upstreamModel, QStringLiteral("openai-text"));
    QCOMPARE(hit.attemptCount, 0);
    QVERIFY(hit.attempts.isEmpty());
    QCOMPARE(hit.outputTokens, gateway.records.at(0).outputTokens);
    QCOMPARE(hit.responseBody, second.body);
}

void TestGatewayCache::streamedRequestReplaysANonStreamedAnswer()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    const auto json = chat(gateway, chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(json.status, 200);
    const auto stream = chat(gateway, chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(stream.status, 200);
    QCOMPARE(stream.header("x-sluice-cache"), QByteArray("hit"));
    QVERIFY(stream.header("content-type").startsWith("text/event-stream"));
    QCOMPARE(upstreamCalls(gateway), 1);
    const QList<SseEvent> events = eventsOf(stream.body);
    QVERIFY2(events.size() >= 3, stream.body.left(2000).constData());
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    // The recorded stream and the recorded JSON answer differ: this text can only come from the cache.
    QCOMPARE(chatStreamText(eventsOf(stream.body)), chatMessageText(json.body));
    QVERIFY(gateway.waitForRecords(2));
    QVERIFY(gateway.records.at(1).stream);
    QVERIFY(gateway.records.at(1).timeToFirstTokenUs >= 0);
}

void TestGatewayCache::nonStreamedRequestReplaysAStreamedAnswer()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    const auto stream = chat(gateway, chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(stream.status, 200);
    QCOMPARE(stream.header("x-sluice-cache"), QByteArray("miss"));
    const QString streamed = chatStreamText(eventsOf(stream.body));
    QVERIFY(streamed.startsWith(QLatin1String("**Holiday Name")));

    const auto json = chat(gateway, chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(json.header("x-sluice-cache"), QByteArray("hit"));
    QCOMPARE(upstreamCalls(gateway), 1);
    QCOMPARE(chatMessageText(json.body), streamed);
    QCOMPARE(jsonOf(json.body).value(QLatin1String("usage")).toObject().value(QLatin1String("completion_tokens")), 300);

    // And streamed again, from the same entry.
    const auto again = chat(gateway, chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(again.header("x-sluice-cache"), QByteArray("hit"));
    QCOMPARE(chatStreamText(eventsOf(again.body)), streamed);
    QCOMPARE(upstreamCalls(gateway), 1);
}

void TestGatewayCache::anthropicClientGetsAnAnswerCachedFromAnotherFormat()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    // An Anthropic client streams from an OpenAI provider (translated), then asks the same without streaming.
    const auto body = [](bool stream) {
        return anthropicBody(QStringLiteral("gpt-test"), stream, QJsonObject {{QStringLiteral("max_tokens"), 1024}},
                             QStringLiteral("Invent a holiday."));
    };
    QNetworkRequest request = gateway.request(QStringLiteral("/v1/messages"));
    const auto streamed = gateway.post(request, body(true));
    QCOMPARE(streamed.status, 200);
    QCOMPARE(streamed.header("x-sluice-cache"), QByteArray("miss"));
    const QString streamedText = anthropicStreamText(eventsOf(streamed.body));
    const auto json = gateway.post(request, body(false));
    QCOMPARE(json.status, 200);
    QCOMPARE(json.header("x-sluice-cache"), QByteArray("hit"));
    QCOMPARE(upstreamCalls(gateway), 1);
    const QJsonObject message = jsonOf(json.body);
    QCOMPARE(message.value(QLatin1String("type")).toString(), QStringLiteral("message"));
    QCOMPARE(
        message.value(QLatin1String("content")).toArray().first().toObject().value(QLatin1String("text")).toString(),
        streamedText);

    // The OpenAI chat format is another key: a miss.
    QCOMPARE(cacheOf(gateway, chatBody(QStringLiteral("gpt-test"), false)), QByteArray("miss"));
    QCOMPARE(upstreamCalls(gateway), 2);
}

void TestGatewayCache::anthropicStreamRelayedAsSentIsCached()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    // Anthropic to Anthropic: the stream is relayed as the provider sent it, and still assembled for the cache.
    QNetworkRequest request = gateway.request(QStringLiteral("/v1/messages"));
    const auto streamed = gateway.post(request, anthropicBody(QStringLiteral("claude-test"), true));
    QCOMPARE(streamed.status, 200);
    QCOMPARE(streamed.header("x-sluice-cache"), QByteArray("miss"));
    const QString streamedText = anthropicStreamText(eventsOf(streamed.body));
    QVERIFY(!streamedText.isEmpty());
    const auto replayed = gateway.post(request, anthropicBody(QStringLiteral("claude-test"), false));
    QCOMPARE(replayed.status, 200);
    QCOMPARE(replayed.header("x-sluice-cache"), QByteArray("hit"));
    QCOMPARE(upstreamCalls(gateway), 1);
    QCOMPARE(jsonOf(replayed.body)
                 .value(QLatin1String("content"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("text"))
                 .toString(),
             streamedText);
}

void TestGatewayCache::responsesClientReplaysAsAResponsesStream()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    const QNetworkRequest request = gateway.request(QStringLiteral("/v1/responses"));
    const auto json = gateway.post(request, R"({"model":"claude-test","input":"Hello, how are you?"})");
    QCOMPARE(json.status, 200);
    QCOMPARE(json.header("x-sluice-cache"), QByteArray("miss"));
    const auto stream = gateway.post(request, R"({"model":"claude-test","input":"Hello, how are you?","stream":true})");
    QCOMPARE(stream.status, 200);
    QCOMPARE(stream.header("x-sluice-cache"), QByteArray("hit"));
    QCOMPARE(upstreamCalls(gateway), 1);
    const QList<SseEvent> events = eventsOf(stream.body);
    QVERIFY(events.size() > 3);
    QCOMPARE(events.first().event, QByteArray("response.created"));
    QCOMPARE(events.last().event, QByteArray("response.completed"));
    // The completed response carries the same output text as the JSON answer.
    const auto outputText = [](const QJsonObject &response) {
        QString text;
        for (const QJsonValue &item : response.value(QLatin1String("output")).toArray()) {
            for (const QJsonValue &part : item.toObject().value(QLatin1String("content")).toArray())
                text += part.toObject().value(QLatin1String("text")).toString();
        }
        return text;
    };
    const QString expected = outputText(jsonOf(json.body));
    QVERIFY(!expected.isEmpty());
    QCOMPARE(outputText(jsonOf(events.last().data).value(QLatin1String("response")).toObject()), expected);
}

void TestGatewayCache::entryExpires()
{
    Setup setup = start("cache:\n  enabled: true\n  ttl: 10m\n");
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    ResponseCache *cache = gateway.service().responseCache();
    QVERIFY(cache);
    qint64 now = 1'900'000'000'000;
    cache->setClock([&now] { return now; });

    QCOMPARE(cacheOf(gateway, chatBody(QStringLiteral("gpt-test"), false)), QByteArray("miss"));
    now += 10 * 60'000 - 1;
    QCOMPARE(cacheOf(gateway, chatBody(QStringLiteral("gpt-test"), false)), QByteArray("hit"));
    now += 1;
    QCOMPARE(cacheOf(gateway, chatBody(QStringLiteral("gpt-test"), false)), QByteArray("miss"));
    QCOMPARE(upstreamCalls(gateway), 2);
    // The fresh answer was stored again.
    QCOMPARE(cacheOf(gateway, chatBody(QStringLiteral("gpt-test"), false)), QByteArray("hit"));
    QCOMPARE(upstreamCalls(gateway), 2);
}

void TestGatewayCache::noCacheSkipsTheLookupAndNoStoreTheWrite()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    const QByteArray body = chatBody(QStringLiteral("gpt-test"), false);

    // no-store: answered, but not kept.
    QCOMPARE(cacheOf(gateway, body, {{"Cache-Control", "no-store"}}), QByteArray("miss"));
    QCOMPARE(cacheOf(gateway, body, {{"Cache-Control", "no-store"}}), QByteArray("miss"));
    QCOMPARE(upstreamCalls(gateway), 2);
    QCOMPARE(gateway.service().responseCache()->entryCount(), 0);

    QCOMPARE(cacheOf(gateway, body), QByteArray("miss"));
    QCOMPARE(cacheOf(gateway, body), QByteArray("hit"));
    QCOMPARE(upstreamCalls(gateway), 3);

    // no-cache: a fresh answer even though one is cached.
    QCOMPARE(cacheOf(gateway, body, {{"Cache-Control", "no-cache"}}), QByteArray("miss"));
    QCOMPARE(upstreamCalls(gateway), 4);
    QCOMPARE(gateway.service().responseCache()->entryCount(), 1);
}

void TestGatewayCache::explicitHeaderTurnsTheCacheOnAndOff()
{
    Setup setup = start({});
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    const QByteArray body = chatBody(QStringLiteral("gpt-test"), false);

    // No cache configured: not in play, no header.
    QVERIFY(!chat(gateway, body).headers.isEmpty());
    QVERIFY(cacheOf(gateway, body).isEmpty());
    QCOMPARE(upstreamCalls(gateway), 2);

    QCOMPARE(cacheOf(gateway, body, {{"x-sluice-cache", "on"}}), QByteArray("miss"));
    QCOMPARE(cacheOf(gateway, body, {{"x-sluice-cache", "on"}}), QByteArray("hit"));
    QCOMPARE(upstreamCalls(gateway), 3);
    // Requests without the header still do not use it.
    QVERIFY(cacheOf(gateway, body).isEmpty());
    QCOMPARE(upstreamCalls(gateway), 4);
    QVERIFY(cacheOf(gateway, body, {{"x-sluice-cache", "off"}}).isEmpty());
    QCOMPARE(upstreamCalls(gateway), 5);
}

void TestGatewayCache::errorsAndCutStreamsAreNotCached()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;

    // A client error from the provider: not cached.
    gateway.upstream().enqueueFault(MockFault::httpStatus(400));
    const auto refused = chat(gateway, chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.header("x-sluice-cache"), QByteArray("miss"));
    QCOMPARE(gateway.service().responseCache()->entryCount(), 0);

    // A stream cut after content began: the client got an error event; nothing is cached.
    gateway.upstream().enqueueFault(MockFault::resetMidStream(20));
    const auto cut = chat(gateway, chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(cut.status, 200);
    QVERIFY(eventsOf(cut.body).last().data != "[DONE]");
    QCOMPARE(gateway.service().responseCache()->entryCount(), 0);

    // A stream closed cleanly but without [DONE]: incomplete, not cached.
    gateway.upstream().enqueueFault(MockFault::truncatedStream(20));
    chat(gateway, chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(gateway.service().responseCache()->entryCount(), 0);

    const int before = upstreamCalls(gateway);
    QCOMPARE(cacheOf(gateway, chatBody(QStringLiteral("gpt-test"), true)), QByteArray("miss"));
    QCOMPARE(upstreamCalls(gateway), before + 1);
    QCOMPARE(gateway.service().responseCache()->entryCount(), 1);
}

void TestGatewayCache::hitIsLoggedAtZeroWithTheSavedCost()
{
    Setup setup = start(CacheOn);
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    Result<PriceCatalog> catalog = PriceCatalog::builtIn();
    QVERIFY(catalog.ok());
    // $2 per million input tokens, $8 per million output tokens.
    Config prices;
    PriceOverride price;
    price.model = QStringLiteral("openai-text");
    price.inputMtok = 2;
    price.outputMtok = 8;
    prices.prices.overrides.append(price);

    const QByteArray body = chatBody(QStringLiteral("gpt-test"), false);
    QCOMPARE(cacheOf(gateway, body), QByteArray("miss"));
    QCOMPARE(cacheOf(gateway, body), QByteArray("hit"));
    QVERIFY(gateway.waitForRecords(2));
    RequestRecord bought = gateway.records.at(0);
    RequestRecord hit = gateway.records.at(1);
    priceRecord(bought, catalog.value(), prices);
    priceRecord(hit, catalog.value(), prices);

    // 16 input and 363 output tokens: 16 × $2/M + 363 × $8/M = $0.000032 + $0.002904 = $0.002936.
    QCOMPARE(bought.costStatus, QStringLiteral("exact"));
    QCOMPARE(qRound64(bought.costUsd * 1e9), qint64(2'936'000));
    QVERIFY(bought.savedUsd < 0);
    QCOMPARE(hit.costStatus, QStringLiteral("cached"));
    QCOMPARE(hit.costUsd, 0.0);
    QCOMPARE(qRound64(hit.savedUsd * 1e9), qint64(2'936'000));
}

void TestGatewayCache::billedFailedAttemptIsCounted()
{
    GatewayFixture gateway;
    // Anthropic's stream reports its input tokens in message_start; the connection then breaks before any content,
    // and the retry answers.
    gateway.upstream().enqueueFault(MockFault::resetMidStream(1).forModel(QStringLiteral("anthropic-text")));
    const auto reply = chat(gateway, chatBody(QStringLiteral("claude-test"), true));
    QCOMPARE(reply.status, 200);
    QCOMPARE(eventsOf(reply.body).last().data, QByteArray("[DONE]"));
    QCOMPARE(upstreamCalls(gateway), 2);
    QVERIFY(gateway.waitForRecords(1));
    RequestRecord record = gateway.records.first();
    QCOMPARE(record.attempts.size(), 2);
    const AttemptRecord &failed = record.attempts.first();
    QVERIFY2(failed.inputTokens > 0, "the failed attempt's reported usage was not kept");
    QCOMPARE(failed.inputTokens, record.inputTokens);
    QCOMPARE(record.attempts.last().inputTokens, -1); // the answer's usage is the request's own

    Result<PriceCatalog> catalog = PriceCatalog::builtIn();
    QVERIFY(catalog.ok());
    Config prices;
    PriceOverride price;
    price.model = QStringLiteral("anthropic-text");
    price.inputMtok = 1;
    price.outputMtok = 5;
    prices.prices.overrides.append(price);
    priceRecord(record, catalog.value(), prices);
    QCOMPARE(record.costStatus, QStringLiteral("exact"));
    // The input was billed twice: once for the failed attempt (with what it reported of its output), once for the
    // answer.
    const double failedUsd = (failed.inputTokens * 1.0 + qMax<qint64>(0, failed.outputTokens) * 5.0) / 1e6;
    const double answerUsd = (record.inputTokens * 1.0 + record.outputTokens * 5.0) / 1e6;
    QVERIFY2(qAbs(record.costUsd - (failedUsd + answerUsd)) < 1e-12,
             qPrintable(QStringLiteral("%1 instead of %2 + %3 (failed attempt: %4 in, %5 out)")
                            .arg(record.costUsd, 0, 'g', 12)
                            .arg(failedUsd, 0, 'g', 12)
                            .arg(answerUsd, 0, 'g', 12)
                            .arg(failed.inputTokens)
                            .arg(failed.outputTokens)));
    QVERIFY(failedUsd > 0);
}

void TestGatewayCache::lastFailedAttemptIsNotCountedTwice()
{
    GatewayFixture gateway;
    // Both tries break after message_start: the first is a billed failed attempt, the last one's usage is the
    // request's own (estimated as a cut stream), never both.
    gateway.upstream().enqueueFault(
        MockFault::resetMidStream(1).forModel(QStringLiteral("anthropic-text")).repeated(2));
    const auto reply = chat(gateway, chatBody(QStringLiteral("claude-test"), true));
    QCOMPARE(reply.status, 502);
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.attempts.size(), 2);
    QVERIFY(record.attempts.first().inputTokens > 0);
    QCOMPARE(record.attempts.last().inputTokens, -1);
    QCOMPARE(record.inputTokens, record.attempts.first().inputTokens);
}

// The cache is looked up after admission: a hit costs nothing but still counts against the token's rate limit.
void TestGatewayCache::hitsPassTheTokensLimitsFirst()
{
    Setup setup = start("    rpm: 2\n" + CacheOn); // the fixture's token 'editor', two requests a minute
    QVERIFY(setup.gateway);
    GatewayFixture &gateway = *setup.gateway;
    const QByteArray body = chatBody(QStringLiteral("gpt-test"), false);
    QCOMPARE(cacheOf(gateway, body), QByteArray("miss"));
    QCOMPARE(cacheOf(gateway, body), QByteArray("hit"));
    const auto third = chat(gateway, body);
    QCOMPARE(third.status, 429);
    QVERIFY(!third.header("Retry-After").isEmpty());
    QVERIFY(third.header("x-sluice-cache").isEmpty());
    QCOMPARE(upstreamCalls(gateway), 1);
}

QTEST_GUILESS_MAIN(TestGatewayCache)
#include "tst_gatewaycache.moc"
