#include <fcntl.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "common/SecretScrubber.h"
#include "gateway/Gateway.h"

using namespace sluice;
using namespace sluice::test;

// Upstreams that answer badly, through the running gateway: streams that end before any content, and a stream
// event that never ends. Each must give the client a well-formed answer and the log a truthful row, and leave the
// gateway serving.
namespace {

const QByteArray CutModels
    = "  - name: cut-before-anything\n"
      "    deployments: [{provider: mock-anthropic, model: \"anthropic-text~truncate;after=0\"}]\n"
      "    retry: {attempts: 1}\n"
      "  - name: cut-after-start\n"
      "    deployments: [{provider: mock-anthropic, model: \"anthropic-text~truncate;after=1\"}]\n"
      "    retry: {attempts: 1}\n"
      "  - name: cut-gemini\n"
      "    deployments: [{provider: mock-gemini, model: \"google-text~truncate;after=0\"}]\n"
      "    retry: {attempts: 1}\n";

// An upstream that answers 200 text/event-stream and then one "data:" line that never ends, 1 MiB a chunk, until
// the client hangs up or `limit` chunks went out.
class EndlessEventUpstream : public QObject
{
public:
    explicit EndlessEventUpstream(int limit)
        : m_limit(limit)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = m_server.nextPendingConnection();
            QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                m_request += socket->readAll();
                if (!m_started && m_request.contains("\r\n\r\n")) {
                    m_started = true;
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n");
                    sendChunk(socket, "data: ");
                }
            });
            QObject::connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] {
                if (socket->bytesToWrite() == 0 && m_sent < m_limit) {
                    ++m_sent;
                    sendChunk(socket, QByteArray(1024 * 1024, 'x'));
                }
            });
            QObject::connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                m_closedByClient = true;
                socket->deleteLater();
            });
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QByteArray baseUrl() const { return "http://127.0.0.1:" + QByteArray::number(m_server.serverPort()); }
    int chunksSent() const { return m_sent; }
    bool closedByClient() const { return m_closedByClient; }

private:
    static void sendChunk(QTcpSocket *socket, const QByteArray &data)
    {
        socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
    }

    QTcpServer m_server;
    QByteArray m_request;
    int m_limit;
    int m_sent = 0;
    bool m_started = false;
    bool m_closedByClient = false;
};

// An upstream that answers every request with one whole, well-framed HTTP response.
class CannedUpstream : public QObject
{
public:
    explicit CannedUpstream(QByteArray response)
        : m_response(std::move(response))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = m_server.nextPendingConnection();
            QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                if (socket->readAll().contains("\r\n\r\n"))
                    socket->write(m_response);
            });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QByteArray baseUrl() const { return "http://127.0.0.1:" + QByteArray::number(m_server.serverPort()); }

    static QByteArray eventStream(const QByteArray &body)
    {
        return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }

private:
    QTcpServer m_server;
    QByteArray m_response;
};

// An upstream that echoes the credentials it was sent: "$KEY" in the canned response's body becomes the value of
// the request's Authorization (without "Bearer ") or x-api-key header, "$LEN" in its head the body's length.
class EchoingUpstream : public QObject
{
public:
    explicit EchoingUpstream(QByteArray response)
        : m_response(std::move(response))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = m_server.nextPendingConnection();
            QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                const QByteArray request = socket->readAll();
                QByteArray key;
                for (const QByteArray &line : request.split('\n')) {
                    const QByteArray lower = line.toLower();
                    if (lower.startsWith("authorization: bearer "))
                        key = line.mid(22).trimmed();
                    else if (lower.startsWith("x-api-key: "))
                        key = line.mid(11).trimmed();
                }
                const qsizetype split = m_response.indexOf("\r\n\r\n") + 4;
                QByteArray head = m_response.first(split);
                QByteArray body = m_response.sliced(split);
                body.replace("$KEY", key);
                head.replace("$LEN", QByteArray::number(body.size()));
                socket->write(head + body);
                socket->disconnectFromHost(); // every canned answer says Connection: close
            });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QByteArray baseUrl() const { return "http://127.0.0.1:" + QByteArray::number(m_server.serverPort()); }

