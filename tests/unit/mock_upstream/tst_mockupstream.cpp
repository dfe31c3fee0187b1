#include <cerrno>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <netinet/in.h>
#include <sys/socket.h>

#include "support/MockUpstream.h"
#include "support/RawHttpClient.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// What the recordings folder holds, read here independently of the mock's own index.
struct RecordingFile
{
    QString name;
    QString folder;
    QString path;
};

QList<RecordingFile> recordingFiles(const QString &suffix)
{
    QList<RecordingFile> files;
    const QDir root(qEnvironmentVariable("SLUICE_RECORDINGS_DIR"));
    for (const QString &folder : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir dir(root.filePath(folder));
        for (const QString &file : dir.entryList({QLatin1Char('*') + suffix}, QDir::Files, QDir::Name))
            files.append({file.chopped(suffix.size()), folder, dir.filePath(file)});
    }
    return files;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll();
}

bool isError(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object().contains(QLatin1String("error"));
}

QByteArray endpointFor(const QString &folder, const QString &name, bool stream)
{
    if (folder == QLatin1String("anthropic"))
        return "/v1/messages";
    if (folder == QLatin1String("google"))
        return "/v1beta/models/" + name.toUtf8() + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    if (name.contains(QLatin1String("completion-text")))
        return "/v1/completions";
    return "/v1/chat/completions";
}

QByteArray requestBody(const QString &model, bool stream, bool includeUsage = false)
{
    QJsonObject body {{QStringLiteral("model"), model},
                      {QStringLiteral("messages"),
                       QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                                {QStringLiteral("content"), QStringLiteral("Hello")}}}}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    if (includeUsage)
        body.insert(QStringLiteral("stream_options"), QJsonObject {{QStringLiteral("include_usage"), true}});
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// The SSE events a recording was sent as, framed per SOURCE.md.
QList<QByteArray> expectedEvents(const QString &folder, const QString &path, bool includeUsage)
{
    QList<QByteArray> events;
    for (QByteArray line : readAll(path).split('\n')) {
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (folder == QLatin1String("anthropic")) {
            events.append("event: " + object.value(QLatin1String("type")).toString().toUtf8() + "\ndata: " + line
                          + "\n\n");
        } else if (folder == QLatin1String("google")) {
            events.append("data: " + line + "\n\n");
        } else {
            const bool usageOnly = object.value(QLatin1String("usage")).isObject()
                && object.value(QLatin1String("choices")).toArray().isEmpty();
            if (!usageOnly || includeUsage)
                events.append("data: " + line + "\n\n");
        }
    }
    if (folder != QLatin1String("anthropic") && folder != QLatin1String("google"))
        events.append("data: [DONE]\n\n");
    return events;
}

// How a server ended a connection, seen through a plain socket: a clean close (FIN) or a reset (RST).
enum class Ending { Open, Closed, Reset };

struct PlainExchange
{
    QByteArray received;
    Ending ending = Ending::Open;
};

PlainExchange plainExchange(quint16 port, const QByteArray &request, int timeoutMs = 5000)
{
    PlainExchange result;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return result;
    }
    [[maybe_unused]] const auto sent = ::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL);
    QElapsedTimer timer;
    timer.start();
    char buffer[16384];
    while (timer.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        const auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            result.received.append(buffer, n);
        } else if (n == 0) {
            result.ending = Ending::Closed;
            break;
        } else if (errno == ECONNRESET) {
            result.ending = Ending::Reset;
            break;
        } else {
            QThread::msleep(1);
        }
    }
    ::close(fd);
    return result;
}

} // namespace

class TestMockUpstream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void listsEveryRecording();
    void replaysBodies_data();
    void replaysBodies();
    void replaysStreams_data();
    void replaysStreams();
    void usageChunkOnlyWhenAsked();
    void geminiStreamWithoutSseIsJsonArray();
    void recordedErrorsKeepTheirStatus_data();
    void recordedErrorsKeepTheirStatus();
    void unknownModelIs404InTheEndpointsEnvelope_data();
    void unknownModelIs404InTheEndpointsEnvelope();
    void azureDeploymentNamesTheRecording();
    void recordsEveryRequest();
    void keepAliveReusesOneConnection();
    void pipelinedRequestsAnswerInOrder();
    void connectionCloseIsHonoured();
    void chunkedRequestBodyIsDecoded();

    void faultStatusWithRetryHeaders();
    void faultResetBeforeHeaders();
    void faultResetMidStream();
    void faultStallUntilClientCloses();
    void faultSlowHeaders();
    void faultSlowStream();
    void faultInvalidJson_data();
    void faultInvalidJson();
    void faultTruncatedStream();
    void faultTruncatedBody();
    void faultFromHeaderAndModelSuffix();
    void queuedFaultsMatchModelAndCount();
    void badFaultSpecIs400();
    void faultSpecRoundTrips();
    void clientDisconnectMidStreamIsSignalled();

    void responsesAnswerFromChatRecording();
    void responsesStreamFromChatRecording();
    void agentToolRoundTrip_data();
    void agentToolRoundTrip();
    void agentWithoutShellToolAnswersText();

    void standaloneProcess();
    void standaloneProcessRejectsMissingRecordings();

private:
    RawHttpClient::Response roundTrip(const QByteArray &request);

    std::unique_ptr<MockUpstream> m_mock;
};

void TestMockUpstream::init()
{
    m_mock = std::make_unique<MockUpstream>();
    const auto listening = m_mock->listen();
    QVERIFY2(listening.ok(), qPrintable(listening.errorMessage()));
    QVERIFY(m_mock->port() != 0);
    QCOMPARE(m_mock->baseUrl().toString(), QStringLiteral("http://127.0.0.1:%1").arg(m_mock->port()));
}

void TestMockUpstream::cleanup()
{
    m_mock.reset();
}

