#include "HttpConnection.h"

#include <http_parser.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimerEvent>

#include "common/MonotonicClock.h"
#include "http/HttpRequestHandler.h"
#include "http/ServerLogging.h"
#include "http/ServerResponder.h"

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace sluice {

namespace {

constexpr qint64 ReadBufferBytes = 256 * 1024; // bounds what Qt reads ahead while requests wait their turn
constexpr int LingerMs
    = 2000; // a closing connection drains the client's unread upload this long, so it sees our answer
constexpr qint64 RequestLineOverhead = 14; // method separator, " HTTP/1.1", CRLF
constexpr qint64 HeaderLineOverhead = 4; // ": " and CRLF

// A header piece usually arrives whole: one exact allocation then, instead of append()'s growth path.
void appendPiece(QByteArray &target, const char *at, size_t length)
{
    if (target.isEmpty())
        target = QByteArray(at, qsizetype(length));
    else
        target.append(at, qsizetype(length));
}

HttpConnection *connectionOf(http_parser *parser)
{
    return static_cast<HttpConnection *>(parser->data);
}

QByteArray errorBody(const QString &message, const QByteArray &code)
{
    QJsonObject error;
    error.insert(QStringLiteral("message"), message);
    error.insert(QStringLiteral("type"), QStringLiteral("invalid_request_error"));
    error.insert(QStringLiteral("param"), QJsonValue::Null);
    error.insert(QStringLiteral("code"), QString::fromLatin1(code));
    QJsonObject root;
    root.insert(QStringLiteral("error"), error);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace

const http_parser_settings &HttpConnection::parserSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_begin = &HttpConnection::onMessageBegin;
        s.on_url = &HttpConnection::onUrl;
        s.on_header_field = &HttpConnection::onHeaderField;
        s.on_header_value = &HttpConnection::onHeaderValue;
        s.on_headers_complete = &HttpConnection::onHeadersComplete;
        s.on_body = &HttpConnection::onBody;
        s.on_message_complete = &HttpConnection::onMessageComplete;
        return s;
    }();
    return settings;
}

HttpConnection::HttpConnection(QTcpSocket *socket, HttpRequestHandler *handler, const HttpServerLimits &limits,
                               QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_handler(handler)
    , m_limits(limits)
    , m_peer(socket->peerAddress())
    , m_parser(std::make_unique<http_parser>())
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(ReadBufferBytes);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    http_parser_init(m_parser.get(), HTTP_REQUEST);
    m_parser->data = this;

    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);

    m_lastActivityNs = monotonicNowNs();
    if (m_limits.idleTimeoutMs > 0)
        m_idleTimer.start(m_limits.idleTimeoutMs, this);
}

HttpConnection::~HttpConnection()
{
    disconnect(m_socket, nullptr, this, nullptr);
    detachResponder();
    m_socket->abort();
    qint64 held = m_requestHeldBytes + m_active.heldBytes;
    for (const Pending &pending : m_queue)
        held += pending.heldBytes;
    releaseHeld(held);
}

void HttpConnection::releaseHeld(qint64 bytes)
{
    if (m_limits.sharedBudget && bytes > 0)
        m_limits.sharedBudget->release(bytes);
}

void HttpConnection::dropQueue()
{
    for (const Pending &pending : m_queue)
        releaseHeld(pending.heldBytes);
    m_queue.clear();
}

void HttpConnection::resetActive()
{
    releaseHeld(std::exchange(m_active.heldBytes, 0));
    m_active = Pending();
}

void HttpConnection::abort()
{
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort(); // emits disconnected()
    else
        onDisconnected();
}

void HttpConnection::writeResponseBytes(const QByteArray &bytes)
{
    writeResponseBytes({QByteArrayView(bytes)});
}

void HttpConnection::writeResponseBytes(std::initializer_list<QByteArrayView> parts)
{
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_writing = true;
    for (const QByteArrayView part : parts) {
        if (!part.isEmpty())
            m_socket->write(part.data(), part.size());
    }
    if (!std::exchange(m_holdFlush, false))
        m_socket->flush(); // hand it to the OS now instead of on the next event-loop pass
    m_writing = false;

    const qint64 pending = m_socket->bytesToWrite();
    if (pending > HttpResponder::highWaterMark()) {
        m_aboveHighWater = true;
    } else if (m_aboveHighWater && pending < HttpResponder::highWaterMark() / 2 && m_responder) {
        // Drained during this very call: tell the producer from the event loop, not from inside its own write.
        m_aboveHighWater = false;
        QMetaObject::invokeMethod(m_responder, &HttpResponder::drained, Qt::QueuedConnection);
    }
}

