#include "OpenAiChatStreamEncoder.h"

#include <QJsonArray>

#include "api/CodecJson.h"
#include "api/OpenAiChatCodec.h"
#include "api/SseParser.h"

namespace sluice {

OpenAiChatStreamEncoder::OpenAiChatStreamEncoder(StreamEncoderOptions options)
    : StreamEncoder(std::move(options))
{ }

QByteArray OpenAiChatStreamEncoder::frame(const QJsonObject &object) const
{
    return encodeSseEvent(SseEvent {{}, codec::toJson(object)});
}

QByteArray OpenAiChatStreamEncoder::chunk(const QJsonObject &delta, const QJsonValue &finishReason) const
{
    QJsonObject object {
        {QStringLiteral("id"), m_id},
        {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
        {QStringLiteral("created"), m_created},
        {QStringLiteral("model"), options().requestedModel},
        {QStringLiteral("choices"),
         QJsonArray {QJsonObject {{QStringLiteral("index"), 0},
                                  {QStringLiteral("delta"), delta},
                                  {QStringLiteral("logprobs"), QJsonValue()},
                                  {QStringLiteral("finish_reason"), finishReason}}}},
    };
    if (options().includeUsage)
        object.insert(QStringLiteral("usage"), QJsonValue());
    return frame(object);
}

QByteArray OpenAiChatStreamEncoder::ensureStarted()
{
    if (m_started)
        return {};
    m_started = true;
    if (m_id.isEmpty())
        m_id = codec::newId(QLatin1String("chatcmpl-"));
    if (m_created <= 0)
        m_created = codec::nowSeconds();
    return chunk(
        QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), QString()}});
}

QByteArray OpenAiChatStreamEncoder::onEvent(const CanonicalEvent &event)
{
    using Type = CanonicalEvent::Type;
    if (event.type == Type::Start && !m_started) {
        m_id = event.id;
        m_created = event.created;
        m_usage.mergeFrom(event.usage);
    }
    if (event.type == Type::Error && !m_started) {
        // Nothing sent yet: the error alone, no empty answer before it.
        const EncodedError error = OpenAiChatCodec().encodeError(event.error);
        return encodeSseEvent(SseEvent {{}, error.body});
    }
    QByteArray out = ensureStarted();
    switch (event.type) {
    case Type::Start:
        break;
    case Type::TextDelta:
        if (!event.text.isEmpty())
            out += chunk(QJsonObject {{QStringLiteral("content"), event.text}});
        break;
    case Type::ThinkingDelta:
        if (!event.redacted && !event.text.isEmpty())
            out += chunk(QJsonObject {{QStringLiteral("reasoning_content"), event.text}});
        break;
    case Type::ToolCallStart: {
        m_tools.insert(event.index);
        const QJsonObject call {
            {QStringLiteral("index"), event.index},
            {QStringLiteral("id"), event.toolCallId},
            {QStringLiteral("type"), QStringLiteral("function")},
            {QStringLiteral("function"),
             QJsonObject {{QStringLiteral("name"), event.toolName}, {QStringLiteral("arguments"), QString()}}}};
        out += chunk(QJsonObject {{QStringLiteral("tool_calls"), QJsonArray {call}}});
        break;
    }
    case Type::ToolArgumentsDelta: {
        if (event.text.isEmpty())
            break;
        m_toolsWithArguments.insert(event.index);
        const QJsonObject call {{QStringLiteral("index"), event.index},
                                {QStringLiteral("function"), QJsonObject {{QStringLiteral("arguments"), event.text}}}};
        out += chunk(QJsonObject {{QStringLiteral("tool_calls"), QJsonArray {call}}});
        break;
    }
    case Type::Usage:
        m_usage.mergeFrom(event.usage);
        break;
    case Type::Finish: {
        // A call that got no argument text still has to parse as JSON on the client's side.
        for (const int index : std::as_const(m_tools)) {
            if (m_toolsWithArguments.contains(index))
                continue;
            const QJsonObject call {
                {QStringLiteral("index"), index},
                {QStringLiteral("function"), QJsonObject {{QStringLiteral("arguments"), QStringLiteral("{}")}}}};
            out += chunk(QJsonObject {{QStringLiteral("tool_calls"), QJsonArray {call}}});
        }
        if (event.finishReason == FinishReason::Error) {
            const QString message = event.finishMessage.isEmpty()
                ? QStringLiteral("The provider stopped generating with an error.")
                : event.finishMessage;
            out += encodeSseEvent(
                SseEvent {{}, OpenAiChatCodec().encodeError(CanonicalError::make(502, message)).body});
            break;
        }
        out += chunk(QJsonObject(), QJsonValue(finishReasonName(event.finishReason)));
        if (options().includeUsage) {
            out += frame(QJsonObject {{QStringLiteral("id"), m_id},
                                      {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                                      {QStringLiteral("created"), m_created},
                                      {QStringLiteral("model"), options().requestedModel},
                                      {QStringLiteral("choices"), QJsonArray()},
                                      {QStringLiteral("usage"), OpenAiChatCodec::usageJson(m_usage)}});
        }
        out += encodeSseEvent(SseEvent {{}, QByteArrayLiteral("[DONE]")});
        break;
    }
    case Type::Error:
        out += encodeSseEvent(SseEvent {{}, OpenAiChatCodec().encodeError(event.error).body});
        break;
    }
    return out;
}

} // namespace sluice
