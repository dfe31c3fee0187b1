#pragma once

#include <variant>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace sluice {

// One attribute of a span or resource: OTLP's AnyValue, limited to the kinds Sluice writes.
struct OtlpAttribute
{
    QString key;
    std::variant<QString, bool, qint64, double, QStringList> value;
};
using OtlpAttributes = QList<OtlpAttribute>;

// One finished span, as the OTLP trace data model has it (opentelemetry-proto trace/v1 Span).
struct OtlpSpan
{
    enum Kind { Internal = 1, Server = 2, Client = 3 }; // SpanKind's numbers
    enum StatusCode { Unset = 0, Ok = 1, Error = 2 };

    QByteArray traceId; // 16 bytes
    QByteArray spanId; // 8 bytes
    QByteArray parentSpanId; // 8 bytes, or empty for a root span
    QString name;
    Kind kind = Internal;
    quint64 startNs = 0; // Unix epoch nanoseconds
    quint64 endNs = 0;
    OtlpAttributes attributes;
    StatusCode status = Unset;
    QString statusMessage;
    quint32 flags = 0x101; // W3C trace flags (sampled) | "parent is remote" known (bit 8)
};
using OtlpSpans = QList<OtlpSpan>;

// Who produced the spans: the OTLP Resource and InstrumentationScope.
struct OtlpResource
{
    OtlpAttributes attributes; // service.name, service.version, ...
    QString scopeName = QStringLiteral("sluice");
    QString scopeVersion;
};

} // namespace sluice