void HttpConnection::writeFinalResponseBytes(std::initializer_list<QByteArrayView> parts)
{
    m_holdFlush = true;
    writeResponseBytes(parts);
    m_holdFlush = false;
}

void HttpConnection::releaseHeldBytes()
{
    if (m_socket->state() == QAbstractSocket::ConnectedState && m_socket->bytesToWrite() > 0)
        m_socket->flush();
}

void HttpConnection::endResponse(bool closeConnection)
{
    if (m_responder) {
        m_responder->detach();
        m_responder->deleteLater();
        m_responder = nullptr;
    }
    if (!m_dispatching)
        resetActive(); // releases the body; inside handle() the handler may still read the request
    m_aboveHighWater = false;
    if (closeConnection) {
        closeGracefully();
        return;
    }
    m_lastActivityNs = monotonicNowNs();
    if (m_continuePending && m_queue.empty())
        sendContinue();
    if (!m_pumping && (!m_queue.empty() || m_inputOffset < m_input.size() || m_socket->bytesAvailable() > 0))
        QMetaObject::invokeMethod(this, &HttpConnection::pump, Qt::QueuedConnection);
}

void HttpConnection::abortResponse()
{
    if (m_responder) {
        m_responder->detach();
        m_responder->deleteLater();
        m_responder = nullptr;
    }
    closeGracefully();
}

qint64 HttpConnection::pendingBytes() const
{
    return m_socket->bytesToWrite();
}

void HttpConnection::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_lingerTimer.timerId()) {
        m_lingerTimer.stop();
        abort();
        return;
    }
    if (event->timerId() != m_idleTimer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    const int timeoutMs = m_limits.idleTimeoutMs;
    if (!m_closing && (m_responder || !m_queue.empty())) {
        m_idleTimer.start(timeoutMs, this); // a request is being answered: not idle
        return;
    }
    const qint64 idleMs = (monotonicNowNs() - m_lastActivityNs) / 1'000'000;
    if (idleMs < timeoutMs) {
        m_idleTimer.start(int(timeoutMs - idleMs), this);
        return;
    }
    m_idleTimer.stop();
    qCDebug(lcHttpServer) << "Closing connection from" << m_peer.toString() << "idle for" << idleMs << "ms";
    if (m_closing)
        abort(); // the client stopped reading what we still have to send
    else
        closeGracefully();
}

