// A provider's HTTP/1.1 response as untrusted bytes (UpstreamResponseParser, the parser UpstreamExchange feeds
// from the socket): fed in small pieces as UpstreamExchange does, a handler pausing now and then, responses read
// one after another while the parser says the connection may be reused, then the end of the stream. The
// first input byte picks a HEAD request (no body whatever the headers say).
#include "FuzzSupport.h"
#include "http/UpstreamResponseParser.h"

using namespace sluice;

namespace {

class Handler : public UpstreamResponseParser::Handler
{
public:
    UpstreamResponseParser *parser = nullptr;
    int status = 0;
    qint64 bodyBytes = 0;
    int calls = 0;

    void responseHeaders(int responseStatus, const HttpHeaders &headers) override
    {
        status = responseStatus;
        (void)headers.value(QByteArrayLiteral("Content-Type"));
        if (++calls % 3 == 0)
            parser->pause();
    }
    void responseBody(const char *data, qsizetype size) override
    {
        if (size < 0 || (size > 0 && data == nullptr))
            fuzz::contractBroken("a body slice with a negative size or no data");
        volatile char touch = size > 0 ? data[0] + data[size - 1] : 0; // ASan checks the slice is readable
        (void)touch;
        bodyBytes += size;
        if (++calls % 3 == 0)
            parser->pause();
    }
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQtLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const bool head = (data[0] & 1) != 0;
    const QByteArray bytes = fuzz::bytesOf(data + 1, size - 1);

    Handler handler;
    UpstreamResponseParser parser(&handler);
    handler.parser = &parser;
    parser.reset(head);
    for (const QByteArray &piece : fuzz::splitPieces(bytes)) {
        qsizetype offset = 0;
        int stalls = 0;
        while (offset < piece.size()) {
            const qsizetype used = parser.feed(piece.constData() + offset, piece.size() - offset);
            if (used < 0 || used > piece.size() - offset)
                fuzz::contractBroken("feed() used more bytes than it was given");
            offset += used;
            if (parser.hasError())
                return 0;
            if (parser.isComplete()) {
                if (!parser.keepAlive())
                    return 0;
                parser.reset(head); // the next response on a reused connection
                stalls = 0;
            } else if (used == 0 && ++stalls > 2) {
                fuzz::contractBroken("feed() makes no progress on an unfinished response");
            }
        }
    }
    (void)parser.finishAtEndOfStream();
    return 0;
}
