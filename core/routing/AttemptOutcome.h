#pragma once

#include <QByteArray>
#include <QString>

#include "common/HttpHeaders.h"

namespace sluice {

// How one upstream attempt ended, as the request path saw it: what RoutePlanner::finish() decides from.
struct AttemptOutcome
{
    // Mirrors UpstreamError::Kind, plus None when an HTTP answer arrived.
    enum class Transport { None, Connect, Timeout, Reset, Protocol, Cancelled };

    Transport transport = Transport::None;
    QString detail; // the transport error's message (names host and port, never secrets)
    QString timeoutPhase; // Transport::Timeout: "connect", "first byte", "idle" or "total"
    int httpStatus = 0; // the upstream's status; 0 when none arrived
    HttpHeaders headers; // the upstream's response headers (Retry-After, retry-after-ms)
    QByteArray body; // an error body, or a whole non-streamed answer; may be cut short
    bool malformedBody = false; // a 2xx whose body could not be read (invalid JSON, stream cut before any content)
    bool contentSent = false; // part of the answer already reached the client: nothing can be retried
    qint64 timeToFirstByteMs = -1; // ranks the deployment under least-latency; -1: the attempt's whole time

    static AttemptOutcome http(int status, const QByteArray &body = {}, const HttpHeaders &headers = {})
    {
        AttemptOutcome outcome;
        outcome.httpStatus = status;
        outcome.body = body;
        outcome.headers = headers;
        return outcome;
    }
    static AttemptOutcome transportFailure(Transport transport, const QString &detail = {},
                                           const QString &timeoutPhase = {})
    {
        AttemptOutcome outcome;
        outcome.transport = transport;
        outcome.detail = detail;
        outcome.timeoutPhase = timeoutPhase;
        return outcome;
    }
};

} // namespace sluice
