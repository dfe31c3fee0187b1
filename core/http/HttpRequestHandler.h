#pragma once

namespace sluice {

struct HttpRequest;
class HttpResponder;

// The seam between the HTTP layer and the gateway: endpoints are testable without sockets.
class HttpRequestHandler
{
public:
    virtual ~HttpRequestHandler() = default;
    // Called on the server's thread once per complete request. The handler answers through responder,
    // now or later (asynchronously); pipelined requests on the same connection wait their turn. request is
    // valid for the duration of this call: copy (cheap, implicitly shared) what is needed later.
    virtual void handle(const HttpRequest &request, HttpResponder *responder) = 0;
};

} // namespace sluice
