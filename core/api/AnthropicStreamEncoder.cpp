#include "AnthropicStreamEncoder.h"

#include "api/AnthropicMessagesCodec.h"
#include "api/CodecJson.h"
#include "api/JsonWriter.h"

namespace sluice {

namespace {

void simpleEvent(JsonWriter &out, const char *type)
{
    out.beginSseEvent(type);
    out.raw("{\"type\":\"");
    out.raw(type);
    out.raw("\"}");
    out.endSseEvent();
}

} // namespace

AnthropicStreamEncoder::AnthropicStreamEncoder(StreamEncoderOptions options)
    : StreamEncoder(std::move(options))
{ }

void AnthropicStreamEncoder::ensureStarted(JsonWriter &out)
{
    if (m_started)
        return;
    m_started = true;
    if (m_id.isEmpty())
        m_id = codec::newId(QLatin1String("msg_"));
    else if (!m_id.startsWith(QLatin1String("msg_")))
        m_id = QStringLiteral("msg_") + AnthropicMessagesCodec::toolId(m_id);
    out.beginSseEvent("message_start");
    out.raw("{\"message\":{\"content\":[],\"id\":");
    out.string(m_id);
    out.raw(",\"model\":");
    out.string(options().requestedModel);
    out.raw(",\"role\":\"assistant\",\"stop_reason\":null,\"stop_sequence\":null,\"type\":\"message\",\"usage\":");
    AnthropicMessagesCodec::writeUsage(out, m_usage);
    out.raw("},\"type\":\"message_start\"}");
    out.endSseEvent();
    simpleEvent(out, "ping");
}

void AnthropicStreamEncoder::beginBlock(JsonWriter &out, Block block, int tool)
{
    closeBlock(out);
    m_open = block;
    m_openTool = tool;
    out.beginSseEvent("content_block_start");
    out.raw("{\"content_block\":");
}

void AnthropicStreamEncoder::endBlock(JsonWriter &out) const
{
    out.raw(",\"index\":");
    out.number(m_nextIndex);
    out.raw(",\"type\":\"content_block_start\"}");
    out.endSseEvent();
}

void AnthropicStreamEncoder::closeBlock(JsonWriter &out)
{
    if (m_open == Block::None)
        return;
    m_open = Block::None;
    m_openTool = -1;
    out.beginSseEvent("content_block_stop");
    out.raw("{\"index\":");
    out.number(m_nextIndex++);
    out.raw(",\"type\":\"content_block_stop\"}");
    out.endSseEvent();
}

void AnthropicStreamEncoder::delta(JsonWriter &out, Delta kind, const QString &text) const
{
    out.beginSseEvent("content_block_delta");
    switch (kind) {
    case Delta::Text:
        out.raw("{\"delta\":{\"text\":");
        out.string(text);
        out.raw(",\"type\":\"text_delta\"}");
        break;
    case Delta::Thinking:
        out.raw("{\"delta\":{\"thinking\":");
        out.string(text);
        out.raw(",\"type\":\"thinking_delta\"}");
        break;
    case Delta::Signature:
        out.raw("{\"delta\":{\"signature\":");
        out.string(text);
        out.raw(",\"type\":\"signature_delta\"}");
        break;
    case Delta::InputJson:
        out.raw("{\"delta\":{\"partial_json\":");
        out.string(text);
        out.raw(",\"type\":\"input_json_delta\"}");
        break;
    }
    out.raw(",\"index\":");
    out.number(m_nextIndex);
    out.raw(",\"type\":\"content_block_delta\"}");
    out.endSseEvent();
}

void AnthropicStreamEncoder::errorEvent(JsonWriter &out, const CanonicalError &error) const
{
    out.beginSseEvent("error");
    out.raw("{\"error\":{\"message\":");
    out.string(error.message);
    out.raw(",\"type\":");
    out.string(QString::fromLatin1(AnthropicMessagesCodec::errorType(error.kind)));
    out.raw("},\"type\":\"error\"}");
    out.endSseEvent();
}

QByteArray AnthropicStreamEncoder::onEvent(const CanonicalEvent &event)
{
    QByteArray bytes;
    {
        JsonWriter out(bytes);
        write(out, event);
    } // the writer leaves `bytes` holding exactly what was written
    return bytes;
}

void AnthropicStreamEncoder::write(JsonWriter &out, const CanonicalEvent &event)
{
    using Type = CanonicalEvent::Type;
    if (event.type == Type::Start && !m_started) {
        m_id = event.id;
        m_usage.mergeFrom(event.usage);
    }
    if (event.type == Type::Error && !m_started) {
        errorEvent(out, event.error);
        return;
    }
    ensureStarted(out);
    switch (event.type) {
    case Type::Start:
        break;
    case Type::TextDelta:
        if (event.text.isEmpty())
            break;
        if (m_open != Block::Text) {
            beginBlock(out, Block::Text);
            out.raw("{\"text\":\"\",\"type\":\"text\"}");
            endBlock(out);
        }
        delta(out, Delta::Text, event.text);
        break;
    case Type::ThinkingDelta:
        if (event.redacted) {
            beginBlock(out, Block::Thinking);
            out.raw("{\"data\":");
            out.string(event.text);
            out.raw(",\"type\":\"redacted_thinking\"}");
            endBlock(out);
            closeBlock(out);
            break;
        }
        if (m_open != Block::Thinking) {
            beginBlock(out, Block::Thinking);
            out.raw("{\"signature\":\"\",\"thinking\":\"\",\"type\":\"thinking\"}");
            endBlock(out);
        }
        if (!event.text.isEmpty())
            delta(out, Delta::Thinking, event.text);
        if (!event.signature.isEmpty())
            delta(out, Delta::Signature, event.signature);
        break;
    case Type::ToolCallStart:
        beginBlock(out, Block::Tool, event.index);
        out.raw("{\"id\":");
        out.string(AnthropicMessagesCodec::toolId(event.toolCallId));
        out.raw(",\"input\":{},\"name\":");
        out.string(event.toolName);
        out.raw(",\"type\":\"tool_use\"}");
        endBlock(out);
        break;
    case Type::ToolArgumentsDelta:
        if (m_open != Block::Tool || m_openTool != event.index) {
            // Anthropic blocks cannot be reopened; providers stream one call's arguments before the next call.
            qCWarning(lcApi) << "Anthropic stream: arguments for tool call" << event.index
                             << "arrived after its block closed; they cannot be delivered";
            break;
        }
        if (!event.text.isEmpty())
            delta(out, Delta::InputJson, event.text);
        break;
    case Type::Usage:
        m_usage.mergeFrom(event.usage);
        break;
    case Type::Finish: {
        closeBlock(out);
        if (event.finishReason == FinishReason::Error) {
            const QString message = event.finishMessage.isEmpty()
                ? QStringLiteral("The provider stopped generating with an error.")
                : event.finishMessage;
            errorEvent(out, CanonicalError::make(502, message));
            break;
        }
        out.beginSseEvent("message_delta");
        out.raw("{\"delta\":{");
        if (event.finishReason == FinishReason::ContentFilter && !event.finishMessage.isEmpty()) {
            out.raw("\"stop_details\":{\"explanation\":");
            out.string(event.finishMessage);
            out.raw(",\"type\":\"refusal\"},");
        }
        out.raw("\"stop_reason\":");
        out.string(AnthropicMessagesCodec::stopReasonFor(event.finishReason, event.stopSequence));
        out.raw(",\"stop_sequence\":");
        if (event.stopSequence.isEmpty())
            out.raw("null");
        else
            out.string(event.stopSequence);
        out.raw("},\"type\":\"message_delta\",\"usage\":");
        AnthropicMessagesCodec::writeUsage(out, m_usage);
        out.raw("}");
        out.endSseEvent();
        simpleEvent(out, "message_stop");
        break;
    }
    case Type::Error:
        closeBlock(out);
        errorEvent(out, event.error);
        break;
    }
}

} // namespace sluice
