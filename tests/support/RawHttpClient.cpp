#include "RawHttpClient.h"

#include <QEventLoop>
#include <QTcpSocket>
#include <QTimer>

namespace sluice::test {

namespace {
RawHttpClient *self(http_parser *parser)
{
    return static_cast<RawHttpClient *>(parser->data);
}
} // namespace

RawHttpClient::RawHttpClient(QObject *parent)
    : QObject(parent)
    , m_socket(new QTcpSocket(this))
{
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    http_parser_settings_init(&m_settings);
    m_settings.on_message_begin = [](http_parser *parser) {
        RawHttpClient *c = self(parser);
        c->m_current = Response();
        return 0;
    };
    m_settings.on_status = &RawHttpClient::onStatus;
    m_settings.on_header_field = &RawHttpClient::onHeaderField;
    m_settings.on_header_value = &RawHttpClient::onHeaderValue;
    m_settings.on_headers_complete = &RawHttpClient::onHeadersComplete;
    m_settings.on_body = &RawHttpClient::onBody;
    m_settings.on_chunk_header = &RawHttpClient::onChunkHeader;
    m_settings.on_message_complete = &RawHttpClient::onMessageComplete;
    connect(m_socket, &QTcpSocket::readyRead, this, &RawHttpClient::readIncoming);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (m_error == QAbstractSocket::UnknownSocketError)
            m_error = error;
    });
}

RawHttpClient::~RawHttpClient() = default;

bool RawHttpClient::connectTo(quint16 port, int timeoutMs)
{
    m_socket->connectToHost(QHostAddress::LocalHost, port);
    return waitUntil([this] { return m_socket->state() == QAbstractSocket::ConnectedState; }, timeoutMs);
}

void RawHttpClient::send(const QByteArray &rawRequest)
{
    m_socket->write(rawRequest);
    m_socket->flush();
}

QByteArray RawHttpClient::buildRequest(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                       const HttpHeaders &headers)
{
    QByteArray text = method + ' ' + target + QByteArrayLiteral(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (const auto &[name, value] : headers.fields())
        text += name + QByteArrayLiteral(": ") + value + QByteArrayLiteral("\r\n");
    if (!body.isEmpty() || method == "POST")
        text += QByteArrayLiteral("Content-Length: ") + QByteArray::number(body.size()) + QByteArrayLiteral("\r\n");
    return text + QByteArrayLiteral("\r\n") + body;
}

QByteArray RawHttpClient::post(const QByteArray &target, const QByteArray &jsonBody, const HttpHeaders &headers)
{
    HttpHeaders all = headers;
    all.append("Content-Type", "application/json");
    return buildRequest("POST", target, jsonBody, all);
}

RawHttpClient::Response RawHttpClient::waitForResponse(int timeoutMs)
{
    waitUntil([this] { return !m_done.isEmpty() || m_socket->state() == QAbstractSocket::UnconnectedState; },
              timeoutMs);
    if (!m_done.isEmpty())
        return m_done.takeFirst();
    Response partial = m_current;
    m_current = Response();
    return partial;
}

bool RawHttpClient::waitForBytes(qsizetype count, int timeoutMs)
{
    return waitUntil([this, count] { return m_received.size() >= count; }, timeoutMs);
}

bool RawHttpClient::waitForDisconnected(int timeoutMs)
{
    return waitUntil([this] { return m_socket->state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
}

void RawHttpClient::close()
{
    m_socket->abort();
}

bool RawHttpClient::isConnected() const
{
    return m_socket->state() == QAbstractSocket::ConnectedState;
}

bool RawHttpClient::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    auto check = [&] {
        if (done())
            loop.quit();
    };
    const auto c1 = connect(m_socket, &QTcpSocket::readyRead, &loop, check, Qt::QueuedConnection);
    const auto c2 = connect(m_socket, &QTcpSocket::stateChanged, &loop, check, Qt::QueuedConnection);
    timer.start(timeoutMs);
    loop.exec();
    disconnect(c1);
    disconnect(c2);
    return done();
}

void RawHttpClient::readIncoming()
{
    const QByteArray data = m_socket->readAll();
    m_received += data;
    if (m_parseFailed || data.isEmpty())
        return;
    const size_t parsed = http_parser_execute(&m_parser, &m_settings, data.constData(), size_t(data.size()));
    if (m_parser.http_errno != HPE_OK || parsed != size_t(data.size()))
        m_parseFailed = true;
}

int RawHttpClient::onStatus(http_parser *parser, const char *, size_t)
{
    self(parser)->m_current.status = int(parser->status_code);
    return 0;
}

int RawHttpClient::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    RawHttpClient *c = self(parser);
    if (c->m_lastWasValue) {
        c->m_current.headers.append(c->m_headerField, c->m_headerValue);
        c->m_headerField.clear();
        c->m_headerValue.clear();
        c->m_lastWasValue = false;
    }
    c->m_headerField.append(at, qsizetype(length));
    return 0;
}

int RawHttpClient::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    RawHttpClient *c = self(parser);
    c->m_headerValue.append(at, qsizetype(length));
    c->m_lastWasValue = true;
    return 0;
}

int RawHttpClient::onHeadersComplete(http_parser *parser)
{
    RawHttpClient *c = self(parser);
    if (c->m_lastWasValue)
        c->m_current.headers.append(c->m_headerField, c->m_headerValue);
    c->m_headerField.clear();
    c->m_headerValue.clear();
    c->m_lastWasValue = false;
    c->m_current.status = int(parser->status_code);
    c->m_current.chunked = (parser->flags & F_CHUNKED) != 0;
    return 0;
}

int RawHttpClient::onBody(http_parser *parser, const char *at, size_t length)
{
    RawHttpClient *c = self(parser);
    c->m_current.body.append(at, qsizetype(length));
    if (c->m_current.chunked && !c->m_current.chunks.isEmpty())
        c->m_current.chunks.last().append(at, qsizetype(length));
    return 0;
}

int RawHttpClient::onChunkHeader(http_parser *parser)
{
    if (parser->content_length > 0)
        self(parser)->m_current.chunks.append(QByteArray());
    return 0;
}

int RawHttpClient::onMessageComplete(http_parser *parser)
{
    RawHttpClient *c = self(parser);
    c->m_current.complete = true;
    c->m_done.append(c->m_current);
    c->m_current = Response();
    return 0;
}

} // namespace sluice::test
