#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "routing/ManualClock.h"

using namespace sluice;
using namespace sluice::test;

class TestGateway : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void nonStreamedCompletionIsRelayedAndLogged();
    void streamIsRelayedAndUsageChunkHiddenWhenNotAsked();
    void streamKeepsUsageChunkWhenClientAsks();
    void authentication_data();
    void authentication();
    void hostAndOriginAreGuarded();
    void badRequestsGetClearErrors();
    void upstreamErrorKeepsStatusAndMessage();
    void unreachableUpstreamIs502();
    void cutStreamEndsWithExplicitError();
    void clientDisconnectCancelsUpstream();
    void modelsAndHealth();
    void pausedGatewayRefuses();
    void bodiesAreNotStoredWhenTurnedOff();
    void retryHonoursRetryAfterThenSucceeds();
    void faultIsRetriedTransparently_data();
    void faultIsRetriedTransparently();
    void serverErrorsFallBackToAnotherModelAndFormat();
    void streamFallsBackBeforeFirstByte();
    void clientErrorDoesNotFallBack();
    void breakerStateIsVisible();
    void breakerOpensSkipsProbesAndRecoversOnFakeClock();
    void failureClassDecidesFallback_data();
    void failureClassDecidesFallback();
    void rateLimitedKeyRotatesToTheNext();
    void anthropicClientToOpenAiProvider();
    void anthropicClientStreamFromOpenAiProvider();
    void openAiClientToAnthropicProvider_data();
    void openAiClientToAnthropicProvider();
    void openAiClientToGeminiProvider();
    void azureDeploymentUrlAndKeyHeader();
    void responsesClientStreamFromAnthropicProvider();
    void requestsAreAttributed();
};

void TestGateway::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("SLUICE_RECORDINGS_DIR"),
             "Run this through ctest, or set SLUICE_RECORDINGS_DIR to the provider-recordings folder.");
}

void TestGateway::nonStreamedCompletionIsRelayedAndLogged()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(reply.status, 200);
    QVERIFY(chatMessageText(reply.body).startsWith(QLatin1String("**Holiday Name")));
    QVERIFY(!reply.header("x-sluice-request-id").isEmpty());

    // The upstream got the configured upstream model name and the provider key, never the gateway token.
    const ReceivedRequest sent = gateway.upstream().lastRequest();
    QCOMPARE(sent.path, QByteArray("/v1/chat/completions"));
    QCOMPARE(sent.json().value(QLatin1String("model")).toString(), QStringLiteral("openai-text"));
    QCOMPARE(sent.headers.value("authorization"), QByteArray("Bearer sk-provider-secret-value"));

    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.httpStatus, 200);
    QCOMPARE(record.tokenName, QStringLiteral("editor"));
    QCOMPARE(record.requestedModel, QStringLiteral("gpt-test"));
    QCOMPARE(record.provider, QStringLiteral("mock"));
    QCOMPARE(record.upstreamModel, QStringLiteral("openai-text"));
    QCOMPARE(record.endpoint, QStringLiteral("/v1/chat/completions"));
    QVERIFY(!record.stream);
    QCOMPARE(record.inputTokens, 16);
    QCOMPARE(record.outputTokens, 363);
    QCOMPARE(record.cachedTokens, 0);
    QCOMPARE(record.reasoningTokens, 0);
    QVERIFY(record.latencyUs > 0);
    QCOMPARE(record.timeToFirstTokenUs, -1);
    QVERIFY(record.errorClass.isEmpty());
    QCOMPARE(record.requestBody, chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(record.responseBody, reply.body);
    QVERIFY(!record.requestBody.contains(TestToken));
}

void TestGateway::streamIsRelayedAndUsageChunkHiddenWhenNotAsked()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("content-type").startsWith("text/event-stream"));
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() > 100);
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    for (const SseEvent &event : events.first(events.size() - 1)) {
        const QJsonObject chunk = jsonOf(event.data);
        QVERIFY2(!chunk.value(QLatin1String("choices")).toArray().isEmpty(), "usage-only chunk leaked to client");
    }
    QVERIFY(chatStreamText(events).startsWith(QLatin1String("**Holiday Name")));

    // Sluice asked upstream for usage on the client's behalf, and logged it.
    QCOMPARE(gateway.upstream()
                 .lastRequest()
                 .json()
                 .value(QLatin1String("stream_options"))
                 .toObject()
                 .value(QLatin1String("include_usage"))
                 .toBool(),
             true);
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QVERIFY(record.stream);
    QCOMPARE(record.httpStatus, 200);
    QCOMPARE(record.inputTokens, 16);
    QCOMPARE(record.outputTokens, 300);
    QVERIFY(record.timeToFirstTokenUs > 0);
    QVERIFY(record.timeToFirstTokenUs <= record.latencyUs);
    QVERIFY(record.responseBody.startsWith("data: {"));
    // The model the provider says served it, read from the chunks before the first content.
    const QString served = jsonOf(events.first().data).value(QLatin1String("model")).toString();
    QVERIFY(!served.isEmpty());
    QCOMPARE(record.servedModel, served == record.upstreamModel ? QString() : served);
}

