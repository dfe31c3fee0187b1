#pragma once

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include "common/Result.h"
#include "http/HttpServerLimits.h"

class QTcpServer;
class QTcpSocket;

namespace sluice {

class HttpRequestHandler;

// HTTP/1.1 server on QTcpServer: keep-alive, pipelining, chunked request bodies, size limits, streamed
// responses with backpressure. Parsing is done by http_parser (libhttp-parser), never by hand.
class HttpServer : public QObject
{
    Q_OBJECT
public:
    HttpServer(HttpRequestHandler *handler, HttpServerLimits limits = {}, QObject *parent = nullptr);
    ~HttpServer() override;

    // port 0 picks a free port. A taken port gives an error naming the address and port.
    Result<void> listen(const QHostAddress &address, quint16 port);
    // Stops listening and closes every connection; responses in progress see HttpResponder::closed().
    void close();
    // Stops taking new connections; open ones are served on (a graceful shutdown).
    void stopListening();
    bool isListening() const;
    quint16 port() const;
    QHostAddress address() const;
    // Open client connections (a closed one counts until it is deleted, on the next event-loop pass).
    int connectionCount() const;
    // Response bytes written but not yet taken by the OS, over all connections.
    qint64 pendingBytes() const;

private:
    void acceptPending();
    // The process ran out of file descriptors: Qt stops accepting; try again shortly, or when a connection closes.
    void onAcceptError(int error);
    // Past maxConnections: a 503, then the socket is closed.
    void refuseConnection(QTcpSocket *socket);
    void resumeAccepting();

    HttpRequestHandler *m_handler;
    HttpServerLimits m_limits;
    QTcpServer *m_server;
    int m_connections = 0;
    bool m_acceptPaused = false;
    bool m_acceptTroubleReported = false;
    bool m_connectionLimitReported = false;
    QTimer *m_resumeTimer;
};

} // namespace sluice
