#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace sluice {

// Why a request did not succeed, in the words the log, the UI and the client-facing error use.
namespace ErrorClass {
inline constexpr auto None = "";
inline constexpr auto InvalidRequest = "invalid_request"; // the client sent something we cannot accept
inline constexpr auto Authentication = "authentication"; // missing or unknown gateway token
inline constexpr auto Forbidden = "forbidden"; // Host or Origin refused, or a model the gateway token may not use
inline constexpr auto NotFound = "not_found"; // unknown endpoint or model
inline constexpr auto UpstreamError = "upstream_error"; // the provider answered with an error status
inline constexpr auto UpstreamConnection = "upstream_connection"; // could not connect, or the connection broke
inline constexpr auto UpstreamTimeout = "upstream_timeout";
inline constexpr auto UpstreamProtocol = "upstream_protocol"; // the provider's answer could not be understood
inline constexpr auto ClientDisconnected = "client_disconnected"; // the client went away mid-request
inline constexpr auto Paused = "paused"; // the gateway is paused by the user
inline constexpr auto ShuttingDown = "shutting_down"; // Sluice stopped before the request could finish
inline constexpr auto Internal = "internal";
inline constexpr auto RateLimited = "rate_limited"; // the gateway token's RPM or TPM limit (docs/costs.md)
inline constexpr auto BudgetExceeded = "budget_exceeded"; // a spend budget's hard limit (docs/costs.md)
inline constexpr auto GuardrailBlocked = "guardrail_blocked"; // a guardrail rule blocked it (docs/guardrails.md)
} // namespace ErrorClass

// How far a request's cost can be trusted (docs/costs.md).
namespace CostStatus {
inline constexpr auto Exact = "exact"; // from the usage the provider reported and a known price
inline constexpr auto Estimated = "estimated"; // no usage reported (cut or cancelled stream): estimated from sizes
inline constexpr auto Unpriced = "unpriced"; // no price known for the model: costUsd is -1, never 0
inline constexpr auto Free = "free"; // a provider configured as free (local models)
inline constexpr auto Cached = "cached"; // answered from Sluice's response cache: costUsd is 0, savedUsd what it saved
} // namespace CostStatus

// One try of one upstream deployment within a request, and what the router decided after it: the request's
// timeline shows why each retry and fallback happened.
struct AttemptRecord
{
    QString model; // configured model name served (differs from the requested one after a fallback)
    QString deployment; // deployment id, e.g. "openai/gpt-4.1"
    QString provider;
    QString upstreamModel;
    QString keyRef; // the key reference used, e.g. "keychain:openai-2" (never the key itself)
    qint64 startedAtMs = 0; // since the request arrived
    qint64 latencyMs = 0;
    int httpStatus = 0; // 0: no HTTP answer (not sent, connection failure, timeout)
    QString errorClass; // a routing failure class (rate_limit, server_error, ...); empty on success
    QString decision; // "done", "retry", "next", "fallback", "give_up", or "skipped" (not sent: circuit open)
    qint64 waitBeforeNextMs = 0; // backoff before the next attempt
    QString reason; // why that decision, in words a user can follow; never contains secrets
    // Usage the provider reported for this attempt although it failed and another attempt followed: billed, so
    // counted in the request's cost (docs/costs.md). -1: none reported. The last attempt's usage is the request's.
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    qint64 cachedTokens = -1;
    qint64 reasoningTokens = -1;
    qint64 cacheWriteTokens = -1;
};

// A guardrail rule that fired on a request (docs/guardrails.md): how often, on which side, and what it did.
struct GuardrailHit
{
    QString rule;
    QString action; // "block", "mask" or "log"
    QString side; // "request" or "response"
    int count = 0;
    bool operator==(const GuardrailHit &other) const = default;
};

