#include <cstring>
#include <functional>
#include <memory>
#include <optional>

#include <QHash>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QtTest>

#include "http/UpstreamClient.h"

using namespace sluice;

namespace {

// A self-signed certificate for 127.0.0.1 (valid 2020-2120), trusted by this test only; its key protects nothing.
const QByteArray kTestCertificate = R"(-----BEGIN CERTIFICATE-----
MIIBZzCCAQ2gAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAkxMjcuMC4w
LjEwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
CTEyNy4wLjAuMTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEPGQy43zJ2IchK2
cPNH6v6alUkqfLEU2wc+eGI5U7/nEZjh3CVNL/Va6E63z+GnvEMmKCv6VY48w1E3
hygys9KjTjBMMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAPBgNVHRMBAf8E
BTADAQH/MB0GA1UdDgQWBBRZDD/vBZ2bNml553IE5iXV0TGXqjAKBggqhkjOPQQD
AgNIADBFAiA0+8vhk6WjpJf06OLTzjvi5hengGjyooqGPD2nfMjIYAIhAKgIx2gW
5JDBxav+jjDE5c6DEmnGJGNWRLTgR56/YeKw
-----END CERTIFICATE-----
)";
const QByteArray kTestKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgX4Ax+S23S0HrUUPZ
kzo/EX+WZh7zO32ye13AsQ9Wt4yhRANCAARDxkMuN8ydiHIStnDzR+r+mpVJKnyx
FNsHPnhiOVO/5xGY4dwlTS/1WuhOt8/hp7xDJigr+lWOPMNRN4coMrPS
-----END PRIVATE KEY-----
)";

// The far end: a raw TCP server on 127.0.0.1 whose answers are written byte for byte by each test.
class Peer : public QObject
{
    Q_OBJECT
public:
    // Called once per complete request received; connection counts from 0 in accept order.
    using RequestHandler = std::function<void(QTcpSocket *socket, int connection, const QByteArray &request)>;

    enum class Transport { Plain, Tls };

    explicit Peer(Transport transport = Transport::Plain)
    {
        if (transport == Transport::Tls) {
            auto *tlsServer = new QSslServer(this);
            QSslConfiguration config = QSslConfiguration::defaultConfiguration();
            config.setLocalCertificate(QSslCertificate(kTestCertificate));
            config.setPrivateKey(QSslKey(kTestKey, QSsl::Ec));
            tlsServer->setSslConfiguration(config);
            // QSslServer announces a connection once its handshake is done, with this signal only.
            connect(tlsServer, &QTcpServer::pendingConnectionAvailable, this, &Peer::accept);
            m_server = tlsServer;
        } else {
            m_server = new QTcpServer(this);
            connect(m_server, &QTcpServer::newConnection, this, &Peer::accept);
        }
        m_server->listen(QHostAddress::LocalHost, 0);
    }

    bool isListening() const { return m_server->isListening(); }
    quint16 port() const { return m_server->serverPort(); }
    QString authority() const { return QStringLiteral("127.0.0.1:%1").arg(port()); }
    QUrl url(const QString &scheme = QStringLiteral("http")) const
    {
        return QUrl(scheme + QStringLiteral("://127.0.0.1:%1/v1/chat/completions?beta=true").arg(port()));
    }

    RequestHandler onRequest;
    std::function<void(QTcpSocket *socket)> onConnection;
    int accepted = 0;
    QList<QByteArray> requests;
    QList<QPointer<QTcpSocket>> sockets;
    QList<bool> closedByClient;

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            const int index = accepted++;
            sockets.append(socket);
            closedByClient.append(false);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket, index] { read(socket, index); });
            connect(socket, &QTcpSocket::disconnected, this, [this, index] { closedByClient[index] = true; });
            if (onConnection)
                onConnection(socket);
            if (socket->bytesAvailable() > 0) // TLS: bytes may have arrived with the end of the handshake
                read(socket, index);
        }
    }

    void read(QTcpSocket *socket, int index)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            qsizetype bodySize = 0;
            const qsizetype at = buffer.left(headEnd).toLower().indexOf("\r\ncontent-length: ");
            if (at >= 0) {
                const qsizetype valueStart = at + 18;
                bodySize = buffer.mid(valueStart, buffer.indexOf("\r\n", valueStart) - valueStart).toLongLong();
            }
            const qsizetype total = headEnd + 4 + bodySize;
            if (buffer.size() < total)
                return;
            const QByteArray request = buffer.left(total);
            buffer.remove(0, total);
            requests.append(request);
            if (onRequest)
                onRequest(socket, index, request);
        }
    }

    QTcpServer *m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

