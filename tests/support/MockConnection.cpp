#include "MockConnection.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

Q_LOGGING_CATEGORY(lcMockConnection, "sluice.test.mock", QtInfoMsg)

namespace sluice::test {

namespace {
// Past this many unsent bytes the mock waits, as a real server blocks on a full TCP window.
constexpr qint64 kHighWater = 64 * 1024;

MockConnection *self(http_parser *parser)
{
    return static_cast<MockConnection *>(parser->data);
}
} // namespace

MockConnection::MockConnection(int id, QTcpSocket *socket, const QElapsedTimer *clock, Responder responder,
                               QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_socket(socket)
    , m_clock(clock)
    , m_responder(std::move(responder))
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    http_parser_settings_init(&m_settings);
    m_settings.on_message_begin = &MockConnection::onMessageBegin;
    m_settings.on_url = &MockConnection::onUrl;
    m_settings.on_header_field = &MockConnection::onHeaderField;
    m_settings.on_header_value = &MockConnection::onHeaderValue;
    m_settings.on_headers_complete = &MockConnection::onHeadersComplete;
    m_settings.on_body = &MockConnection::onBody;
    m_settings.on_message_complete = &MockConnection::onMessageComplete;

    connect(m_socket, &QTcpSocket::readyRead, this, &MockConnection::readIncoming);
    connect(m_socket, &QTcpSocket::disconnected, this, &MockConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &MockConnection::onBytesWritten);
    if (m_socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &MockConnection::readIncoming);
}

MockConnection::~MockConnection() = default;

void MockConnection::abort()
{
    if (m_gone)
        return;
    m_closedByUs = true;
    m_socket->abort();
    onDisconnected();
}

int MockConnection::onMessageBegin(http_parser *parser)
{
    MockConnection *c = self(parser);
    c->m_current = ReceivedRequest();
    c->m_current.connectionId = c->m_id;
    c->m_current.arrivedMs = c->m_clock->elapsed();
    c->m_current.arrivedAt = QDateTime::currentDateTimeUtc();
    c->m_headerField.clear();
    c->m_headerValue.clear();
    c->m_lastWasValue = false;
    return 0;
}

int MockConnection::onUrl(http_parser *parser, const char *at, size_t length)
{
    self(parser)->m_current.target.append(at, qsizetype(length));
    return 0;
}

int MockConnection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    MockConnection *c = self(parser);
    if (c->m_lastWasValue) {
        c->m_current.headers.append(c->m_headerField, c->m_headerValue);
        c->m_headerField.clear();
        c->m_headerValue.clear();
        c->m_lastWasValue = false;
    }
    c->m_headerField.append(at, qsizetype(length));
    return 0;
}

int MockConnection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    MockConnection *c = self(parser);
    c->m_headerValue.append(at, qsizetype(length));
    c->m_lastWasValue = true;
    return 0;
}

int MockConnection::onHeadersComplete(http_parser *parser)
{
    MockConnection *c = self(parser);
    if (c->m_lastWasValue)
        c->m_current.headers.append(c->m_headerField, c->m_headerValue);
    c->m_headerField.clear();
    c->m_headerValue.clear();
    c->m_lastWasValue = false;
    c->m_current.method = http_method_str(static_cast<http_method>(parser->method));
    const qsizetype question = c->m_current.target.indexOf('?');
    c->m_current.path = question < 0 ? c->m_current.target : c->m_current.target.left(question);
    c->m_current.query = question < 0 ? QByteArray() : c->m_current.target.mid(question + 1);
    return 0;
}

int MockConnection::onBody(http_parser *parser, const char *at, size_t length)
{
    self(parser)->m_current.body.append(at, qsizetype(length));
    return 0;
}

int MockConnection::onMessageComplete(http_parser *parser)
{
    MockConnection *c = self(parser);
    const bool keepAlive = http_should_keep_alive(parser) != 0;
    c->m_pending.enqueue({c->m_current, keepAlive});
    Q_EMIT c->requestReceived(c->m_current);
    // Nothing after a "Connection: close" request is answered.
    return keepAlive ? 0 : 1;
}

