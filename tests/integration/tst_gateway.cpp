#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

#include "GatewayFixture.h"
#include "api/SseParser.h"

using namespace sluice;
using namespace sluice::test;

namespace {
QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QJsonObject errorOf(const QByteArray &body)
{
    return jsonOf(body).value(QLatin1String("error")).toObject();
}

QByteArray chatBody(const QString &model, bool stream, bool includeUsage = false)
{
    QJsonObject body {{QStringLiteral("model"), model},
                      {QStringLiteral("messages"),
                       QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                                {QStringLiteral("content"), QStringLiteral("Invent a holiday.")}}}}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    if (includeUsage)
        body.insert(QStringLiteral("stream_options"), QJsonObject {{QStringLiteral("include_usage"), true}});
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QList<SseEvent> eventsOf(const QByteArray &body)
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed(body, events);
    return events;
}

QString textOf(const QList<SseEvent> &events)
{
    QString text;
    for (const SseEvent &event : events) {
        const QJsonArray choices = jsonOf(event.data).value(QLatin1String("choices")).toArray();
        for (const QJsonValue &choice : choices)
            text += choice.toObject()
                        .value(QLatin1String("delta"))
                        .toObject()
                        .value(QLatin1String("content"))
                        .toString();
    }
    return text;
}
} // namespace

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
    const QJsonObject answer = jsonOf(reply.body);
    QVERIFY(answer.value(QLatin1String("choices"))
                .toArray()
                .first()
                .toObject()
                .value(QLatin1String("message"))
                .toObject()
                .value(QLatin1String("content"))
                .toString()
                .startsWith(QLatin1String("**Holiday Name")));
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
    QVERIFY(textOf(events).startsWith(QLatin1String("**Holiday Name")));

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
}

void TestGateway::streamKeepsUsageChunkWhenClientAsks()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("openai-text"), true, true));
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
    QVERIFY(errorOf(reply.body).value(QLatin1String("message")).toString().contains(QLatin1String("allowed_hosts")));

    QNetworkRequest browser = gateway.request(QStringLiteral("/v1/models"));
    browser.setRawHeader("Origin", "https://evil.example");
    reply = gateway.get(browser);
    QCOMPARE(reply.status, 403);
    QVERIFY(errorOf(reply.body).value(QLatin1String("message")).toString().contains(QLatin1String("allowed_origins")));

    QNetworkRequest allowed = gateway.request(QStringLiteral("/v1/models"));
    allowed.setRawHeader("Origin", "http://localhost:3000");
    QCOMPARE(gateway.get(allowed).status, 200);
}

void TestGateway::badRequestsGetClearErrors()
{
    GatewayFixture gateway;
    auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), "{not json");
    QCOMPARE(reply.status, 400);
    QVERIFY(errorOf(reply.body).value(QLatin1String("message")).toString().contains(QLatin1String("not valid JSON")));
    QCOMPARE(errorOf(reply.body).value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));

    reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                         chatBody(QStringLiteral("nope"), false));
    QCOMPARE(reply.status, 404);
    QCOMPARE(errorOf(reply.body).value(QLatin1String("code")).toString(), QStringLiteral("model_not_found"));
    QVERIFY(errorOf(reply.body).value(QLatin1String("message")).toString().contains(QLatin1String("gpt-test")));

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
    GatewayFixture gateway;
    gateway.upstream().enqueueFault(MockFault::httpStatus(429, "7"));
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("gpt-test"), true));
    QCOMPARE(reply.status, 429);
    QCOMPARE(reply.header("retry-after"), QByteArray("7"));
    QVERIFY(!errorOf(reply.body).value(QLatin1String("message")).toString().isEmpty());
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
    QVERIFY(errorOf(reply.body).value(QLatin1String("message")).toString().contains(QLatin1String("'mock'")));
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
    QCOMPARE(data.size(), 2);
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

QTEST_GUILESS_MAIN(TestGateway)
#include "tst_gateway.moc"