// Everything one call emitted, in order.
struct Outcome
{
    int headersSignals = 0;
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    QList<QByteArray> pieces;
    bool finished = false;
    std::optional<UpstreamError> error;
    int signalsAfterEnd = 0;

    bool done() const { return finished || error.has_value(); }
};

std::shared_ptr<Outcome> watch(UpstreamCall *call)
{
    auto outcome = std::make_shared<Outcome>();
    QObject::connect(call, &UpstreamCall::headersReceived, call, [outcome](int status, const HttpHeaders &headers) {
        outcome->signalsAfterEnd += outcome->done();
        ++outcome->headersSignals;
        outcome->status = status;
        outcome->headers = headers;
    });
    QObject::connect(call, &UpstreamCall::bodyData, call, [outcome](const QByteArray &data) {
        outcome->signalsAfterEnd += outcome->done();
        outcome->body += data;
        outcome->pieces.append(data);
    });
    QObject::connect(call, &UpstreamCall::finished, call, [outcome] {
        outcome->signalsAfterEnd += outcome->done();
        outcome->finished = true;
    });
    QObject::connect(call, &UpstreamCall::failed, call, [outcome](const UpstreamError &error) {
        outcome->signalsAfterEnd += outcome->done();
        outcome->error = error;
    });
    return outcome;
}

UpstreamRequest chatRequest(const Peer &peer)
{
    UpstreamRequest request;
    request.url = peer.url();
    request.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer sk-secret-123"}};
    request.body = R"({"model":"m"})";
    request.timeouts = {5'000, 5'000, 5'000, 10'000};
    return request;
}

QByteArray okResponse(const QByteArray &body)
{
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n\r\n" + body;
}

QByteArray chunk(const QByteArray &payload)
{
    return QByteArray::number(payload.size(), 16) + "\r\n" + payload + "\r\n";
}

const QByteArray kChunkedHead
    = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

// Runs the event loop until the call has ended.
#define WAIT_DONE(outcome) QTRY_VERIFY_WITH_TIMEOUT((outcome)->done(), 8000)

} // namespace

class UpstreamClientTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void contentLengthResponse();
    void largeRequestBody();
    void headerWithLineBreakRefused();
    void concurrentCallsUseSeparateConnections();
    void chunkedResponseStreamsPieces();
    void closeDelimitedBody();
    void informationalResponseSkipped();
    void headResponseHasNoBody();
    void keepAliveReusesConnection();
    void connectionCloseIsNotReused();
    void serverClosingIdleConnection();
    void keepAliveRaceRetriesOnFreshConnection();
    void keepAliveTimeoutFromServerHonoured();
    void connectionRefused();
    void invalidUrlFailsAfterSendReturns();
    void resetBeforeHeaders_data();
    void resetBeforeHeaders();
    void resetMidBody_data();
    void resetMidBody();
    void invalidHttp_data();
    void invalidHttp();
    void firstByteTimeout();
    void idleTimeout();
    void totalTimeout();
    void tlsRoundTripReusesConnection();
    void tlsHandshakeFailure();
    void tlsConnectTimeout();
    void abortMidBody();
    void abortBeforeStart();
    void pauseStopsReadingUntilResume();
    void pauseHoldsTheRestOfARead();
};

void UpstreamClientTest::initTestCase()
{
    if (QSslSocket::supportsSsl()) {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.addCaCertificate(QSslCertificate(kTestCertificate));
        QSslConfiguration::setDefaultConfiguration(config);
    }
}