void TestGateway::streamKeepsUsageChunkWhenClientAsks()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("openai-text"), true,
                                             QJsonObject {{QStringLiteral("stream_options"),
                                                           QJsonObject {{QStringLiteral("include_usage"), true}}}}));
    QCOMPARE(reply.status, 200);
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() >= 2);
    const QJsonObject usageChunk = jsonOf(events.at(events.size() - 2).data);
    QCOMPARE(usageChunk.value(QLatin1String("usage")).toObject().value(QLatin1String("completion_tokens")).toInt(),
             300);
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().outputTokens, 300);
}

void TestGateway::authentication_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("missing") << QByteArray() << QByteArray() << 401 << QStringLiteral("Missing gateway token");
    QTest::newRow("wrong bearer") << QByteArray("Authorization") << QByteArray("Bearer nope") << 401
                                  << QStringLiteral("not valid");
    QTest::newRow("x-api-key") << QByteArray("x-api-key") << QByteArray(TestToken) << 200 << QString();
    QTest::newRow("bearer") << QByteArray("Authorization") << QByteArray("Bearer ") + TestToken << 200 << QString();
}

void TestGateway::authentication()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QFETCH(int, status);
    QFETCH(QString, mentions);
    GatewayFixture gateway;
    QNetworkRequest request = gateway.request(QStringLiteral("/v1/chat/completions"), {});
    if (!header.isEmpty())
        request.setRawHeader(header, value);
    const auto reply = gateway.post(request, chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(reply.status, status);
    if (status == 401) {
        const QJsonObject error = errorOf(reply.body);
        QVERIFY2(error.value(QLatin1String("message")).toString().contains(mentions), reply.body.constData());
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("invalid_api_key"));
        QCOMPARE(gateway.upstream().requests().size(), 0);
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(gateway.records.first().errorClass, QString::fromLatin1(ErrorClass::Authentication));
        QVERIFY(!gateway.records.first().errorMessage.contains(QLatin1String("nope")));
    }
}

void TestGateway::hostAndOriginAreGuarded()
{
    GatewayFixture gateway("gateway:\n  allowed_origins: [\"http://localhost:3000\"]\n");
    QNetworkRequest rebinding = gateway.request(QStringLiteral("/v1/models"));
    rebinding.setRawHeader("Host", "attacker.example:7341");
    auto reply = gateway.get(rebinding);
    QCOMPARE(reply.status, 403);
    QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("allowed_hosts")));

    QNetworkRequest browser = gateway.request(QStringLiteral("/v1/models"));
    browser.setRawHeader("Origin", "https://evil.example");
    reply = gateway.get(browser);
    QCOMPARE(reply.status, 403);
    QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("allowed_origins")));

    QNetworkRequest allowed = gateway.request(QStringLiteral("/v1/models"));
    allowed.setRawHeader("Origin", "http://localhost:3000");
    QCOMPARE(gateway.get(allowed).status, 200);
}

void TestGateway::badRequestsGetClearErrors()
{
    GatewayFixture gateway;
    auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), "{not json");
    QCOMPARE(reply.status, 400);
    QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("not valid JSON")));
    QCOMPARE(errorOf(reply.body).value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));

    reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                         chatBody(QStringLiteral("nope"), false));
    QCOMPARE(reply.status, 404);
    QCOMPARE(errorOf(reply.body).value(QLatin1String("code")).toString(), QStringLiteral("model_not_found"));
    QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("gpt-test")));

    reply = gateway.get(gateway.request(QStringLiteral("/v1/nothing")));
    QCOMPARE(reply.status, 404);
    QCOMPARE(gateway.upstream().requests().size(), 0);
    QVERIFY(gateway.waitForRecords(3));
    QCOMPARE(gateway.records.at(0).errorClass, QString::fromLatin1(ErrorClass::InvalidRequest));
    QCOMPARE(gateway.records.at(1).errorClass, QString::fromLatin1(ErrorClass::NotFound));
    QCOMPARE(gateway.records.at(1).requestedModel, QStringLiteral("nope"));
}

