#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QHash>
#include <QObject>
#include <QPointer>

#include "api/ApiFormat.h"
#include "api/CanonicalRequest.h"
#include "api/CanonicalResponse.h"
#include "api/OpenAiChatChunkReader.h"
#include "api/OpenAiChatRequest.h"
#include "api/OpenAiEmbeddingsRequest.h"
#include "api/SseParser.h"
#include "api/StreamDecoder.h"
#include "api/StreamEncoder.h"
#include "api/TokenUsage.h"
#include "common/RequestRecord.h"
#include "gateway/BodyCapture.h"
#include "http/UpstreamRequest.h"
#include "routing/RoutePlanner.h"

namespace sluice {

class HttpResponder;
class ProviderAdapter;
class UpstreamCall;
class UpstreamClient;
class ResponseAssembler;
class SecretScrubber;
class ByteBudget;
class GuardrailSession;
class GuardrailStreamFilter;
struct CanonicalError;
struct GatewaySecrets;

// What the gateway learnt of the client's request before routing it.
struct ClientRequest
{
    ApiFormat format = ApiFormat::OpenAiChat;
    QByteArray body; // as the client sent it
    std::optional<OpenAiChatRequest> openAiChat; // OpenAI chat clients: enables the same-format fast path
    std::optional<CanonicalRequest> canonical; // decoded on first need (another provider format)
    std::optional<OpenAiEmbeddingsRequest> embeddings; // format OpenAiEmbeddings
    QString model;
    bool stream = false;
    bool includeUsage = false; // the client asked for the usage chunk (OpenAI chat)
    bool jsonArrayStream = false; // Gemini :streamGenerateContent without alt=sse: one JSON array, not SSE
    QByteArray anthropicBeta;
    qint64 arrivedNs = 0;
    QByteArray cacheStatus; // x-sluice-cache response header ("miss"); empty when the cache is not in play
    HttpHeaders responseHeaders; // added to every answer, e.g. x-sluice-budget-warning from admission
    // The request's guardrails (docs/guardrails.md): placeholders to restore and response rules; null: none.
    std::shared_ptr<GuardrailSession> guardrails;
};

// Everything an exchange needs from the gateway that outlives it.
struct ProviderDirectory
{
    const QHash<QString, ProviderAdapter> *adapters = nullptr;
    const GatewaySecrets *secrets = nullptr;
    UpstreamClient *client = nullptr;
    qint64 maxLoggedBodyBytes = 0;
    const Config *config = nullptr; // routes' drop_unsupported_params
    const SecretScrubber *scrubber = nullptr; // keeps the gateway's secrets out of answers and the log
    ByteBudget *budget = nullptr; // buffered answers count against it
};

// One proxied request: tries the route's attempts in order (retries, fallbacks), translating between the
// client's format and each provider's when they differ, relays the answer (streams event by event, with
// backpressure), and hands the finished record over exactly once. Nothing reaches the client until an
// attempt produced content, so a failed attempt can still fall back. Deletes itself when done.
class ProxyExchange : public QObject
{
    Q_OBJECT
public:
    using Completion = std::function<void(RequestRecord &&)>;
    // Gets the whole answer of a successful request (before Completion), for the response cache.
    using AnswerSink = std::function<void(const CanonicalResponse &answer, const RequestRecord &record)>;

    ProxyExchange(HttpResponder *responder, RequestRecord record, ClientRequest request, RoutePlanner planner,
                  ProviderDirectory providers, Completion completion, QObject *parent = nullptr);
    ~ProxyExchange() override;

    void start();
    // Sluice is stopping and the request did not finish in time: a started stream ends with an explicit error
    // event, anything else gets a 503; the request is logged either way.
    void endForShutdown(const QString &message);
    // Set before start(): the exchange then also assembles the provider-neutral answer (from streams too).
    void setAnswerSink(AnswerSink sink) { m_answerSink = std::move(sink); }

private:
    // FastStream: OpenAI chat relayed as it came; RelayStream: another format relayed as it came (Responses,
    // Gemini, Anthropic), read by the format's decoder on the way; TranslatedStream: decoded and encoded for the
    // client.
    enum class Mode { Buffered, FastStream, RelayStream, TranslatedStream };

    void startNextAttempt();
    Result<QByteArray> attemptBody(const ProviderAdapter &adapter, const QString &upstreamModel);
    void onHeaders(int status, const HttpHeaders &headers);
    void onBody(const QByteArray &data);
    void onFinished();
    void onFailed(const UpstreamError &error);
    void onClientClosed();
    void onDrained();