void UpstreamClientTest::contentLengthResponse()
{
    Peer peer;
    QVERIFY(peer.isListening());
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write(okResponse(R"({"answer":"fine"})"));
    };
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.headers.append("Content-Length", "999"); // the client's own framing wins
    request.headers.append("X-Trace", "abc");
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);

    QVERIFY2(outcome->finished, qPrintable(outcome->error ? outcome->error->message : QString()));
    QCOMPARE(outcome->headersSignals, 1);
    QCOMPARE(outcome->status, 200);
    QCOMPARE(outcome->headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(outcome->body, QByteArray(R"({"answer":"fine"})"));

    QCOMPARE(peer.requests.size(), 1);
    const QByteArray sent = peer.requests.first();
    QVERIFY(sent.startsWith("POST /v1/chat/completions?beta=true HTTP/1.1\r\n"));
    QVERIFY(sent.contains(QByteArray("\r\nHost: " + peer.authority().toLatin1() + "\r\n")));
    QVERIFY(sent.contains("\r\nContent-Length: 13\r\n"));
    QCOMPARE(sent.count("Content-Length"), 1);
    QVERIFY(sent.contains("\r\nConnection: keep-alive\r\n"));
    QVERIFY(sent.contains("\r\nAuthorization: Bearer sk-secret-123\r\n"));
    QVERIFY(sent.contains("\r\nX-Trace: abc\r\n"));
    QVERIFY(sent.endsWith("\r\n\r\n"
                          R"({"model":"m"})"));
}

void UpstreamClientTest::largeRequestBody()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write(okResponse("received"));
    };
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.body = QByteArray(3 * 1024 * 1024 + 7, 'q');
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);
    QVERIFY2(outcome->finished, qPrintable(outcome->error ? outcome->error->message : QString()));
    QCOMPARE(outcome->body, QByteArray("received"));
    QVERIFY(peer.requests.first().contains("\r\nContent-Length: 3145735\r\n"));
    QVERIFY(peer.requests.first().endsWith(QByteArray("\r\n\r\n" + request.body)));
}

void UpstreamClientTest::headerWithLineBreakRefused()
{
    Peer peer;
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.headers.append("X-Injected", "a\r\nX-Evil: yes");
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Protocol);
    QVERIFY2(outcome->error->message.contains(QLatin1String("X-Injected")), qPrintable(outcome->error->message));
    QVERIFY(!outcome->error->message.contains(QLatin1String("X-Evil")));
    QTest::qWait(50);
    QCOMPARE(peer.requests.size(), 0);
}

void UpstreamClientTest::concurrentCallsUseSeparateConnections()
{
    Peer peer;
    QList<QPointer<QTcpSocket>> waiting;
    peer.onRequest = [&](QTcpSocket *socket, int, const QByteArray &) {
        waiting.append(socket);
        if (waiting.size() == 3) { // answer only once all three are in flight at the same time
            for (const QPointer<QTcpSocket> &s : std::as_const(waiting))
                s->write(okResponse("together"));
        }
    };
    UpstreamClient client;
    client.setMaxIdlePerOrigin(2);
    QList<std::shared_ptr<Outcome>> outcomes;
    for (int i = 0; i < 3; ++i)
        outcomes.append(watch(client.send(chatRequest(peer))));
    for (const auto &outcome : std::as_const(outcomes)) {
        WAIT_DONE(outcome);
        QVERIFY(outcome->finished);
        QCOMPARE(outcome->body, QByteArray("together"));
    }
    QCOMPARE(peer.accepted, 3);
    QCOMPARE(client.idleConnectionCount(), 2); // the third beyond the limit was closed after use
}

