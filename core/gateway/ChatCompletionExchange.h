#pragma once

#include <functional>

#include <QObject>
#include <QPointer>

#include "api/OpenAiChatRequest.h"
#include "api/SseParser.h"
#include "api/TokenUsage.h"
#include "common/RequestRecord.h"
#include "gateway/BodyCapture.h"
#include "http/UpstreamRequest.h"

namespace sluice {

class HttpResponder;
class UpstreamCall;
class UpstreamClient;
struct OpenAiError;

// One /v1/chat/completions request on the same-format path (OpenAI client -> OpenAI-compatible provider):
// sends the body upstream, relays the answer (streams event by event, with backpressure), reads usage and
// timings along the way, and hands the finished record over exactly once. Deletes itself when done.
class ChatCompletionExchange : public QObject
{
    Q_OBJECT
public:
    using Completion = std::function<void(RequestRecord &&)>;

    ChatCompletionExchange(HttpResponder *responder, RequestRecord record, OpenAiChatRequest chat, qint64 arrivedNs,
                           qint64 maxLoggedBodyBytes, Completion completion, QObject *parent = nullptr);

    void start(UpstreamClient *client, const UpstreamRequest &request);

private:
    void onHeaders(int status, const HttpHeaders &headers);
    void onBody(const QByteArray &data);
    void onFinished();
    void onFailed(const UpstreamError &error);
    void onClientClosed();
    void onDrained();

    void relayEvents(const QByteArray &data);
    void writeToClient(const QByteArray &bytes);
    void sendError(const OpenAiError &error, const char *errorClass);
    void finish(int status, const char *errorClass, const QString &message);
    HttpHeaders clientHeaders(const HttpHeaders &upstream, const QByteArray &contentType) const;
    void readUsage(const QByteArray &json);

    QPointer<HttpResponder> m_responder;
    QPointer<UpstreamCall> m_call;
    RequestRecord m_record;
    OpenAiChatRequest m_chat;
    Completion m_completion;
    qint64 m_arrivedNs;
    BodyCapture m_responseLog;

    int m_upstreamStatus = 0;
    HttpHeaders m_upstreamHeaders;
    QByteArray m_body; // non-streamed answers and upstream error bodies, relayed once complete
    bool m_relayingStream = false; // a 2xx upstream stream being relayed to a streaming client
    SseParser m_sse;
    QList<SseEvent> m_events;
    bool m_sawFirstToken = false;
    TokenUsage m_usage;
    bool m_done = false;
};

} // namespace sluice