RawHttpClient::Response TestMockUpstream::roundTrip(const QByteArray &request)
{
    RawHttpClient client;
    if (!client.connectTo(m_mock->port()))
        return {};
    client.send(request);
    return client.waitForResponse();
}

void TestMockUpstream::listsEveryRecording()
{
    QStringList expected;
    for (const auto &file : recordingFiles(QStringLiteral(".json")) + recordingFiles(QStringLiteral(".chunks.txt"))) {
        if (!expected.contains(file.name))
            expected.append(file.name);
    }
    expected.sort();
    QVERIFY(expected.size() > 10);

    const auto response = roundTrip(RawHttpClient::buildRequest("GET", "/v1/models"));
    QCOMPARE(response.status, 200);
    const QJsonObject list = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(list.value(QLatin1String("object")).toString(), QStringLiteral("list"));
    QStringList ids;
    for (const QJsonValue &model : list.value(QLatin1String("data")).toArray())
        ids.append(model.toObject().value(QLatin1String("id")).toString());
    QCOMPARE(ids, expected);
}

void TestMockUpstream::replaysBodies_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("path");
    for (const auto &file : recordingFiles(QStringLiteral(".json"))) {
        if (!isError(readAll(file.path)))
            QTest::newRow(qPrintable(file.name)) << file.folder << file.name << file.path;
    }
}

void TestMockUpstream::replaysBodies()
{
    QFETCH(QString, folder);
    QFETCH(QString, name);
    QFETCH(QString, path);
    const auto response = roundTrip(RawHttpClient::post(endpointFor(folder, name, false), requestBody(name, false)));
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete);
    QVERIFY(!response.chunked);
    QCOMPARE(response.headers.value("Content-Length").toLongLong(), readAll(path).size());
    QCOMPARE(response.headers.value("Content-Type"), QByteArray("application/json"));
    QCOMPARE(response.body, readAll(path));
}

void TestMockUpstream::replaysStreams_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("includeUsage");
    for (const auto &file : recordingFiles(QStringLiteral(".chunks.txt"))) {
        QTest::newRow(qPrintable(file.name)) << file.folder << file.name << file.path << false;
        if (file.folder != QLatin1String("anthropic") && file.folder != QLatin1String("google"))
            QTest::newRow(qPrintable(file.name + QStringLiteral(" include_usage")))
                << file.folder << file.name << file.path << true;
    }
}

void TestMockUpstream::replaysStreams()
{
    QFETCH(QString, folder);
    QFETCH(QString, name);
    QFETCH(QString, path);
    QFETCH(bool, includeUsage);
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    client.send(RawHttpClient::post(endpointFor(folder, name, true), requestBody(name, true, includeUsage)));
    const auto response = client.waitForResponse();
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete);
    QVERIFY(response.chunked);
    QCOMPARE(response.headers.value("Transfer-Encoding"), QByteArray("chunked"));
    QVERIFY(response.headers.value("Content-Type").startsWith("text/event-stream"));
    QVERIFY(!response.headers.contains("Content-Length"));

    const QList<QByteArray> expected = expectedEvents(folder, path, includeUsage);
    // One HTTP chunk per SSE event, in order, byte for byte.
    QCOMPARE(response.chunks.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QCOMPARE(response.chunks.at(i), expected.at(i));
    QCOMPARE(response.body, expected.join());
    QVERIFY(client.received().endsWith("\r\n0\r\n\r\n"));
    QVERIFY(client.isConnected()); // keep-alive
}

void TestMockUpstream::usageChunkOnlyWhenAsked()
{
    const auto usageOf = [](const QByteArray &event) {
        return QJsonDocument::fromJson(event.mid(6)).object().value(QLatin1String("usage"));
    };
    const auto without
        = roundTrip(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), true)));
    QCOMPARE(without.chunks.constLast(), QByteArray("data: [DONE]\n\n"));
    const QByteArray lastWithout = without.chunks.at(without.chunks.size() - 2);
    QVERIFY(usageOf(lastWithout).isNull());
    QVERIFY(!without.body.contains("\"prompt_tokens\""));

    const auto with = roundTrip(
        RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), true, true)));
    QCOMPARE(with.chunks.size(), without.chunks.size() + 1);
    const QJsonObject usage = usageOf(with.chunks.at(with.chunks.size() - 2)).toObject();
    QCOMPARE(usage.value(QLatin1String("prompt_tokens")).toInt(), 16);
    QCOMPARE(usage.value(QLatin1String("completion_tokens")).toInt(), 300);
}

void TestMockUpstream::geminiStreamWithoutSseIsJsonArray()
{
    const auto response = roundTrip(
        RawHttpClient::post("/v1beta/models/google-text:streamGenerateContent", requestBody(QString(), false)));
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete);
    const QJsonDocument document = QJsonDocument::fromJson(response.body);
    QVERIFY(document.isArray());
    const auto files = recordingFiles(QStringLiteral(".chunks.txt"));
    const auto it = std::find_if(files.cbegin(), files.cend(),
                                 [](const RecordingFile &f) { return f.name == QLatin1String("google-text"); });
    QVERIFY(it != files.cend());
    QCOMPARE(document.array().size(), readAll(it->path).trimmed().split('\n').size());
}

void TestMockUpstream::recordedErrorsKeepTheirStatus_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("name");
    QTest::newRow("gemini 429") << QByteArray("/v1beta/models/google-429-retry-info:generateContent")
                                << QByteArray("{}") << 429 << QStringLiteral("google-429-retry-info");
    QTest::newRow("gemini 429 streamed") << QByteArray(
        "/v1beta/models/google-429-retry-info:streamGenerateContent?alt=sse")
                                         << QByteArray("{}") << 429 << QStringLiteral("google-429-retry-info");
    QTest::newRow("openai 400") << QByteArray("/v1/chat/completions")
                                << requestBody(QStringLiteral("reasoning-model-legacy-parameter-error"), false) << 400
                                << QStringLiteral("reasoning-model-legacy-parameter-error");
    QTest::newRow("openai 400 streamed") << QByteArray("/v1/chat/completions")
                                         << requestBody(QStringLiteral("reasoning-model-legacy-parameter-error"), true)
                                         << 400 << QStringLiteral("reasoning-model-legacy-parameter-error");
}

