#pragma once

#include <QPointer>

#include "http/HttpConnection.h"
#include "http/HttpResponder.h"

namespace sluice {

struct HttpRequest;

// The HttpResponder of one request on an HttpConnection: frames the response (status line, Content-Length or
// chunked transfer encoding, Date, Connection) and hands the bytes to the connection. Once detached (the
// client went away) every call is a no-op.
class ServerResponder : public HttpResponder
{
    Q_OBJECT
public:
    ServerResponder(HttpConnection *connection, const HttpRequest &request, QObject *parent = nullptr);
    ~ServerResponder() override;

    void sendResponse(int status, const HttpHeaders &headers, const QByteArray &body) override;
    void beginStream(int status, const HttpHeaders &headers) override;
    void writeChunk(const QByteArray &data) override;
    void endStream() override;
    void abortStream() override;
    qint64 pendingBytes() const override;
    bool responseStarted() const override;
    void releaseEnd() override;

    // The connection is gone: later calls do nothing.
    void detach();

private:
    enum class State { Idle, Streaming, Done };

    void appendHead(QByteArray &out, int status, const HttpHeaders &headers) const;

    HttpConnection *m_connection;
    QPointer<HttpConnection> m_held; // holds the response's last bytes until releaseEnd()
    State m_state = State::Idle;
    bool m_keepAlive;
    bool m_chunked; // HTTP/1.0 clients get the stream unframed, ended by closing the connection
    bool m_head;
};

} // namespace sluice
