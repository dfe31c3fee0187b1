#pragma once

#include <QByteArray>
#include <QString>

namespace sluice {

struct HttpRequest;
class HttpResponder;

// A request the HTTP layer refused by itself: not HTTP/1.1, headers or body over the limits.
struct HttpRefusal
{
    int status = 400; // 400, 413 or 431
    QByteArray code; // e.g. "request_too_large"
    QString message; // says what to fix
};

// The seam between the HTTP layer and the gateway: endpoints are testable without sockets.
class HttpRequestHandler
{
public:
    virtual ~HttpRequestHandler() = default;
    // Called on the server's thread once per complete request. The handler answers through responder,
    // now or later (asynchronously); pipelined requests on the same connection wait their turn. request is
    // valid for the duration of this call: copy (cheap, implicitly shared) what is needed later.
    virtual void handle(const HttpRequest &request, HttpResponder *responder) = 0;
    // Called once a request's headers are in, before its body is read. False: the handler will refuse the request
    // whatever its body (no valid token), so the body is not read or held; handle() gets the request at once,
    // without it, and the connection closes after the answer.
    virtual bool admitHeaders(const HttpRequest &request)
    {
        Q_UNUSED(request)
        return true;
    }
    // A request the HTTP layer refused: request holds what was parsed (method, target, headers, as far as they
    // got). True when the handler answered it through responder; false leaves it to a plain JSON error.
    virtual bool handleRefused(const HttpRequest &request, const HttpRefusal &refusal, HttpResponder *responder)
    {
        Q_UNUSED(request)
        Q_UNUSED(refusal)
        Q_UNUSED(responder)
        return false;
    }
};

} // namespace sluice
