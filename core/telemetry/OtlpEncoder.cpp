#include "OtlpEncoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "telemetry/ProtobufWriter.h"

namespace sluice {

namespace {

// Field numbers of opentelemetry-proto (common/v1, resource/v1, trace/v1, collector/trace/v1).
namespace AnyValueField {
constexpr int String = 1, Bool = 2, Int = 3, Double = 4, Array = 5;
}
namespace KeyValueField {
constexpr int Key = 1, Value = 2;
}
namespace SpanField {
constexpr int TraceId = 1, SpanId = 2, ParentSpanId = 4, Name = 5, Kind = 6, Start = 7, End = 8, Attributes = 9,
              Status = 15, Flags = 16;
}
namespace StatusField {
constexpr int Message = 2, Code = 3;
}

ProtobufWriter anyValue(const OtlpAttribute &attribute)
{
    ProtobufWriter value;
    if (const auto *text = std::get_if<QString>(&attribute.value)) {
        value.stringField(AnyValueField::String, *text);
    } else if (const auto *flag = std::get_if<bool>(&attribute.value)) {
        value.boolField(AnyValueField::Bool, *flag);
    } else if (const auto *number = std::get_if<qint64>(&attribute.value)) {
        value.int64Field(AnyValueField::Int, *number);
    } else if (const auto *real = std::get_if<double>(&attribute.value)) {
        value.doubleField(AnyValueField::Double, *real);
    } else if (const auto *list = std::get_if<QStringList>(&attribute.value)) {
        ProtobufWriter array; // ArrayValue { repeated AnyValue values = 1; }
        for (const QString &item : *list) {
            ProtobufWriter element;
            element.stringField(AnyValueField::String, item);
            array.messageField(1, element);
        }
        value.messageField(AnyValueField::Array, array);
    }
    return value;
}

void appendAttributes(ProtobufWriter &message, int field, const OtlpAttributes &attributes)
{
    for (const OtlpAttribute &attribute : attributes) {
        ProtobufWriter keyValue;
        keyValue.stringField(KeyValueField::Key, attribute.key);
        keyValue.messageField(KeyValueField::Value, anyValue(attribute));
        message.messageField(field, keyValue);
    }
}

QJsonObject jsonValue(const OtlpAttribute &attribute)
{
    if (const auto *text = std::get_if<QString>(&attribute.value))
        return {{QStringLiteral("stringValue"), *text}};
    if (const auto *flag = std::get_if<bool>(&attribute.value))
        return {{QStringLiteral("boolValue"), *flag}};
    if (const auto *number = std::get_if<qint64>(&attribute.value))
        return {{QStringLiteral("intValue"), QString::number(*number)}};
    if (const auto *real = std::get_if<double>(&attribute.value))
        return {{QStringLiteral("doubleValue"), *real}};
    QJsonArray values;
    for (const QString &item : std::get<QStringList>(attribute.value))
        values.append(QJsonObject {{QStringLiteral("stringValue"), item}});
    return {{QStringLiteral("arrayValue"), QJsonObject {{QStringLiteral("values"), values}}}};
}

QJsonArray jsonAttributes(const OtlpAttributes &attributes)
{
    QJsonArray list;
    for (const OtlpAttribute &attribute : attributes)
        list.append(
            QJsonObject {{QStringLiteral("key"), attribute.key}, {QStringLiteral("value"), jsonValue(attribute)}});
    return list;
}

QString hex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex());
}

} // namespace

QByteArray OtlpEncoder::protobuf(const OtlpResource &resource, const OtlpSpans &spans)
{
    ProtobufWriter resourceMessage;
    appendAttributes(resourceMessage, 1, resource.attributes);

    ProtobufWriter scope;
    scope.stringField(1, resource.scopeName);
    if (!resource.scopeVersion.isEmpty())
        scope.stringField(2, resource.scopeVersion);

    ProtobufWriter scopeSpans;
    scopeSpans.messageField(1, scope);
    for (const OtlpSpan &span : spans) {
        ProtobufWriter message;
        message.bytesField(SpanField::TraceId, span.traceId);
        message.bytesField(SpanField::SpanId, span.spanId);
        if (!span.parentSpanId.isEmpty())
            message.bytesField(SpanField::ParentSpanId, span.parentSpanId);
        message.stringField(SpanField::Name, span.name);
        message.varintField(SpanField::Kind, quint64(span.kind));
        message.fixed64Field(SpanField::Start, span.startNs);
        message.fixed64Field(SpanField::End, span.endNs);
        appendAttributes(message, SpanField::Attributes, span.attributes);
        ProtobufWriter status;
        if (!span.statusMessage.isEmpty())
            status.stringField(StatusField::Message, span.statusMessage);
        if (span.status != OtlpSpan::Unset)
            status.varintField(StatusField::Code, quint64(span.status));
        message.messageField(SpanField::Status, status);
        message.fixed32Field(SpanField::Flags, span.flags);
        scopeSpans.messageField(2, message);
    }

    ProtobufWriter resourceSpans;
    resourceSpans.messageField(1, resourceMessage);
    resourceSpans.messageField(2, scopeSpans);
    ProtobufWriter request;
    request.messageField(1, resourceSpans);
    return request.bytes();
}

QByteArray OtlpEncoder::json(const OtlpResource &resource, const OtlpSpans &spans)
{
    QJsonArray spanList;
    for (const OtlpSpan &span : spans) {
        QJsonObject object {{QStringLiteral("traceId"), hex(span.traceId)},
                            {QStringLiteral("spanId"), hex(span.spanId)},
                            {QStringLiteral("name"), span.name},
                            {QStringLiteral("kind"), int(span.kind)},
                            {QStringLiteral("startTimeUnixNano"), QString::number(span.startNs)},
                            {QStringLiteral("endTimeUnixNano"), QString::number(span.endNs)},
                            {QStringLiteral("attributes"), jsonAttributes(span.attributes)},
                            {QStringLiteral("flags"), qint64(span.flags)}};
        if (!span.parentSpanId.isEmpty())
            object.insert(QStringLiteral("parentSpanId"), hex(span.parentSpanId));
        QJsonObject status;
        if (span.status != OtlpSpan::Unset)
            status.insert(QStringLiteral("code"), int(span.status));
        if (!span.statusMessage.isEmpty())
            status.insert(QStringLiteral("message"), span.statusMessage);
        object.insert(QStringLiteral("status"), status);
        spanList.append(object);
    }
    QJsonObject scope {{QStringLiteral("name"), resource.scopeName}};
    if (!resource.scopeVersion.isEmpty())
        scope.insert(QStringLiteral("version"), resource.scopeVersion);
    const QJsonObject resourceSpans {
        {QStringLiteral("resource"), QJsonObject {{QStringLiteral("attributes"), jsonAttributes(resource.attributes)}}},
        {QStringLiteral("scopeSpans"),
         QJsonArray {QJsonObject {{QStringLiteral("scope"), scope}, {QStringLiteral("spans"), spanList}}}}};
    return QJsonDocument(QJsonObject {{QStringLiteral("resourceSpans"), QJsonArray {resourceSpans}}})
        .toJson(QJsonDocument::Compact);
}

} // namespace sluice
