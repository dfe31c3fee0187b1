#include "UpstreamExchange.h"

#include <limits>
#include <string_view>

#include <QAbstractSocket>

#include "http/UpstreamConnection.h"
#include "http/UpstreamConnectionPool.h"
#include "http/UpstreamLogging.h"

namespace sluice {

namespace {
// Bodies up to this size go out in the same write as the head (one segment); larger ones are shared, not copied.
constexpr qsizetype kCoalesceBodyLimit = 32 * 1024;

bool isToken(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        if (!ok)
            return false;
    }
    return true;
}

bool isFieldValue(const QByteArray &text)
{
    for (const char c : text) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return true;
}

bool isAddedByClient(const QByteArray &name)
{
    for (const char *added : {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}) {
        if (name.compare(added, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// The "timeout=N" of a Keep-Alive response header, in milliseconds, or -1.
int keepAliveTimeoutMs(const QByteArray &value)
{
    for (const QByteArray &part : value.split(',')) {
        const QByteArray item = part.trimmed();
        if (!item.startsWith("timeout="))
            continue;
        bool ok = false;
        const int seconds = item.mid(8).toInt(&ok);
        if (ok && seconds > 0 && seconds < 24 * 3600)
            return seconds * 1000;
    }
    return -1;
}

QDeadlineTimer deadlineIn(int ms)
{
    return ms > 0 ? QDeadlineTimer(ms) : QDeadlineTimer(QDeadlineTimer::Forever);
}
} // namespace

UpstreamExchange::UpstreamExchange(const UpstreamRequest &request, UpstreamConnectionPool *pool, QObject *parent)
    : UpstreamCall(parent)
    , m_request(request)
    , m_pool(pool)
    , m_parser(this)
    , m_timer(this)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &UpstreamExchange::onTimer);
    Result<UpstreamOrigin> origin = UpstreamOrigin::fromUrl(m_request.url);
    if (origin)
        m_origin = std::move(origin).value();
    else
        m_originError = origin.errorMessage();
    // On a pooled connection the request goes out at once: waiting for the next event-loop pass would add a
    // wake-up and a poll to every request. Anything else starts from the event loop, so that the caller can
    // connect to the signals after send() returns; no signal is emitted before then either way.
    m_starting = true;
    if (m_originError.isEmpty() && m_pool && m_pool->hasIdle(m_origin))
        start();
    else
        QMetaObject::invokeMethod(this, &UpstreamExchange::start, Qt::QueuedConnection);
    m_starting = false;
}

UpstreamExchange::~UpstreamExchange()
{
    delete m_connection;
}

void UpstreamExchange::pause()
{
    if (m_state == State::Done || m_paused)
        return;
    m_paused = true;
    if (m_feeding)
        m_parser.pause();
    // Waiting on our own consumer is not the upstream being idle.
    if (m_phase == Phase::Idle)
        setPhase(Phase::None);
}

void UpstreamExchange::resume()
{
    if (m_state == State::Done || !m_paused)
        return;
    m_paused = false;
    if (m_responseStarted)
        setPhase(Phase::Idle);
    // Buffered bytes are delivered from the event loop, not from inside the caller's resume().
    QMetaObject::invokeMethod(this, &UpstreamExchange::processInput, Qt::QueuedConnection);
}

void UpstreamExchange::abort()
{
    if (m_state == State::Done)
        return;
    m_state = State::Done;
    m_timer.stop();
    if (m_feeding)
        m_parser.pause();
    qCDebug(lcUpstream) << "request to" << m_origin.authority() << "aborted";
    dropConnection();
    deleteLater();
}

void UpstreamExchange::start()
{
    if (m_state != State::NotStarted)
        return;
    m_totalDeadline = deadlineIn(m_request.timeouts.totalMs);
    if (!m_originError.isEmpty()) {
        fail(UpstreamError::Kind::Connect, {}, m_originError);
        return;
    }
    Result<QByteArray> head = buildRequestHead();
    if (!head) {
        fail(UpstreamError::Kind::Protocol, {}, head.errorMessage());
        return;
    }
    m_requestHead = std::move(head).value();

    UpstreamConnection *pooled = m_pool ? m_pool->take(m_origin) : nullptr;
    if (pooled) {
        m_connection = pooled;
        m_connectionReused = true;
        sendRequest();
    } else {
        openFreshConnection();
    }
}

void UpstreamExchange::openFreshConnection()
{
    m_state = State::Connecting;
    m_connectionReused = false;
    m_connection = new UpstreamConnection(m_origin);
    connect(m_connection, &UpstreamConnection::established, this, &UpstreamExchange::sendRequest);
    connect(m_connection, &UpstreamConnection::connectFailed, this,
            [this](const QString &message) { fail(UpstreamError::Kind::Connect, {}, message); });
    setPhase(Phase::Connect);
    m_connection->open();
}

void UpstreamExchange::sendRequest()
{
    if (m_state == State::Done)
        return;
    m_state = State::Sending;
    m_parser.reset(m_request.method == "HEAD");
    m_pending.clear();
    m_pendingPos = 0;
    m_requestWritten = false;
    m_responseStarted = false;
    m_endOfStream = false;

    QAbstractSocket *socket = m_connection->socket();
    connect(socket, &QAbstractSocket::readyRead, this, &UpstreamExchange::onReadyRead);
    connect(socket, &QAbstractSocket::bytesWritten, this, &UpstreamExchange::onBytesWritten);
    connect(socket, &QAbstractSocket::disconnected, this, &UpstreamExchange::onSocketClosed);
    connect(socket, &QAbstractSocket::errorOccurred, this, &UpstreamExchange::onSocketClosed);

    const QByteArray &body = m_request.body;
    if (body.size() <= kCoalesceBodyLimit) {
        QByteArray bytes;
        bytes.reserve(m_requestHead.size() + body.size());
        bytes.append(m_requestHead).append(body);
        socket->write(bytes);
    } else {
        socket->write(m_requestHead);
        socket->write(body);
    }
    // Covers a server that does not read the request either; restarted once the request is fully written.
    setPhase(Phase::FirstByte);
    // Hand the request to the OS now rather than on the next event-loop pass (QAbstractSocket buffers writes).
    if (m_state == State::Sending && m_connection)
        m_connection->socket()->flush();
}

void UpstreamExchange::onBytesWritten()
{
    if (m_state == State::Done || m_requestWritten || !m_connection || m_connection->socket()->bytesToWrite() > 0)
        return;
    m_requestWritten = true;
    if (!m_responseStarted)
        setPhase(Phase::FirstByte);
}

void UpstreamExchange::onReadyRead()
{
    if (m_state == State::Done)
        return;
    if (m_paused) {
        // Not read while paused, but the upstream did answer: the first-byte deadline no longer applies.
        if (!m_responseStarted && m_connection && m_connection->socket()->bytesAvailable() > 0) {
            m_responseStarted = true;
            m_state = State::Receiving;
            setPhase(Phase::None);
        }
        return;
    }
    processInput();
}

void UpstreamExchange::onSocketClosed()
{
    if (m_state == State::Done || m_state == State::Connecting)
        return;
    m_endOfStream = true;
    processInput();
}

void UpstreamExchange::processInput()
{
    if (m_state == State::Done || m_state == State::Connecting || !m_connection)
        return;
    QAbstractSocket *socket = m_connection->socket();
    while (!m_paused) {
        if (m_pendingPos >= m_pending.size()) {
            m_pending = socket->readAll();
            m_pendingPos = 0;
            if (m_pending.isEmpty())
                break;
            noteResponseBytes();
        }
        m_feeding = true;
        const qsizetype used = m_parser.feed(m_pending.constData() + m_pendingPos, m_pending.size() - m_pendingPos);
        m_feeding = false;
        if (m_state == State::Done)
            return; // aborted from a signal handler
        m_pendingPos += used;
        if (m_parser.hasError()) {
            fail(UpstreamError::Kind::Protocol, {},
                 QStringLiteral("%1 sent an invalid HTTP response: %2")
                     .arg(m_origin.authority(), m_parser.errorDescription()));
            return;
        }
        if (m_parser.isComplete()) {
            complete();
            return;
        }
    }
    if (!m_paused && m_endOfStream)
        handleEndOfStream();
}

void UpstreamExchange::noteResponseBytes()
{
    if (!m_responseStarted) {
        m_responseStarted = true;
        m_state = State::Receiving;
        setPhase(Phase::Idle);
    } else if (m_phase == Phase::Idle) {
        // Pushed forward only; the armed timer re-arms itself for what is left when it fires.
        m_phaseDeadline = deadlineIn(m_request.timeouts.idleMs);
    }
}

void UpstreamExchange::handleEndOfStream()
{
    if (m_parser.finishAtEndOfStream()) {
        complete();
        return;
    }
    if (!m_responseStarted && m_connectionReused && !m_retried) {
        // The server closed a kept-alive connection as our request went out: the usual keep-alive race.
        qCDebug(lcUpstream) << "reused connection to" << m_origin.authority() << "was closed; retrying on a new one";
        m_retried = true;
        dropConnection();
        openFreshConnection();
        return;
    }
    QString what;
    if (!m_responseStarted)
        what = QStringLiteral("closed the connection before sending a response");
    else if (!m_parser.headersComplete())
        what = QStringLiteral("closed the connection in the middle of the response headers");
    else
        what = QStringLiteral("closed the connection after %1 bytes of the response body, before its end")
                   .arg(m_bodyBytes);
    fail(UpstreamError::Kind::Reset, {}, m_origin.authority() + QLatin1Char(' ') + what);
}

void UpstreamExchange::complete()
{
    m_state = State::Done;
    m_timer.stop();
    UpstreamConnection *connection = m_connection;
    m_connection = nullptr;
    connection->disconnect(this);
    connection->socket()->disconnect(this);
    const bool reusable = m_parser.keepAlive() && !m_endOfStream && m_pendingPos >= m_pending.size() && m_requestWritten
        && connection->isUsable();
    if (reusable && m_pool) {
        connection->addCompletedExchange();
        m_pool->release(connection, m_serverIdleTimeoutMs);
    } else {
        connection->close();
        connection->deleteLater();
    }
    // The connection is back in the pool first, so a request sent from this signal can reuse it.
    Q_EMIT finished();
    deleteLater();
}

void UpstreamExchange::fail(UpstreamError::Kind kind, const QString &phase, const QString &message)
{
    if (m_state == State::Done)
        return;
    m_state = State::Done;
    m_timer.stop();
    dropConnection();
    qCInfo(lcUpstream).noquote() << message;
    const UpstreamError error {kind, phase, message};
    if (m_starting) {
        // Still inside send(): the caller has not connected yet.
        QMetaObject::invokeMethod(
            this,
            [this, error] {
                Q_EMIT failed(error);
                deleteLater();
            },
            Qt::QueuedConnection);
        return;
    }
    Q_EMIT failed(error);
    deleteLater();
}

void UpstreamExchange::dropConnection()
{
    if (!m_connection)
        return;
    UpstreamConnection *connection = m_connection;
    m_connection = nullptr;
    connection->disconnect(this);
    connection->socket()->disconnect(this);
    connection->close();
    connection->deleteLater();
}

void UpstreamExchange::setPhase(Phase phase)
{
    m_phase = phase;
    switch (phase) {
    case Phase::None:
        m_phaseDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
        break;
    case Phase::Connect:
        m_phaseDeadline = deadlineIn(m_request.timeouts.connectMs);
        break;
    case Phase::FirstByte:
        m_phaseDeadline = deadlineIn(m_request.timeouts.firstByteMs);
        break;
    case Phase::Idle:
        m_phaseDeadline = deadlineIn(m_request.timeouts.idleMs);
        break;
    }
    armTimer();
}

void UpstreamExchange::armTimer()
{
    qint64 remaining = m_totalDeadline.remainingTime();
    const qint64 phaseRemaining = m_phaseDeadline.remainingTime();
    if (phaseRemaining >= 0 && (remaining < 0 || phaseRemaining < remaining))
        remaining = phaseRemaining;
    if (remaining < 0) {
        m_timer.stop();
        return;
    }
    // A timer already due no later stays armed (onTimer() re-arms for what is left): phases change several times
    // per request, and each restart is a timer registration.
    const QDeadlineTimer due(remaining);
    if (m_timer.isActive() && m_timerDue <= due)
        return;
    m_timerDue = due;
    m_timer.start(int(qMin<qint64>(remaining, std::numeric_limits<int>::max())));
}

void UpstreamExchange::onTimer()
{
    if (m_state == State::Done)
        return;
    const QString where = m_origin.authority();
    if (m_totalDeadline.hasExpired()) {
        fail(
            UpstreamError::Kind::Timeout, QStringLiteral("total"),
            QStringLiteral("%1 did not complete the response within %2 ms").arg(where).arg(m_request.timeouts.totalMs));
        return;
    }
    if (!m_phaseDeadline.hasExpired()) {
        armTimer();
        return;
    }
    switch (m_phase) {
    case Phase::Connect:
        fail(UpstreamError::Kind::Timeout, QStringLiteral("connect"),
             QStringLiteral("could not connect to %1 within %2 ms").arg(where).arg(m_request.timeouts.connectMs));
        break;
    case Phase::FirstByte:
        fail(UpstreamError::Kind::Timeout, QStringLiteral("first byte"),
             QStringLiteral("%1 did not start its response within %2 ms of the request")
                 .arg(where)
                 .arg(m_request.timeouts.firstByteMs));
        break;
    case Phase::Idle:
        fail(UpstreamError::Kind::Timeout, QStringLiteral("idle"),
             QStringLiteral("%1 sent nothing for %2 ms in the middle of the response")
                 .arg(where)
                 .arg(m_request.timeouts.idleMs));
        break;
    case Phase::None:
        armTimer();
        break;
    }
}

Result<QByteArray> UpstreamExchange::buildRequestHead() const
{
    const QString where = m_origin.authority();
    if (!isToken(m_request.method))
        return makeError(
            QStringLiteral("refused to send a request to %1: the method is not a valid HTTP token").arg(where));
    QByteArray target = m_request.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    if (!target.startsWith('/'))
        target.prepend('/');

    qsizetype size = m_request.method.size() + target.size() + 96;
    for (const HttpHeaders::Field &field : m_request.headers.fields())
        size += field.first.size() + field.second.size() + 4;
    QByteArray head;
    head.reserve(size);
    head.append(m_request.method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ");
    head.append(m_origin.hostHeader()).append("\r\n");
    for (const HttpHeaders::Field &field : m_request.headers.fields()) {
        if (!isToken(field.first) || !isFieldValue(field.second)) {
            return makeError(
                QStringLiteral("refused to send a request to %1: header \"%2\" is not a valid HTTP "
                               "field (bad name, or a line break in its value)")
                    .arg(where, isToken(field.first) ? QString::fromLatin1(field.first) : QStringLiteral("?")));
        }
        if (isAddedByClient(field.first))
            continue;
        head.append(field.first).append(": ").append(field.second).append("\r\n");
    }
    const QByteArray &method = m_request.method;
    if (!m_request.body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
        head.append("Content-Length: ").append(QByteArray::number(m_request.body.size())).append("\r\n");
    head.append("Connection: keep-alive\r\n\r\n");
    return head;
}

void UpstreamExchange::responseHeaders(int status, const HttpHeaders &headers)
{
    m_serverIdleTimeoutMs = keepAliveTimeoutMs(headers.value("Keep-Alive"));
    Q_EMIT headersReceived(status, headers);
    if (m_state == State::Done || m_paused)
        m_parser.pause();
}

void UpstreamExchange::responseBody(const char *data, qsizetype size)
{
    m_bodyBytes += size;
    // A slice that is the whole read buffer is handed out shared; others are copied (typically chunk payloads).
    if (data == m_pending.constData() && size == m_pending.size())
        Q_EMIT bodyData(m_pending);
    else
        Q_EMIT bodyData(QByteArray(data, size));
    if (m_state == State::Done || m_paused)
        m_parser.pause();
}

} // namespace sluice