void TestMockUpstream::recordedErrorsKeepTheirStatus()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, name);
    const auto response = roundTrip(RawHttpClient::post(target, body));
    QCOMPARE(response.status, status);
    QVERIFY(response.complete);
    const auto files = recordingFiles(QStringLiteral(".json"));
    const auto it = std::find_if(files.cbegin(), files.cend(), [&](const RecordingFile &f) { return f.name == name; });
    QVERIFY(it != files.cend());
    QCOMPARE(response.body, readAll(it->path));
}

void TestMockUpstream::unknownModelIs404InTheEndpointsEnvelope_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("messagePointer");
    QTest::newRow("openai") << QByteArray("/v1/chat/completions") << QStringLiteral("error/message");
    QTest::newRow("openai with prefix") << QByteArray("/openai/v1/chat/completions") << QStringLiteral("error/message");
    QTest::newRow("anthropic") << QByteArray("/v1/messages") << QStringLiteral("error/message");
    QTest::newRow("gemini") << QByteArray("/v1beta/models/no-such-recording:generateContent")
                            << QStringLiteral("error/message");
}

void TestMockUpstream::unknownModelIs404InTheEndpointsEnvelope()
{
    QFETCH(QByteArray, target);
    const auto response
        = roundTrip(RawHttpClient::post(target, requestBody(QStringLiteral("no-such-recording"), false)));
    QCOMPARE(response.status, 404);
    const QJsonObject root = QJsonDocument::fromJson(response.body).object();
    const QJsonObject error = root.value(QLatin1String("error")).toObject();
    QVERIFY2(error.value(QLatin1String("message")).toString().contains(QLatin1String("no-such-recording")),
             response.body.constData());
    if (target.endsWith("/messages")) {
        QCOMPARE(root.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("not_found_error"));
    } else if (target.contains(":generateContent")) {
        QCOMPARE(error.value(QLatin1String("code")).toInt(), 404);
        QCOMPARE(error.value(QLatin1String("status")).toString(), QStringLiteral("NOT_FOUND"));
    } else {
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("model_not_found"));
    }

    // A recording of another provider family is not served through this endpoint.
    const auto mismatch = roundTrip(RawHttpClient::post(
        target.contains(":generateContent") ? QByteArray("/v1beta/models/openai-text:generateContent") : target,
        requestBody(target.endsWith("/messages") ? QStringLiteral("openai-text") : QStringLiteral("anthropic-text"),
                    false)));
    QCOMPARE(mismatch.status, 404);
}

void TestMockUpstream::azureDeploymentNamesTheRecording()
{
    const auto response = roundTrip(RawHttpClient::post(
        "/openai/deployments/azure-model-router.1/chat/completions?api-version=2024-10-21", "{\"stream\":true}"));
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete);
    QVERIFY(response.body.contains("gpt-5-nano"));
}

void TestMockUpstream::recordsEveryRequest()
{
    QSignalSpy received(m_mock.get(), &MockUpstream::requestReceived);
    const QByteArray body = requestBody(QStringLiteral("openai-text"), false);
    roundTrip(RawHttpClient::post("/v1/chat/completions?trace=1", body,
                                  {{"Authorization", "Bearer upstream-key"}, {"X-Custom", "a b"}}));
    roundTrip(RawHttpClient::buildRequest("GET", "/v1/models"));
    QCOMPARE(received.size(), 2);
    QCOMPARE(m_mock->requests().size(), 2);
    const ReceivedRequest first = m_mock->requests().first();
    QCOMPARE(first.method, QByteArray("POST"));
    QCOMPARE(first.target, QByteArray("/v1/chat/completions?trace=1"));
    QCOMPARE(first.path, QByteArray("/v1/chat/completions"));
    QCOMPARE(first.query, QByteArray("trace=1"));
    QCOMPARE(first.headers.value("authorization"), QByteArray("Bearer upstream-key"));
    QCOMPARE(first.headers.value("x-custom"), QByteArray("a b"));
    QCOMPARE(first.body, body);
    QCOMPARE(first.json().value(QLatin1String("model")).toString(), QStringLiteral("openai-text"));
    QVERIFY(first.arrivedAt.isValid());
    QCOMPARE(received.first().first().value<ReceivedRequest>().body, body);
    QCOMPARE(m_mock->lastRequest().method, QByteArray("GET"));
    QVERIFY(m_mock->lastRequest().arrivedMs >= first.arrivedMs);

    m_mock->clear();
    QVERIFY(m_mock->requests().isEmpty());
    QVERIFY(m_mock->lastRequest().method.isEmpty());
    QCOMPARE(m_mock->acceptedConnectionCount(), 0);
}

void TestMockUpstream::keepAliveReusesOneConnection()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    for (int i = 0; i < 3; ++i) {
        client.send(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("groq-text"), i == 1)));
        const auto response = client.waitForResponse();
        QCOMPARE(response.status, 200);
        QVERIFY(response.complete);
    }
    QCOMPARE(m_mock->acceptedConnectionCount(), 1);
    QCOMPARE(m_mock->requests().size(), 3);
    for (const ReceivedRequest &request : m_mock->requests())
        QCOMPARE(request.connectionId, 1);

    RawHttpClient other;
    QVERIFY(other.connectTo(m_mock->port()));
    other.send(RawHttpClient::buildRequest("GET", "/v1/models"));
    QCOMPARE(other.waitForResponse().status, 200);
    QCOMPARE(m_mock->acceptedConnectionCount(), 2);
    QCOMPARE(m_mock->lastRequest().connectionId, 2);
}