void UpstreamClientTest::chunkedResponseStreamsPieces()
{
    const QByteArray event1 = "data: {\"delta\":\"Hel\"}\n\n";
    const QByteArray event2 = "data: {\"delta\":\"lo\"}\n\n";
    const QByteArray event3 = "data: [DONE]\n\n";
    const QByteArray second = chunk(event2 + event3);
    // Three TCP writes, the second chunk split mid-payload; each written only after the client has
    // delivered what came before, a little later, so the pieces cannot be merged into one.
    const QList<QByteArray> writes = {kChunkedHead + chunk(event1), second.left(10), second.mid(10) + "0\r\n\r\n"};
    Peer peer;
    QPointer<QTcpSocket> upstream;
    int written = 0;
    peer.onRequest = [&](QTcpSocket *socket, int, const QByteArray &) {
        upstream = socket;
        socket->write(writes[written++]);
    };
    UpstreamClient client;
    UpstreamCall *call = client.send(chatRequest(peer));
    auto outcome = watch(call);
    QList<int> writtenAtPiece;
    connect(call, &UpstreamCall::bodyData, this, [&] {
        writtenAtPiece.append(written);
        if (upstream && written < writes.size()) // the socket as context: no timer outlives this test
            QTimer::singleShot(30, upstream.data(), [&] { upstream->write(writes[written++]); });
    });
    WAIT_DONE(outcome);

    QVERIFY(outcome->finished);
    QCOMPARE(outcome->body, event1 + event2 + event3); // de-chunked: no sizes, no CRLFs
    QCOMPARE(outcome->pieces.size(), 3);
    QCOMPARE(outcome->pieces.first(), event1);
    QCOMPARE(writtenAtPiece, QList<int>({1, 2, 3})); // each piece delivered before the next write
}

void UpstreamClientTest::closeDelimitedBody()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello ");
        QTimer::singleShot(50, socket, [socket] {
            socket->write("world");
            socket->disconnectFromHost();
        });
    };
    UpstreamClient client;
    auto outcome = watch(client.send(chatRequest(peer)));
    WAIT_DONE(outcome);
    QVERIFY(outcome->finished);
    QCOMPARE(outcome->body, QByteArray("hello world"));
    QCOMPARE(client.idleConnectionCount(), 0);
}

void UpstreamClientTest::informationalResponseSkipped()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write("HTTP/1.1 100 Continue\r\n\r\n" + okResponse("ok"));
    };
    UpstreamClient client;
    auto outcome = watch(client.send(chatRequest(peer)));
    WAIT_DONE(outcome);
    QVERIFY(outcome->finished);
    QCOMPARE(outcome->headersSignals, 1);
    QCOMPARE(outcome->status, 200);
    QCOMPARE(outcome->body, QByteArray("ok"));
}

void UpstreamClientTest::headResponseHasNoBody()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &request) {
        if (request.startsWith("HEAD "))
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
        else
            socket->write(okResponse("after"));
    };
    UpstreamClient client;
    UpstreamRequest head = chatRequest(peer);
    head.method = "HEAD";
    head.body.clear();
    auto first = watch(client.send(head));
    WAIT_DONE(first);
    QVERIFY(first->finished);
    QVERIFY(first->body.isEmpty());
    QVERIFY(!peer.requests.first().contains("Content-Length"));

    auto second = watch(client.send(chatRequest(peer)));
    WAIT_DONE(second);
    QVERIFY(second->finished);
    QCOMPARE(second->body, QByteArray("after"));
    QCOMPARE(peer.accepted, 1);
}

void UpstreamClientTest::keepAliveReusesConnection()
{
    Peer peer;
    int count = 0;
    peer.onRequest = [&count](QTcpSocket *socket, int, const QByteArray &) {
        switch (count++) {
        case 0:
            socket->write(okResponse("one"));
            break;
        case 1:
            socket->write(kChunkedHead + chunk("tw") + chunk("o") + "0\r\n\r\n");
            break;
        default:
            socket->write("HTTP/1.1 204 No Content\r\n\r\n");
            break;
        }
    };
    UpstreamClient client;
    const QList<QByteArray> expected = {"one", "two", ""};
    for (const QByteArray &body : expected) {
        auto outcome = watch(client.send(chatRequest(peer)));
        WAIT_DONE(outcome);
        QVERIFY2(outcome->finished, qPrintable(outcome->error ? outcome->error->message : QString()));
        QCOMPARE(outcome->body, body);
        QCOMPARE(client.idleConnectionCount(), 1);
    }
    QCOMPARE(peer.requests.size(), 3);
    QCOMPARE(peer.accepted, 1);
}

