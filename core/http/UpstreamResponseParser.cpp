#include "UpstreamResponseParser.h"

namespace sluice {

namespace {
// A header piece usually arrives whole: one exact allocation then, instead of append()'s growth path.
void appendPiece(QByteArray &target, const char *at, size_t length)
{
    if (target.isEmpty())
        target = QByteArray(at, qsizetype(length));
    else
        target.append(at, qsizetype(length));
}
} // namespace

UpstreamResponseParser::UpstreamResponseParser(Handler *handler)
    : m_handler(handler)
{
    reset(false);
}

void UpstreamResponseParser::reset(bool headRequest)
{
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    m_headers = HttpHeaders();
    m_field.clear();
    m_value.clear();
    m_error.clear();
    m_headRequest = headRequest;
    m_inValue = false;
    m_informational = false;
    m_started = false;
    m_headersComplete = false;
    m_complete = false;
    m_keepAlive = false;
}

qsizetype UpstreamResponseParser::feed(const char *data, qsizetype size)
{
    if (m_complete || hasError() || size <= 0)
        return 0;
    const size_t used = http_parser_execute(&m_parser, &settings(), data, size_t(size));
    const auto error = HTTP_PARSER_ERRNO(&m_parser);
    if (error == HPE_PAUSED) {
        http_parser_pause(&m_parser, 0);
    } else if (error != HPE_OK) {
        if (m_error.isEmpty())
            m_error = QString::fromLatin1(http_errno_description(error));
    } else if (m_parser.upgrade) {
        m_error = QStringLiteral("the server switched protocols, which was not asked for");
    }
    return qsizetype(used);
}

bool UpstreamResponseParser::finishAtEndOfStream()
{
    if (m_complete)
        return true;
    if (hasError() || !m_headersComplete)
        return false;
    http_parser_execute(&m_parser, &settings(), nullptr, 0);
    return m_complete;
}

void UpstreamResponseParser::pause()
{
    if (HTTP_PARSER_ERRNO(&m_parser) == HPE_OK)
        http_parser_pause(&m_parser, 1);
}

UpstreamResponseParser *UpstreamResponseParser::self(http_parser *parser)
{
    return static_cast<UpstreamResponseParser *>(parser->data);
}

const http_parser_settings &UpstreamResponseParser::settings()
{
    static const http_parser_settings s = [] {
        http_parser_settings init;
        http_parser_settings_init(&init);
        init.on_message_begin = &UpstreamResponseParser::onMessageBegin;
        init.on_header_field = &UpstreamResponseParser::onHeaderField;
        init.on_header_value = &UpstreamResponseParser::onHeaderValue;
        init.on_headers_complete = &UpstreamResponseParser::onHeadersComplete;
        init.on_body = &UpstreamResponseParser::onBody;
        init.on_message_complete = &UpstreamResponseParser::onMessageComplete;
        return init;
    }();
    return s;
}

int UpstreamResponseParser::onMessageBegin(http_parser *parser)
{
    self(parser)->m_started = true;
    return 0;
}

int UpstreamResponseParser::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    UpstreamResponseParser *p = self(parser);
    if (p->m_inValue)
        p->commitHeader();
    appendPiece(p->m_field, at, length);
    return 0;
}

int UpstreamResponseParser::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    UpstreamResponseParser *p = self(parser);
    p->m_inValue = true;
    appendPiece(p->m_value, at, length);
    return 0;
}

int UpstreamResponseParser::onHeadersComplete(http_parser *parser)
{
    UpstreamResponseParser *p = self(parser);
    if (p->m_inValue || !p->m_field.isEmpty())
        p->commitHeader();
    const int status = int(parser->status_code);
    if (status == 101) {
        p->m_error = QStringLiteral("the server switched protocols, which was not asked for");
        return -1;
    }
    if (status / 100 == 1) {
        p->m_informational = true; // e.g. 100 Continue: the real response follows
        return 0;
    }
    p->m_headersComplete = true;
    p->m_handler->responseHeaders(status, p->m_headers);
    return p->m_headRequest ? 1 : 0;
}

int UpstreamResponseParser::onBody(http_parser *parser, const char *at, size_t length)
{
    self(parser)->m_handler->responseBody(at, qsizetype(length));
    return 0;
}

int UpstreamResponseParser::onMessageComplete(http_parser *parser)
{
    UpstreamResponseParser *p = self(parser);
    if (p->m_informational) {
        p->m_informational = false;
        p->m_headers = HttpHeaders();
        return 0;
    }
    p->m_complete = true;
    p->m_keepAlive = http_should_keep_alive(parser) != 0;
    // Whatever follows on the connection belongs to no request of ours.
    http_parser_pause(parser, 1);
    return 0;
}

void UpstreamResponseParser::commitHeader()
{
    m_headers.append(m_field, m_value.trimmed());
    m_field.clear();
    m_value.clear();
    m_inValue = false;
}

} // namespace sluice
