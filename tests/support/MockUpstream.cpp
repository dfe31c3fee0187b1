#include "MockUpstream.h"

#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>

#include "MockConnection.h"
#include "MockEndpoints.h"

Q_DECLARE_LOGGING_CATEGORY(lcMockConnection)

namespace sluice::test {

MockUpstream::MockUpstream(QObject *parent)
    : MockUpstream(RecordingLibrary::defaultDirectory(), parent)
{ }

MockUpstream::MockUpstream(const QString &recordingsDir, QObject *parent)
    : QObject(parent)
    , m_recordingsDir(recordingsDir)
    , m_server(new QTcpServer(this))
{
    qRegisterMetaType<sluice::test::ReceivedRequest>();
    m_clock.start();
    connect(m_server, &QTcpServer::newConnection, this, &MockUpstream::acceptPending);
}

MockUpstream::~MockUpstream()
{
    close();
}

Result<void> MockUpstream::listen(quint16 port)
{
    auto library = RecordingLibrary::load(m_recordingsDir);
    if (!library)
        return library.error();
    m_library = std::move(library).value();
    m_endpoints = std::make_unique<MockEndpoints>(&m_library);
    if (!m_server->listen(QHostAddress::LocalHost, port))
        return makeError(QStringLiteral("The mock upstream cannot listen on 127.0.0.1:%1: %2")
                             .arg(port)
                             .arg(m_server->errorString()));
    qCDebug(lcMockConnection) << "mock upstream listening on" << baseUrl().toString();
    return {};
}

void MockUpstream::close()
{
    m_server->close();
    const QList<MockConnection *> open = m_connections.values();
    for (MockConnection *connection : open)
        connection->abort();
    m_connections.clear();
}

bool MockUpstream::isListening() const
{
    return m_server->isListening();
}

quint16 MockUpstream::port() const
{
    return m_server->serverPort();
}

QUrl MockUpstream::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port());
    return url;
}

void MockUpstream::enqueueFault(const MockFault &fault)
{
    m_faults.append(fault);
}

void MockUpstream::clearFaults()
{
    m_faults.clear();
}

ReceivedRequest MockUpstream::lastRequest() const
{
    return m_requests.isEmpty() ? ReceivedRequest() : m_requests.constLast();
}

void MockUpstream::clear()
{
    m_requests.clear();
    m_accepted = 0;
    m_disconnectsDuringResponse = 0;
}

void MockUpstream::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        const int id = m_nextConnectionId++;
        ++m_accepted;
        auto *connection = new MockConnection(
            id, socket, &m_clock,
            [this](const ReceivedRequest &request, bool keepAlive) { return respond(request, keepAlive); }, this);
        m_connections.insert(id, connection);
        connect(connection, &MockConnection::requestReceived, this, [this](const ReceivedRequest &request) {
            m_requests.append(request);
            Q_EMIT requestReceived(request);
        });
        connect(connection, &MockConnection::clientDisconnected, this, [this](int connectionId, bool duringResponse) {
            if (duringResponse)
                ++m_disconnectsDuringResponse;
            Q_EMIT clientDisconnected(connectionId, duringResponse);
        });
        connect(connection, &MockConnection::finished, this,
                [this](int connectionId) { m_connections.remove(connectionId); });
    }
}

MockResponse MockUpstream::respond(const ReceivedRequest &request, bool keepAlive)
{
    const int serial = ++m_served;
    MockEndpoints::Route route = m_endpoints->route(request);
    std::optional<MockFault> fault;
    if (route.errorStatus == 0 && !route.faultSpec.isEmpty()) {
        auto parsed = MockFault::parse(route.faultSpec);
        if (!parsed) {
            route.errorStatus = 400;
            route.errorMessage = parsed.errorMessage();
        } else {
            fault = *parsed;
        }
    } else if (route.errorStatus == 0 && !route.model.isEmpty()) {
        for (qsizetype i = 0; i < m_faults.size(); ++i) {
            MockFault &queued = m_faults[i];
            if (!queued.model.isEmpty() && queued.model != route.model)
                continue;
            fault = queued;
            if (queued.times > 0 && --queued.times == 0)
                m_faults.removeAt(i);
            break;
        }
    }
    return m_endpoints->respond(route, fault, m_eventDelayMs, keepAlive, serial);
}

} // namespace sluice::test
