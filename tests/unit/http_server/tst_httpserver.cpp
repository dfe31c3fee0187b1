#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <sys/socket.h>

#include "common/MonotonicClock.h"
#include "http/HttpRequest.h"
#include "http/HttpRequestHandler.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"

using namespace sluice;

namespace {

// Answers by path: /echo at once, /hold parks the responder for the test to drive.
class TestHandler : public HttpRequestHandler
{
public:
    void handle(const HttpRequest &request, HttpResponder *responder) override
    {
        requests.append(request);
        if (request.path == "/hold") {
            held.append(responder);
            return;
        }
        if (request.path == "/stream") {
            responder->beginStream(200, {{"Content-Type", "text/event-stream"}});
            for (const QByteArray &event : streamEvents)
                responder->writeChunk(event);
            responder->endStream();
            return;
        }
        const QByteArray body = request.method + ' ' + request.path + ' ' + request.query + '|' + request.body;
        responder->sendResponse(200, {{"Content-Type", "text/plain"}, {"Content-Length", "999"}}, body);
        pathsAfterAnswer.append(request.path); // the request stays readable for the whole call
    }

    QList<HttpRequest> requests;
    QList<QByteArray> pathsAfterAnswer;
    QList<QPointer<HttpResponder>> held;
    QList<QByteArray> streamEvents = {"data: one\n\n", "data: two two\n\n", "data: [DONE]\n\n"};
};

struct Response
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QList<QByteArray> chunks; // chunked responses: each chunk as framed on the wire
    bool chunked = false;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &field : headers) {
            if (field.first.compare(name, Qt::CaseInsensitive) == 0)
                return field.second;
        }
        return {};
    }
    QJsonObject errorObject() const
    {
        return QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    }
};

// A raw HTTP client: writes bytes as given and decodes the framing of what comes back by hand, so the
// server's framing is checked independently of any HTTP library.
class RawClient
{
public:
    explicit RawClient(quint16 port, qint64 readBufferSize = 0)
    {
        m_socket.setReadBufferSize(readBufferSize);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        QElapsedTimer timer;
        timer.start();
        while (m_socket.state() != QAbstractSocket::ConnectedState
               && m_socket.state() != QAbstractSocket::UnconnectedState && timer.elapsed() < 5000)
            QTest::qWait(1);
    }

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QTcpSocket &socket() { return m_socket; }

    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }

    // The next complete response; nullopt after 5 s, or if the connection closed first.
    std::optional<Response> read(int timeoutMs = 5000)
    {
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            m_buffer += m_socket.readAll();
            const bool closed = m_socket.state() == QAbstractSocket::UnconnectedState;
            if (auto response = parse(closed))
                return response;
            if (closed || timer.elapsed() > timeoutMs)
                return std::nullopt;
            QTest::qWait(1);
        }
    }

    // True once the server closed the connection (waits up to 5 s).
    bool waitClosed()
    {
        QElapsedTimer timer;
        timer.start();
        while (m_socket.state() != QAbstractSocket::UnconnectedState && timer.elapsed() < 5000) {
            m_buffer += m_socket.readAll();
            QTest::qWait(1);
        }
        return m_socket.state() == QAbstractSocket::UnconnectedState;
    }

    QByteArray unread() const { return m_buffer; }

