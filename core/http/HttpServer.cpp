#include "HttpServer.h"

#include <QTcpServer>
#include <QTcpSocket>

#include "http/HttpConnection.h"
#include "http/ServerLogging.h"

namespace sluice {

namespace {

QString hostAndPort(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

} // namespace

HttpServer::HttpServer(HttpRequestHandler *handler, HttpServerLimits limits, QObject *parent)
    : QObject(parent)
    , m_handler(handler)
    , m_limits(limits)
    , m_server(new QTcpServer(this))
    , m_resumeTimer(new QTimer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpServer::acceptPending);
    connect(m_server, &QTcpServer::acceptError, this,
            [this](QAbstractSocket::SocketError error) { onAcceptError(error); });
    m_resumeTimer->setSingleShot(true);
    m_resumeTimer->setInterval(250);
    connect(m_resumeTimer, &QTimer::timeout, this, &HttpServer::resumeAccepting);
}

void HttpServer::refuseConnection(QTcpSocket *socket)
{
    if (!m_connectionLimitReported)
        qCWarning(lcHttpServer).noquote()
            << QStringLiteral("%1 connections are open, the limit (gateway.max_connections): new ones get a 503 "
                              "until some close.")
                   .arg(m_connections);
    m_connectionLimitReported = true;
    static const QByteArray body
        = R"({"error":{"message":"Sluice has as many connections open as it allows (gateway.max_connections); try again shortly.","type":"server_error","param":null,"code":"gateway_busy"}})";
    socket->setParent(this);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                  "Connection: close\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    socket->disconnectFromHost();
}

void HttpServer::onAcceptError(int error)
{
    // QTcpServer has paused accepting. Out of file descriptors (EMFILE) is the usual cause: connections waiting in
    // the backlog are taken once some close, instead of never.
    if (!m_acceptTroubleReported)
        qCWarning(lcHttpServer).noquote()
            << QStringLiteral("Cannot accept connections (%1, %2 open); trying again as connections close. Raise "
                              "the open-files limit (ulimit -n) if this persists.")
                   .arg(m_server->errorString())
                   .arg(m_connections);
    Q_UNUSED(error)
    m_acceptTroubleReported = true; // once until a connection is accepted again
    m_acceptPaused = true;
    m_resumeTimer->start();
}

void HttpServer::resumeAccepting()
{
    if (!m_acceptPaused || !m_server->isListening())
        return;
    m_acceptPaused = false;
    m_server->resumeAccepting(); // a failure pauses it again and comes back to onAcceptError
}

HttpServer::~HttpServer()
{
    close();
}

Result<void> HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_server->isListening()) {
        return makeError(QStringLiteral("Cannot listen on %1: the gateway is already listening on %2.")
                             .arg(hostAndPort(address, port), hostAndPort(this->address(), this->port())));
    }
    if (m_server->listen(address, port)) {
        qCInfo(lcHttpServer) << "Listening on" << hostAndPort(address, m_server->serverPort());
        return {};
    }
    const QString portAdvice = QStringLiteral("Choose another with --port or gateway.port in the config.");
    QString reason;
    switch (m_server->serverError()) {
    case QAbstractSocket::AddressInUseError:
        reason = QStringLiteral("the port is already in use by another program. ") + portAdvice;
        break;
    case QAbstractSocket::SocketAccessError:
        reason = QStringLiteral("permission denied (ports below 1024 need administrator rights). ") + portAdvice;
        break;
    case QAbstractSocket::SocketAddressNotAvailableError:
        reason = QStringLiteral("this computer has no network interface with that address. Listen on 127.0.0.1 "
                                "or on one of this computer's addresses.");
        break;
    default:
        reason = m_server->errorString() + QLatin1Char('.');
        break;
    }
    const QString message = QStringLiteral("Cannot listen on %1: %2").arg(hostAndPort(address, port), reason);
    qCWarning(lcHttpServer).noquote() << message;
    return makeError(message);
}

void HttpServer::close()
{
    if (m_server->isListening())
        qCInfo(lcHttpServer) << "Stopped listening on" << hostAndPort(address(), port());
    m_resumeTimer->stop();
    m_acceptPaused = false;
    m_server->close();
    const QList<HttpConnection *> connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *connection : connections)
        connection->abort();
}

qint64 HttpServer::pendingBytes() const
{
    qint64 total = 0;
    const QList<HttpConnection *> connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (const HttpConnection *connection : connections)
        total += connection->pendingBytes();
    return total;
}

void HttpServer::stopListening()
{
    m_resumeTimer->stop();
    m_acceptPaused = false;
    if (m_server->isListening())
        qCInfo(lcHttpServer) << "Stopped listening on" << hostAndPort(address(), port());
    m_server->close();
}

bool HttpServer::isListening() const
{
    return m_server->isListening();
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

QHostAddress HttpServer::address() const
{
    return m_server->serverAddress();
}

int HttpServer::connectionCount() const
{
    return m_connections;
}

void HttpServer::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections >= m_limits.maxConnections) {
            refuseConnection(socket);
            continue;
        }
        m_acceptTroubleReported = false;
        auto *connection = new HttpConnection(socket, m_handler, m_limits, this);
        ++m_connections;
        connect(connection, &QObject::destroyed, this, [this] {
            --m_connections;
            m_connectionLimitReported = false;
            resumeAccepting(); // a descriptor came free
        });
    }
}

} // namespace sluice
