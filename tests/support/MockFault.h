#pragma once

#include <QByteArray>
#include <QString>

#include "common/Result.h"

namespace sluice::test {

// One failure the mock upstream injects instead of (or into) a normal answer. Queued with
// MockUpstream::enqueueFault(), or sent per request as the header "x-mock-fault: SPEC" or as a model name suffix
// "NAME~SPEC" (so a gateway config can point an upstream_model at a failing recording).
// SPEC is "kind[;param=value]...":
//   status;code=503[;retry-after=2][;retry-after-ms=1500]   error status with the endpoint's error envelope
//   reset                      connection reset (RST) before any response byte
//   reset-mid-stream;after=K   reset after K events (non-streamed: after half the body)
//   stall                      never answer (until the client closes)
//   slow-headers;delay=MS      answer normally after MS milliseconds
//   slow-stream;delay=MS       MS milliseconds before each event (non-streamed: before the body)
//   invalid-json[;after=K]     status 200 with a body (or event K) that is not valid JSON
//   truncate;after=K           close cleanly after K events: no [DONE], no final chunk
//   rechunk[;at=K]             a stream's body re-cut into HTTP chunks (each a read of its own for the client):
//                              the first K bytes, then the rest; without at, one byte per chunk
struct MockFault
{
    enum class Kind {
        Status,
        ResetBeforeHeaders,
        ResetMidStream,
        StallBeforeHeaders,
        SlowHeaders,
        SlowStream,
        InvalidJson,
        TruncatedStream,
        Rechunk,
    };

    Kind kind = Kind::Status;
    int status = 500; // Status
    QByteArray body; // Status: the response body; empty means the endpoint family's error envelope
    QByteArray retryAfter; // Status: Retry-After header value; empty means none
    int retryAfterMs = -1; // Status: retry-after-ms header; -1 means none
    int afterEvents = 0; // ResetMidStream, TruncatedStream, InvalidJson
    int delayMs = 0; // SlowHeaders, SlowStream
    int splitAt = 0; // Rechunk: bytes in the first chunk; 0: every byte its own chunk
    QString model; // queued faults: apply only to requests for this recording; empty means any request
    int times = 1; // queued faults: how many matching requests it applies to; -1 means until cleared

    static MockFault httpStatus(int status, const QByteArray &retryAfter = {}, int retryAfterMs = -1);
    static MockFault resetBeforeHeaders();
    static MockFault resetMidStream(int afterEvents);
    static MockFault stallBeforeHeaders();
    static MockFault slowHeaders(int delayMs);
    static MockFault slowStream(int delayMs);
    static MockFault invalidJson(int afterEvents = 0);
    static MockFault truncatedStream(int afterEvents);
    static MockFault rechunk(int splitAt = 0);

    MockFault forModel(const QString &recording) const;
    MockFault repeated(int count) const;

    static Result<MockFault> parse(const QByteArray &spec);
    QByteArray toSpec() const;
};

} // namespace sluice::test