void TestGateway::upstreamErrorKeepsStatusAndMessage()
{
    GatewayFixture gateway("routing:\n  retry: {attempts: 1}\n"); // retries off: the client sees the 429
    gateway.upstream().enqueueFault(MockFault::httpStatus(429, "7"));
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(reply.status, 429);
    QCOMPARE(reply.header("retry-after"), QByteArray("7"));
    QVERIFY(!errorMessageOf(reply.body).isEmpty());
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().httpStatus, 429);
    QCOMPARE(gateway.records.first().errorClass, QString::fromLatin1(ErrorClass::UpstreamError));
    QVERIFY(!gateway.records.first().errorMessage.isEmpty());
}

void TestGateway::unreachableUpstreamIs502()
{
    GatewayFixture gateway;
    gateway.upstream().close();
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(reply.status, 502);
    QCOMPARE(errorOf(reply.body).value(QLatin1String("code")).toString(), QStringLiteral("upstream_unavailable"));
    QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("'mock'")));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().errorClass, QString::fromLatin1(ErrorClass::UpstreamConnection));
}

void TestGateway::cutStreamEndsWithExplicitError()
{
    GatewayFixture gateway;
    gateway.upstream().enqueueFault(MockFault::resetMidStream(20));
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(reply.status, 200);
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() >= 2);
    QVERIFY2(events.last().data != "[DONE]", "a cut stream must not look complete");
    const QJsonObject error = errorOf(events.last().data);
    QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("upstream_stream_interrupted"));
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.errorClass, QString::fromLatin1(ErrorClass::UpstreamConnection));
    QVERIFY(record.errorMessage.contains(QLatin1String("incomplete")));
}

void TestGateway::clientDisconnectCancelsUpstream()
{
    GatewayFixture gateway;
    gateway.upstream().setEventDelayMs(20);
    QSignalSpy upstreamClosed(&gateway.upstream(), &MockUpstream::clientDisconnected);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, quint16(gateway.url(QStringLiteral("/")).port()));
    QVERIFY(client.waitForConnected(2000));
    const QByteArray body = chatBody(QStringLiteral("gpt-test"), true);
    client.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                 + QByteArray(TestToken) + "\r\nContent-Type: application/json\r\nContent-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QVERIFY(QTest::qWaitFor([&] { return client.bytesAvailable() > 200 || client.waitForReadyRead(50); }, 5000));
    QVERIFY(client.readAll().startsWith("HTTP/1.1 200"));
    client.abort();
    QVERIFY(QTest::qWaitFor([&] { return upstreamClosed.size() > 0; }, 5000));
    QCOMPARE(upstreamClosed.first().at(1).toBool(), true);
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().errorClass, QString::fromLatin1(ErrorClass::ClientDisconnected));
}

