#pragma once

#include <optional>

#include <QByteArray>

namespace sluice {

// W3C Trace Context: the traceparent header a caller sends, and the ids of spans Sluice starts.
struct TraceContext
{
    QByteArray traceId; // 16 bytes, not all zero
    QByteArray parentSpanId; // 8 bytes, not all zero
    bool sampled = false;

    // "00-<32 hex>-<16 hex>-<2 hex>" (version 00, or a later version's first four fields); nullopt when malformed,
    // so a bad header starts a new trace instead of failing the request.
    static std::optional<TraceContext> parse(const QByteArray &traceparent);
    static QByteArray newTraceId();
    static QByteArray newSpanId();
    // The TraceIdRatioBased decision: the trace id's last 8 bytes against ratio * 2^64, the same for every span of
    // a trace and every gateway.
    static bool sampledByRatio(const QByteArray &traceId, double ratio);
};

} // namespace sluice