void TestMockUpstream::pipelinedRequestsAnswerInOrder()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    client.send(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("mistral-text"), true))
                + RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("no-such"), false))
                + RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("groq-tool-call"), false)));
    const auto first = client.waitForResponse();
    const auto second = client.waitForResponse();
    const auto third = client.waitForResponse();
    QCOMPARE(first.status, 200);
    QVERIFY(first.chunked);
    QVERIFY(first.body.contains("mistral-small-latest"));
    QCOMPARE(second.status, 404);
    QCOMPARE(third.status, 200);
    QVERIFY(third.body.contains("llama-3.3-70b-versatile"));
    QCOMPARE(m_mock->acceptedConnectionCount(), 1);
}

void TestMockUpstream::connectionCloseIsHonoured()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    QSignalSpy disconnected(m_mock.get(), &MockUpstream::clientDisconnected);
    client.send(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), true),
                                    {{"Connection", "close"}}));
    const auto response = client.waitForResponse();
    QVERIFY(response.complete);
    QCOMPARE(response.headers.value("Connection"), QByteArray("close"));
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(disconnected.size(), 0); // the mock closed it, not the client
}

void TestMockUpstream::chunkedRequestBodyIsDecoded()
{
    const QByteArray body = requestBody(QStringLiteral("deepseek-text"), false);
    const QByteArray head
        = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          "Transfer-Encoding: chunked\r\n\r\n";
    const QByteArray chunked = QByteArray::number(10, 16) + "\r\n" + body.left(10) + "\r\n"
        + QByteArray::number(body.size() - 10, 16) + "\r\n" + body.mid(10) + "\r\n0\r\n\r\n";
    const auto response = roundTrip(head + chunked);
    QCOMPARE(response.status, 200);
    QVERIFY(response.body.contains("deepseek-chat"));
    QCOMPARE(m_mock->lastRequest().body, body);
}

void TestMockUpstream::faultStatusWithRetryHeaders()
{
    m_mock->enqueueFault(MockFault::httpStatus(429, "3", 2500));
    const QByteArray request
        = RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), false));
    const auto failed = roundTrip(request);
    QCOMPARE(failed.status, 429);
    QCOMPARE(failed.headers.value("Retry-After"), QByteArray("3"));
    QCOMPARE(failed.headers.value("retry-after-ms"), QByteArray("2500"));
    const QJsonObject error = QJsonDocument::fromJson(failed.body).object().value(QLatin1String("error")).toObject();
    QVERIFY(!error.value(QLatin1String("message")).toString().isEmpty());
    QCOMPARE(m_mock->pendingFaultCount(), 0);
    // The fault is consumed: the next request is answered normally.
    QCOMPARE(roundTrip(request).status, 200);

    MockFault custom = MockFault::httpStatus(529);
    custom.body = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
    m_mock->enqueueFault(custom);
    const auto overloaded
        = roundTrip(RawHttpClient::post("/v1/messages", requestBody(QStringLiteral("anthropic-text"), true)));
    QCOMPARE(overloaded.status, 529);
    QCOMPARE(overloaded.body, custom.body);
}

void TestMockUpstream::faultResetBeforeHeaders()
{
    m_mock->enqueueFault(MockFault::resetBeforeHeaders());
    const auto exchange = plainExchange(
        m_mock->port(), RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), false)));
    QCOMPARE(exchange.ending, Ending::Reset);
    QVERIFY(exchange.received.isEmpty());
    QCOMPARE(m_mock->requests().size(), 1);
}

void TestMockUpstream::faultResetMidStream()
{
    m_mock->enqueueFault(MockFault::resetMidStream(3));
    const QByteArray request
        = RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), true));
    const auto exchange = plainExchange(m_mock->port(), request);
    QCOMPARE(exchange.ending, Ending::Reset);
    QCOMPARE(exchange.received.count("data: "), 3);
    QVERIFY(!exchange.received.contains("[DONE]"));

    m_mock->enqueueFault(MockFault::resetMidStream(2));
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    client.send(request);
    const auto response = client.waitForResponse();
    QCOMPARE(response.status, 200);
    QVERIFY(!response.complete);
    QCOMPARE(response.chunks.size(), 2);
    QVERIFY(!client.isConnected());
}

void TestMockUpstream::faultStallUntilClientCloses()
{
    m_mock->enqueueFault(MockFault::stallBeforeHeaders());
    QSignalSpy disconnected(m_mock.get(), &MockUpstream::clientDisconnected);
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    client.send(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), false)));
    QVERIFY(!client.waitForBytes(1, 300));
    QCOMPARE(m_mock->requests().size(), 1);
    client.close();
    QVERIFY(disconnected.wait());
    QCOMPARE(disconnected.first().at(0).toInt(), 1);
    QCOMPARE(disconnected.first().at(1).toBool(), true);
    QCOMPARE(m_mock->clientDisconnectsDuringResponse(), 1);
}

void TestMockUpstream::faultSlowHeaders()
{
    m_mock->enqueueFault(MockFault::slowHeaders(250));
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    QElapsedTimer timer;
    timer.start();
    client.send(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), false)));
    QVERIFY(client.waitForBytes(1));
    QVERIFY2(timer.elapsed() >= 250, qPrintable(QString::number(timer.elapsed())));
    const auto response = client.waitForResponse();
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete);
}

void TestMockUpstream::faultSlowStream()
{
    m_mock->enqueueFault(MockFault::slowStream(40));
    QElapsedTimer timer;
    timer.start();
    // mistral-text has 8 events and [DONE]: each waits 40 ms.
    const auto response
        = roundTrip(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("mistral-text"), true)));
    QVERIFY(response.complete);
    QCOMPARE(response.chunks.size(), 9);
    QVERIFY2(timer.elapsed() >= 9 * 40, qPrintable(QString::number(timer.elapsed())));
}