void MockConnection::readIncoming()
{
    if (m_gone)
        return;
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty() || m_parser.http_errno != HPE_OK)
        return;
    http_parser_execute(&m_parser, &m_settings, data.constData(), size_t(data.size()));
    const auto error = static_cast<http_errno>(m_parser.http_errno);
    if (error != HPE_OK && error != HPE_CB_message_complete) {
        qCWarning(lcMockConnection) << "connection" << m_id << "sent malformed HTTP:" << http_errno_name(error);
        const QByteArray body = QByteArrayLiteral("{\"error\":{\"message\":\"malformed HTTP request\",\"type\":"
                                                  "\"invalid_request_error\",\"param\":null,\"code\":null}}");
        m_socket->write(QByteArrayLiteral("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                                          "Content-Length: ")
                        + QByteArray::number(body.size()) + QByteArrayLiteral("\r\nConnection: close\r\n\r\n") + body);
        m_closedByUs = true;
        m_socket->disconnectFromHost();
        return;
    }
    if (!m_busy)
        startNext();
}

void MockConnection::startNext()
{
    if (m_gone || m_busy || m_pending.isEmpty())
        return;
    const auto [request, keepAlive] = m_pending.dequeue();
    m_response = m_responder(request, keepAlive);
    m_busy = true;
    m_nextPiece = 0;
    if (m_response.resetBeforeHead) {
        endConnection(MockResponse::End::Reset);
        return;
    }
    if (m_response.stall)
        return; // busy until the peer goes away
    afterDelay(m_response.headDelayMs, &MockConnection::writeHead);
}

void MockConnection::writeHead()
{
    m_socket->write(m_response.head);
    m_socket->flush();
    if (m_response.pieces.isEmpty() && m_response.end == MockResponse::End::Complete) {
        finishResponse();
        return;
    }
    afterDelay(m_response.pieceDelayMs, &MockConnection::writeNextPiece);
}

void MockConnection::writeNextPiece()
{
    if (m_socket->bytesToWrite() > kHighWater) {
        m_waitingForDrain = true;
        return;
    }
    if (m_response.end != MockResponse::End::Complete && m_nextPiece >= m_response.endAfterPieces) {
        m_socket->flush();
        endConnection(m_response.end);
        return;
    }
    QByteArray data = m_response.pieces.at(m_nextPiece++);
    const bool last = m_nextPiece == m_response.pieces.size();
    if (last && m_response.end == MockResponse::End::Complete)
        data += m_response.trailer;
    m_socket->write(data);
    m_socket->flush();
    if (!last) {
        afterDelay(m_response.pieceDelayMs, &MockConnection::writeNextPiece);
    } else if (m_response.end == MockResponse::End::Complete) {
        finishResponse();
    } else {
        endConnection(m_response.end);
    }
}

void MockConnection::finishResponse()
{
    m_busy = false;
    if (m_response.closeAfter) {
        m_closedByUs = true;
        m_socket->disconnectFromHost();
        return;
    }
    startNext();
}

void MockConnection::endConnection(MockResponse::End how)
{
    m_closedByUs = true;
    if (how == MockResponse::End::Reset) {
#ifdef Q_OS_UNIX
        // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        const linger hard {1, 0};
        ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
#endif
        m_socket->abort();
        onDisconnected();
    } else {
        m_socket->disconnectFromHost();
    }
}

void MockConnection::afterDelay(int ms, void (MockConnection::*step)())
{
    // Precise: a coarse timer may fire early, and tests assert injected delays as lower bounds.
    QTimer::singleShot(qMax(0, ms), Qt::PreciseTimer, this, [this, step] {
        if (!m_gone)
            (this->*step)();
    });
}

void MockConnection::onBytesWritten()
{
    if (m_waitingForDrain && !m_gone && m_socket->bytesToWrite() <= kHighWater / 2) {
        m_waitingForDrain = false;
        writeNextPiece();
    }
}

void MockConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    if (!m_closedByUs)
        Q_EMIT clientDisconnected(m_id, m_busy);
    Q_EMIT finished(m_id);
    deleteLater();
}

} // namespace sluice::test