void TestGateway::modelsAndHealth()
{
    GatewayFixture gateway;
    auto reply = gateway.get(gateway.request(QStringLiteral("/v1/models")));
    QCOMPARE(reply.status, 200);
    const QJsonArray data = jsonOf(reply.body).value(QLatin1String("data")).toArray();
    QCOMPARE(data.size(), 11); // every model the fixture configures
    QCOMPARE(data.at(0).toObject().value(QLatin1String("id")).toString(), QStringLiteral("gpt-test"));
    QCOMPARE(gateway.get(gateway.request(QStringLiteral("/v1/models"), "wrong")).status, 401);

    reply = gateway.get(gateway.request(QStringLiteral("/health"), {}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(jsonOf(reply.body).value(QLatin1String("status")).toString(), QStringLiteral("ok"));
}

void TestGateway::pausedGatewayRefuses()
{
    GatewayFixture gateway;
    gateway.service().setPaused(true);
    auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                              chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(reply.status, 503);
    QCOMPARE(errorOf(reply.body).value(QLatin1String("code")).toString(), QStringLiteral("gateway_paused"));
    QCOMPARE(gateway.upstream().requests().size(), 0);
    gateway.service().setPaused(false);
    reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                         chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(reply.status, 200);
}

void TestGateway::bodiesAreNotStoredWhenTurnedOff()
{
    GatewayFixture gateway("logging:\n  store_bodies: false\n");
    QCOMPARE(
        gateway
            .post(gateway.request(QStringLiteral("/v1/chat/completions")), chatBody(QStringLiteral("gpt-test"), true))
            .status,
        200);
    QVERIFY(gateway.waitForRecords(1));
    QVERIFY(gateway.records.first().requestBody.isEmpty());
    QVERIFY(gateway.records.first().responseBody.isEmpty());
    QVERIFY(!gateway.records.first().bodiesTruncated);
    QCOMPARE(gateway.records.first().outputTokens, 300);
}

void TestGateway::retryHonoursRetryAfterThenSucceeds()
{
    GatewayFixture gateway;
    gateway.upstream().enqueueFault(MockFault::httpStatus(429, {}, 50));
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-attempts"), QByteArray("2"));
    QCOMPARE(gateway.upstream().requests().size(), 2);
    // The retry waited at least what the provider asked for.
    QVERIFY(gateway.upstream().requests().at(1).arrivedMs - gateway.upstream().requests().at(0).arrivedMs >= 50);
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.httpStatus, 200);
    QCOMPARE(record.attempts.size(), 2);
    QCOMPARE(record.attempts.at(0).httpStatus, 429);
    QCOMPARE(record.attempts.at(0).decision, QStringLiteral("retry"));
    QVERIFY(record.attempts.at(0).waitBeforeNextMs >= 50);
    QCOMPARE(record.attempts.at(1).httpStatus, 200);
    QCOMPARE(record.outputTokens, 363);
}

void TestGateway::faultIsRetriedTransparently_data()
{
    QTest::addColumn<MockFault>("fault");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("failureClass");
    QTest::addColumn<int>("minimumWaitMs"); // time the first attempt must have taken (timeouts)
    const QList<std::tuple<const char *, MockFault, QString, int>> faults = {
        {"500", MockFault::httpStatus(500), QStringLiteral("server_error"), 0},
        {"503", MockFault::httpStatus(503), QStringLiteral("server_error"), 0},
        {"529 overloaded", MockFault::httpStatus(529), QStringLiteral("server_error"), 0},
        {"429 retry-after-ms", MockFault::httpStatus(429, {}, 30), QStringLiteral("rate_limit"), 30},
        {"reset before headers", MockFault::resetBeforeHeaders(), QStringLiteral("connection"), 0},
        {"never answers", MockFault::stallBeforeHeaders(), QStringLiteral("timeout"), 300},
        {"slow headers", MockFault::slowHeaders(1000), QStringLiteral("timeout"), 300},
        {"invalid json", MockFault::invalidJson(), QString(), 0},
    };
    for (const bool stream : {false, true}) {
        for (const auto &[name, fault, failureClass, wait] : faults) {
            QTest::addRow("%s %s", name, stream ? "stream" : "json") << fault << stream << failureClass << wait;
        }
        if (stream) {
            QTest::addRow("slow stream") << MockFault::slowStream(1000) << true << QStringLiteral("timeout") << 300;
            QTest::addRow("reset mid-stream before content")
                << MockFault::resetMidStream(1) << true << QStringLiteral("connection") << 0;
            QTest::addRow("cut without [DONE] before content")
                << MockFault::truncatedStream(1) << true << QStringLiteral("connection") << 0;
        }
    }
}

void TestGateway::faultIsRetriedTransparently()
{
    QFETCH(MockFault, fault);
    QFETCH(bool, stream);
    QFETCH(QString, failureClass);
    QFETCH(int, minimumWaitMs);
    GatewayFixture gateway;
    gateway.upstream().enqueueFault(fault);
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("resilient"), stream));
    // The client never sees the fault: the second attempt answers in full.
    QCOMPARE(reply.status, 200);
    if (stream) {
        const QList<SseEvent> events = eventsOf(reply.body);
        QCOMPARE(events.last().data, QByteArray("[DONE]"));
        QVERIFY(chatStreamText(events).startsWith(QLatin1String("**Holiday Name")));
    } else {
        QCOMPARE(jsonOf(reply.body)
                     .value(QLatin1String("usage"))
                     .toObject()
                     .value(QLatin1String("completion_tokens"))
                     .toInt(),
                 363);
    }
    QCOMPARE(reply.header("x-sluice-attempts"), QByteArray("2"));
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QVERIFY2(record.errorClass.isEmpty(), qPrintable(record.errorMessage));
    QCOMPARE(record.attempts.size(), 2);
    QCOMPARE(record.attempts.at(0).decision, QStringLiteral("retry"));
    if (!failureClass.isEmpty())
        QCOMPARE(record.attempts.at(0).errorClass, failureClass);
    QCOMPARE(record.attempts.at(1).decision, QStringLiteral("done"));
    QVERIFY(record.attempts.at(0).latencyMs + record.attempts.at(0).waitBeforeNextMs >= minimumWaitMs);
    QVERIFY(record.outputTokens > 0);
}

