#pragma once

#include <deque>
#include <initializer_list>
#include <memory>

#include <QBasicTimer>
#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include "http/HttpRequest.h"
#include "http/HttpServerLimits.h"

class QTcpSocket;
struct http_parser;
struct http_parser_settings;

namespace sluice {

class HttpRequestHandler;
class ServerResponder;

// One accepted client socket: parses requests with http_parser, hands them to the handler one at a time
// (pipelined requests wait their turn), enforces the size limits and the idle timeout, and writes what the
// request's ServerResponder produces. Deletes itself (deleteLater) once the socket is closed.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(QTcpSocket *socket, HttpRequestHandler *handler, const HttpServerLimits &limits,
                   QObject *parent = nullptr);
    ~HttpConnection() override;

    // Closes the socket at once; a response in progress sees closed().
    void abort();

    // Called by the ServerResponder of the request being answered.
    void writeResponseBytes(const QByteArray &bytes);
    // Several pieces handed to the OS together, without first joining them into one array.
    void writeResponseBytes(std::initializer_list<QByteArrayView> parts);
    // A response's last bytes: handed to the OS by releaseHeldBytes() or on the next event-loop pass, after
    // whatever the handler does once it has answered (the request log's journal write), so a crash in between
    // cannot leave a client with a complete answer and the log without its row.
    void writeFinalResponseBytes(std::initializer_list<QByteArrayView> parts);
    // Hands what is queued to the OS now (HttpResponder::releaseEnd()).
    void releaseHeldBytes();
    void endResponse(bool closeConnection);
    void abortResponse();
    qint64 pendingBytes() const;

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    // A parsed request waiting for its turn, or a parse error to answer (then close) in its place.
    struct Pending
    {
        HttpRequest request;
        int errorStatus = 0;
        QByteArray errorCode;
        QString errorMessage;
        qint64 heldBytes = 0; // of the shared budget, given back when the request is answered
    };

    static const http_parser_settings &parserSettings();
    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);

    void onReadyRead();
    void onBytesWritten();
    void onDisconnected();

    void pump();
    bool readInput();
    void parseInput();
    bool addHeaderBytes(qint64 count);
    void commitHeader();
    void setParseError(int status, const QByteArray &code, const QString &message);
    void queueParseError(unsigned int parserErrno);
    // The handler refused the request at its headers: dispatched without its body, then the connection closes.
    void queueWithoutBody();
    void releaseHeld(qint64 bytes);
    void resetActive();
    void dropQueue();
    void dispatchNext();
    void sendContinue();
    void detachResponder();
    void closeGracefully();
    void shutdownWrite();

    QTcpSocket *m_socket;
    HttpRequestHandler *m_handler;
    HttpServerLimits m_limits;
    QHostAddress m_peer;
    std::unique_ptr<http_parser> m_parser;

    // The request being parsed.
    HttpRequest m_request;
    QByteArray m_field;
    QByteArray m_value;
    bool m_lastWasValue = false;
    qint64 m_headerBytes = 0;
    qint64 m_requestHeldBytes = 0; // of the shared budget, for the body being read
    int m_errorStatus = 0;
    QByteArray m_errorCode;
    QString m_errorMessage;

    QByteArray m_input; // read but not yet parsed (the parser pauses after each request)
    qsizetype m_inputOffset = 0;
    qint64 m_readNs = 0; // when the bytes being parsed were read
    qint64 m_lastActivityNs = 0;

    std::deque<Pending> m_queue;
    Pending m_active; // the request being answered; kept alive until its response ends
    ServerResponder *m_responder = nullptr;

    bool m_parseStopped = false; // after a parse error or a protocol upgrade: nothing more is parsed
    bool m_refusedAtHeaders = false; // HttpRequestHandler::admitHeaders said no: the parser was stopped for it
    bool m_closing = false;
    bool m_pumping = false;
    bool m_dispatching = false; // inside HttpRequestHandler::handle()
    bool m_writing = false;
    bool m_aboveHighWater = false;
    bool m_continuePending = false;
    bool m_writeClosed = false;
    bool m_holdFlush = false; // the next write is a response's last: the OS gets it on the next event-loop pass
    QBasicTimer m_idleTimer;
    QBasicTimer m_lingerTimer;
};

} // namespace sluice