void HttpConnection::onReadyRead()
{
    m_lastActivityNs = monotonicNowNs();
    if (m_closing || m_parseStopped) {
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    pump();
}

void HttpConnection::onBytesWritten()
{
    m_lastActivityNs = monotonicNowNs();
    if (m_closing) {
        if (!m_writeClosed && m_socket->bytesToWrite() == 0)
            shutdownWrite();
        return;
    }
    if (m_aboveHighWater && !m_writing && m_socket->bytesToWrite() < HttpResponder::highWaterMark() / 2) {
        m_aboveHighWater = false;
        if (m_responder)
            Q_EMIT m_responder->drained();
    }
}

void HttpConnection::onDisconnected()
{
    m_closing = true;
    m_parseStopped = true;
    m_idleTimer.stop();
    m_lingerTimer.stop();
    dropQueue();
    if (m_responder)
        qCDebug(lcHttpServer) << "Client" << m_peer.toString() << "disconnected before the response ended";
    detachResponder();
    deleteLater();
}

// Dispatches queued requests one at a time and parses more input while the queue has room.
void HttpConnection::pump()
{
    if (m_pumping)
        return;
    m_pumping = true;
    const size_t maxQueued = size_t(qMax(1, m_limits.maxPipelinedRequests));
    while (!m_closing) {
        if (!m_responder && !m_queue.empty()) {
            dispatchNext();
            continue;
        }
        if (m_parseStopped || m_queue.size() >= maxQueued)
            break; // unread input stays in the socket: TCP flow control slows the client down
        if (m_inputOffset >= m_input.size() && !readInput())
            break;
        parseInput();
    }
    m_pumping = false;
}

bool HttpConnection::readInput()
{
    if (m_socket->bytesAvailable() <= 0)
        return false;
    m_input = m_socket->readAll();
    m_inputOffset = 0;
    m_readNs = monotonicNowNs();
    return !m_input.isEmpty();
}

void HttpConnection::parseInput()
{
    const char *data = m_input.constData() + m_inputOffset;
    const size_t length = size_t(m_input.size() - m_inputOffset);
    const size_t parsed = http_parser_execute(m_parser.get(), &parserSettings(), data, length);
    m_inputOffset += qsizetype(parsed);

    const auto error = HTTP_PARSER_ERRNO(m_parser.get());
    if (error == HPE_PAUSED) {
        // Paused at the end of a request (onMessageComplete).
        http_parser_pause(m_parser.get(), 0);
        if (m_parser->upgrade) {
            // What follows would be another protocol: answer this request, then close.
            m_queue.back().request.keepAlive = false;
            m_parseStopped = true;
            m_inputOffset = m_input.size();
        }
    } else if (error != HPE_OK && m_refusedAtHeaders) {
        queueWithoutBody();
        return;
    } else if (error != HPE_OK) {
        queueParseError(error);
        return;
    }
    if (m_inputOffset >= m_input.size()) {
        m_input.clear();
        m_inputOffset = 0;
    }
}

bool HttpConnection::addHeaderBytes(qint64 count)
{
    m_headerBytes += count;
    if (m_headerBytes <= m_limits.maxHeaderBytes)
        return true;
    setParseError(431, QByteArrayLiteral("request_header_fields_too_large"),
                  QStringLiteral("The request headers are larger than the gateway's limit of %1 bytes. Send fewer or "
                                 "smaller headers, or raise gateway.max_header_bytes in the config.")
                      .arg(m_limits.maxHeaderBytes));
    return false;
}

void HttpConnection::commitHeader()
{
    m_request.headers.append(m_field, m_value);
    m_field.clear();
    m_value.clear();
    m_lastWasValue = false;
}

void HttpConnection::setParseError(int status, const QByteArray &code, const QString &message)
{
    m_errorStatus = status;
    m_errorCode = code;
    m_errorMessage = message;
}

// The error is answered in the request's turn (after the responses before it), then the connection closes.
void HttpConnection::queueParseError(unsigned int parserErrno)
{
    const auto error = static_cast<enum http_errno>(parserErrno);
    if (m_errorStatus == 0) {
        if (error == HPE_HEADER_OVERFLOW) {
            const qint64 limit = qMin<qint64>(m_limits.maxHeaderBytes, HTTP_MAX_HEADER_SIZE);
            setParseError(431, QByteArrayLiteral("request_header_fields_too_large"),
                          QStringLiteral("The request headers are larger than the gateway's limit of %1 bytes. Send "
                                         "fewer or smaller headers, or raise gateway.max_header_bytes in the config.")
                              .arg(limit));
        } else {
            setParseError(400, QByteArrayLiteral("invalid_http_request"),
                          QStringLiteral("The request is not valid HTTP/1.1 (%1). Check the client's base URL and "
                                         "that it speaks plain HTTP, not HTTPS.")
                              .arg(QString::fromLatin1(http_errno_description(error))));
        }
    }
    qCInfo(lcHttpServer) << "Refusing a request from" << m_peer.toString() << "with status" << m_errorStatus
                         << m_errorCode.constData();

    releaseHeld(std::exchange(m_requestHeldBytes, 0));
    Pending pending;
    pending.request = std::move(m_request); // what was parsed, for the handler's answer and log
    pending.request.body.clear();
    pending.request.keepAlive = false;
    pending.request.peer = m_peer;
    pending.request.arrivedNs = m_readNs;
    pending.errorStatus = m_errorStatus;
    pending.errorCode = m_errorCode;
    pending.errorMessage = m_errorMessage;
    m_queue.push_back(std::move(pending));
    m_request = HttpRequest();
    m_parseStopped = true;
    m_input.clear();
    m_inputOffset = 0;
}

void HttpConnection::queueWithoutBody()
{
    m_refusedAtHeaders = false;
    releaseHeld(std::exchange(m_requestHeldBytes, 0));
    Pending pending;
    pending.request = std::move(m_request);
    pending.request.keepAlive = false;
    pending.request.peer = m_peer;
    pending.request.arrivedNs = m_readNs;
    m_queue.push_back(std::move(pending));
    m_request = HttpRequest();
    m_parseStopped = true; // the body that follows is skipped as it arrives
    m_input.clear();
    m_inputOffset = 0;
}

void HttpConnection::dispatchNext()
{
    m_active = std::move(m_queue.front());
    m_queue.pop_front();
    auto *responder = new ServerResponder(this, m_active.request, this);
    m_responder = responder;
    m_aboveHighWater = false;
    if (m_active.errorStatus != 0) {
        m_dispatching = true;
        const bool answered = m_handler->handleRefused(
            m_active.request, HttpRefusal {m_active.errorStatus, m_active.errorCode, m_active.errorMessage}, responder);
        m_dispatching = false;
        if (!answered && m_responder == responder) {
            const HttpHeaders headers {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
            responder->sendResponse(m_active.errorStatus, headers,
                                    errorBody(m_active.errorMessage, m_active.errorCode));
        }
        if (!m_responder)
            resetActive();
        return;
    }
    m_dispatching = true;
    m_handler->handle(m_active.request, responder);
    m_dispatching = false;
    if (!m_responder)
        resetActive(); // answered synchronously
}

void HttpConnection::sendContinue()
{
    m_continuePending = false;
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    m_socket->flush();
}

void HttpConnection::detachResponder()
{
    if (!m_responder)
        return;
    ServerResponder *responder = m_responder;
    m_responder = nullptr;
    responder->detach();
    responder->setParent(nullptr);
    // Queued: never re-enter the handler from inside one of its own responder calls.
    QMetaObject::invokeMethod(
        responder,
        [responder] {
            Q_EMIT responder->closed();
            responder->deleteLater();
        },
        Qt::QueuedConnection);
}

// Sends what is queued, then half-closes and drains the client's input briefly so it reads our answer
// instead of a connection reset.
void HttpConnection::closeGracefully()
{
    if (m_closing)
        return;
    m_closing = true;
    m_parseStopped = true;
    dropQueue();
    m_input.clear();
    m_inputOffset = 0;
    m_lastActivityNs = monotonicNowNs();
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        abort();
        return;
    }
    if (!m_idleTimer.isActive() && m_limits.idleTimeoutMs > 0)
        m_idleTimer.start(m_limits.idleTimeoutMs, this);
    // On the next pass, like a response's last bytes: the end of a close-delimited answer is its end too.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!m_writeClosed && m_socket->state() == QAbstractSocket::ConnectedState && m_socket->bytesToWrite() == 0)
                shutdownWrite();
        },
        Qt::QueuedConnection);
}