void TestGateway::serverErrorsFallBackToAnotherModelAndFormat()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("primary"), false));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-model"), QByteArray("claude-test"));
    QCOMPARE(reply.header("x-sluice-provider"), QByteArray("mock-anthropic"));
    // The OpenAI client gets an OpenAI answer, naming the model it asked for, from an Anthropic provider.
    const QJsonObject answer = jsonOf(reply.body);
    QCOMPARE(answer.value(QLatin1String("object")).toString(), QStringLiteral("chat.completion"));
    QCOMPARE(answer.value(QLatin1String("model")).toString(), QStringLiteral("primary"));
    QVERIFY(chatMessageText(reply.body).startsWith(QLatin1String("Hello! I'm doing well")));
    QCOMPARE(gateway.upstream().lastRequest().path, QByteArray("/v1/messages"));
    QCOMPARE(gateway.upstream().lastRequest().headers.value("x-api-key"), QByteArray("sk-provider-secret-value"));
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.attempts.size(), 3); // 500, retried once, then the fallback model
    QCOMPARE(record.attempts.at(0).decision, QStringLiteral("retry"));
    QCOMPARE(record.attempts.at(1).decision, QStringLiteral("fallback"));
    QCOMPARE(record.attempts.at(1).errorClass, QStringLiteral("server_error"));
    QCOMPARE(record.attempts.at(2).model, QStringLiteral("claude-test"));
    QCOMPARE(record.provider, QStringLiteral("mock-anthropic"));
    QCOMPARE(record.inputTokens, 12);
    QCOMPARE(record.outputTokens, 29);
}

void TestGateway::streamFallsBackBeforeFirstByte()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("flaky-start"), true));
    QCOMPARE(reply.status, 200);
    const QList<SseEvent> events = eventsOf(reply.body);
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    QVERIFY(chatStreamText(events).startsWith(QLatin1String("**Holiday Name")));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().attempts.size(), 2);
    QCOMPARE(gateway.records.first().attempts.at(0).errorClass, QStringLiteral("connection"));
    QVERIFY(gateway.records.first().errorClass.isEmpty());
}

void TestGateway::clientErrorDoesNotFallBack()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("refused"), false));
    QCOMPARE(reply.status, 400);
    QCOMPARE(gateway.upstream().requests().size(), 1);
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().attempts.size(), 1);
    QCOMPARE(gateway.records.first().attempts.at(0).decision, QStringLiteral("give_up"));
}

void TestGateway::breakerStateIsVisible()
{
    GatewayFixture gateway;
    QCOMPARE(
        gateway
            .post(gateway.request(QStringLiteral("/v1/chat/completions")), chatBody(QStringLiteral("primary"), false))
            .status,
        200);
    const auto reply = gateway.get(gateway.request(QStringLiteral("/admin/routing")));
    QCOMPARE(reply.status, 200);
    const QJsonArray breakers = jsonOf(reply.body).value(QLatin1String("breakers")).toArray();
    bool found = false;
    for (const QJsonValue &breaker : breakers) {
        if (breaker.toObject()
                .value(QLatin1String("deployment"))
                .toString()
                .contains(QLatin1String("status;code=500"))) {
            found = true;
            QCOMPARE(breaker.toObject().value(QLatin1String("recent_failures")).toInt(), 2);
        }
    }
    QVERIFY2(found, reply.body.constData());
}

namespace {
int upstreamRequestsFor(MockUpstream &upstream, const QString &model)
{
    int count = 0;
    for (const ReceivedRequest &request : upstream.requests())
        count += request.json().value(QLatin1String("model")).toString() == model ? 1 : 0;
    return count;
}

QJsonObject breakerOf(GatewayFixture &gateway, const QString &deployment)
{
    const auto reply = gateway.get(gateway.request(QStringLiteral("/admin/routing")));
    for (const QJsonValue &breaker : jsonOf(reply.body).value(QLatin1String("breakers")).toArray()) {
        if (breaker.toObject().value(QLatin1String("deployment")).toString() == deployment)
            return breaker.toObject();
    }
    return {};
}
} // namespace