void TestMockUpstream::faultInvalidJson_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("body") << false;
    QTest::newRow("stream") << true;
}

void TestMockUpstream::faultInvalidJson()
{
    QFETCH(bool, stream);
    m_mock->enqueueFault(MockFault::invalidJson(1));
    const auto response
        = roundTrip(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), stream)));
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete);
    QJsonParseError error {};
    if (stream) {
        QJsonDocument::fromJson(response.chunks.at(0).mid(6), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QByteArray broken = response.chunks.at(1);
        QVERIFY(broken.startsWith("data: ") && broken.endsWith("\n\n"));
        QJsonDocument::fromJson(broken.mid(6).trimmed(), &error);
        QVERIFY(error.error != QJsonParseError::NoError);
        QCOMPARE(response.chunks.constLast(), QByteArray("data: [DONE]\n\n"));
    } else {
        QJsonDocument::fromJson(response.body, &error);
        QVERIFY(error.error != QJsonParseError::NoError);
        QCOMPARE(response.headers.value("Content-Length").toInt(), response.body.size());
    }
}

void TestMockUpstream::faultTruncatedStream()
{
    m_mock->enqueueFault(MockFault::truncatedStream(4));
    const QByteArray request
        = RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), true));
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    client.send(request);
    const auto response = client.waitForResponse();
    QCOMPARE(response.status, 200);
    QVERIFY(!response.complete);
    QVERIFY(!client.parseFailed()); // proper chunked framing up to the cut
    QCOMPARE(response.chunks.size(), 4);
    for (const QByteArray &event : response.chunks)
        QVERIFY(event.startsWith("data: {") && event.endsWith("}\n\n"));
    QVERIFY(!response.body.contains("[DONE]"));
    QVERIFY(client.received().endsWith("}\n\n\r\n"));
    QVERIFY(!client.isConnected());

    m_mock->enqueueFault(MockFault::truncatedStream(2));
    const auto exchange = plainExchange(m_mock->port(), request);
    QCOMPARE(exchange.ending, Ending::Closed); // a clean close, not a reset
    QCOMPARE(exchange.received.count("data: "), 2);
}

void TestMockUpstream::faultTruncatedBody()
{
    m_mock->enqueueFault(MockFault::truncatedStream(0));
    const auto response
        = roundTrip(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), false)));
    QCOMPARE(response.status, 200);
    QVERIFY(!response.complete);
    QVERIFY(response.body.size() < response.headers.value("Content-Length").toInt());
}

void TestMockUpstream::faultFromHeaderAndModelSuffix()
{
    const auto byHeader
        = roundTrip(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), false),
                                        {{"x-mock-fault", "status;code=502"}}));
    QCOMPARE(byHeader.status, 502);
    const auto bySuffix = roundTrip(RawHttpClient::post(
        "/v1/chat/completions", requestBody(QStringLiteral("openai-text~status;code=503;retry-after=1"), false)));
    QCOMPARE(bySuffix.status, 503);
    QCOMPARE(bySuffix.headers.value("retry-after"), QByteArray("1"));
    const auto geminiSuffix = roundTrip(
        RawHttpClient::post("/v1beta/models/google-text~truncate;after=1:streamGenerateContent?alt=sse", "{}"));
    QCOMPARE(geminiSuffix.status, 200);
    QVERIFY(!geminiSuffix.complete);
    QCOMPARE(geminiSuffix.chunks.size(), 1);
    // Per-request faults do not consume queued ones.
    m_mock->enqueueFault(MockFault::httpStatus(500));
    roundTrip(
        RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text~status;code=401"), false)));
    QCOMPARE(m_mock->pendingFaultCount(), 1);
}

void TestMockUpstream::queuedFaultsMatchModelAndCount()
{
    m_mock->enqueueFault(MockFault::httpStatus(503).forModel(QStringLiteral("groq-text")).repeated(2));
    const QByteArray other
        = RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), false));
    const QByteArray target
        = RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("groq-text"), false));
    QCOMPARE(roundTrip(RawHttpClient::buildRequest("GET", "/v1/models")).status, 200); // listing never takes a fault
    QCOMPARE(roundTrip(other).status, 200);
    QCOMPARE(roundTrip(target).status, 503);
    QCOMPARE(roundTrip(target).status, 503);
    QCOMPARE(roundTrip(target).status, 200);

    m_mock->enqueueFault(MockFault::httpStatus(500).repeated(-1));
    QCOMPARE(roundTrip(other).status, 500);
    QCOMPARE(roundTrip(target).status, 500);
    m_mock->clearFaults();
    QCOMPARE(roundTrip(other).status, 200);
}

void TestMockUpstream::badFaultSpecIs400()
{
    const auto response = roundTrip(RawHttpClient::post(
        "/v1/chat/completions", requestBody(QStringLiteral("openai-text"), false), {{"x-mock-fault", "explode"}}));
    QCOMPARE(response.status, 400);
    QVERIFY(response.body.contains("explode"));
    const auto notJson = roundTrip(RawHttpClient::post("/v1/chat/completions", "{not json"));
    QCOMPARE(notJson.status, 400);
    const auto noModel = roundTrip(RawHttpClient::post("/v1/chat/completions", "{}"));
    QCOMPARE(noModel.status, 400);
}