private:
    QTcpServer m_server;
    QByteArray m_response;
};

QByteArray withLength(const QByteArray &head, const QByteArray &body)
{
    return head + "Content-Length: $LEN\r\n\r\n" + body;
}

// One provider of `type` at baseUrl (with the fixture's test key) serving one model that is tried once.
FixtureExtras singleUpstream(const QByteArray &type, const QByteArray &baseUrl, const QByteArray &model,
                             const QByteArray &providerExtra = {})
{
    FixtureExtras extras;
    extras.providers = "  - name: scripted\n    type: " + type + "\n    base_url: " + baseUrl
        + "\n    api_key: env:SLUICE_TEST_PROVIDER_KEY\n" + providerExtra;
    extras.models = "  - name: " + model
        + "\n    provider: scripted\n    upstream_model: any-model\n"
          "    retry: {attempts: 1}\n";
    return extras;
}

} // namespace

class TestHardening : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void streamEndingBeforeContent_data();
    void streamEndingBeforeContent();
    void endlessStreamEventIsCutOff();
    void wellFramedStreamWithoutContent_data();
    void wellFramedStreamWithoutContent();
    void upstreamAnswersAreNormalised_data();
    void upstreamAnswersAreNormalised();
    void echoedKeysNeverLeave_data();
    void echoedKeysNeverLeave();
    void unauthenticatedBodiesAreNotRead();
    void refusedByTheHttpLayerIsLogged();
    void outOfFileDescriptorsRecovers();
    void riskySettingsAreSaidAtStart();
    void lenientHttpIsRefused_data();
    void lenientHttpIsRefused();
    void connectionsBeyondTheLimitGetA503();
    void bufferedBytesBeyondTheBudgetGetA503();
};

void TestHardening::streamEndingBeforeContent_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    const QStringList models {QStringLiteral("cut-before-anything"), QStringLiteral("cut-after-start")};
    for (const QString &model : models) {
        QTest::addRow("OpenAI chat, %s", qPrintable(model)) << QStringLiteral("/v1/chat/completions") << model;
        QTest::addRow("Responses, %s", qPrintable(model)) << QStringLiteral("/v1/responses") << model;
        QTest::addRow("Gemini, %s", qPrintable(model))
            << QStringLiteral("/v1beta/models/%1:streamGenerateContent?alt=sse").arg(model) << model;
    }
    QTest::addRow("Anthropic from Gemini") << QStringLiteral("/v1/messages") << QStringLiteral("cut-gemini");
}

void TestHardening::streamEndingBeforeContent()
{
    // Translated routes whose upstream stream ends with no content (empty, or only message_start) used to crash
    // the whole gateway. Nothing reached the client, so the attempt fails like any other: a 502 in its format.
    QFETCH(QString, path);
    QFETCH(QString, model);
    GatewayFixture gateway({}, CutModels);
    QByteArray body;
    if (path.contains(QLatin1String("responses")))
        body = toJson(QJsonObject {{QStringLiteral("model"), model},
                                   {QStringLiteral("input"), QStringLiteral("hi")},
                                   {QStringLiteral("stream"), true}});
    else if (path.contains(QLatin1String("v1beta")))
        body = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";
    else if (path.contains(QLatin1String("messages")))
        body = anthropicBody(model, true);
    else
        body = chatBody(model, true);
    const auto reply = gateway.post(gateway.request(path), body);
    QCOMPARE(reply.status, 502);
    QVERIFY2(!errorMessageOf(reply.body).isEmpty() || reply.body.contains("error"), reply.body.constData());
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().httpStatus, 502);
    QVERIFY(!gateway.records.first().errorClass.isEmpty());

    // Still serving.
    QCOMPARE(
        gateway
            .post(gateway.request(QStringLiteral("/v1/chat/completions")), chatBody(QStringLiteral("gpt-test"), true))
            .status,
        200);
}