void UpstreamClientTest::connectionCloseIsNotReused()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    };
    UpstreamClient client;
    for (int i = 0; i < 2; ++i) {
        auto outcome = watch(client.send(chatRequest(peer)));
        WAIT_DONE(outcome);
        QVERIFY(outcome->finished);
        QCOMPARE(client.idleConnectionCount(), 0);
    }
    QCOMPARE(peer.accepted, 2);
}

void UpstreamClientTest::serverClosingIdleConnection()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int connection, const QByteArray &) {
        socket->write(okResponse(connection == 0 ? "first" : "second"));
    };
    UpstreamClient client;
    auto first = watch(client.send(chatRequest(peer)));
    WAIT_DONE(first);
    QVERIFY(first->finished);
    QCOMPARE(client.idleConnectionCount(), 1);

    peer.sockets.first()->disconnectFromHost();
    QTRY_COMPARE(client.idleConnectionCount(), 0);

    auto second = watch(client.send(chatRequest(peer)));
    WAIT_DONE(second);
    QVERIFY2(second->finished, qPrintable(second->error ? second->error->message : QString()));
    QCOMPARE(second->body, QByteArray("second"));
    QCOMPARE(peer.accepted, 2);
}

void UpstreamClientTest::keepAliveRaceRetriesOnFreshConnection()
{
    Peer peer;
    int requestsOnFirst = 0;
    peer.onRequest = [&](QTcpSocket *socket, int connection, const QByteArray &) {
        if (connection == 0 && requestsOnFirst++ == 1) {
            socket->disconnectFromHost(); // closes just as the second request arrives
            return;
        }
        socket->write(okResponse(connection == 0 ? "first" : "retried"));
    };
    UpstreamClient client;
    auto first = watch(client.send(chatRequest(peer)));
    WAIT_DONE(first);
    QVERIFY(first->finished);
    QCOMPARE(client.idleConnectionCount(), 1);

    auto second = watch(client.send(chatRequest(peer)));
    WAIT_DONE(second);
    QVERIFY2(second->finished, qPrintable(second->error ? second->error->message : QString()));
    QCOMPARE(second->body, QByteArray("retried"));
    QCOMPARE(peer.accepted, 2);
    QCOMPARE(peer.requests.size(), 3);
}

void UpstreamClientTest::keepAliveTimeoutFromServerHonoured()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok");
    };
    UpstreamClient client;
    auto outcome = watch(client.send(chatRequest(peer)));
    WAIT_DONE(outcome);
    QVERIFY(outcome->finished);
    QCOMPARE(client.idleConnectionCount(), 1);
    // Closed well before the default idle lifetime: the server said it keeps connections for one second.
    QTRY_COMPARE_WITH_TIMEOUT(client.idleConnectionCount(), 0, 3000);
    QTRY_VERIFY(peer.closedByClient.first());
}

void UpstreamClientTest::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    UpstreamClient client;
    UpstreamRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/models").arg(port));
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Connect);
    QVERIFY2(outcome->error->message.contains(QStringLiteral("127.0.0.1:%1").arg(port)),
             qPrintable(outcome->error->message));
    QVERIFY2(outcome->error->message.contains(QLatin1String("refused")), qPrintable(outcome->error->message));
    QCOMPARE(outcome->headersSignals, 0);
}

void UpstreamClientTest::invalidUrlFailsAfterSendReturns()
{
    UpstreamClient client;
    UpstreamRequest request;
    request.url = QUrl(QStringLiteral("ftp://example.com/?key=sk-secret-123"));
    UpstreamCall *call = client.send(request);
    QPointer<UpstreamCall> guard(call);
    auto outcome = watch(call); // connected after send() returned: nothing may have been missed
    QVERIFY(!outcome->done());
    WAIT_DONE(outcome);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Connect);
    QVERIFY(outcome->error->message.contains(QLatin1String("http://")));
    QVERIFY(!outcome->error->message.contains(QLatin1String("sk-secret")));
    QTRY_VERIFY(guard.isNull());
}