void TestMockUpstream::faultSpecRoundTrips()
{
    const QList<MockFault> faults {MockFault::httpStatus(429, "2", 1500),
                                   MockFault::resetBeforeHeaders(),
                                   MockFault::resetMidStream(5),
                                   MockFault::stallBeforeHeaders(),
                                   MockFault::slowHeaders(100),
                                   MockFault::slowStream(7),
                                   MockFault::invalidJson(2),
                                   MockFault::truncatedStream(3),
                                   MockFault::rechunk(),
                                   MockFault::rechunk(17)};
    for (const MockFault &fault : faults) {
        const auto parsed = MockFault::parse(fault.toSpec());
        QVERIFY2(parsed.ok(), qPrintable(parsed.errorMessage()));
        QCOMPARE(int(parsed->kind), int(fault.kind));
        QCOMPARE(parsed->status, fault.status);
        QCOMPARE(parsed->retryAfter, fault.retryAfter);
        QCOMPARE(parsed->retryAfterMs, fault.retryAfterMs);
        QCOMPARE(parsed->afterEvents, fault.afterEvents);
        QCOMPARE(parsed->delayMs, fault.delayMs);
        QCOMPARE(parsed->splitAt, fault.splitAt);
    }
    QVERIFY(!MockFault::parse("status;code=abc").ok());
    QVERIFY(!MockFault::parse("slow-stream;speed=3").ok());
}

void TestMockUpstream::clientDisconnectMidStreamIsSignalled()
{
    m_mock->setEventDelayMs(20);
    QSignalSpy disconnected(m_mock.get(), &MockUpstream::clientDisconnected);
    RawHttpClient client;
    QVERIFY(client.connectTo(m_mock->port()));
    client.send(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("openai-text"), true)));
    QVERIFY(client.waitForBytes(200));
    client.close();
    QVERIFY(disconnected.wait());
    QCOMPARE(disconnected.first().at(1).toBool(), true);
    QCOMPARE(m_mock->clientDisconnectsDuringResponse(), 1);
    QTRY_COMPARE(m_mock->openConnectionCount(), 0);

    // An idle keep-alive connection closing is not a cancelled response.
    m_mock->setEventDelayMs(0);
    RawHttpClient idle;
    QVERIFY(idle.connectTo(m_mock->port()));
    idle.send(RawHttpClient::buildRequest("GET", "/v1/models"));
    QCOMPARE(idle.waitForResponse().status, 200);
    idle.close();
    QVERIFY(disconnected.wait());
    QCOMPARE(disconnected.at(1).at(1).toBool(), false);
    QCOMPARE(m_mock->clientDisconnectsDuringResponse(), 1);
}

namespace {

QJsonObject jsonOf(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The "data:" payloads of an SSE body, parsed.
QList<QJsonObject> ssePayloads(const QByteArray &body)
{
    QList<QJsonObject> payloads;
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("data: ") && line != "data: [DONE]")
            payloads.append(jsonOf(line.mid(6)));
    }
    return payloads;
}

} // namespace

void TestMockUpstream::responsesAnswerFromChatRecording()
{
    const auto response
        = roundTrip(RawHttpClient::post("/v1/responses",
                                        compact({{QStringLiteral("model"), QStringLiteral("openai-text")},
                                                 {QStringLiteral("input"), QStringLiteral("Invent a holiday")}})));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.headers.value("Content-Type"), QByteArray("application/json"));
    const QJsonObject answer = jsonOf(response.body);
    QCOMPARE(answer.value(QLatin1String("object")).toString(), QStringLiteral("response"));
    QCOMPARE(answer.value(QLatin1String("status")).toString(), QStringLiteral("completed"));
    const QJsonObject message = answer.value(QLatin1String("output")).toArray().first().toObject();
    QCOMPARE(message.value(QLatin1String("type")).toString(), QStringLiteral("message"));
    // The same text as the chat recording's message.
    const QString recorded = jsonOf(readAll(QDir(qEnvironmentVariable("SLUICE_RECORDINGS_DIR"))
                                                .filePath(QStringLiteral("openai/openai-text.json"))))
                                 .value(QLatin1String("choices"))
                                 .toArray()
                                 .first()
                                 .toObject()
                                 .value(QLatin1String("message"))
                                 .toObject()
                                 .value(QLatin1String("content"))
                                 .toString();
    QVERIFY(recorded.startsWith(QLatin1String("**Holiday Name:** Galaxy Day")));
    QCOMPARE(
        message.value(QLatin1String("content")).toArray().first().toObject().value(QLatin1String("text")).toString(),
        recorded);
    const QJsonObject usage = answer.value(QLatin1String("usage")).toObject();
    QCOMPARE(usage.value(QLatin1String("input_tokens")).toInt(), 16);
    QCOMPARE(usage.value(QLatin1String("output_tokens")).toInt(), 363);
}

void TestMockUpstream::responsesStreamFromChatRecording()
{
    const auto response
        = roundTrip(RawHttpClient::post("/v1/responses",
                                        compact({{QStringLiteral("model"), QStringLiteral("openai-text")},
                                                 {QStringLiteral("input"), QStringLiteral("Invent a holiday")},
                                                 {QStringLiteral("stream"), true}})));
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete);
    QVERIFY(response.headers.value("Content-Type").startsWith("text/event-stream"));
    QVERIFY(response.chunks.size() > 100); // one chunk per event, each delta its own
    QVERIFY(response.chunks.first().startsWith("event: response.created\n"));
    QVERIFY(response.chunks.last().contains("event: response.completed\n"));
    QString deltas;
    QJsonObject completed;
    for (const QJsonObject &event : ssePayloads(response.body)) {
        if (event.value(QLatin1String("type")).toString() == QLatin1String("response.output_text.delta"))
            deltas += event.value(QLatin1String("delta")).toString();
        if (event.value(QLatin1String("type")).toString() == QLatin1String("response.completed"))
            completed = event.value(QLatin1String("response")).toObject();
    }
    QVERIFY(deltas.startsWith(QLatin1String("**Holiday Name:** Harmony Day"))); // the streamed recording
    QCOMPARE(deltas.size(), 1724);
    QCOMPARE(completed.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens")).toInt(), 300);
}

