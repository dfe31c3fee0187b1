#include "ServerResponder.h"

#include <cstdio>
#include <ctime>
#include <http_parser.h>

#include <QDateTime>

#include "http/HttpConnection.h"
#include "http/HttpRequest.h"
#include "http/ServerLogging.h"

namespace sluice {

namespace {

constexpr qsizetype InlineBodyBytes = 16 * 1024; // smaller bodies share one write (one TCP segment) with the head

// IMF-fixdate (RFC 9110), rebuilt at most once a second.
const QByteArray &httpDate()
{
    thread_local std::time_t cachedSecond = -1;
    thread_local QByteArray cached;
    const std::time_t now = std::time(nullptr);
    if (now != cachedSecond) {
        static constexpr const char *days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        static constexpr const char *months[]
            = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        const QDateTime utc = QDateTime::fromSecsSinceEpoch(qint64(now), Qt::UTC);
        const QDate date = utc.date();
        const QTime time = utc.time();
        char buffer[40];
        std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[date.dayOfWeek() - 1],
                      date.day(), months[date.month() - 1], date.year(), time.hour(), time.minute(), time.second());
        cached = QByteArray(buffer);
        cachedSecond = now;
    }
    return cached;
}

// Framing headers are the server's job; a handler's own copies would contradict the real framing.
bool isFramingHeader(const QByteArray &name)
{
    switch (name.size()) {
    case 4:
        return name.compare("Date", Qt::CaseInsensitive) == 0;
    case 10:
        return name.compare("Connection", Qt::CaseInsensitive) == 0
            || name.compare("Keep-Alive", Qt::CaseInsensitive) == 0;
    case 14:
        return name.compare("Content-Length", Qt::CaseInsensitive) == 0;
    case 17:
        return name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0;
    default:
        return false;
    }
}

bool statusHasBody(int status)
{
    return status >= 200 && status != 204 && status != 304;
}

} // namespace

ServerResponder::ServerResponder(HttpConnection *connection, const HttpRequest &request, QObject *parent)
    : HttpResponder(parent)
    , m_connection(connection)
    , m_keepAlive(request.keepAlive)
    , m_chunked(request.httpMinor >= 1)
    , m_head(request.method == "HEAD")
{ }

ServerResponder::~ServerResponder() = default;

void ServerResponder::sendResponse(int status, const HttpHeaders &headers, const QByteArray &body)
{
    if (!m_connection)
        return;
    if (m_state != State::Idle) {
        qCWarning(lcHttpServer) << "Ignoring a second response to the same request";
        return;
    }
    m_state = State::Done;

    const bool hasBody = statusHasBody(status);
    const bool writeBody = hasBody && !m_head && !body.isEmpty();
    const bool inlineBody = writeBody && body.size() <= InlineBodyBytes;
    QByteArray out;
    out.reserve(256 + (inlineBody ? body.size() : 0));
    appendHead(out, status, headers);
    if (hasBody) {
        out.append("Content-Length: ");
        out.append(QByteArray::number(body.size()));
        out.append("\r\n");
    }
    out.append(m_keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    if (inlineBody)
        out.append(body);

    // The last bytes reach the OS after the handler has logged the request (releaseEnd()).
    m_held = m_connection;
    if (writeBody && !inlineBody) {
        m_connection->writeResponseBytes(out);
        if (m_connection)
            m_connection->writeFinalResponseBytes({QByteArrayView(body)});
    } else {
        m_connection->writeFinalResponseBytes({QByteArrayView(out)});
    }
    if (m_connection)
        m_connection->endResponse(!m_keepAlive);
}

void ServerResponder::beginStream(int status, const HttpHeaders &headers)
{
    if (!m_connection)
        return;
    if (m_state != State::Idle) {
        qCWarning(lcHttpServer) << "Ignoring beginStream() on a response that already started";
        return;
    }
    m_state = State::Streaming;
    if (!m_chunked)
        m_keepAlive = false;

    QByteArray out;
    out.reserve(256);
    appendHead(out, status, headers);
    if (m_chunked)
        out.append("Transfer-Encoding: chunked\r\n");
    out.append(m_keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    m_connection->writeResponseBytes(out);
}

void ServerResponder::writeChunk(const QByteArray &data)
{
    // An empty chunk would be read as the end of the body.
    if (!m_connection || m_state != State::Streaming || data.isEmpty() || m_head)
        return;
    if (!m_chunked) {
        m_connection->writeResponseBytes(data);
        return;
    }
    char sizeLine[24];
    const int sizeLength
        = std::snprintf(sizeLine, sizeof sizeLine, "%llx\r\n", static_cast<unsigned long long>(data.size()));
    m_connection->writeResponseBytes({QByteArrayView(sizeLine, sizeLength), data, QByteArrayView("\r\n")});
}

void ServerResponder::endStream()
{
    if (!m_connection || m_state != State::Streaming)
        return;
    m_state = State::Done;
    if (m_chunked && !m_head) {
        m_held = m_connection;
        m_connection->writeFinalResponseBytes({QByteArrayView("0\r\n\r\n")});
    }
    if (m_connection)
        m_connection->endResponse(!m_keepAlive);
}

void ServerResponder::abortStream()
{
    if (!m_connection || m_state == State::Done)
        return;
    m_state = State::Done;
    m_connection->abortResponse();
}

qint64 ServerResponder::pendingBytes() const
{
    return m_connection ? m_connection->pendingBytes() : 0;
}

bool ServerResponder::responseStarted() const
{
    return m_state != State::Idle;
}

void ServerResponder::releaseEnd()
{
    if (HttpConnection *connection = m_held.data()) {
        m_held = nullptr;
        connection->releaseHeldBytes();
    }
}

void ServerResponder::detach()
{
    m_connection = nullptr;
}

void ServerResponder::appendHead(QByteArray &out, int status, const HttpHeaders &headers) const
{
    out.append("HTTP/1.1 ");
    out.append(QByteArray::number(status));
    out.append(' ');
    const char *reason = http_status_str(static_cast<enum http_status>(status));
    if (reason[0] != '<') // "<unknown>": leave the optional reason phrase empty
        out.append(reason);
    out.append("\r\n");
    for (const HttpHeaders::Field &field : headers.fields()) {
        if (isFramingHeader(field.first))
            continue;
        if (field.second.contains('\n') || field.second.contains('\r')) {
            qCWarning(lcHttpServer) << "Dropping response header" << field.first << "with a line break in its value";
            continue;
        }
        out.append(field.first);
        out.append(": ");
        out.append(field.second);
        out.append("\r\n");
    }
    out.append("Date: ");
    out.append(httpDate());
    out.append("\r\n");
}

} // namespace sluice