// One logged request: built along the request's path and handed to the store once, when it ends.
struct RequestRecord
{
    QString id; // UUID without braces
    QDateTime startedAt; // UTC, millisecond precision
    QString tokenName; // the gateway token's name (never its secret)
    QString endpoint; // e.g. "/v1/chat/completions"
    QString requestedModel; // the model name the client asked for
    QString provider; // configured provider name that answered (or was tried last)
    QString upstreamModel; // the model name sent upstream
    // The model the provider's answer names (e.g. "gpt-4.1-2025-04-14" for an Azure deployment called "prod"); empty
    // when it named none or the same as upstreamModel. Pricing falls back on it when upstreamModel has no price.
    QString servedModel;
    QString finishReason; // why the answer ended ("stop", "length", "tool_calls", ...); empty: not known
    // For telemetry only (not stored): the client's W3C traceparent header, and the session its headers name.
    QByteArray traceParent;
    QString sessionId;
    bool stream = false;
    int httpStatus = 0; // status sent to the client
    QString errorClass; // one of ErrorClass, empty on success
    QString errorMessage; // safe to show: never contains secrets
    qint64 latencyUs = 0; // from the request's arrival to its last byte sent
    qint64 timeToFirstTokenUs = -1; // streams: arrival to first content byte sent; -1 when not applicable
    qint64 inputTokens = -1; // every prompt token, cached and cache-write ones included; -1: not reported
    qint64 outputTokens = -1;
    qint64 cachedTokens = -1; // input tokens read from the provider's prompt cache
    qint64 reasoningTokens = -1;
    qint64 cacheWriteTokens = -1; // input tokens written to the provider's prompt cache (Anthropic cache creation)
    QByteArray requestBody; // possibly truncated (see bodiesTruncated); empty when body logging is off
    QByteArray responseBody; // for streams: the relayed events, possibly truncated
    bool bodiesTruncated = false;
    QList<AttemptRecord> attempts; // in order; empty when no upstream was tried
    // The attempts in brief, for lists that do not load them (RequestLogReader::recent()); RequestLogWriter
    // derives both from attempts when it logs a record.
    int attemptCount = 0; // attempts sent upstream (skipped deployments not counted); -1: not recorded
    QString deployment; // the deployment whose answer the client got (the last one tried); empty: none
    double costUsd = -1; // -1 when unknown (unpriced, or not priced yet)
    QString costStatus; // one of CostStatus; empty when not priced yet
    // Sizes a cost estimate falls back on when the provider reported no usage; -1: not measured.
    qint64 requestBytes = -1; // the client's request body as received, before any truncation for the log
    qint64 relayedTextChars = -1; // generated text, reasoning and tool-call arguments relayed to the client
    bool cacheHit = false; // answered from the response cache; no upstream was called
    double savedUsd = -1; // cache hits: the cost of the cached answer's usage at today's price; -1: unknown
    // Attribution (docs/spend.md): who sent the request and what it was for, without the client doing anything.
    QString client; // the recognised client, e.g. "Claude Code", "OpenAI SDK (Python)", "curl"; empty: unknown
    QStringList tags; // from x-sluice-tags or the body's metadata.tags; trimmed, distinct, in order
    QString project; // from x-sluice-project, else the gateway token's name
    QList<GuardrailHit> guardrailHits; // empty: no guardrail rule fired
    // The registry prompt the request used (`prompt:NAME`, /v1/prompts/NAME/...); empty / 0: none (docs/prompts.md).
    QString promptName;
    int promptVersion = 0;
    // The observed prompt version (fingerprint of the system prompt and tool names) the request carried; empty: none.
    QString observedPrompt;
    // Set the first time this process sees observedPrompt: the version's JSON description (prompt_key, client,
    // system_text, tools) for the writer to keep in observed_prompt_versions.
    QByteArray observedPromptSample;
    // The comparison run that sent it (x-sluice-compare, docs/compare.md); empty: an ordinary request.
    QString compareRun;
};

using RequestRecords = QList<RequestRecord>;

} // namespace sluice

Q_DECLARE_METATYPE(sluice::RequestRecord)
