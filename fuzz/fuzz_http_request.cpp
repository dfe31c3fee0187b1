// Untrusted client bytes through the gateway's real HTTP/1.1 server connection (HttpConnection: http_parser with
// the server's settings, header/body limits, pipelining, Expect: 100-continue, keep-alive, parse-error answers).
// HttpConnection reads a QTcpSocket, so the harness gives it one end of a socketpair and writes the input into
// the other in pieces (the first byte picks the piece size), then closes its side. A handler answers by path:
// at once, streamed, later from the event loop, or by aborting a stream. Checks: the connection goes away after
// the client closed, and what the server wrote parses as HTTP/1.1 responses.
#include <fcntl.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

#include "FuzzSupport.h"
#include "http/HttpConnection.h"
#include "http/HttpRequestHandler.h"
#include "http/HttpResponder.h"
#include "http/UpstreamResponseParser.h"

using namespace sluice;

namespace {

class EchoHandler : public HttpRequestHandler
{
public:
    bool sawHead = false;
    bool aborted = false;

    void handle(const HttpRequest &request, HttpResponder *responder) override
    {
        if (request.method == "HEAD")
            sawHead = true;
        const HttpHeaders headers {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain")}};
        const QByteArray summary = request.method + ' ' + request.path + ' ' + request.query + ' '
            + QByteArray::number(request.body.size()) + ' ' + QByteArray::number(request.headers.fields().size());
        if (request.path.startsWith("/stream")) {
            responder->beginStream(200, headers);
            responder->writeChunk(summary);
            responder->writeChunk(request.body);
            responder->endStream();
        } else if (request.path.startsWith("/abort")) {
            aborted = true;
            responder->beginStream(200, headers);
            responder->writeChunk(summary);
            responder->abortStream();
        } else if (request.path.startsWith("/later")) {
            QPointer<HttpResponder> later(responder);
            QTimer::singleShot(0, [later, headers, summary] {
                if (later)
                    later->sendResponse(202, headers, summary);
            });
        } else {
            responder->sendResponse(200, headers, summary + '\n' + request.body);
        }
    }
};

class ResponseSink : public UpstreamResponseParser::Handler
{
public:
    void responseHeaders(int, const HttpHeaders &) override { }
    void responseBody(const char *, qsizetype) override { }
};

// What the server wrote must be a sequence of well-formed responses (the last one may be cut by an abort).
void checkResponses(const QByteArray &output)
{
    ResponseSink sink;
    UpstreamResponseParser parser(&sink);
    parser.reset(false);
    qsizetype offset = 0;
    while (offset < output.size()) {
        const qsizetype used = parser.feed(output.constData() + offset, output.size() - offset);
        offset += used;
        if (parser.hasError()) {
            std::fprintf(stderr, "server wrote:\n%s\n", output.constData());
            fuzz::contractBroken("the server wrote bytes that are not a valid HTTP/1.1 response");
        }
        if (!parser.isComplete())
            break;
        parser.reset(false);
    }
}

void drain(int fd, QByteArray &output)
{
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            return;
        output.append(buffer, qsizetype(n));
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz::quietQtLogging();
    static QCoreApplication app(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t step = data[0] == 0 ? size : size_t(data[0]);
    const char *input = reinterpret_cast<const char *>(data + 1);
    const size_t length = size - 1;

    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        std::abort();
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(fds[0]))
        std::abort();

    EchoHandler handler;
    HttpServerLimits limits;
    limits.maxHeaderBytes = 2048; // small, so short inputs reach the 431 and 413 paths
    limits.maxBodyBytes = 1024;
    limits.idleTimeoutMs = 0;
    limits.maxPipelinedRequests = 3;
    QPointer<HttpConnection> connection = new HttpConnection(socket, &handler, limits);

    QByteArray output;
    for (size_t offset = 0; offset < length && connection; offset += step) {
        const size_t piece = std::min(step, length - offset);
        if (::send(fds[1], input + offset, piece, MSG_NOSIGNAL) < 0)
            break; // the server closed (after an error answer)
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        drain(fds[1], output);
    }
    ::shutdown(fds[1], SHUT_WR);
    for (int i = 0; i < 200 && connection; ++i) {
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        drain(fds[1], output);
    }
    if (connection)
        fuzz::contractBroken("the connection is still open 200 event-loop passes after the client closed");
    QCoreApplication::processEvents(); // the closed() notifications of detached responders
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    drain(fds[1], output);
    ::close(fds[1]);

    if (!handler.sawHead && !handler.aborted)
        checkResponses(output);
    return 0;
}
