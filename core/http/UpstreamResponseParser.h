#pragma once

#include <http_parser.h>

#include <QByteArray>
#include <QString>

#include "common/HttpHeaders.h"

namespace sluice {

// Incremental HTTP/1.1 response parsing on http_parser: Content-Length, chunked (de-chunked) and
// close-delimited bodies. Informational (1xx) responses are skipped. Stops feeding at the end of the response.
class UpstreamResponseParser
{
public:
    class Handler
    {
    public:
        virtual ~Handler() = default;
        virtual void responseHeaders(int status, const HttpHeaders &headers) = 0;
        // A slice of the bytes given to feed(), valid only during the call.
        virtual void responseBody(const char *data, qsizetype size) = 0;
    };

    explicit UpstreamResponseParser(Handler *handler);
    UpstreamResponseParser(const UpstreamResponseParser &) = delete;
    UpstreamResponseParser &operator=(const UpstreamResponseParser &) = delete;

    // Prepares for the response to the next request; a HEAD response has no body whatever its headers say.
    void reset(bool headRequest);
    // Parses up to size bytes and returns how many were used: fewer when the response completed or a handler
    // called pause(). Check hasError() and isComplete() afterwards.
    qsizetype feed(const char *data, qsizetype size);
    // The connection closed: returns whether that completes the response (a body delimited by the close).
    bool finishAtEndOfStream();
    // Called from within a handler: stop feeding after the current callback.
    void pause();

    bool hasError() const { return !m_error.isEmpty(); }
    const QString &errorDescription() const { return m_error; }
    bool hasStarted() const { return m_started; }
    bool headersComplete() const { return m_headersComplete; }
    bool isComplete() const { return m_complete; }
    // Whether the connection may carry another request after this response (valid once complete).
    bool keepAlive() const { return m_keepAlive; }

private:
    static UpstreamResponseParser *self(http_parser *parser);
    static const http_parser_settings &settings();
    static int onMessageBegin(http_parser *parser);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);
    void commitHeader();

    http_parser m_parser;
    Handler *m_handler;
    HttpHeaders m_headers;
    QByteArray m_field;
    QByteArray m_value;
    QString m_error;
    bool m_headRequest = false;
    bool m_inValue = false;
    bool m_informational = false;
    bool m_started = false;
    bool m_headersComplete = false;
    bool m_complete = false;
    bool m_keepAlive = false;
};

} // namespace sluice
