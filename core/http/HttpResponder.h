#pragma once

#include <QByteArray>
#include <QObject>

#include "common/HttpHeaders.h"

namespace sluice {

// How a request handler answers one request, without knowing about sockets.
// Either sendResponse() once, or beginStream(), any number of writeChunk(), then endStream().
// The connection owns the responder: it stays valid until closed() is emitted or the response has ended;
// hold it in a QPointer. Content-Length / Transfer-Encoding / Connection / Date headers are added by the
// implementation; handlers set only the rest (Content-Type, ...).
class HttpResponder : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~HttpResponder() override = default;

    virtual void sendResponse(int status, const HttpHeaders &headers, const QByteArray &body) = 0;

    // Starts a streamed response (chunked transfer encoding on HTTP/1.1).
    virtual void beginStream(int status, const HttpHeaders &headers) = 0;
    // Queues data (e.g. one whole SSE event) for the client; never blocks.
    virtual void writeChunk(const QByteArray &data) = 0;
    virtual void endStream() = 0;
    // Ends a started stream abnormally: the client sees the connection close without the final chunk.
    virtual void abortStream() = 0;

    // Bytes queued for the client but not yet handed to the OS. Producers stop reading their source while
    // this is above highWaterMark() and resume on drained(): a slow client never makes the gateway buffer
    // without bound.
    virtual qint64 pendingBytes() const = 0;
    static constexpr qint64 highWaterMark() { return 256 * 1024; }

    // True once the response has started (headers sent or queued).
    virtual bool responseStarted() const = 0;

    // A response's last bytes (sendResponse(), endStream()) are held back from the OS so that the handler can log
    // the request first: a crash in between then cannot leave a client with a whole answer and the log without
    // its row. The handler calls this once it has logged; a handler that does not lets them leave on the next
    // event-loop pass. Does nothing before the response has ended, or a second time.
    virtual void releaseEnd() = 0;

Q_SIGNALS:
    // pendingBytes() fell from above highWaterMark() to below half of it.
    void drained();
    // The client disconnected before the response ended; the handler must cancel its upstream work.
    // Emitted from the event loop, never from inside a responder call; later calls on the responder do nothing.
    void closed();
};

} // namespace sluice