void TestHardening::endlessStreamEventIsCutOff()
{
    EndlessEventUpstream endless(64);
    QVERIFY(endless.listen());
    GatewayFixture gateway(
        {},
        singleUpstream("openai", endless.baseUrl() + "/v1", "endless-event",
                       "    timeouts: {connect_ms: 2000, first_byte_ms: 5000, idle_ms: 5000, total_ms: 60000}\n"));
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("endless-event"), true));
    QCOMPARE(reply.status, 502);
    QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("larger than 16 MiB")), reply.body.constData());
    // Sluice hung up after about 16 MiB instead of reading (and holding) all 64.
    QTRY_VERIFY(endless.closedByClient());
    QVERIFY2(endless.chunksSent() < 40, qPrintable(QString::number(endless.chunksSent())));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().errorClass, QStringLiteral("upstream_protocol"));
}

void TestHardening::wellFramedStreamWithoutContent_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("only message_start") << QByteArray(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
        "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],"
        "\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n");
}

void TestHardening::wellFramedStreamWithoutContent()
{
    // A complete 200 answer (Content-Length, nothing cut at the HTTP level) whose Anthropic stream stops before
    // any content: the attempt failed, and the client gets a 502 in its own format, not a crash.
    QFETCH(QByteArray, stream);
    CannedUpstream upstream(CannedUpstream::eventStream(stream));
    QVERIFY(upstream.listen());
    GatewayFixture gateway({}, singleUpstream("anthropic", upstream.baseUrl(), "canned-claude"));
    for (const QString &path : {QStringLiteral("/v1/chat/completions"), QStringLiteral("/v1/responses")}) {
        const QByteArray body = path.endsWith(QLatin1String("responses"))
            ? toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("canned-claude")},
                                  {QStringLiteral("input"), QStringLiteral("hi")},
                                  {QStringLiteral("stream"), true}})
            : chatBody(QStringLiteral("canned-claude"), true);
        const auto reply = gateway.post(gateway.request(path), body);
        QCOMPARE(reply.status, 502);
        QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("scripted")), reply.body.constData());
    }
    QVERIFY(gateway.waitForRecords(2));
    for (const RequestRecord &record : std::as_const(gateway.records))
        QCOMPARE(record.httpStatus, 502);
}

void TestHardening::upstreamAnswersAreNormalised_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message"); // part of the client's error message
    QTest::addColumn<QByteArray>("retryAfter"); // the Retry-After the client gets
    QTest::addColumn<QString>("errorClass");
    const QByteArray html = "<html><body><h1>500 Internal Server Error</h1></body></html>";
    QTest::newRow("HTML error page") << "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n"
                                        "Content-Length: "
            + QByteArray::number(html.size()) + "\r\n\r\n" + html
                                     << 500 << QStringLiteral("Internal Server Error") << QByteArray()
                                     << QStringLiteral("upstream_error");
    QTest::newRow("redirect without Location")
        << QByteArray("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n") << 502 << QStringLiteral("base_url")
        << QByteArray() << QStringLiteral("upstream_protocol");
    const QByteArray limited = R"({"error":{"message":"Slow down","type":"rate_limit_error"}})";
    QTest::newRow("absurd Retry-After") << "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 99999999999\r\n"
                                           "Content-Type: application/json\r\nContent-Length: "
            + QByteArray::number(limited.size()) + "\r\n\r\n" + limited
                                        << 429 << QStringLiteral("Slow down") << QByteArray("3600")
                                        << QStringLiteral("upstream_error");
    QTest::newRow("Retry-After that is no number")
        << "HTTP/1.1 429 Too Many Requests\r\nRetry-After: soon\r\n"
           "Content-Type: application/json\r\nContent-Length: "
            + QByteArray::number(limited.size()) + "\r\n\r\n" + limited
        << 429 << QStringLiteral("Slow down") << QByteArray() << QStringLiteral("upstream_error");
    const QByteArray quota = R"({"error":{"message":"Quota exhausted for this key","code":"quota"}})";
    QTest::newRow("200 carrying an error")
        << "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
           "Content-Length: "
            + QByteArray::number(quota.size()) + "\r\n\r\n" + quota
        << 502 << QStringLiteral("Quota exhausted") << QByteArray() << QStringLiteral("upstream_error");
}