void UpstreamClientTest::resetBeforeHeaders_data()
{
    QTest::addColumn<QByteArray>("partial");
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("half a status line") << QByteArray("HTTP/1.1 20");
    QTest::newRow("half the headers") << QByteArray("HTTP/1.1 200 OK\r\nContent-Ty");
}

void UpstreamClientTest::resetBeforeHeaders()
{
    QFETCH(QByteArray, partial);
    Peer peer;
    peer.onRequest = [&](QTcpSocket *socket, int, const QByteArray &) {
        socket->write(partial);
        socket->disconnectFromHost();
    };
    UpstreamClient client;
    auto outcome = watch(client.send(chatRequest(peer)));
    WAIT_DONE(outcome);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Reset);
    QCOMPARE(outcome->headersSignals, 0);
    QVERIFY2(outcome->error->message.contains(peer.authority()), qPrintable(outcome->error->message));
    QVERIFY(!outcome->error->message.contains(QLatin1String("sk-secret")));
    QCOMPARE(peer.accepted, 1); // a fresh connection is not retried
}

void UpstreamClientTest::resetMidBody_data()
{
    QTest::addColumn<QByteArray>("partial");
    QTest::newRow("content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    QTest::newRow("chunked") << QByteArray(kChunkedHead + "a\r\n01234");
}

void UpstreamClientTest::resetMidBody()
{
    QFETCH(QByteArray, partial);
    Peer peer;
    peer.onRequest = [&](QTcpSocket *socket, int, const QByteArray &) {
        socket->write(partial);
        QTimer::singleShot(50, socket, [socket] { socket->disconnectFromHost(); });
    };
    UpstreamClient client;
    auto outcome = watch(client.send(chatRequest(peer)));
    WAIT_DONE(outcome);
    QCOMPARE(outcome->headersSignals, 1);
    QVERIFY(!outcome->body.isEmpty());
    QVERIFY(!outcome->finished);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Reset);
    QVERIFY2(outcome->error->message.contains(peer.authority()), qPrintable(outcome->error->message));
    QVERIFY(!outcome->error->message.contains(QLatin1String("0123")));
}

void UpstreamClientTest::invalidHttp_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    QTest::newRow("bad content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n");
    QTest::newRow("bad chunk size") << QByteArray(kChunkedHead + "zz\r\nhello\r\n");
}

void UpstreamClientTest::invalidHttp()
{
    QFETCH(QByteArray, response);
    Peer peer;
    peer.onRequest = [&](QTcpSocket *socket, int, const QByteArray &) {
        socket->write(response);
    };
    UpstreamClient client;
    auto outcome = watch(client.send(chatRequest(peer)));
    WAIT_DONE(outcome);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Protocol);
    QVERIFY2(outcome->error->message.contains(peer.authority()), qPrintable(outcome->error->message));
    QTRY_VERIFY(peer.closedByClient.first());
}

void UpstreamClientTest::firstByteTimeout()
{
    Peer peer; // reads the request, never answers
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.timeouts.firstByteMs = 200;
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Timeout);
    QCOMPARE(outcome->error->phase, QStringLiteral("first byte"));
    QVERIFY2(outcome->error->message.contains(peer.authority()), qPrintable(outcome->error->message));
    QCOMPARE(peer.requests.size(), 1);
    QTRY_VERIFY(peer.closedByClient.first());
    QCOMPARE(client.idleConnectionCount(), 0);
}

void UpstreamClientTest::idleTimeout()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"); // then stalls
    };
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.timeouts.idleMs = 200;
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);
    QCOMPARE(outcome->status, 200);
    QCOMPARE(outcome->body, QByteArray("0123456789"));
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Timeout);
    QCOMPARE(outcome->error->phase, QStringLiteral("idle"));
    QTRY_VERIFY(peer.closedByClient.first());
}

