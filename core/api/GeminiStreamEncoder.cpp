#include "GeminiStreamEncoder.h"

#include "api/CodecJson.h"
#include "api/GeminiCodec.h"
#include "api/SseParser.h"

namespace sluice {

GeminiStreamEncoder::GeminiStreamEncoder(StreamEncoderOptions options)
    : StreamEncoder(std::move(options))
{ }

QByteArray GeminiStreamEncoder::frame(const QByteArray &json)
{
    if (!options().jsonArray)
        return encodeSseEvent(SseEvent {{}, json});
    const QByteArray separator = m_arrayOpen ? QByteArrayLiteral(",\r\n") : QByteArrayLiteral("[");
    m_arrayOpen = true;
    return separator + json;
}

QByteArray GeminiStreamEncoder::chunk(const QJsonArray &parts, const QString &finishReason,
                                      const QString &finishMessage)
{
    QJsonObject candidate {
        {QStringLiteral("content"),
         QJsonObject {{QStringLiteral("role"), QStringLiteral("model")}, {QStringLiteral("parts"), parts}}},
        {QStringLiteral("index"), 0}};
    if (!finishReason.isEmpty())
        candidate.insert(QStringLiteral("finishReason"), finishReason);
    if (!finishMessage.isEmpty())
        candidate.insert(QStringLiteral("finishMessage"), finishMessage);
    QJsonObject object {{QStringLiteral("candidates"), QJsonArray {candidate}},
                        {QStringLiteral("modelVersion"), options().requestedModel},
                        {QStringLiteral("responseId"), m_id}};
    if (m_usage.reported())
        object.insert(QStringLiteral("usageMetadata"), GeminiCodec::usageJson(m_usage));
    return frame(codec::toJson(object));
}

QByteArray GeminiStreamEncoder::flushCalls()
{
    if (m_calls.isEmpty())
        return {};
    QJsonArray parts;
    for (const PendingCall &call : std::as_const(m_calls)) {
        QJsonObject part {
            {QStringLiteral("functionCall"),
             QJsonObject {{QStringLiteral("name"), call.name},
                          {QStringLiteral("args"), codec::argumentsObject(call.arguments).value_or(QJsonObject())}}}};
        const QString signature = GeminiCodec::signatureFromToolCallId(call.id);
        if (!signature.isEmpty())
            part.insert(QStringLiteral("thoughtSignature"), signature);
        parts.append(part);
    }
    m_calls.clear();
    return chunk(parts);
}

QByteArray GeminiStreamEncoder::onEvent(const CanonicalEvent &event)
{
    using Type = CanonicalEvent::Type;
    if (m_id.isEmpty())
        m_id = event.type == Type::Start && !event.id.isEmpty() ? event.id : codec::newId(QLatin1String("resp"));
    QByteArray out;
    if (event.type != Type::ToolCallStart && event.type != Type::ToolArgumentsDelta && event.type != Type::Usage)
        out += flushCalls();
    switch (event.type) {
    case Type::Start:
        m_usage.mergeFrom(event.usage);
        break;
    case Type::TextDelta:
        if (!event.text.isEmpty())
            out += chunk(QJsonArray {QJsonObject {{QStringLiteral("text"), event.text}}});
        break;
    case Type::ThinkingDelta:
        if (!event.redacted && !event.text.isEmpty())
            out += chunk(
                QJsonArray {QJsonObject {{QStringLiteral("text"), event.text}, {QStringLiteral("thought"), true}}});
        break;
    case Type::ToolCallStart:
        m_calls.append(PendingCall {event.index, event.toolCallId, event.toolName, {}});
        break;
    case Type::ToolArgumentsDelta:
        for (PendingCall &call : m_calls) {
            if (call.index == event.index)
                call.arguments += event.text;
        }
        break;
    case Type::Usage:
        m_usage.mergeFrom(event.usage);
        break;
    case Type::Finish:
        out += chunk(QJsonArray {QJsonObject {{QStringLiteral("text"), QString()}}},
                     GeminiCodec::finishReasonNameFor(event.finishReason), event.finishMessage);
        break;
    case Type::Error:
        out += frame(GeminiCodec().encodeError(event.error).body);
        break;
    }
    if (event.isTerminal() && options().jsonArray)
        out += QByteArrayLiteral("]");
    return out;
}

} // namespace sluice