// The breaker's whole cycle through the running gateway, on a fake clock: no test time is spent waiting.
void TestGateway::breakerOpensSkipsProbesAndRecoversOnFakeClock()
{
    auto clock = std::make_shared<ManualClock>();
    GatewayFixture gateway("routing:\n  breaker: {failures: 2, window_s: 60, cooldown_s: 30}\n", {}, clock);
    const QString deployment = QStringLiteral("mock/openai-text");
    const QString model = QStringLiteral("openai-text");
    QCOMPARE(breakerOf(gateway, deployment).value(QLatin1String("state")).toString(), QStringLiteral("closed"));

    MockFault outage = MockFault::httpStatus(503);
    outage.model = model;
    outage.times = 2;
    gateway.upstream().enqueueFault(outage);
    const QByteArray body = chatBody(QStringLiteral("guarded"), false);
    for (int i = 0; i < 2; ++i) {
        const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), body);
        QCOMPARE(reply.status, 200); // answered by the fallback
        QCOMPARE(reply.header("x-sluice-model"), QByteArray("claude-test"));
    }
    QCOMPARE(upstreamRequestsFor(gateway.upstream(), model), 2);
    QJsonObject breaker = breakerOf(gateway, deployment);
    QCOMPARE(breaker.value(QLatin1String("state")).toString(), QStringLiteral("open"));
    QCOMPARE(breaker.value(QLatin1String("probe_in_ms")).toInteger(), 30'000);

    // Open: the deployment is skipped without a request, and the timeline says so.
    clock->advance(29'000);
    QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), body).status, 200);
    QCOMPARE(upstreamRequestsFor(gateway.upstream(), model), 2);
    QVERIFY(gateway.waitForRecords(3));
    const RequestRecord skipped = gateway.records.last();
    QCOMPARE(skipped.attempts.size(), 2);
    QCOMPARE(skipped.attempts.first().decision, QStringLiteral("skipped"));
    QCOMPARE(skipped.attempts.first().deployment, deployment);
    QCOMPARE(skipped.attempts.last().model, QStringLiteral("claude-test"));
    QCOMPARE(breakerOf(gateway, deployment).value(QLatin1String("probe_in_ms")).toInteger(), 1'000);

    // Cooldown over: one probe goes through; it fails, so the breaker opens for another cooldown.
    clock->advance(1'000);
    outage.times = 1;
    gateway.upstream().enqueueFault(outage);
    QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), body).status, 200);
    QCOMPARE(upstreamRequestsFor(gateway.upstream(), model), 3);
    breaker = breakerOf(gateway, deployment);
    QCOMPARE(breaker.value(QLatin1String("state")).toString(), QStringLiteral("open"));
    QCOMPARE(breaker.value(QLatin1String("probe_in_ms")).toInteger(), 30'000);
    QCOMPARE(breaker.value(QLatin1String("last_failure")).toString(), QStringLiteral("server_error"));

    // The next probe succeeds: the breaker closes and the deployment answers again.
    clock->advance(30'000);
    auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), body);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-model"), QByteArray("guarded"));
    QCOMPARE(breakerOf(gateway, deployment).value(QLatin1String("state")).toString(), QStringLiteral("closed"));
    reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), body);
    QCOMPARE(reply.header("x-sluice-model"), QByteArray("guarded"));
    QCOMPARE(upstreamRequestsFor(gateway.upstream(), model), 5);
}

void TestGateway::failureClassDecidesFallback_data()
{
    QTest::addColumn<int>("upstreamStatus");
    QTest::addColumn<QByteArray>("upstreamBody");
    QTest::addColumn<int>("clientStatus");
    QTest::addColumn<QByteArray>("answeredBy");
    QTest::addColumn<QString>("failureClass");

    QTest::newRow("context window -> larger model")
        << 400
        << QByteArray(R"({"error":{"message":"This model's maximum context length is 128000 tokens.",)"
                      R"("type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})")
        << 200 << QByteArray("claude-test") << QStringLiteral("context_window_exceeded");
    QTest::newRow("content policy -> not by default")
        << 400
        << QByteArray(R"({"error":{"message":"Your request was rejected as a result of our safety system.",)"
                      R"("type":"invalid_request_error","code":"content_policy_violation"}})")
        << 400 << QByteArray() << QStringLiteral("content_policy");
    QTest::newRow("401 -> never by default")
        << 401 << QByteArray(R"({"error":{"message":"Incorrect API key provided.","code":"invalid_api_key"}})") << 401
        << QByteArray() << QStringLiteral("client_error");
    QTest::newRow("529 overloaded -> fallback") << 529 << QByteArray(R"({"error":{"message":"Overloaded"}})") << 200
                                                << QByteArray("claude-test") << QStringLiteral("server_error");
}

// Which failures move a request on (routing.fallback_on defaults), through the running gateway.
void TestGateway::failureClassDecidesFallback()
{
    QFETCH(int, upstreamStatus);
    QFETCH(QByteArray, upstreamBody);
    QFETCH(int, clientStatus);
    QFETCH(QByteArray, answeredBy);
    QFETCH(QString, failureClass);

    GatewayFixture gateway;
    MockFault fault = MockFault::httpStatus(upstreamStatus);
    fault.body = upstreamBody;
    fault.model = QStringLiteral("openai-text");
    gateway.upstream().enqueueFault(fault);
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("guarded"), false));
    QCOMPARE(reply.status, clientStatus);
    if (!answeredBy.isEmpty())
        QCOMPARE(reply.header("x-sluice-model"), answeredBy);
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QVERIFY(!record.attempts.isEmpty());
    QCOMPARE(record.attempts.first().errorClass, failureClass);
    QCOMPARE(record.attempts.first().decision,
             answeredBy.isEmpty() ? QStringLiteral("give_up") : QStringLiteral("fallback"));
    QCOMPARE(record.attempts.size(), answeredBy.isEmpty() ? 1 : 2);
}