    // One read of a streamed answer. Until content flows it is taken one SSE event at a time, so the first
    // content goes out before the rest of the read is parsed or decoded.
    void relayRead(const QByteArray &data);
    void relayFastStream(const QByteArray &data);
    void relayPassthrough(const QByteArray &data);
    // The fast path's read of a chunk before content flows; false when it is left to QJsonDocument.
    bool readChunkBeforeContent(const QByteArray &data);
    // The relayed stream's events as the decoder read them: false when they failed the attempt before any content.
    bool notePassthroughEvents(const CanonicalEvents &events);
    // One decoded event of the current attempt: content, time to first token, an error before content (the
    // attempt fails: false) or after it (the answer is incomplete).
    bool noteEvent(const CanonicalEvent &event);
    void finishPassthrough();
    // The upstream stream ended well: the rest goes to the client, its stream is closed, the request finished.
    void completeStream(const QByteArray &tail);
    // A relayed stream's event grew past the SSE size limit: the attempt (or the started answer) fails.
    void failOversizedEvent();
    // False when the events failed the attempt before any content (the planner decides what comes next).
    bool relayTranslated(const CanonicalEvents &events);
    // The attempt failed before any content reached the client: let the planner decide what comes next.
    void attemptFailed(AttemptOutcome outcome, const QString &message, const char *errorClass);
    void deliverBuffered();
    // A 2xx answer Sluice could not read: the attempt failed ("Provider 'X' " + what).
    void unreadableAnswer(const QString &what);
    void deliverUpstreamError();
    void sendClientError(const CanonicalError &error, const char *errorClass);
    void failStartedStream(const QString &message, const char *errorClass);
    // Part of the answer reached the client: its stream ends with this error in its own format, never silently.
    void endStreamWithError(const CanonicalError &error);
    void writeStream(const QByteArray &bytes);
    void beginClientStream();
    HttpHeaders clientHeaders(const QByteArray &contentType) const;
    void finish(int status, const char *errorClass, const QString &message);
    void resetAttempt();
    bool dropsUnsupported(const QString &model) const;
    // The current provider takes the client's own body, edited only in its model name and usage request.
    bool forwardsClientBody() const;
    // The current provider takes the client's own format, other than OpenAI chat (Responses to a provider serving
    // /responses, Gemini to Gemini): the body goes as sent, the answer comes back as sent.
    bool passesThrough() const;
    // The provider's answer goes to the client as it came (model name and secrets aside), read on the way for the
    // log: the formats passed through, and Anthropic Messages to an Anthropic provider (the request itself is still
    // re-encoded for it).
    bool relaysAnswer() const;
    // The answer must be read event by event for the guardrails (restore placeholders, response rules).
    bool guardsStream() const;
    // A response rule with action block fired on the answer (attemptFinished: the planner already has its outcome).
    void blockAnswer(const QString &message, bool attemptFinished);
    // The text with the gateway's secrets replaced (an upstream may echo the key it was sent).
    QByteArray scrubbed(const QByteArray &text) const;
    QString scrubbed(const QString &text) const;
    // An answer's events or body naming the model the client asked for (Responses and Anthropic relayed as sent).
    QByteArray withRequestedModel(const QByteArray &json, bool event) const;
    // The JSON with its "model" (inside the member container, when given) spliced to the client's model name;
    // empty when the text has no such plain member.
    std::optional<QByteArray> splicedModel(const QByteArray &json, QByteArrayView container) const;
    // Keeps the usage of an attempt that failed and is followed by another (the provider billed it).
    void noteBilledFailure(const RouteDecision &decision);

    QPointer<HttpResponder> m_responder;
    QPointer<UpstreamCall> m_call;
    RequestRecord m_record;
    ClientRequest m_request;
    RoutePlanner m_planner;
    ProviderDirectory m_providers;
    Completion m_completion;
    BodyCapture m_responseLog;

    // The current attempt.
    std::optional<PlannedAttempt> m_attempt;
    const ProviderAdapter *m_adapter = nullptr;
    qint64 m_attemptStartNs = 0;
    qint64 m_attemptFirstByteMs = -1;
    int m_status = 0;
    HttpHeaders m_headers;
    QByteArray m_body; // a non-streamed answer or an upstream error body
    qint64 m_heldBytes = 0; // of m_body, taken from the shared budget
    Mode m_mode = Mode::Buffered;
    SseParser m_sse;
    QList<SseEvent> m_events;
    std::unique_ptr<StreamDecoder> m_decoder;
    std::unique_ptr<StreamEncoder> m_encoder;
    std::unique_ptr<GuardrailStreamFilter> m_guardFilter;
    bool m_sawDone = false; // fast path: the stream's closing [DONE] arrived
    bool m_skippedDeltas = false; // relayed stream: content deltas went to the client undecoded
    QByteArray m_heldBack; // stream bytes produced before the first content: sent once content arrives

    bool m_contentSent = false; // part of the answer reached the client: no more fallbacks
    TokenUsage m_usage;
    qint64 m_relayedChars = 0;
    QString m_lastFailure; // why the last attempt failed, for the final error
    QString m_streamError; // the provider's error event after output began: the answer is incomplete
    QString m_servedModel; // the model the provider's answer names, for pricing
    QString m_finishReason; // why the answer ended, in finishReasonName()'s words
    QStringList m_dropped; // parameters left out of the current attempt's body (drop_unsupported_params)
    bool m_done = false;

    // The answer for the AnswerSink: streams are folded into it as they are relayed.
    AnswerSink m_answerSink;
    std::unique_ptr<ResponseAssembler> m_assembler;
    std::unique_ptr<StreamDecoder> m_tapDecoder; // fast path: reads the relayed OpenAI chunks
    std::unique_ptr<OpenAiChatChunkReader> m_chunkReader; // fast path: the chunks before the first content
    std::optional<CanonicalResponse> m_answer;

    // Attempts that failed after the provider reported usage (billed) and were followed by another attempt:
    // their position in the planner's attempts and that usage.
    QList<QPair<qsizetype, TokenUsage>> m_billedFailures;
};

} // namespace sluice
