#pragma once

#include <QObject>

#include "http/UpstreamRequest.h"

namespace sluice {

class UpstreamConnectionPool;

// One in-flight exchange. Emits headersReceived once, bodyData zero or more times (de-chunked, as it
// arrives from the socket), then exactly one of finished or failed. Deletes itself (deleteLater) after
// finished/failed/abort; hold it in a QPointer.
class UpstreamCall : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~UpstreamCall() override = default;

    // Backpressure: stop reading from the socket (TCP flow control then slows the upstream) / read again.
    virtual void pause() = 0;
    virtual void resume() = 0;
    // Cancels the exchange and closes its connection (never returned to the pool). No further signals.
    virtual void abort() = 0;

Q_SIGNALS:
    void headersReceived(int status, const sluice::HttpHeaders &headers);
    void bodyData(const QByteArray &data);
    void finished();
    void failed(const sluice::UpstreamError &error);
};

// Sluice's own keep-alive HTTP/1.1 client on QTcpSocket / QSslSocket: a pool of idle connections per
// scheme+host+port, no pipelining, strict timeouts, responses parsed by http_parser. Lives on the gateway
// thread; not thread-safe.
class UpstreamClient : public QObject
{
    Q_OBJECT
public:
    explicit UpstreamClient(QObject *parent = nullptr);
    ~UpstreamClient() override;

    UpstreamCall *send(const UpstreamRequest &request);

    // Idle connections kept per origin; beyond, connections close after use.
    void setMaxIdlePerOrigin(int count);
    int idleConnectionCount() const;

private:
    UpstreamConnectionPool *m_pool;
};

} // namespace sluice