void UpstreamClientTest::totalTimeout()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        auto *trickle = new QTimer(socket);
        connect(trickle, &QTimer::timeout, socket, [socket] { socket->write("x"); });
        trickle->start(40);
    };
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.timeouts.idleMs = 300;
    request.timeouts.totalMs = 500;
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Timeout);
    QCOMPARE(outcome->error->phase, QStringLiteral("total"));
    QVERIFY(!outcome->body.isEmpty()); // still trickling, never idle, when the total ran out
}

void UpstreamClientTest::tlsRoundTripReusesConnection()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend on this system");
    Peer peer(Peer::Transport::Tls);
    QVERIFY(peer.isListening());
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &request) {
        const QByteArray size = QByteArray::number(request.size());
        socket->write(kChunkedHead + chunk("got ") + chunk(size) + "0\r\n\r\n");
    };
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.url = peer.url(QStringLiteral("https"));
    auto first = watch(client.send(request));
    WAIT_DONE(first);
    QVERIFY2(first->finished, qPrintable(first->error ? first->error->message : QString()));
    QVERIFY(first->body.startsWith("got "));
    QCOMPARE(client.idleConnectionCount(), 1);

    request.body = QByteArray(200 * 1024, 'z'); // more than one TLS record, written apart from the head
    auto second = watch(client.send(request));
    WAIT_DONE(second);
    QVERIFY2(second->finished, qPrintable(second->error ? second->error->message : QString()));
    QCOMPARE(second->body, "got " + QByteArray::number(peer.requests.last().size()));
    QVERIFY(peer.requests.last().endsWith(request.body));
    QCOMPARE(peer.accepted, 1);
}

void UpstreamClientTest::tlsHandshakeFailure()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend on this system");
    Peer peer;
    peer.onConnection = [](QTcpSocket *socket) {
        connect(socket, &QTcpSocket::readyRead, socket, [socket] {
            socket->readAll();
            socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); // plain HTTP on a TLS port
        });
    };
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.url = peer.url(QStringLiteral("https"));
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Connect);
    QVERIFY2(outcome->error->message.contains(QLatin1String("TLS")), qPrintable(outcome->error->message));
    QVERIFY2(outcome->error->message.contains(peer.authority()), qPrintable(outcome->error->message));
}

void UpstreamClientTest::tlsConnectTimeout()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend on this system");
    Peer peer; // accepts TCP, never answers the TLS handshake
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.url = peer.url(QStringLiteral("https"));
    request.timeouts.connectMs = 200;
    auto outcome = watch(client.send(request));
    WAIT_DONE(outcome);
    QVERIFY(outcome->error);
    QCOMPARE(outcome->error->kind, UpstreamError::Kind::Timeout);
    QCOMPARE(outcome->error->phase, QStringLiteral("connect"));
    QTRY_VERIFY(peer.closedByClient.first());
}

void UpstreamClientTest::abortMidBody()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + QByteArray(100, 'a'));
        QTimer::singleShot(50, socket, [socket] { socket->write(QByteArray(100, 'b')); });
        QTimer::singleShot(100, socket, [socket] { socket->write(QByteArray(800, 'c')); });
    };
    UpstreamClient client;
    QPointer<UpstreamCall> call = client.send(chatRequest(peer));
    auto outcome = watch(call);
    int piecesAtAbort = -1;
    connect(call, &UpstreamCall::bodyData, this, [&] {
        if (piecesAtAbort < 0) {
            piecesAtAbort = int(outcome->pieces.size());
            call->abort();
        }
    });
    QTRY_VERIFY(piecesAtAbort > 0);
    QTRY_VERIFY(peer.closedByClient.first());
    QTest::qWait(200); // the peer's later writes arrive at a closed connection
    QCOMPARE(int(outcome->pieces.size()), piecesAtAbort);
    QVERIFY(!outcome->done());
    QCOMPARE(outcome->signalsAfterEnd, 0);
    QVERIFY(call.isNull());
    QCOMPARE(client.idleConnectionCount(), 0);
}

