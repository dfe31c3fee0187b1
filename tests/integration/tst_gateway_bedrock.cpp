#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtTest>

#include "GatewayTestSupport.h"
#include "config/ConfigLoader.h"
#include "gateway/GatewayService.h"
#include "support/MockUpstream.h"

using namespace sluice;
using namespace sluice::test;

// Amazon Bedrock behind the gateway: OpenAI and Anthropic clients, streamed and not, with tool calls and
// thinking, SigV4 or API-key auth, throttling retried then fallen back from. The mock upstream serves Bedrock
// from the recorded Anthropic traffic transcribed to Converse (support/BedrockTranscript.h), so the expected
// texts and token counts below are the recordings'.
namespace {

constexpr auto Token = "sk-sluice-test-token";
const QString SecretAccessKey = QStringLiteral("aws-secret-access-key-value");
const QString AccessKeyId = QStringLiteral("AKIDSLUICETEST");
const QString SessionToken = QStringLiteral("aws-session-token-value");
const QString BedrockApiKey = QStringLiteral("ABSK-bedrock-api-key-value");

QByteArray toolRequest(const QString &model, bool stream)
{
    return QJsonDocument(
               QJsonObject {
                   {QStringLiteral("model"), model},
                   {QStringLiteral("stream"), stream},
                   {QStringLiteral("messages"),
                    QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"), QStringLiteral("Weather in four cities?")}}}},
                   {QStringLiteral("tools"),
                    QJsonArray {QJsonObject {
                        {QStringLiteral("type"), QStringLiteral("function")},
                        {QStringLiteral("function"),
                         QJsonObject {{QStringLiteral("name"), QStringLiteral("json")},
                                      {QStringLiteral("description"), QStringLiteral("Report weather")},
                                      {QStringLiteral("parameters"),
                                       QJsonObject {{QStringLiteral("type"), QStringLiteral("object")}}}}}}}}})
        .toJson(QJsonDocument::Compact);
}

QByteArray anthropicRequest(const QString &model, bool stream)
{
    return QJsonDocument(QJsonObject {{QStringLiteral("model"), model},
                                      {QStringLiteral("max_tokens"), 1024},
                                      {QStringLiteral("stream"), stream},
                                      {QStringLiteral("messages"),
                                       QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                                                {QStringLiteral("content"), QStringLiteral("Hi!")}}}}})
        .toJson(QJsonDocument::Compact);
}

