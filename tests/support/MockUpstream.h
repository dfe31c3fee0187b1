#pragma once

#include <memory>

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QUrl>

#include "MockFault.h"
#include "ReceivedRequest.h"
#include "RecordingLibrary.h"
#include "common/Result.h"

class QTcpServer;

namespace sluice::test {

class MockConnection;
class MockEndpoints;
struct MockResponse;

// A provider upstream for tests: replays the recorded traffic in each provider's real wire format and injects
// faults. The request's model names the recording (model "openai-text" replays */openai-text.json or, when
// streamed, */openai-text.chunks.txt). Endpoints (any path prefix):
//   POST .../chat/completions, .../completions   OpenAI style; "stream": true gives SSE ending in [DONE]; the
//                                                 usage-only chunk only with stream_options.include_usage
//   POST .../responses                            OpenAI Responses, streamed or not: no recording is in this
//                                                 format, so the recording NAME (of any family; OpenAI chat
//                                                 ones are meant) is rendered as a Responses answer
//                                                 (AnswerRenderer, through core/api's codecs)
//   POST .../messages                             Anthropic ("event: TYPE" framing)
//   POST .../models/NAME:generateContent, :streamGenerateContent[?alt=sse]   Gemini
//   POST .../model/NAME/converse, /converse-stream   Amazon Bedrock, answered from the Anthropic recording NAME
//                                                 transcribed to Converse (BedrockTranscript); requests must carry
//                                                 a SigV4-shaped Authorization or a bearer key, else 403
//   POST .../embeddings, .../models/NAME:batchEmbedContents   OpenAI / Gemini embeddings: synthetic vectors
//                                                 (MockEndpoints::syntheticEmbedding), any model name, no recording
//   GET  .../models                               OpenAI-style list of every recording
// Coding agents: the model "agent-tool~NAME" (on chat/completions, responses, messages and the Gemini endpoints)
// scripts one tool round trip (AgentScript): while the conversation's last turn carries no tool result it answers
// with one call of the agent's shell tool (Bash, bash, exec_command, run_shell_command, shell_command or shell,
// found in the request's tools) running `printf sluice-tool-%d 42`; once it does (or when the request offers no
// shell tool) it answers with recording NAME, replayed as recorded when NAME is of the endpoint's family, else
// rendered. Both in the endpoint's own format, streamed or not. "agent-tool~NAME~SPEC" adds a fault.
// It has its own HTTP parsing (http_parser), independent of core/http, and lives on the creating thread: drive
// it with an event loop (QSignalSpy::wait, QTRY_*), never with blocking socket calls on the same thread.
class MockUpstream : public QObject
{
    Q_OBJECT
public:
    using Fault = MockFault;

    // Recordings from $SLUICE_RECORDINGS_DIR.
    explicit MockUpstream(QObject *parent = nullptr);
    explicit MockUpstream(const QString &recordingsDir, QObject *parent = nullptr);
    ~MockUpstream() override;

    // Loads the recordings and listens on 127.0.0.1 (port 0: a free port).
    Result<void> listen(quint16 port = 0);
    void close();
    bool isListening() const;
    quint16 port() const;
    QUrl baseUrl() const; // http://127.0.0.1:PORT, without a trailing slash
    const RecordingLibrary &recordings() const { return m_library; }

    // Delay before each streamed event (default 0: each event still goes out in its own write).
    void setEventDelayMs(int ms) { m_eventDelayMs = ms; }
    int eventDelayMs() const { return m_eventDelayMs; }

    // The next generation request matching fault.model (any when empty) gets the fault, fault.times times.
    void enqueueFault(const MockFault &fault);
    void clearFaults();
    int pendingFaultCount() const { return int(m_faults.size()); }

    const QList<ReceivedRequest> &requests() const { return m_requests; }
    ReceivedRequest lastRequest() const; // an empty request when none arrived
    // Forgets the received requests and resets the connection counters (faults stay queued).
    void clear();

    int acceptedConnectionCount() const { return m_accepted; }
    int openConnectionCount() const { return int(m_connections.size()); }
    // Connections the client closed while a response was in progress (cancelled upstream calls).
    int clientDisconnectsDuringResponse() const { return m_disconnectsDuringResponse; }

Q_SIGNALS:
    void requestReceived(const sluice::test::ReceivedRequest &request);
    // The client closed connection connectionId; duringResponse: before the response had ended.
    void clientDisconnected(int connectionId, bool duringResponse);

private:
    void acceptPending();
    MockResponse respond(const ReceivedRequest &request, bool keepAlive);

    QString m_recordingsDir;
    RecordingLibrary m_library;
    std::unique_ptr<MockEndpoints> m_endpoints;
    QTcpServer *m_server;
    QElapsedTimer m_clock;
    QHash<int, MockConnection *> m_connections;
    QList<MockFault> m_faults;
    QList<ReceivedRequest> m_requests;
    int m_eventDelayMs = 0;
    int m_accepted = 0;
    int m_nextConnectionId = 1;
    int m_disconnectsDuringResponse = 0;
    int m_served = 0;
};

} // namespace sluice::test