private:
    std::optional<Response> parse(bool closed)
    {
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return std::nullopt;
        Response response;
        const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
        const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
        if (statusLine.size() < 2 || statusLine.first() != "HTTP/1.1")
            return std::nullopt;
        response.status = statusLine.at(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            response.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        }
        qsizetype position = headEnd + 4;
        if (response.status < 200 || response.status == 204 || response.status == 304) {
            m_buffer.remove(0, position);
            return response;
        }
        if (response.header("Transfer-Encoding") == "chunked") {
            response.chunked = true;
            for (;;) {
                const qsizetype lineEnd = m_buffer.indexOf("\r\n", position);
                if (lineEnd < 0)
                    return std::nullopt;
                bool ok = false;
                const qsizetype size = m_buffer.mid(position, lineEnd - position).toLongLong(&ok, 16);
                if (!ok)
                    return std::nullopt;
                if (m_buffer.size() < lineEnd + 2 + size + 2)
                    return std::nullopt;
                if (m_buffer.mid(lineEnd + 2 + size, 2) != "\r\n")
                    return std::nullopt;
                position = lineEnd + 2 + size + 2;
                if (size == 0)
                    break;
                response.chunks.append(m_buffer.mid(lineEnd + 2, size));
                response.body += response.chunks.last();
            }
        } else if (!response.header("Content-Length").isEmpty()) {
            const qsizetype length = response.header("Content-Length").toLongLong();
            if (m_buffer.size() < position + length)
                return std::nullopt;
            response.body = m_buffer.mid(position, length);
            position += length;
        } else {
            if (!closed)
                return std::nullopt; // delimited by the end of the connection
            response.body = m_buffer.mid(position);
            position = m_buffer.size();
        }
        m_buffer.remove(0, position);
        return response;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<HttpServer> startServer(HttpServerLimits limits = {})
    {
        auto server = std::make_unique<HttpServer>(&m_handler, limits);
        const Result<void> listening = server->listen(QHostAddress::LocalHost, 0);
        if (!listening)
            qWarning() << listening.errorMessage();
        return listening ? std::move(server) : nullptr;
    }

    TestHandler m_handler;

private Q_SLOTS:
    void init() { m_handler = TestHandler(); }

    void simpleGet()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        QVERIFY(client.isConnected());
        const qint64 before = monotonicNowNs();
        client.send("GET /echo?model=a&x=1 HTTP/1.1\r\nHost: localhost\r\nX-Thing: Value\r\n\r\n");

        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("GET /echo model=a&x=1|"));
        QCOMPARE(response->header("Content-Type"), QByteArray("text/plain"));
        QCOMPARE(response->header("Connection"), QByteArray("keep-alive"));
        QVERIFY(response->header("Date").endsWith(" GMT"));
        // The handler's own Content-Length must not contradict the real one.
        QCOMPARE(response->header("Content-Length"), QByteArray::number(response->body.size()));

        QCOMPARE(m_handler.requests.size(), 1);
        const HttpRequest &request = m_handler.requests.first();
        QCOMPARE(request.method, QByteArray("GET"));
        QCOMPARE(request.target, QByteArray("/echo?model=a&x=1"));
        QCOMPARE(request.httpMinor, 1);
        QVERIFY(request.keepAlive);
        QCOMPARE(request.headers.value("x-thing"), QByteArray("Value"));
        QCOMPARE(request.headers.value("HOST"), QByteArray("localhost"));
        QCOMPARE(request.peer, QHostAddress(QHostAddress::LocalHost));
        QVERIFY(request.arrivedNs >= before);
        QVERIFY(request.arrivedNs <= monotonicNowNs());
        QCOMPARE(m_handler.pathsAfterAnswer, QList<QByteArray> {"/echo"});
    }

    void postWithContentLength()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        // The body arrives in a second packet, after the headers.
        client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    "Content-Length: 15\r\n\r\n{\"model\":");
        QTest::qWait(20);
        QCOMPARE(m_handler.requests.size(), 0);
        client.send("\"gpt\"}");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("POST /echo |{\"model\":\"gpt\"}"));
    }

    void chunkedRequestBody()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n");
        QTest::qWait(20);
        client.send("6\r\n world\r\n0\r\n\r\n");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("POST /echo |hello world"));
    }

    void pipelinedRequestsAnsweredInOrder()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /hold?n=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    "POST /echo?n=2 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
                    "GET /echo?n=3 HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 1);
        // The later requests wait for the first one's response.
        QTest::qWait(50);
        QCOMPARE(m_handler.requests.size(), 1);
        QVERIFY(!client.read(50));

        QVERIFY(m_handler.held.first());
        m_handler.held.first()->sendResponse(200, {}, "first");
        const auto first = client.read();
        const auto second = client.read();
        const auto third = client.read();
        QVERIFY(first && second && third);
        QCOMPARE(first->body, QByteArray("first"));
        QCOMPARE(second->body, QByteArray("POST /echo n=2|abc"));
        QCOMPARE(third->body, QByteArray("GET /echo n=3|"));
        QCOMPARE(m_handler.requests.size(), 3);
    }

    void pipelineLimitHoldsInput()
    {
        HttpServerLimits limits;
        limits.maxPipelinedRequests = 2;
        auto server = startServer(limits);
        QVERIFY(server);
        RawClient client(server->port());
        QByteArray many = "GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n";
        for (int i = 0; i < 6; ++i)
            many += "GET /echo?n=" + QByteArray::number(i) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
        client.send(many);
        QTRY_COMPARE(m_handler.held.size(), 1);
        m_handler.held.first()->sendResponse(204, {}, {});
        for (int i = -1; i < 6; ++i) {
            const auto response = client.read();
            QVERIFY(response);
            if (i >= 0)
                QCOMPARE(response->body, "GET /echo " + QByteArray("n=") + QByteArray::number(i) + '|');
        }
        QCOMPARE(m_handler.requests.size(), 7);
    }

    void keepAliveReusesConnection()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        for (int i = 0; i < 3; ++i) {
            client.send("GET /echo?i=" + QByteArray::number(i) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            const auto response = client.read();
            QVERIFY(response);
            QCOMPARE(response->body, "GET /echo i=" + QByteArray::number(i) + '|');
            QVERIFY(client.isConnected());
        }
        QCOMPARE(server->connectionCount(), 1);

        // HTTP/1.0 keeps the connection only when asked to.
        client.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        const auto kept = client.read();
        QVERIFY(kept);
        QCOMPARE(kept->header("Connection"), QByteArray("keep-alive"));
        QTest::qWait(20);
        QVERIFY(client.isConnected());
        QCOMPARE(m_handler.requests.last().httpMinor, 0);
    }

    void connectionCloseHonoured()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
        QTRY_COMPARE(server->connectionCount(), 0);

        RawClient old(server->port());
        old.send("GET /echo HTTP/1.0\r\n\r\n");
        const auto oldResponse = old.read();
        QVERIFY(oldResponse);
        QCOMPARE(oldResponse->header("Connection"), QByteArray("close"));
        QVERIFY(old.waitClosed());
    }

    void upgradeRequestIsAnsweredThenClosed()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
                    "GET /echo?after=upgrade HTTP/1.1\r\nHost: localhost\r\n\r\n");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
        QCOMPARE(m_handler.requests.size(), 1);
    }

    void oversizedHeadersGet431()
    {
        HttpServerLimits limits;
        limits.maxHeaderBytes = 1024;
        auto server = startServer(limits);
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /echo HTTP/1.1\r\nHost: localhost\r\nX-Big: " + QByteArray(4000, 'a') + "\r\n\r\n");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 431);
        QCOMPARE(response->header("Content-Type"), QByteArray("application/json"));
        const QJsonObject error = response->errorObject();
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("request_header_fields_too_large"));
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QVERIFY(error.value(QLatin1String("message")).toString().contains(QStringLiteral("1024 bytes")));
        QCOMPARE(response->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
        QCOMPARE(m_handler.requests.size(), 0);
    }

    void oversizedContentLengthGets413()
    {
        HttpServerLimits limits;
        limits.maxBodyBytes = 1000;
        auto server = startServer(limits);
        QVERIFY(server);
        RawClient client(server->port());
        // Answered from the headers alone, before the body is sent.
        client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 413);
        const QJsonObject error = response->errorObject();
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("request_too_large"));
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QVERIFY(error.value(QLatin1String("message")).toString().contains(QStringLiteral("1000 bytes")));
        QVERIFY(error.value(QLatin1String("message")).toString().contains(QStringLiteral("gateway.max_body_bytes")));
        QVERIFY(client.waitClosed());
        QCOMPARE(m_handler.requests.size(), 0);
    }

    void oversizedChunkedBodyGets413()
    {
        HttpServerLimits limits;
        limits.maxBodyBytes = 1000;
        auto server = startServer(limits);
        QVERIFY(server);
        RawClient client(server->port());
        client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
        const QByteArray chunk = "190\r\n" + QByteArray(400, 'x') + "\r\n"; // 400 bytes each
        client.send(chunk + chunk);
        QTest::qWait(20);
        QVERIFY(!client.read(10)); // 800 bytes: still within the limit
        client.send(chunk);
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 413);
        QCOMPARE(response->errorObject().value(QLatin1String("code")).toString(), QStringLiteral("request_too_large"));
        QVERIFY(client.waitClosed());
        QCOMPARE(m_handler.requests.size(), 0);
    }

    void expectContinue()
    {
        HttpServerLimits limits;
        limits.maxBodyBytes = 1000;
        auto server = startServer(limits);
        QVERIFY(server);
        RawClient client(server->port());
        client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        const auto interim = client.read();
        QVERIFY(interim);
        QCOMPARE(interim->status, 100);
        client.send("hello");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("POST /echo |hello"));

        client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
        const auto refused = client.read();
        QVERIFY(refused);
        QCOMPARE(refused->status, 413);
    }

    void garbageGets400()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 this is a TLS hello, not HTTP\r\n\r\n");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 400);
        const QJsonObject error = response->errorObject();
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QVERIFY(!error.value(QLatin1String("message")).toString().isEmpty());
        QVERIFY(client.waitClosed());
        QCOMPARE(m_handler.requests.size(), 0);
    }

    void errorWaitsForEarlierResponse()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\nNOT HTTP AT ALL\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 1);
        QVERIFY(!client.read(50));
        m_handler.held.first()->sendResponse(200, {}, "first");
        const auto first = client.read();
        const auto second = client.read();
        QVERIFY(first && second);
        QCOMPARE(first->body, QByteArray("first"));
        QCOMPARE(second->status, 400);
        QVERIFY(client.waitClosed());
    }

    void streamedResponseIsChunked()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY(response->chunked);
        QVERIFY(response->header("Content-Length").isEmpty());
        QCOMPARE(response->header("Content-Type"), QByteArray("text/event-stream"));
        QCOMPARE(response->chunks, m_handler.streamEvents);
        QVERIFY(client.unread().isEmpty());

        // The connection is reusable after the terminating chunk.
        client.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
        const auto next = client.read();
        QVERIFY(next);
        QCOMPARE(next->body, QByteArray("GET /echo |"));
    }

    void streamedResponseToHttp10ClosesAtEnd()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        QVERIFY(client.waitClosed());
        const auto response = client.read();
        QVERIFY(response);
        QVERIFY(!response->chunked);
        QCOMPARE(response->header("Connection"), QByteArray("close"));
        QCOMPARE(response->body, m_handler.streamEvents.join());
    }

    void abortedStreamLacksFinalChunk()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 1);
        HttpResponder *responder = m_handler.held.first();
        responder->beginStream(200, {});
        responder->writeChunk("data: partial\n\n");
        responder->abortStream();
        QVERIFY(client.waitClosed());
        QVERIFY(!client.read());
        QVERIFY(client.unread().endsWith("data: partial\n\n\r\n"));
        QTRY_VERIFY(m_handler.held.first().isNull());
    }

    // A response's last bytes stay out of the kernel until the handler has logged the request and says so
    // (releaseEnd()), or until the next event-loop pass: never before. The peer's kernel buffer is peeked without
    // an event-loop pass in between.
    void lastBytesLeaveOnReleaseEnd()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port());
        const auto kernelHas = [&client] {
            char buffer[4096];
            const ssize_t got
                = ::recv(int(client.socket().socketDescriptor()), buffer, sizeof buffer, MSG_PEEK | MSG_DONTWAIT);
            return got < 0 ? QByteArray() : QByteArray(buffer, got);
        };

        client.send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 1);
        QPointer<HttpResponder> responder = m_handler.held.first();
        responder->sendResponse(200, {}, "whole answer");
        QVERIFY(kernelHas().isEmpty());
        responder->releaseEnd();
        QVERIFY(kernelHas().endsWith("\r\n\r\nwhole answer"));
        responder->releaseEnd(); // a second time does nothing
        const auto first = client.read();
        QVERIFY(first);
        QCOMPARE(first->body, QByteArray("whole answer"));

        // A stream: everything but the terminating chunk is handed on at once.
        client.send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 2);
        responder = m_handler.held.last();
        responder->releaseEnd(); // before the end: nothing to release
        responder->beginStream(200, {});
        responder->writeChunk("data: one\n\n");
        responder->endStream();
        QVERIFY(kernelHas().endsWith("data: one\n\n\r\n"));
        responder->releaseEnd();
        QVERIFY(kernelHas().endsWith("data: one\n\n\r\n0\r\n\r\n"));
        QVERIFY(client.read());

        // Without releaseEnd() the bytes leave on the next event-loop pass.
        client.send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 3);
        m_handler.held.last()->sendResponse(200, {}, "later");
        QVERIFY(kernelHas().isEmpty());
        const auto third = client.read();
        QVERIFY(third);
        QCOMPARE(third->body, QByteArray("later"));
    }

    void slowClientGetsBackpressure()
    {
        auto server = startServer();
        QVERIFY(server);
        RawClient client(server->port(), 4096); // reads (almost) nothing until told to
        client.send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 1);
        QPointer<HttpResponder> responder = m_handler.held.first();
        QSignalSpy drained(responder.data(), &HttpResponder::drained);

        responder->beginStream(200, {{"Content-Type", "text/event-stream"}});
        const QByteArray chunk(64 * 1024, 'z');
        qint64 written = 0;
        // The OS buffers take a few MB first; after that, the server must hold and report the rest.
        while (responder->pendingBytes() <= HttpResponder::highWaterMark() && written < 256LL * 1024 * 1024) {
            responder->writeChunk(chunk);
            written += chunk.size();
        }
        QVERIFY(responder->pendingBytes() > HttpResponder::highWaterMark());
        QTest::qWait(50);
        QVERIFY(responder->pendingBytes() > HttpResponder::highWaterMark() / 2);
        QCOMPARE(drained.count(), 0);

        // The client starts reading: pending bytes fall and drained() fires once.
        client.socket().setReadBufferSize(0);
        QVERIFY(drained.wait(5000));
        QCOMPARE(drained.count(), 1);
        QVERIFY(responder->pendingBytes() < HttpResponder::highWaterMark() / 2);
        responder->endStream();
        const auto response = client.read(10000);
        QVERIFY(response);
        QCOMPARE(response->body.size(), written);
        QCOMPARE(drained.count(), 1);
    }

    void clientDisconnectMidStreamEmitsClosed()
    {
        auto server = startServer();
        QVERIFY(server);
        auto client = std::make_unique<RawClient>(server->port());
        client->send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 1);
        QPointer<HttpResponder> responder = m_handler.held.first();
        QSignalSpy closed(responder.data(), &HttpResponder::closed);
        responder->beginStream(200, {});
        responder->writeChunk("data: one\n\n");
        QVERIFY(responder->responseStarted());

        client->socket().abort();
        QVERIFY(closed.wait(5000));
        QCOMPARE(closed.count(), 1);
        // Until it is deleted, the responder takes calls and does nothing.
        if (responder) {
            responder->writeChunk("data: two\n\n");
            responder->endStream();
            QCOMPARE(responder->pendingBytes(), 0);
        }
        QTRY_VERIFY(responder.isNull());
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void idleConnectionTimesOut()
    {
        HttpServerLimits limits;
        limits.idleTimeoutMs = 150;
        auto server = startServer(limits);
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QVERIFY(client.read());
        QVERIFY(client.waitClosed());
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void busyConnectionDoesNotTimeOut()
    {
        HttpServerLimits limits;
        limits.idleTimeoutMs = 100;
        auto server = startServer(limits);
        QVERIFY(server);
        RawClient client(server->port());
        client.send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 1);
        QTest::qWait(400); // a slow upstream, not an idle client
        QVERIFY(client.isConnected());
        QVERIFY(m_handler.held.first());
        m_handler.held.first()->sendResponse(200, {}, "late");
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->body, QByteArray("late"));
    }

    void portInUseIsExplained()
    {
        QTcpServer other;
        QVERIFY(other.listen(QHostAddress::LocalHost, 0));
        HttpServer server(&m_handler);
        const Result<void> result = server.listen(QHostAddress::LocalHost, other.serverPort());
        QVERIFY(!result);
        const QString message = result.errorMessage();
        QVERIFY2(message.startsWith(QStringLiteral("Cannot listen on 127.0.0.1:%1: ").arg(other.serverPort())),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("already in use by another program")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("--port")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("gateway.port")), qPrintable(message));
        QVERIFY(!server.isListening());
    }

    void closeStopsListeningAndClosesConnections()
    {
        auto server = startServer();
        QVERIFY(server);
        const quint16 port = server->port();
        RawClient client(port);
        client.send("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE(m_handler.held.size(), 1);
        QSignalSpy closed(m_handler.held.first().data(), &HttpResponder::closed);
        server->close();
        QVERIFY(!server->isListening());
        QVERIFY(closed.wait(5000));
        QVERIFY(client.waitClosed());
        RawClient refused(port);
        QVERIFY(!refused.isConnected());
    }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