void TestMockUpstream::agentToolRoundTrip_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("firstTurn");
    QTest::addColumn<QByteArray>("afterToolResult");
    QTest::addColumn<QByteArray>("plainTarget"); // the recording itself, for the final answer
    QTest::addColumn<QByteArray>("plainBody");
    QTest::addColumn<QString>("toolName");
    QTest::addColumn<QString>("argumentKey");

    const QJsonObject user {{QStringLiteral("role"), QStringLiteral("user")},
                            {QStringLiteral("content"), QStringLiteral("Run it")}};
    const QJsonObject parameters {{QStringLiteral("type"), QStringLiteral("object")}};
    for (const bool stream : {false, true}) {
        const QString suffix = stream ? QStringLiteral(" streamed") : QString();
        // OpenAI chat (opencode): bash {command, description}; the result in a "tool" message.
        QJsonObject chat {{QStringLiteral("model"), QStringLiteral("agent-tool~openai-text")},
                          {QStringLiteral("stream"), stream},
                          {QStringLiteral("messages"), QJsonArray {user}},
                          {QStringLiteral("tools"),
                           QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                                                    {QStringLiteral("function"),
                                                     QJsonObject {{QStringLiteral("name"), QStringLiteral("read")}}}},
                                       QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                                                    {QStringLiteral("function"),
                                                     QJsonObject {{QStringLiteral("name"), QStringLiteral("bash")},
                                                                  {QStringLiteral("parameters"), parameters}}}}}}};
        QJsonObject chatAfter = chat;
        chatAfter.insert(QStringLiteral("messages"),
                         QJsonArray {user,
                                     QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                                                  {QStringLiteral("content"), QJsonValue::Null}},
                                     QJsonObject {{QStringLiteral("role"), QStringLiteral("tool")},
                                                  {QStringLiteral("tool_call_id"), QStringLiteral("call_1")},
                                                  {QStringLiteral("content"), QStringLiteral("sluice-tool-42")}}});
        QJsonObject chatPlain = chat;
        chatPlain.insert(QStringLiteral("model"), QStringLiteral("openai-text"));
        QTest::newRow(qPrintable(QStringLiteral("openai chat") + suffix))
            << QByteArray("/v1/chat/completions") << compact(chat) << compact(chatAfter)
            << QByteArray("/v1/chat/completions") << compact(chatPlain) << QStringLiteral("bash")
            << QStringLiteral("description");

        // Anthropic (Claude Code): Bash; the result in a tool_result block, a system message after it.
        QJsonObject anthropic {{QStringLiteral("model"), QStringLiteral("agent-tool~anthropic-text")},
                               {QStringLiteral("max_tokens"), 100},
                               {QStringLiteral("stream"), stream},
                               {QStringLiteral("messages"), QJsonArray {user}},
                               {QStringLiteral("tools"),
                                QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("Bash")},
                                                         {QStringLiteral("input_schema"), parameters}}}}};
        QJsonObject anthropicAfter = anthropic;
        anthropicAfter.insert(
            QStringLiteral("messages"),
            QJsonArray {user,
                        QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                                     {QStringLiteral("content"),
                                      QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_use")},
                                                               {QStringLiteral("id"), QStringLiteral("toolu_1")},
                                                               {QStringLiteral("name"), QStringLiteral("Bash")},
                                                               {QStringLiteral("input"), QJsonObject {}}}}}},
                        QJsonObject {
                            {QStringLiteral("role"), QStringLiteral("user")},
                            {QStringLiteral("content"),
                             QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_result")},
                                                      {QStringLiteral("tool_use_id"), QStringLiteral("toolu_1")},
                                                      {QStringLiteral("content"), QStringLiteral("sluice-tool-42")}}}}},
                        QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
                                     {QStringLiteral("content"), QStringLiteral("Be brief.")}}});
        QJsonObject anthropicPlain = anthropic;
        anthropicPlain.insert(QStringLiteral("model"), QStringLiteral("anthropic-text"));
        QTest::newRow(qPrintable(QStringLiteral("anthropic") + suffix))
            << QByteArray("/v1/messages") << compact(anthropic) << compact(anthropicAfter) << QByteArray("/v1/messages")
            << compact(anthropicPlain) << QStringLiteral("Bash") << QStringLiteral("description");

        // Gemini (Gemini CLI): run_shell_command; the result in a functionResponse part.
        const QJsonObject geminiUser {
            {QStringLiteral("role"), QStringLiteral("user")},
            {QStringLiteral("parts"), QJsonArray {QJsonObject {{QStringLiteral("text"), QStringLiteral("Run it")}}}}};
        QJsonObject gemini {
            {QStringLiteral("contents"), QJsonArray {geminiUser}},
            {QStringLiteral("tools"),
             QJsonArray {QJsonObject {
                 {QStringLiteral("functionDeclarations"),
                  QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("run_shell_command")}}}}}}}};
        QJsonObject geminiAfter = gemini;
        geminiAfter.insert(
            QStringLiteral("contents"),
            QJsonArray {
                geminiUser,
                QJsonObject {{QStringLiteral("role"), QStringLiteral("model")},
                             {QStringLiteral("parts"),
                              QJsonArray {QJsonObject {
                                  {QStringLiteral("functionCall"),
                                   QJsonObject {{QStringLiteral("name"), QStringLiteral("run_shell_command")}}}}}}},
                QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                             {QStringLiteral("parts"),
                              QJsonArray {QJsonObject {
                                  {QStringLiteral("functionResponse"),
                                   QJsonObject {{QStringLiteral("name"), QStringLiteral("run_shell_command")},
                                                {QStringLiteral("response"),
                                                 QJsonObject {{QStringLiteral("output"),
                                                               QStringLiteral("sluice-tool-42")}}}}}}}}}});
        const QByteArray method = stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
        QTest::newRow(qPrintable(QStringLiteral("gemini") + suffix))
            << QByteArray("/v1beta/models/agent-tool~google-text" + method) << compact(gemini) << compact(geminiAfter)
            << QByteArray("/v1beta/models/google-text" + method) << compact(gemini)
            << QStringLiteral("run_shell_command") << QStringLiteral("command");

        // OpenAI Responses (Codex): exec_command {cmd}; the result in a function_call_output item.
        QJsonObject responses {{QStringLiteral("model"), QStringLiteral("agent-tool~openai-text")},
                               {QStringLiteral("stream"), stream},
                               {QStringLiteral("input"), QJsonArray {user}},
                               {QStringLiteral("tools"),
                                QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("web_search")}},
                                            QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                                                         {QStringLiteral("name"), QStringLiteral("exec_command")},
                                                         {QStringLiteral("parameters"), parameters}}}}};
        QJsonObject responsesAfter = responses;
        responsesAfter.insert(QStringLiteral("input"),
                              QJsonArray {user,
                                          QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call")},
                                                       {QStringLiteral("call_id"), QStringLiteral("call_1")},
                                                       {QStringLiteral("name"), QStringLiteral("exec_command")},
                                                       {QStringLiteral("arguments"), QStringLiteral("{}")}},
                                          QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call_output")},
                                                       {QStringLiteral("call_id"), QStringLiteral("call_1")},
                                                       {QStringLiteral("output"), QStringLiteral("sluice-tool-42")}}});
        QTest::newRow(qPrintable(QStringLiteral("openai responses") + suffix))
            << QByteArray("/v1/responses") << compact(responses) << compact(responsesAfter) << QByteArray()
            << QByteArray() << QStringLiteral("exec_command") << QStringLiteral("cmd");
    }
}