class BedrockGateway
{
public:
    BedrockGateway()
    {
        QVERIFY(m_upstream.listen().ok());
        const QByteArray upstream = m_upstream.baseUrl().toString().toUtf8();
        const QByteArray yaml = "providers:\n"
                                "  - name: aws\n"
                                "    type: bedrock\n"
                                "    region: us-east-1\n"
                                "    base_url: "
            + upstream
            + "\n"
              "    access_key_id: env:AWS_ACCESS_KEY_ID\n"
              "    api_key: env:AWS_SECRET_ACCESS_KEY\n"
              "    session_token: env:AWS_SESSION_TOKEN\n"
              "  - name: aws-apikey\n"
              "    type: bedrock\n"
              "    region: eu-west-1\n"
              "    base_url: "
            + upstream
            + "\n"
              "    api_key: env:AWS_BEARER_TOKEN_BEDROCK\n"
              "  - name: aws-unsigned\n"
              "    type: bedrock\n"
              "    region: us-east-1\n"
              "    base_url: "
            + upstream
            + "\n"
              "  - name: direct\n"
              "    type: anthropic\n"
              "    base_url: "
            + upstream
            + "\n"
              "    api_key: env:ANTHROPIC_KEY\n"
              "models:\n"
              "  - {name: claude-bedrock, provider: aws, upstream_model: anthropic-text}\n"
              "  - {name: claude-tool, provider: aws, upstream_model: anthropic-json-tool.1}\n"
              "  - {name: claude-thinking, provider: aws, upstream_model: anthropic-clear-thinking.1}\n"
              "  - {name: claude-apikey, provider: aws-apikey, upstream_model: anthropic-text}\n"
              "  - {name: claude-unsigned, provider: aws-unsigned, upstream_model: anthropic-text}\n"
              "  - {name: claude-direct, provider: direct, upstream_model: anthropic-text}\n"
              "  - name: throttled\n"
              "    deployments:\n"
              "      - {provider: aws, model: \"anthropic-text~status;code=429\"}\n"
              "    fallbacks: [claude-direct]\n"
              "    retry: {attempts: 2, backoff_ms: 10, max_backoff_ms: 20}\n"
              "  - name: throttled-alone\n"
              "    deployments:\n"
              "      - {provider: aws, model: \"anthropic-text~status;code=429\"}\n"
              "    retry: {attempts: 1}\n"
              "tokens:\n"
              "  - name: editor\n"
              "    secret: env:SLUICE_TEST_GATEWAY_TOKEN\n";
        Result<Config> config = ConfigLoader::loadString(yaml, QStringLiteral("test.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        QCOMPARE(config->providers.first().accessKeyId.toString(), QStringLiteral("env:AWS_ACCESS_KEY_ID"));
        GatewaySecrets secrets;
        secrets.keys.insert(QStringLiteral("env:AWS_ACCESS_KEY_ID"), AccessKeyId);
        secrets.keys.insert(QStringLiteral("env:AWS_SECRET_ACCESS_KEY"), SecretAccessKey);
        secrets.keys.insert(QStringLiteral("env:AWS_SESSION_TOKEN"), SessionToken);
        secrets.keys.insert(QStringLiteral("env:AWS_BEARER_TOKEN_BEDROCK"), BedrockApiKey);
        secrets.keys.insert(QStringLiteral("env:ANTHROPIC_KEY"), QStringLiteral("sk-ant-direct"));
        secrets.tokens.append({QStringLiteral("editor"), QString::fromLatin1(Token)});
        m_service = std::make_unique<GatewayService>(config.value(), secrets);
        m_service->setRecordSink([this](RequestRecord &&record) { records.append(std::move(record)); });
        Result<QUrl> url = m_service->start(0);
        QVERIFY2(url.ok(), qPrintable(url.errorMessage()));
        m_base = url.value();
    }

    MockUpstream &upstream() { return m_upstream; }

    struct Reply
    {
        int status = 0;
        QByteArray body;
        QByteArray provider;
    };

    Reply post(const QString &path, const QByteArray &body)
    {
        QNetworkRequest request(m_base.resolved(QUrl(path)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Authorization", QByteArray("Bearer ") + Token);
        QNetworkReply *reply = m_network.post(request, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Reply result {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
                      reply->rawHeader("x-sluice-provider")};
        reply->deleteLater();
        return result;
    }

    bool waitForRecords(int count)
    {
        return QTest::qWaitFor([&] { return records.size() >= count; }, 5000);
    }

    QList<RequestRecord> records;

private:
    MockUpstream m_upstream;
    std::unique_ptr<GatewayService> m_service;
    QUrl m_base;
    QNetworkAccessManager m_network;
};

// Every header of every request the mock received, as text: secrets must never be among them, except as the
// one header that is meant to carry them.
void verifySignedAndSecretsKept(const ReceivedRequest &request)
{
    const QByteArray authorization = request.headers.value("authorization");
    QVERIFY2(
        authorization.startsWith(QByteArray(QByteArray("AWS4-HMAC-SHA256 Credential=") + AccessKeyId.toUtf8() + "/")),
        authorization.constData());
    QVERIFY(authorization.contains("/us-east-1/bedrock/aws4_request"));
    QCOMPARE(request.headers.value("x-amz-security-token"), SessionToken.toUtf8());
    for (const auto &[name, value] : request.headers.fields())
        QVERIFY2(!value.contains(SecretAccessKey.toUtf8()), name.constData());
    QVERIFY(!request.body.contains(SecretAccessKey.toUtf8()));
}

} // namespace

class TestGatewayBedrock : public QObject
{
    Q_OBJECT
private Q_SLOTS:

    void openAiClientGetsAToolCall()
    {
        BedrockGateway gateway;
        const auto reply
            = gateway.post(QStringLiteral("/v1/chat/completions"), toolRequest(QStringLiteral("claude-tool"), false));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QCOMPARE(reply.provider, QByteArray("aws"));
        const QJsonObject choice = jsonOf(reply.body).value(QLatin1String("choices")).toArray().first().toObject();
        QCOMPARE(choice.value(QLatin1String("finish_reason")).toString(), QStringLiteral("tool_calls"));
        const QJsonObject call = choice.value(QLatin1String("message"))
                                     .toObject()
                                     .value(QLatin1String("tool_calls"))
                                     .toArray()
                                     .first()
                                     .toObject();
        QCOMPARE(call.value(QLatin1String("id")).toString(), QStringLiteral("toolu_01Q9ExVZnzZj7E2QQYHYtNUa"));
        const QJsonObject function = call.value(QLatin1String("function")).toObject();
        QCOMPARE(function.value(QLatin1String("name")).toString(), QStringLiteral("json"));
        const QJsonArray elements = jsonOf(function.value(QLatin1String("arguments")).toString().toUtf8())
                                        .value(QLatin1String("elements"))
                                        .toArray();
        QCOMPARE(elements.size(), 4);
        QCOMPARE(elements[1].toObject().value(QLatin1String("location")).toString(), QStringLiteral("London"));
        QCOMPARE(jsonOf(reply.body).value(QLatin1String("model")).toString(), QStringLiteral("claude-tool"));

        const ReceivedRequest upstream = gateway.upstream().lastRequest();
        QCOMPARE(upstream.path, QByteArray("/model/anthropic-json-tool.1/converse"));
        verifySignedAndSecretsKept(upstream);
        const QJsonObject sent = upstream.json();
        QCOMPARE(sent.value(QLatin1String("toolConfig"))
                     .toObject()
                     .value(QLatin1String("tools"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("toolSpec"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
                 QStringLiteral("json"));
        QCOMPARE(sent.value(QLatin1String("messages"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("content"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("text"))
                     .toString(),
                 QStringLiteral("Weather in four cities?"));

        QVERIFY(gateway.waitForRecords(1));
        const RequestRecord &record = gateway.records.first();
        QCOMPARE(record.provider, QStringLiteral("aws"));
        QCOMPARE(record.inputTokens, 1151);
        QCOMPARE(record.outputTokens, 87);
        QVERIFY(record.errorClass.isEmpty());
    }

    void openAiClientStreamsAToolCall()
    {
        BedrockGateway gateway;
        const auto reply
            = gateway.post(QStringLiteral("/v1/chat/completions"), toolRequest(QStringLiteral("claude-tool"), true));
        QVERIFY2(reply.status == 200, reply.body.constData());
        const QList<SseEvent> events = eventsOf(reply.body);
        QCOMPARE(events.last().data, QByteArray("[DONE]"));
        QString name;
        QString arguments;
        QString finish;
        for (const SseEvent &event : events) {
            const QJsonObject choice = jsonOf(event.data).value(QLatin1String("choices")).toArray().first().toObject();
            for (const QJsonValue &call :
                 choice.value(QLatin1String("delta")).toObject().value(QLatin1String("tool_calls")).toArray()) {
                const QJsonObject function = call.toObject().value(QLatin1String("function")).toObject();
                name += function.value(QLatin1String("name")).toString();
                arguments += function.value(QLatin1String("arguments")).toString();
            }
            if (choice.value(QLatin1String("finish_reason")).isString())
                finish = choice.value(QLatin1String("finish_reason")).toString();
        }
        QCOMPARE(name, QStringLiteral("json"));
        QCOMPARE(jsonOf(arguments.toUtf8())
                     .value(QLatin1String("elements"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("location"))
                     .toString(),
                 QStringLiteral("San Francisco"));
        QCOMPARE(finish, QStringLiteral("tool_calls"));
        const ReceivedRequest upstream = gateway.upstream().lastRequest();
        QCOMPARE(upstream.path, QByteArray("/model/anthropic-json-tool.1/converse-stream"));
        QCOMPARE(upstream.headers.value("accept"), QByteArray("application/vnd.amazon.eventstream"));
        verifySignedAndSecretsKept(upstream);
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(gateway.records.first().inputTokens, 849);
        QCOMPARE(gateway.records.first().outputTokens, 47);
        QVERIFY(gateway.records.first().timeToFirstTokenUs > 0);
    }

    void anthropicClientStreamsTextAndThinking()
    {
        BedrockGateway gateway;
        const auto reply
            = gateway.post(QStringLiteral("/v1/messages"), anthropicRequest(QStringLiteral("claude-bedrock"), true));
        QVERIFY2(reply.status == 200, reply.body.constData());
        const QList<SseEvent> events = eventsOf(reply.body);
        QCOMPARE(events.first().event, QByteArray("message_start"));
        QCOMPARE(events.last().event, QByteArray("message_stop"));
        const QString text = anthropicStreamText(events);
        QVERIFY2(text.startsWith(QLatin1String("Hello! I'm doing well")), qPrintable(text));
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(gateway.records.first().inputTokens, 12);
        QCOMPARE(gateway.records.first().outputTokens, 30);

        // Thinking and its signature survive Bedrock on the way to an Anthropic client.
        const auto thinking
            = gateway.post(QStringLiteral("/v1/messages"), anthropicRequest(QStringLiteral("claude-thinking"), true));
        QVERIFY2(thinking.status == 200, thinking.body.constData());
        QString thought;
        QString signature;
        for (const SseEvent &event : eventsOf(thinking.body)) {
            const QJsonObject delta = jsonOf(event.data).value(QLatin1String("delta")).toObject();
            thought += delta.value(QLatin1String("thinking")).toString();
            signature += delta.value(QLatin1String("signature")).toString();
        }
        QVERIFY(!thought.isEmpty());
        QVERIFY(!signature.isEmpty());
    }

    void anthropicClientWithABedrockApiKey()
    {
        BedrockGateway gateway;
        const auto reply
            = gateway.post(QStringLiteral("/v1/messages"), anthropicRequest(QStringLiteral("claude-apikey"), false));
        QVERIFY2(reply.status == 200, reply.body.constData());
        const QJsonObject answer = jsonOf(reply.body);
        QCOMPARE(answer.value(QLatin1String("type")).toString(), QStringLiteral("message"));
        QCOMPARE(answer.value(QLatin1String("model")).toString(), QStringLiteral("claude-apikey"));
        QVERIFY(answer.value(QLatin1String("content"))
                    .toArray()
                    .first()
                    .toObject()
                    .value(QLatin1String("text"))
                    .toString()
                    .startsWith(QLatin1String("Hello! I'm doing well")));
        QCOMPARE(answer.value(QLatin1String("usage")).toObject().value(QLatin1String("input_tokens")).toInt(), 12);
        const ReceivedRequest upstream = gateway.upstream().lastRequest();
        QCOMPARE(upstream.headers.value("authorization"), QByteArray("Bearer " + BedrockApiKey.toUtf8()));
        QVERIFY(!upstream.headers.contains("x-amz-date"));
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(gateway.records.first().outputTokens, 29);
    }

    // The mock checks the SigV4 shape: a Bedrock provider without credentials is refused, and the client sees
    // Bedrock's own words.
    void unsignedRequestsAreRefusedByTheMock()
    {
        BedrockGateway gateway;
        const auto reply = gateway.post(QStringLiteral("/v1/chat/completions"),
                                        toolRequest(QStringLiteral("claude-unsigned"), false));
        QCOMPARE(reply.status, 403);
        QVERIFY2(reply.body.contains("Authorization header requires"), reply.body.constData());
    }

    void throttlingIsRetriedThenFallsBack()
    {
        BedrockGateway gateway;
        const auto reply
            = gateway.post(QStringLiteral("/v1/chat/completions"), toolRequest(QStringLiteral("throttled"), false));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QCOMPARE(reply.provider, QByteArray("direct"));
        QVERIFY(gateway.waitForRecords(1));
        const RequestRecord &record = gateway.records.first();
        QCOMPARE(record.attempts.size(), 3); // throttled, retried, then the fallback model
        QCOMPARE(record.attempts.at(0).errorClass, QStringLiteral("rate_limit"));
        QCOMPARE(record.attempts.at(0).decision, QStringLiteral("retry"));
        QCOMPARE(record.attempts.at(1).decision, QStringLiteral("fallback"));
        QCOMPARE(record.attempts.at(2).model, QStringLiteral("claude-direct"));
    }

    void throttlingWithNowhereToGoKeepsBedrocksMessage()
    {
        BedrockGateway gateway;
        const auto reply = gateway.post(QStringLiteral("/v1/chat/completions"),
                                        toolRequest(QStringLiteral("throttled-alone"), false));
        QCOMPARE(reply.status, 429);
        const QJsonObject error = errorOf(reply.body);
        QVERIFY2(error.value(QLatin1String("message")).toString().contains(QLatin1String("Too many requests")),
                 reply.body.constData());
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(gateway.records.first().httpStatus, 429);
    }

    void aQueuedThrottleIsRetriedTransparently()
    {
        BedrockGateway gateway;
        gateway.upstream().enqueueFault(MockFault::httpStatus(429).forModel(QStringLiteral("anthropic-text")));
        const auto reply
            = gateway.post(QStringLiteral("/v1/messages"), anthropicRequest(QStringLiteral("claude-bedrock"), true));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QCOMPARE(reply.provider, QByteArray("aws"));
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(gateway.records.first().attempts.size(), 2);
        QCOMPARE(gateway.records.first().outputTokens, 30);
    }

    void aStreamCutMidwayEndsWithAnExplicitError()
    {
        BedrockGateway gateway;
        gateway.upstream().enqueueFault(MockFault::truncatedStream(4).forModel(QStringLiteral("anthropic-text")));
        const auto reply
            = gateway.post(QStringLiteral("/v1/messages"), anthropicRequest(QStringLiteral("claude-bedrock"), true));
        QCOMPARE(reply.status, 200);
        const QList<SseEvent> events = eventsOf(reply.body);
        QCOMPARE(events.last().event, QByteArray("error"));
        QVERIFY(gateway.waitForRecords(1));
        QVERIFY(gateway.records.first().errorMessage.contains(QLatin1String("incomplete")));
    }
};

QTEST_GUILESS_MAIN(TestGatewayBedrock)
#include "tst_gateway_bedrock.moc"