void HttpConnection::shutdownWrite()
{
    m_writeClosed = true;
#ifdef Q_OS_UNIX
    const qintptr descriptor = m_socket->socketDescriptor();
    if (descriptor != -1 && ::shutdown(int(descriptor), SHUT_WR) == 0) {
        m_lingerTimer.start(LingerMs, this);
        return;
    }
#endif
    m_socket->disconnectFromHost();
}

int HttpConnection::onMessageBegin(http_parser *parser)
{
    HttpConnection *self = connectionOf(parser);
    self->releaseHeld(std::exchange(self->m_requestHeldBytes, 0)); // a request abandoned mid-body (never, normally)
    self->m_request = HttpRequest();
    self->m_request.arrivedNs = self->m_readNs;
    self->m_request.peer = self->m_peer;
    self->m_field.clear();
    self->m_value.clear();
    self->m_lastWasValue = false;
    self->m_headerBytes = RequestLineOverhead;
    self->m_continuePending = false;
    return 0;
}

int HttpConnection::onUrl(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (!self->addHeaderBytes(qint64(length)))
        return 1;
    self->m_request.target.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (self->m_lastWasValue)
        self->commitHeader();
    const qint64 overhead = self->m_field.isEmpty() ? HeaderLineOverhead : 0;
    if (!self->addHeaderBytes(qint64(length) + overhead))
        return 1;
    // A line must end in CRLF; http_parser takes a bare LF too, which lets two parsers disagree on a request.
    const char *begin = self->m_input.constData();
    if (self->m_field.isEmpty() && at - begin >= 2 && at[-1] == '\n' && at[-2] != '\r') {
        self->setParseError(400, QByteArrayLiteral("invalid_http_request"),
                            QStringLiteral("The request's lines end in a bare LF; HTTP/1.1 needs CRLF."));
        return 1;
    }
    appendPiece(self->m_field, at, length);
    return 0;
}

int HttpConnection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (!self->addHeaderBytes(qint64(length)))
        return 1;
    appendPiece(self->m_value, at, length);
    self->m_lastWasValue = true;
    return 0;
}

