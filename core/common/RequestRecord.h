#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace sluice {

// Why a request did not succeed, in the words the log, the UI and the client-facing error use.
namespace ErrorClass {
inline constexpr auto None = "";
inline constexpr auto InvalidRequest = "invalid_request"; // the client sent something we cannot accept
inline constexpr auto Authentication = "authentication"; // missing or unknown gateway token
inline constexpr auto Forbidden = "forbidden"; // Host or Origin refused
inline constexpr auto NotFound = "not_found"; // unknown endpoint or model
inline constexpr auto UpstreamError = "upstream_error"; // the provider answered with an error status
inline constexpr auto UpstreamConnection = "upstream_connection"; // could not connect, or the connection broke
inline constexpr auto UpstreamTimeout = "upstream_timeout";
inline constexpr auto UpstreamProtocol = "upstream_protocol"; // the provider's answer could not be understood
inline constexpr auto ClientDisconnected = "client_disconnected"; // the client went away mid-request
inline constexpr auto Paused = "paused"; // the gateway is paused by the user
inline constexpr auto Internal = "internal";
} // namespace ErrorClass

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
    bool stream = false;
    int httpStatus = 0; // status sent to the client
    QString errorClass; // one of ErrorClass, empty on success
    QString errorMessage; // safe to show: never contains secrets
    qint64 latencyUs = 0; // from the request's arrival to its last byte sent
    qint64 timeToFirstTokenUs = -1; // streams: arrival to first content byte sent; -1 when not applicable
    qint64 inputTokens = -1; // -1: the provider did not report it
    qint64 outputTokens = -1;
    qint64 cachedTokens = -1; // input tokens read from the provider's prompt cache
    qint64 reasoningTokens = -1;
    QByteArray requestBody; // possibly truncated (see bodiesTruncated); empty when body logging is off
    QByteArray responseBody; // for streams: the relayed events, possibly truncated
    bool bodiesTruncated = false;
};

using RequestRecords = QList<RequestRecord>;

} // namespace sluice

Q_DECLARE_METATYPE(sluice::RequestRecord)
