#pragma once

#include "common/Result.h"
#include "http/HttpServerLimits.h"

#include <QHostAddress>
#include <QObject>

class QTcpServer;

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
    void close();
    bool isListening() const;
    quint16 port() const;
    QHostAddress address() const;
    int connectionCount() const;

private:
    void acceptPending();

    HttpRequestHandler *m_handler;
    HttpServerLimits m_limits;
    QTcpServer *m_server;
    int m_connections = 0;
};

} // namespace sluice
