#include "AnthropicStreamEncoder.h"

#include <QJsonArray>

#include "api/AnthropicMessagesCodec.h"
#include "api/CodecJson.h"
#include "api/SseParser.h"

namespace sluice {

AnthropicStreamEncoder::AnthropicStreamEncoder(StreamEncoderOptions options)
    : StreamEncoder(std::move(options))
{ }

QByteArray AnthropicStreamEncoder::send(const char *type, QJsonObject data) const
{
    data.insert(QStringLiteral("type"), QLatin1String(type));
    return encodeSseEvent(SseEvent {QByteArray(type), codec::toJson(data)});
}

QByteArray AnthropicStreamEncoder::ensureStarted()
{
    if (m_started)
        return {};
    m_started = true;
    if (m_id.isEmpty())
        m_id = codec::newId(QLatin1String("msg_"));
    else if (!m_id.startsWith(QLatin1String("msg_")))
        m_id = QStringLiteral("msg_") + AnthropicMessagesCodec::toolId(m_id);
    QJsonObject usage = AnthropicMessagesCodec::usageJson(m_usage);
    usage.insert(QStringLiteral("output_tokens"), qMax<qint64>(0, m_usage.output));
    const QJsonObject message {{QStringLiteral("id"), m_id},
                               {QStringLiteral("type"), QStringLiteral("message")},
                               {QStringLiteral("role"), QStringLiteral("assistant")},
                               {QStringLiteral("model"), options().requestedModel},
                               {QStringLiteral("content"), QJsonArray()},
                               {QStringLiteral("stop_reason"), QJsonValue()},
                               {QStringLiteral("stop_sequence"), QJsonValue()},
                               {QStringLiteral("usage"), usage}};
    return send("message_start", QJsonObject {{QStringLiteral("message"), message}}) + send("ping", QJsonObject());
}

QByteArray AnthropicStreamEncoder::openBlock(Block block, const QJsonObject &contentBlock, int tool)
{
    QByteArray out = closeBlock();
    m_open = block;
    m_openTool = tool;
    out += send("content_block_start",
                QJsonObject {{QStringLiteral("index"), m_nextIndex}, {QStringLiteral("content_block"), contentBlock}});
    return out;
}

QByteArray AnthropicStreamEncoder::closeBlock()
{
    if (m_open == Block::None)
        return {};
    m_open = Block::None;
    m_openTool = -1;
    return send("content_block_stop", QJsonObject {{QStringLiteral("index"), m_nextIndex++}});
}

QByteArray AnthropicStreamEncoder::errorEvent(const CanonicalError &error) const
{
    return send("error",
                QJsonObject {{QStringLiteral("error"),
                              QJsonObject {{QStringLiteral("type"),
                                            QString::fromLatin1(AnthropicMessagesCodec::errorType(error.kind))},
                                           {QStringLiteral("message"), error.message}}}});
}

QByteArray AnthropicStreamEncoder::onEvent(const CanonicalEvent &event)
{
    using Type = CanonicalEvent::Type;
    if (event.type == Type::Start && !m_started) {
        m_id = event.id;
        m_usage.mergeFrom(event.usage);
    }
    if (event.type == Type::Error && !m_started)
        return errorEvent(event.error);
    QByteArray out = ensureStarted();
    const auto delta = [this](const QJsonObject &body) {
        return send("content_block_delta",
                    QJsonObject {{QStringLiteral("index"), m_nextIndex}, {QStringLiteral("delta"), body}});
    };
    switch (event.type) {
    case Type::Start:
        break;
    case Type::TextDelta:
        if (event.text.isEmpty())
            break;
        if (m_open != Block::Text) {
            out += openBlock(
                Block::Text,
                QJsonObject {{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), QString()}});
        }
        out += delta(
            QJsonObject {{QStringLiteral("type"), QStringLiteral("text_delta")}, {QStringLiteral("text"), event.text}});
        break;
    case Type::ThinkingDelta:
        if (event.redacted) {
            out += openBlock(Block::Thinking,
                             QJsonObject {{QStringLiteral("type"), QStringLiteral("redacted_thinking")},
                                          {QStringLiteral("data"), event.text}});
            out += closeBlock();
            break;
        }
        if (m_open != Block::Thinking) {
            out += openBlock(Block::Thinking,
                             QJsonObject {{QStringLiteral("type"), QStringLiteral("thinking")},
                                          {QStringLiteral("thinking"), QString()},
                                          {QStringLiteral("signature"), QString()}});
        }
        if (!event.text.isEmpty()) {
            out += delta(QJsonObject {{QStringLiteral("type"), QStringLiteral("thinking_delta")},
                                      {QStringLiteral("thinking"), event.text}});
        }
        if (!event.signature.isEmpty()) {
            out += delta(QJsonObject {{QStringLiteral("type"), QStringLiteral("signature_delta")},
                                      {QStringLiteral("signature"), event.signature}});
        }
        break;
    case Type::ToolCallStart:
        out += openBlock(Block::Tool,
                         QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_use")},
                                      {QStringLiteral("id"), AnthropicMessagesCodec::toolId(event.toolCallId)},
                                      {QStringLiteral("name"), event.toolName},
                                      {QStringLiteral("input"), QJsonObject()}},
                         event.index);
        break;
    case Type::ToolArgumentsDelta:
        if (m_open != Block::Tool || m_openTool != event.index) {
            // Anthropic blocks cannot be reopened; providers stream one call's arguments before the next call.
            qCWarning(lcApi) << "Anthropic stream: arguments for tool call" << event.index
                             << "arrived after its block closed; they cannot be delivered";
            break;
        }
        if (!event.text.isEmpty()) {
            out += delta(QJsonObject {{QStringLiteral("type"), QStringLiteral("input_json_delta")},
                                      {QStringLiteral("partial_json"), event.text}});
        }
        break;
    case Type::Usage:
        m_usage.mergeFrom(event.usage);
        break;
    case Type::Finish: {
        out += closeBlock();
        if (event.finishReason == FinishReason::Error) {
            const QString message = event.finishMessage.isEmpty()
                ? QStringLiteral("The provider stopped generating with an error.")
                : event.finishMessage;
            out += errorEvent(CanonicalError::make(502, message));
            break;
        }
        QJsonObject messageDelta {{QStringLiteral("stop_reason"),
                                   AnthropicMessagesCodec::stopReasonFor(event.finishReason, event.stopSequence)},
                                  {QStringLiteral("stop_sequence"),
                                   event.stopSequence.isEmpty() ? QJsonValue() : QJsonValue(event.stopSequence)}};
        if (event.finishReason == FinishReason::ContentFilter && !event.finishMessage.isEmpty()) {
            messageDelta.insert(QStringLiteral("stop_details"),
                                QJsonObject {{QStringLiteral("type"), QStringLiteral("refusal")},
                                             {QStringLiteral("explanation"), event.finishMessage}});
        }
        out += send("message_delta",
                    QJsonObject {{QStringLiteral("delta"), messageDelta},
                                 {QStringLiteral("usage"), AnthropicMessagesCodec::usageJson(m_usage)}});
        out += send("message_stop", QJsonObject());
        break;
    }
    case Type::Error:
        out += closeBlock();
        out += errorEvent(event.error);
        break;
    }
    return out;
}

} // namespace sluice