void UpstreamClientTest::abortBeforeStart()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        socket->write(okResponse("late"));
    };
    UpstreamClient client;
    QPointer<UpstreamCall> call = client.send(chatRequest(peer));
    auto outcome = watch(call);
    call->abort();
    QTRY_VERIFY(call.isNull());
    QTest::qWait(100);
    QVERIFY(!outcome->done());
    QCOMPARE(outcome->headersSignals, 0);
    QCOMPARE(peer.requests.size(), 0);
}

void UpstreamClientTest::pauseStopsReadingUntilResume()
{
    // Far more than the kernel's socket buffers can hold, so a paused reader must hold the upstream back.
    constexpr qsizetype bodySize = 64 * 1024 * 1024;
    QByteArray pattern(4093, Qt::Uninitialized); // odd length: a misplaced slice would not line up
    for (qsizetype i = 0; i < pattern.size(); ++i)
        pattern[i] = char('a' + i % 26);
    const QByteArray body = pattern.repeated(bodySize / pattern.size() + 1).left(bodySize);

    Peer peer;
    QPointer<QTcpSocket> upstream;
    peer.onRequest = [&](QTcpSocket *socket, int, const QByteArray &) {
        upstream = socket;
        socket->write("HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(bodySize) + "\r\n\r\n");
        socket->write(body);
    };
    UpstreamClient client;
    UpstreamRequest request = chatRequest(peer);
    request.timeouts.idleMs = 250; // shorter than the pause: waiting on our own reader is not upstream idleness
    QPointer<UpstreamCall> call = client.send(request);

    qint64 received = 0;
    bool intact = true;
    qint64 receivedAtPause = -1;
    bool finished = false;
    std::optional<UpstreamError> error;
    connect(call, &UpstreamCall::bodyData, this, [&](const QByteArray &data) {
        intact = intact && received + data.size() <= bodySize
            && memcmp(body.constData() + received, data.constData(), size_t(data.size())) == 0;
        received += data.size();
        if (receivedAtPause < 0) {
            call->pause();
            receivedAtPause = received;
        }
    });
    connect(call, &UpstreamCall::finished, this, [&] { finished = true; });
    connect(call, &UpstreamCall::failed, this, [&](const UpstreamError &e) { error = e; });

    QTRY_VERIFY(receivedAtPause > 0);
    QTest::qWait(500);
    QVERIFY2(!error, qPrintable(error ? error->message : QString()));
    QCOMPARE(received, receivedAtPause);
    QVERIFY(upstream);
    QVERIFY2(upstream->bytesToWrite() > 0, "the upstream was not held back by flow control");

    call->resume();
    QTRY_VERIFY_WITH_TIMEOUT(finished || error, 20000);
    QVERIFY2(finished, qPrintable(error ? error->message : QString()));
    QCOMPARE(received, bodySize);
    QVERIFY(intact);
}

void UpstreamClientTest::pauseHoldsTheRestOfARead()
{
    Peer peer;
    peer.onRequest = [](QTcpSocket *socket, int, const QByteArray &) {
        // One TCP write carrying the whole response: pausing must also hold what was already read.
        socket->write(kChunkedHead + chunk("one ") + chunk("two ") + chunk("three") + "0\r\n\r\n");
    };
    UpstreamClient client;
    QPointer<UpstreamCall> call = client.send(chatRequest(peer));
    auto outcome = watch(call);
    connect(call, &UpstreamCall::bodyData, this, [&] {
        if (outcome->pieces.size() == 1)
            call->pause();
    });
    QTRY_COMPARE(outcome->pieces.size(), 1);
    QTest::qWait(100);
    QCOMPARE(outcome->pieces.size(), 1);
    QVERIFY(!outcome->done());

    call->resume();
    QCOMPARE(outcome->pieces.size(), 1); // delivered from the event loop, not from inside resume()
    WAIT_DONE(outcome);
    QVERIFY(outcome->finished);
    QCOMPARE(outcome->pieces, QList<QByteArray>({"one ", "two ", "three"}));
    QCOMPARE(client.idleConnectionCount(), 1);
}

QTEST_GUILESS_MAIN(UpstreamClientTest)
#include "tst_upstreamclient.moc"