// A 429 rests the key and retries at once with the provider's next key; later requests keep the key that worked.
void TestGateway::rateLimitedKeyRotatesToTheNext()
{
    GatewayFixture gateway;
    MockFault limited = MockFault::httpStatus(429, "30");
    limited.model = QStringLiteral("openai-text");
    gateway.upstream().enqueueFault(limited);
    const QByteArray body = chatBody(QStringLiteral("two-keys"), false);
    QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), body).status, 200);
    QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), body).status, 200);

    const QList<ReceivedRequest> &sent = gateway.upstream().requests();
    QCOMPARE(sent.size(), 3);
    QCOMPARE(sent.at(0).headers.value("authorization"), QByteArray("Bearer sk-provider-secret-value"));
    QCOMPARE(sent.at(1).headers.value("authorization"), QByteArray("Bearer sk-provider-second-key"));
    QCOMPARE(sent.at(2).headers.value("authorization"), QByteArray("Bearer sk-provider-second-key"));

    QVERIFY(gateway.waitForRecords(2));
    const RequestRecord &first = gateway.records.first();
    QCOMPARE(first.attempts.size(), 2);
    QCOMPARE(first.attempts.at(0).keyRef, QStringLiteral("env:SLUICE_TEST_PROVIDER_KEY"));
    QCOMPARE(first.attempts.at(0).errorClass, QStringLiteral("rate_limit"));
    QCOMPARE(first.attempts.at(0).waitBeforeNextMs, 0); // another key: no need to wait
    QCOMPARE(first.attempts.at(1).keyRef, QStringLiteral("env:SLUICE_TEST_PROVIDER_KEY_2"));
    // The key's value is never logged, only its reference.
    QVERIFY(!first.attempts.at(0).reason.contains(QLatin1String("sk-provider")));
}

void TestGateway::anthropicClientToOpenAiProvider()
{
    GatewayFixture gateway;
    QNetworkRequest request = gateway.request(QStringLiteral("/v1/messages"), {});
    request.setRawHeader("x-api-key", TestToken);
    request.setRawHeader("anthropic-version", "2023-06-01");
    const auto reply = gateway.post(request, anthropicBody(QStringLiteral("gpt-test"), false));
    QCOMPARE(reply.status, 200);
    const QJsonObject message = jsonOf(reply.body);
    QCOMPARE(message.value(QLatin1String("type")).toString(), QStringLiteral("message"));
    QCOMPARE(message.value(QLatin1String("model")).toString(), QStringLiteral("gpt-test"));
    QVERIFY(message.value(QLatin1String("content"))
                .toArray()
                .first()
                .toObject()
                .value(QLatin1String("text"))
                .toString()
                .startsWith(QLatin1String("**Holiday Name")));
    QCOMPARE(message.value(QLatin1String("stop_reason")).toString(), QStringLiteral("end_turn"));
    QCOMPARE(message.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens")).toInt(), 363);
    // The OpenAI provider got an OpenAI body.
    const QJsonObject sent = gateway.upstream().lastRequest().json();
    QCOMPARE(sent.value(QLatin1String("model")).toString(), QStringLiteral("openai-text"));
    QVERIFY(sent.value(QLatin1String("messages")).isArray());
}

void TestGateway::anthropicClientStreamFromOpenAiProvider()
{
    GatewayFixture gateway;
    QNetworkRequest request = gateway.request(QStringLiteral("/v1/messages"), {});
    request.setRawHeader("x-api-key", TestToken);
    const auto reply = gateway.post(request, anthropicBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(reply.status, 200);
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() > 5);
    QCOMPARE(events.first().event, QByteArray("message_start"));
    QCOMPARE(events.last().event, QByteArray("message_stop"));
    QVERIFY(anthropicStreamText(events).startsWith(QLatin1String("**Holiday Name")));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().outputTokens, 300);
    QVERIFY(gateway.records.first().timeToFirstTokenUs > 0);
}

void TestGateway::openAiClientToAnthropicProvider_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("json") << false;
    QTest::newRow("stream") << true;
}

void TestGateway::openAiClientToAnthropicProvider()
{
    QFETCH(bool, stream);
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("claude-test"), stream));
    QCOMPARE(reply.status, 200);
    QString text;
    if (stream) {
        const QList<SseEvent> events = eventsOf(reply.body);
        QCOMPARE(events.last().data, QByteArray("[DONE]"));
        text = chatStreamText(events);
        QCOMPARE(jsonOf(events.first().data).value(QLatin1String("model")).toString(), QStringLiteral("claude-test"));
    } else {
        text = chatMessageText(reply.body);
    }
    QVERIFY2(text.startsWith(QLatin1String("Hello! I'm doing well")), qPrintable(text));
    QCOMPARE(gateway.upstream().lastRequest().headers.value("anthropic-version"), QByteArray("2023-06-01"));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().inputTokens, 12);
    QCOMPARE(gateway.records.first().outputTokens, stream ? 30 : 29); // the recorded stream reported 30
}

