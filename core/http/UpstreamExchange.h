#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QPointer>
#include <QTimer>

#include "http/UpstreamClient.h"
#include "http/UpstreamOrigin.h"
#include "http/UpstreamResponseParser.h"

namespace sluice {

class UpstreamConnection;
class UpstreamConnectionPool;

// The UpstreamCall that UpstreamClient hands out: one request and its response on a pooled or fresh
// connection, with timeouts, backpressure and the one retry that the keep-alive race calls for.
class UpstreamExchange : public UpstreamCall, private UpstreamResponseParser::Handler
{
    Q_OBJECT
public:
    UpstreamExchange(const UpstreamRequest &request, UpstreamConnectionPool *pool, QObject *parent = nullptr);
    ~UpstreamExchange() override;

    void pause() override;
    void resume() override;
    void abort() override;

private:
    enum class State { NotStarted, Connecting, Sending, Receiving, Done };
    enum class Phase { None, Connect, FirstByte, Idle };

    void start();
    void openFreshConnection();
    void sendRequest();
    void onBytesWritten();
    void onReadyRead();
    void onSocketClosed();
    void processInput();
    void noteResponseBytes();
    void handleEndOfStream();
    void complete();
    void fail(UpstreamError::Kind kind, const QString &phase, const QString &message);
    void dropConnection();
    void setPhase(Phase phase);
    void armTimer();
    void onTimer();
    Result<QByteArray> buildRequestHead() const;

    void responseHeaders(int status, const HttpHeaders &headers) override;
    void responseBody(const char *data, qsizetype size) override;

    UpstreamRequest m_request;
    QPointer<UpstreamConnectionPool> m_pool;
    UpstreamOrigin m_origin;
    QString m_originError;
    QByteArray m_requestHead;
    UpstreamConnection *m_connection = nullptr;
    UpstreamResponseParser m_parser;
    QTimer m_timer;
    QDeadlineTimer m_totalDeadline;
    QDeadlineTimer m_phaseDeadline;
    QDeadlineTimer m_timerDue; // when m_timer, if active, fires
    Phase m_phase = Phase::None;
    State m_state = State::NotStarted;
    QByteArray m_pending; // read from the socket, not yet parsed
    qsizetype m_pendingPos = 0;
    qint64 m_bodyBytes = 0;
    int m_serverIdleTimeoutMs = -1;
    bool m_connectionReused = false;
    bool m_retried = false;
    bool m_requestWritten = false;
    bool m_responseStarted = false;
    bool m_endOfStream = false;
    bool m_paused = false;
    bool m_feeding = false;
    bool m_starting = false; // inside the constructor, i.e. inside UpstreamClient::send()
};

} // namespace sluice