void TestHardening::upstreamAnswersAreNormalised()
{
    QFETCH(QByteArray, response);
    QFETCH(int, status);
    QFETCH(QString, message);
    QFETCH(QByteArray, retryAfter);
    QFETCH(QString, errorClass);
    CannedUpstream upstream(response);
    QVERIFY(upstream.listen());
    GatewayFixture gateway({}, singleUpstream("openai", upstream.baseUrl() + "/v1", "canned-gpt"));
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                                    chatBody(QStringLiteral("canned-gpt"), false));
    QCOMPARE(reply.status, status);
    // Always an error envelope the client's SDK can read.
    QVERIFY2(jsonOf(reply.body).value(QLatin1String("error")).isObject(), reply.body.constData());
    QVERIFY2(errorMessageOf(reply.body).contains(message), reply.body.constData());
    QCOMPARE(reply.header("retry-after"), retryAfter);
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().httpStatus, status);
    QCOMPARE(gateway.records.first().errorClass, errorClass);
}

void TestHardening::echoedKeysNeverLeave_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("stream");
    const QByteArray error
        = R"({"error":{"message":"Incorrect API key provided: $KEY","type":"invalid_request_error"}})";
    QTest::newRow("error echoing the key, same format")
        << withLength("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n", error)
        << QStringLiteral("/v1/chat/completions") << false;
    QTest::newRow("error echoing the key, translated")
        << withLength("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n", error)
        << QStringLiteral("/v1/messages") << false;
    const QByteArray answer = R"({"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
                              R"("message":{"role":"assistant","content":"Your key is $KEY"},"finish_reason":"stop"}],)"
                              R"("usage":{"prompt_tokens":3,"completion_tokens":5}})";
    QTest::newRow("answer quoting the key")
        << withLength("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n", answer)
        << QStringLiteral("/v1/chat/completions") << false;
    const QByteArray events
        = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
          "\"delta\":{\"content\":\"Your key is $KEY\"}}]}\n\ndata: {\"id\":\"c\",\"object\":"
          "\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},"
          "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5}}\n\ndata: [DONE]\n\n";
    QTest::newRow("stream quoting the key")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events)
        << QStringLiteral("/v1/chat/completions") << true;
}

void TestHardening::echoedKeysNeverLeave()
{
    QFETCH(QByteArray, response);
    QFETCH(QString, path);
    QFETCH(bool, stream);
    EchoingUpstream upstream(response);
    QVERIFY(upstream.listen());
    GatewayFixture gateway({}, singleUpstream("openai", upstream.baseUrl() + "/v1", "echo-gpt"));
    const QByteArray key = "sk-provider-secret-value"; // what the fixture resolves the provider's key to
    const QByteArray body = path.endsWith(QLatin1String("messages")) ? anthropicBody(QStringLiteral("echo-gpt"), stream)
                                                                     : chatBody(QStringLiteral("echo-gpt"), stream);
    const auto reply = gateway.post(gateway.request(path), body);
    QVERIFY2(!reply.body.isEmpty(), "no answer");
    QVERIFY2(!reply.body.contains(key), reply.body.constData());
    QVERIFY2(reply.body.contains(SecretScrubber::Marker), reply.body.constData());
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QVERIFY2(!record.responseBody.contains(key), record.responseBody.constData());
    QVERIFY2(!record.errorMessage.contains(QLatin1String(key)), qPrintable(record.errorMessage));
    for (const AttemptRecord &attempt : record.attempts)
        QVERIFY2(!attempt.reason.contains(QLatin1String(key)), qPrintable(attempt.reason));
}

namespace {
// Sends raw bytes to the gateway and returns what it answered until it closed the connection (or 5 s passed).
QByteArray exchangeRaw(quint16 port, const QByteArray &bytes, bool *closed = nullptr)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(2000))
        return {};
    socket.write(bytes);
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 5000) {
        QTest::qWait(10);
        answer += socket.readAll();
    }
    answer += socket.readAll();
    if (closed)
        *closed = socket.state() != QAbstractSocket::ConnectedState;
    return answer;
}
} // namespace

