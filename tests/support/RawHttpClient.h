#pragma once

#include <functional>
#include <http_parser.h>

#include <QAbstractSocket>
#include <QByteArray>
#include <QList>
#include <QObject>

#include "common/HttpHeaders.h"

class QTcpSocket;

namespace sluice::test {

// A plain HTTP/1.1 client for tests that check wire framing: it writes raw request bytes, keeps every byte it
// receives, and parses responses with http_parser (one HTTP chunk kept per chunk). Waiting spins the event loop,
// so a server on the same thread keeps working.
class RawHttpClient : public QObject
{
    Q_OBJECT
public:
    struct Response
    {
        int status = 0;
        HttpHeaders headers;
        QByteArray body; // de-chunked
        QList<QByteArray> chunks; // chunked responses: the data of each chunk, in order
        bool chunked = false;
        bool complete = false; // the whole message arrived (final chunk, or Content-Length reached)
    };

    explicit RawHttpClient(QObject *parent = nullptr);
    ~RawHttpClient() override;

    bool connectTo(quint16 port, int timeoutMs = 5000);
    void send(const QByteArray &rawRequest);
    // A request with Host, Content-Length (when there is a body) and the given extra header lines.
    static QByteArray buildRequest(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                                   const HttpHeaders &headers = {});
    // A POST of a JSON body.
    static QByteArray post(const QByteArray &target, const QByteArray &jsonBody, const HttpHeaders &headers = {});

    // Waits until the next response is complete, the connection ends, or the time is up; returns what arrived
    // of it (complete == false unless it finished).
    Response waitForResponse(int timeoutMs = 5000);
    // Waits until at least count bytes (in total, since connecting) have arrived.
    bool waitForBytes(qsizetype count, int timeoutMs = 5000);
    bool waitForDisconnected(int timeoutMs = 5000);
    void close();

    bool isConnected() const;
    QByteArray received() const { return m_received; } // every byte since connecting
    // RemoteHostClosedError once the server closed the connection (Qt reports a reset the same way);
    // UnknownSocketError while it is open.
    QAbstractSocket::SocketError socketError() const { return m_error; }
    bool parseFailed() const { return m_parseFailed; }

private:
    static int onStatus(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onChunkHeader(http_parser *parser);
    static int onMessageComplete(http_parser *parser);

    void readIncoming();
    bool waitUntil(const std::function<bool()> &done, int timeoutMs);

    QTcpSocket *m_socket;
    http_parser m_parser {};
    http_parser_settings m_settings {};
    QByteArray m_received;
    QList<Response> m_done;
    Response m_current;
    QByteArray m_headerField;
    QByteArray m_headerValue;
    bool m_lastWasValue = false;
    bool m_parseFailed = false;
    QAbstractSocket::SocketError m_error = QAbstractSocket::UnknownSocketError;
};

} // namespace sluice::test