int HttpConnection::onHeadersComplete(http_parser *parser)
{
    HttpConnection *self = connectionOf(parser);
    if (self->m_lastWasValue)
        self->commitHeader();
    HttpRequest &request = self->m_request;
    for (const auto &[name, value] : request.headers.fields()) {
        if (name.isEmpty() || name.contains(' ') || name.contains('\t')) {
            // "Content-Length : 2": no whitespace may stand before the colon (RFC 9112), and honouring it is how
            // requests get smuggled past a proxy.
            self->setParseError(400, QByteArrayLiteral("invalid_http_request"),
                                QStringLiteral("The request has a header name with whitespace in it (\"%1\"); "
                                               "nothing may stand between a header's name and its colon.")
                                    .arg(QString::fromLatin1(name.left(64))));
            return -1;
        }
    }
    if (parser->http_major != 1) {
        self->setParseError(400, QByteArrayLiteral("unsupported_http_version"),
                            QStringLiteral("HTTP/%1.%2 is not supported; the gateway speaks HTTP/1.1.")
                                .arg(parser->http_major)
                                .arg(parser->http_minor));
        return -1;
    }
    const char *method = http_method_str(static_cast<enum http_method>(parser->method));
    request.method = QByteArray::fromRawData(method, qsizetype(qstrlen(method))); // static strings: no copy
    request.httpMinor = parser->http_minor;
    request.keepAlive = http_should_keep_alive(parser) != 0;

    const qsizetype fragment = request.target.indexOf('#');
    const QByteArray withoutFragment = fragment < 0 ? request.target : request.target.left(fragment);
    const qsizetype question = withoutFragment.indexOf('?');
    if (question < 0) {
        request.path = withoutFragment;
    } else {
        request.path = withoutFragment.left(question);
        request.query = withoutFragment.mid(question + 1);
    }

    qint64 contentLength = 0;
    const QByteArray lengthValue = request.headers.value(QByteArrayLiteral("Content-Length"));
    if (!lengthValue.isEmpty())
        contentLength = lengthValue.trimmed().toLongLong();
    if (contentLength > self->m_limits.maxBodyBytes) {
        self->setParseError(
            413, QByteArrayLiteral("request_too_large"),
            QStringLiteral("The request body (%1 bytes) is larger than the gateway's limit of %2 bytes. Send a "
                           "smaller request, or raise gateway.max_body_bytes in the config.")
                .arg(contentLength)
                .arg(self->m_limits.maxBodyBytes));
        return -1;
    }
    if (!self->m_handler->admitHeaders(request)) {
        // Refused whatever the body holds: it is not read, let alone held in memory.
        self->m_refusedAtHeaders = true;
        return -1;
    }
    if (contentLength > 0)
        request.body.reserve(qsizetype(contentLength));

    const bool expectsBody = contentLength > 0 || request.headers.contains(QByteArrayLiteral("Transfer-Encoding"));
    if (expectsBody && request.httpMinor >= 1
        && request.headers.value(QByteArrayLiteral("Expect")).compare("100-continue", Qt::CaseInsensitive) == 0) {
        // A 100 Continue in the middle of an earlier response would corrupt it: it waits for that one to end.
        if (!self->m_responder && self->m_queue.empty())
            self->sendContinue();
        else
            self->m_continuePending = true;
    }
    return 0;
}

int HttpConnection::onBody(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    QByteArray &body = self->m_request.body;
    // A chunk's data must be followed by CRLF; http_parser takes anything there. Checked when the bytes are in.
    const char *end = self->m_input.constData() + self->m_input.size();
    if ((parser->flags & F_CHUNKED) && end - (at + length) >= 2 && (at[length] != '\r' || at[length + 1] != '\n')) {
        self->setParseError(400, QByteArrayLiteral("invalid_http_request"),
                            QStringLiteral("A chunk of the request body is not followed by CRLF."));
        return 1;
    }
    if (body.size() + qint64(length) > self->m_limits.maxBodyBytes) {
        self->setParseError(413, QByteArrayLiteral("request_too_large"),
                            QStringLiteral("The request body is larger than the gateway's limit of %1 bytes. Send a "
                                           "smaller request, or raise gateway.max_body_bytes in the config.")
                                .arg(self->m_limits.maxBodyBytes));
        return 1;
    }
    if (self->m_limits.sharedBudget && !self->m_limits.sharedBudget->take(qint64(length))) {
        self->setParseError(503, QByteArrayLiteral("gateway_busy"),
                            QStringLiteral("Sluice is holding as much request and answer data as it allows (%1 MiB, "
                                           "gateway.max_buffered_bytes); try again shortly.")
                                .arg(self->m_limits.sharedBudget->limit() / (1024 * 1024)));
        return 1;
    }
    self->m_requestHeldBytes += qint64(length);
    body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete(http_parser *parser)
{
    HttpConnection *self = connectionOf(parser);
    Pending pending;
    pending.request = std::move(self->m_request);
    pending.heldBytes = std::exchange(self->m_requestHeldBytes, 0);
    self->m_queue.push_back(std::move(pending));
    self->m_continuePending = false;
    // Hand the request over outside the parser: pump() dispatches it, or holds further input if the queue is full.
    http_parser_pause(parser, 1);
    return 0;
}

} // namespace sluice