void TestHardening::unauthenticatedBodiesAreNotRead()
{
    // A client without a token announces a 30 MB body and sends a little of it: it is answered at once, from the
    // headers, and the gateway holds none of the body (before, it buffered up to max_body_bytes per connection).
    GatewayFixture gateway;
    bool closed = false;
    QElapsedTimer timer;
    timer.start();
    const QByteArray answer = exchangeRaw(gateway.port(),
                                          "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          "Content-Type: application/json\r\nContent-Length: 30000000\r\n\r\n"
                                              + QByteArray(64 * 1024, 'x'),
                                          &closed);
    QVERIFY2(answer.startsWith("HTTP/1.1 401"), answer.left(200).constData());
    QVERIFY(answer.contains("authentication_error")); // Anthropic's own error shape: the path said Anthropic
    QVERIFY(closed);
    QVERIFY(timer.elapsed() < 4000);
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().httpStatus, 401);
    QVERIFY(gateway.records.first().requestBody.isEmpty());

    // With a valid token the same headers are read on: the body is waited for as usual.
    const QByteArray authorised
        = exchangeRaw(gateway.port(),
                      "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + QByteArray(TestToken)
                          + "\r\nConnection: close\r\nContent-Length: 9\r\n\r\n{\"model\":");
    QVERIFY2(authorised.startsWith("HTTP/1.1 400"), authorised.left(200).constData());
}

void TestHardening::refusedByTheHttpLayerIsLogged()
{
    GatewayFixture gateway({}, FixtureExtras {});
    const QByteArray garbage = exchangeRaw(gateway.port(), "HELLO THERE\r\n\r\n");
    QVERIFY2(garbage.startsWith("HTTP/1.1 400"), garbage.left(200).constData());
    const QByteArray tooLarge = exchangeRaw(gateway.port(),
                                            "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: "
                                                + QByteArray(TestToken) + "\r\nContent-Length: 999999999999\r\n\r\n");
    QVERIFY2(tooLarge.startsWith("HTTP/1.1 413"), tooLarge.left(200).constData());
    QVERIFY(tooLarge.contains("\"type\":\"error\"")); // in the Anthropic client's own format
    QVERIFY(gateway.waitForRecords(2));
    QCOMPARE(gateway.records.at(0).httpStatus, 400);
    QCOMPARE(gateway.records.at(1).httpStatus, 413);
    QCOMPARE(gateway.records.at(1).endpoint, QStringLiteral("/v1/messages"));
    QCOMPARE(gateway.records.at(1).tokenName, QStringLiteral("editor"));
}

void TestHardening::outOfFileDescriptorsRecovers()
{
    // At the open-files limit accept() fails (EMFILE) and Qt stops accepting for good; the gateway must take the
    // waiting connection once descriptors come free.
    GatewayFixture gateway;
    rlimit original {};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &original), 0);
    const int client = ::socket(AF_INET, SOCK_STREAM, 0); // made before the limit bites
    QVERIFY(client >= 0);
    rlimit lowered = original;
    lowered.rlim_cur = rlim_t(client + 64);
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &lowered), 0);
    QList<int> fillers;
    for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;)
        fillers.append(fd);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(gateway.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected = ::connect(client, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
    QTest::qWait(600); // the gateway tries to accept, fails, and should keep trying
    for (const int fd : std::as_const(fillers))
        ::close(fd);
    setrlimit(RLIMIT_NOFILE, &original);
    QVERIFY(connected);
    const QByteArray request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    QCOMPARE(::write(client, request.constData(), size_t(request.size())), ssize_t(request.size()));
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (!answer.contains("\r\n\r\n") && timer.elapsed() < 5000) {
        QTest::qWait(20);
        char buffer[4096];
        const ssize_t got = ::recv(client, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got > 0)
            answer.append(buffer, got);
    }
    ::close(client);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
}

void TestHardening::riskySettingsAreSaidAtStart()
{
    const Result<Config> config = ConfigLoader::loadString("gateway:\n"
                                                           "  listen: 0.0.0.0\n"
                                                           "  allowed_hosts: [\"*\"]\n",
                                                           QStringLiteral("risky.yaml"));
    QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("listens on 0\\.0\\.0\\.0, not only on this")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("allowed_hosts has \"\\*\"")));
    const Gateway gateway(*config, GatewaySecrets(), nullptr);
    Q_UNUSED(gateway)
}