void TestMockUpstream::agentToolRoundTrip()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, firstTurn);
    QFETCH(QByteArray, afterToolResult);
    QFETCH(QByteArray, plainTarget);
    QFETCH(QByteArray, plainBody);
    QFETCH(QString, toolName);
    QFETCH(QString, argumentKey);

    // No tool result yet: one call of the shell tool, with the command in the tool's own argument shape.
    const auto call = roundTrip(RawHttpClient::post(target, firstTurn));
    QCOMPARE(call.status, 200);
    QVERIFY(call.complete);
    QVERIFY2(call.body.contains(toolName.toUtf8()), call.body.constData());
    QVERIFY2(call.body.contains("printf sluice-tool-%d 42"), call.body.constData());
    QVERIFY2(call.body.contains(argumentKey.toUtf8()), call.body.constData());
    QVERIFY(!call.body.contains("sluice-tool-42"));

    // After the tool result: the recording's answer (replayed as recorded where the format matches).
    const auto answer = roundTrip(RawHttpClient::post(target, afterToolResult));
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.complete);
    QVERIFY(!answer.body.contains(toolName.toUtf8()));
    if (plainTarget.isEmpty()) {
        QVERIFY(answer.body.contains("output_text"));
    } else {
        const auto recorded = roundTrip(RawHttpClient::post(plainTarget, plainBody));
        QCOMPARE(recorded.status, 200);
        QCOMPARE(answer.body, recorded.body);
    }
}

void TestMockUpstream::agentWithoutShellToolAnswersText()
{
    // opencode's title request offers no tools: the recording answers straight away.
    const QJsonObject user {{QStringLiteral("role"), QStringLiteral("user")},
                            {QStringLiteral("content"), QStringLiteral("Title this")}};
    const auto response
        = roundTrip(RawHttpClient::post("/v1/chat/completions",
                                        compact({{QStringLiteral("model"), QStringLiteral("agent-tool~openai-text")},
                                                 {QStringLiteral("messages"), QJsonArray {user}}})));
    QCOMPARE(response.status, 200);
    QCOMPARE(
        response.body,
        readAll(
            QDir(qEnvironmentVariable("SLUICE_RECORDINGS_DIR")).filePath(QStringLiteral("openai/openai-text.json"))));
}

void TestMockUpstream::standaloneProcess()
{
    QProcess process;
    process.start(QStringLiteral(SLUICE_MOCK_UPSTREAM_EXE), {QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(process.waitForStarted());
    QVERIFY(process.waitForReadyRead(5000));
    const QByteArray line = process.readLine();
    QVERIFY2(line.startsWith("listening on http://127.0.0.1:") && line.endsWith('\n'), line.constData());
    const quint16 port = line.mid(line.lastIndexOf(':') + 1).trimmed().toUShort();
    QVERIFY(port != 0);

    RawHttpClient client;
    QVERIFY(client.connectTo(port));
    client.send(RawHttpClient::post("/v1/chat/completions", requestBody(QStringLiteral("mistral-text"), true),
                                    {{"x-mock-fault", "truncate;after=2"}}));
    const auto response = client.waitForResponse();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.chunks.size(), 2);

    process.terminate();
    QVERIFY(process.waitForFinished(5000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardOutput().isEmpty()); // exactly one line in all
}

void TestMockUpstream::standaloneProcessRejectsMissingRecordings()
{
    QProcess process;
    process.start(QStringLiteral(SLUICE_MOCK_UPSTREAM_EXE),
                  {QStringLiteral("--recordings"), QStringLiteral("/nonexistent-recordings")});
    QVERIFY(process.waitForFinished(5000));
    QVERIFY(process.exitCode() != 0);
    QVERIFY(process.readAllStandardOutput().isEmpty());
    QVERIFY(process.readAllStandardError().contains("nonexistent-recordings"));
}

QTEST_GUILESS_MAIN(TestMockUpstream)
#include "tst_mockupstream.moc"
