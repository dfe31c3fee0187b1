#pragma once

#include <QByteArray>

#include "telemetry/OtlpSpan.h"

namespace sluice {

// An ExportTraceServiceRequest (opentelemetry-proto collector/trace/v1) holding one resource, one scope and the
// spans, in either OTLP/HTTP encoding: binary protobuf (application/x-protobuf) or the protobuf JSON mapping
// OTLP specifies (application/json: ids as lowercase hex, enums as integers, 64-bit integers as strings).
namespace OtlpEncoder {
QByteArray protobuf(const OtlpResource &resource, const OtlpSpans &spans);
QByteArray json(const OtlpResource &resource, const OtlpSpans &spans);
} // namespace OtlpEncoder

} // namespace sluice