void TestHardening::lenientHttpIsRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("reason");
    const QByteArray body = R"({"model":"gpt-test","messages":[{"role":"user","content":"hi"}]})";
    const QByteArray head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: "
        + QByteArray(TestToken) + "\r\nContent-Type: application/json\r\nConnection: close\r\n";
    QTest::newRow("space before the colon") << head + "Content-Length : " + QByteArray::number(body.size()) + "\r\n\r\n"
            + body << QStringLiteral("whitespace");
    QTest::newRow("bare LF") << "POST /v1/chat/completions HTTP/1.1\nHost: 127.0.0.1\nx-api-key: "
            + QByteArray(TestToken) + "\nContent-Length: " + QByteArray::number(body.size()) + "\n\n"
            + body << QStringLiteral("bare LF");
    QTest::newRow("chunk without its CRLF") << head + "Transfer-Encoding: chunked\r\n\r\n"
            + QByteArray::number(body.size(), 16) + "\r\n" + body
            + "XX0\r\n\r\n" << QStringLiteral("CRLF");
}

void TestHardening::lenientHttpIsRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, reason);
    GatewayFixture gateway;
    const QByteArray answer = exchangeRaw(gateway.port(), request);
    QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.left(300).constData());
    QVERIFY2(answer.contains(reason.toUtf8()), answer.constData());
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().httpStatus, 400);
    QCOMPARE(gateway.upstream().requests().size(), 0);
}

void TestHardening::connectionsBeyondTheLimitGetA503()
{
    GatewayFixture gateway("gateway:\n  max_connections: 2\n");
    QTcpSocket first;
    QTcpSocket second;
    for (QTcpSocket *socket : {&first, &second}) {
        socket->connectToHost(QHostAddress::LocalHost, gateway.port());
        QVERIFY(socket->waitForConnected(2000));
    }
    QTRY_COMPARE(gateway.service().connectionCount(), 2);
    bool closed = false;
    const QByteArray refused = exchangeRaw(gateway.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", &closed);
    QVERIFY2(refused.startsWith("HTTP/1.1 503"), refused.constData());
    QVERIFY(refused.contains("max_connections"));
    QVERIFY(closed);
    first.disconnectFromHost();
    QTRY_COMPARE(gateway.service().connectionCount(), 1);
    const QByteArray served
        = exchangeRaw(gateway.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QVERIFY2(served.startsWith("HTTP/1.1 200"), served.constData());
}

void TestHardening::bufferedBytesBeyondTheBudgetGetA503()
{
    // Two authorised uploads that stall half way: the second passes the 1 MiB budget and is refused, instead of
    // the gateway holding whatever clients send.
    GatewayFixture gateway("gateway:\n  max_buffered_bytes: 1048576\n");
    const QByteArray head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: "
        + QByteArray(TestToken) + "\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n";
    QTcpSocket stalled;
    stalled.connectToHost(QHostAddress::LocalHost, gateway.port());
    QVERIFY(stalled.waitForConnected(2000));
    stalled.write(head + QByteArray(700'000, ' '));
    QVERIFY(stalled.waitForBytesWritten(2000));
    QTest::qWait(200);
    const QByteArray refused = exchangeRaw(gateway.port(), head + QByteArray(700'000, ' '));
    QVERIFY2(refused.startsWith("HTTP/1.1 503"), refused.left(300).constData());
    QVERIFY(refused.contains("max_buffered_bytes"));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().httpStatus, 503);

    // Once the stalled upload is gone, its bytes are given back.
    stalled.abort();
    QTest::qWait(200);
    const QByteArray served = exchangeRaw(gateway.port(),
                                          "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: "
                                              + QByteArray(TestToken) + "\r\nConnection: close\r\nContent-Length: "
                                              + QByteArray::number(chatBody(QStringLiteral("gpt-test"), false).size())
                                              + "\r\n\r\n" + chatBody(QStringLiteral("gpt-test"), false));
    QVERIFY2(served.startsWith("HTTP/1.1 200"), served.left(300).constData());
}

QTEST_GUILESS_MAIN(TestHardening)
#include "tst_hardening.moc"