void TestGateway::openAiClientToGeminiProvider()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("gemini-test"), false));
    QCOMPARE(reply.status, 200);
    const QString text = chatMessageText(reply.body);
    QVERIFY2(text.startsWith(QLatin1String("There are **3** r's")), qPrintable(text));
    QVERIFY(gateway.upstream().lastRequest().path.endsWith("/models/google-text:generateContent"));
    QCOMPARE(gateway.upstream().lastRequest().headers.value("x-goog-api-key"), QByteArray("sk-provider-secret-value"));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().inputTokens, 9);
    QCOMPARE(gateway.records.first().reasoningTokens, 244);
}

void TestGateway::azureDeploymentUrlAndKeyHeader()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("azure-test"), true));
    QCOMPARE(reply.status, 200);
    QVERIFY(chatStreamText(eventsOf(reply.body)).startsWith(QLatin1String("**Holiday Name")));
    const ReceivedRequest sent = gateway.upstream().lastRequest();
    QCOMPARE(sent.path, QByteArray("/openai/deployments/openai-text/chat/completions"));
    QCOMPARE(sent.query, QByteArray("api-version=2024-10-21"));
    QCOMPARE(sent.headers.value("api-key"), QByteArray("sk-provider-secret-value"));
    QVERIFY(!sent.headers.contains("authorization"));
}

void TestGateway::responsesClientStreamFromAnthropicProvider()
{
    GatewayFixture gateway;
    const QByteArray body = R"({"model":"claude-test","input":"Hello, how are you?","stream":true})";
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/responses")), body);
    QCOMPARE(reply.status, 200);
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() > 3);
    QCOMPARE(events.first().event, QByteArray("response.created"));
    QCOMPARE(events.last().event, QByteArray("response.completed"));
    const QJsonObject usage = jsonOf(events.last().data)
                                  .value(QLatin1String("response"))
                                  .toObject()
                                  .value(QLatin1String("usage"))
                                  .toObject();
    QCOMPARE(usage.value(QLatin1String("output_tokens")).toInt(), 30); // as the recorded Anthropic stream reported
    QString text;
    for (const SseEvent &event : events) {
        if (event.event == "response.output_text.delta")
            text += jsonOf(event.data).value(QLatin1String("delta")).toString();
    }
    QVERIFY(text.startsWith(QLatin1String("Hello! I'm doing well")));
}

void TestGateway::requestsAreAttributed()
{
    GatewayFixture gateway;
    QNetworkRequest tagged = gateway.request(QStringLiteral("/v1/chat/completions"));
    tagged.setRawHeader("User-Agent", "OpenAI/Python 1.99.9");
    tagged.setRawHeader("x-sluice-tags", "refactor, nightly");
    tagged.setRawHeader("x-sluice-project", "billing");
    QJsonObject body = QJsonDocument::fromJson(chatBody(QStringLiteral("gpt-test"), false)).object();
    body.insert(QStringLiteral("metadata"),
                QJsonObject {{QStringLiteral("tags"), QJsonArray {QStringLiteral("nightly"), QStringLiteral("ci")}}});
    QCOMPARE(gateway.post(tagged, QJsonDocument(body).toJson()).status, 200);
    // Sluice's own headers stay with Sluice.
    QVERIFY(gateway.upstream().lastRequest().headers.value("x-sluice-tags").isEmpty());
    QVERIFY(gateway.upstream().lastRequest().headers.value("x-sluice-project").isEmpty());

    QNetworkRequest plain = gateway.request(QStringLiteral("/v1/chat/completions"));
    plain.setRawHeader("User-Agent", "claude-cli/2.1.197 (external, sdk-cli)");
    QCOMPARE(gateway.post(plain, chatBody(QStringLiteral("gpt-test"), false)).status, 200);

    QVERIFY(gateway.waitForRecords(2));
    const RequestRecord &first = gateway.records.at(0);
    QCOMPARE(first.client, QStringLiteral("OpenAI SDK (Python)"));
    QCOMPARE(first.tags, (QStringList {QStringLiteral("refactor"), QStringLiteral("nightly"), QStringLiteral("ci")}));
    QCOMPARE(first.project, QStringLiteral("billing"));
    const RequestRecord &second = gateway.records.at(1);
    QCOMPARE(second.client, QStringLiteral("Claude Code"));
    QVERIFY(second.tags.isEmpty());
    QCOMPARE(second.project, QStringLiteral("editor")); // the gateway token's name
}

QTEST_GUILESS_MAIN(TestGateway)
#include "tst_gateway.moc"
