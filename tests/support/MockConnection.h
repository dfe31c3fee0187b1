#pragma once

#include <functional>
#include <http_parser.h>

#include <QElapsedTimer>
#include <QObject>
#include <QQueue>

#include "MockResponse.h"
#include "ReceivedRequest.h"

class QTcpSocket;

namespace sluice::test {

// One accepted connection of the mock upstream: parses requests with http_parser (keep-alive, pipelining,
// chunked bodies) and plays each answer's MockResponse in order.
class MockConnection : public QObject
{
    Q_OBJECT
public:
    // Called once per complete request, in arrival order; returns the answer to play.
    using Responder = std::function<MockResponse(const ReceivedRequest &request, bool keepAlive)>;

    MockConnection(int id, QTcpSocket *socket, const QElapsedTimer *clock, Responder responder,
                   QObject *parent = nullptr);
    ~MockConnection() override;

    int id() const { return m_id; }
    // Closes the connection at once (the mock is shutting down).
    void abort();

Q_SIGNALS:
    void requestReceived(const sluice::test::ReceivedRequest &request);
    // The peer closed the connection; duringResponse: a request was still being answered (or stalled).
    void clientDisconnected(int connectionId, bool duringResponse);
    // The connection is gone (whoever closed it); the object deletes itself later.
    void finished(int connectionId);

private:
    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);

    void readIncoming();
    void startNext();
    void writeHead();
    void writeNextPiece();
    void finishResponse();
    void endConnection(MockResponse::End how);
    void afterDelay(int ms, void (MockConnection::*step)());
    void onDisconnected();
    void onBytesWritten();

    int m_id;
    QTcpSocket *m_socket;
    const QElapsedTimer *m_clock;
    Responder m_responder;
    http_parser m_parser {};
    http_parser_settings m_settings {};

    ReceivedRequest m_current;
    QByteArray m_headerField;
    QByteArray m_headerValue;
    bool m_lastWasValue = false;
    QQueue<QPair<ReceivedRequest, bool>> m_pending; // parsed, not yet answered (with keep-alive)

    MockResponse m_response;
    bool m_busy = false;
    int m_nextPiece = 0;
    bool m_waitingForDrain = false;
    bool m_closedByUs = false;
    bool m_gone = false;
};

} // namespace sluice::test
