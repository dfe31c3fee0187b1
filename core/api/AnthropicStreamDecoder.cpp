#include "AnthropicStreamDecoder.h"

#include <QJsonDocument>
#include <QJsonObject>

#include "api/AnthropicMessagesCodec.h"
#include "api/CodecJson.h"

namespace sluice {

void AnthropicStreamDecoder::onEvent(const SseEvent &event)
{
    const QJsonDocument doc = QJsonDocument::fromJson(event.data);
    if (!doc.isObject()) {
        emitError(502, QStringLiteral("The provider sent a stream event that is not JSON."),
                  QStringLiteral("upstream_protocol"));
        return;
    }
    const QJsonObject data = doc.object();
    const QString type = data.value(QLatin1String("type")).toString(QString::fromUtf8(event.event));

    if (type == QLatin1String("message_start")) {
        const QJsonObject message = data.value(QLatin1String("message")).toObject();
        const TokenUsage usage = TokenUsage::fromAnthropic(message.value(QLatin1String("usage")).toObject());
        emitStart(message.value(QLatin1String("id")).toString(), message.value(QLatin1String("model")).toString(), 0,
                  usage);
        if (usage.reported())
            emitEvent(CanonicalEvent::usageEvent(usage));
    } else if (type == QLatin1String("content_block_start")) {
        const int index = data.value(QLatin1String("index")).toInt();
        const QJsonObject block = data.value(QLatin1String("content_block")).toObject();
        Block state {block.value(QLatin1String("type")).toString()};
        if (state.type == QLatin1String("text")) {
            const QString text = block.value(QLatin1String("text")).toString();
            if (!text.isEmpty())
                emitEvent(CanonicalEvent::textDelta(text));
        } else if (state.type == QLatin1String("thinking")) {
            const QString text = block.value(QLatin1String("thinking")).toString();
            const QString signature = block.value(QLatin1String("signature")).toString();
            if (!text.isEmpty() || !signature.isEmpty())
                emitEvent(CanonicalEvent::thinkingDelta(text, signature));
        } else if (state.type == QLatin1String("redacted_thinking")) {
            CanonicalEvent redacted = CanonicalEvent::thinkingDelta(block.value(QLatin1String("data")).toString());
            redacted.redacted = true;
            emitEvent(redacted);
        } else if (state.type == QLatin1String("tool_use")) {
            state.tool = m_toolCount++;
            emitEvent(CanonicalEvent::toolCallStart(state.tool, block.value(QLatin1String("id")).toString(),
                                                    block.value(QLatin1String("name")).toString()));
            const QJsonObject input = block.value(QLatin1String("input")).toObject();
            if (!input.isEmpty()) {
                emitEvent(CanonicalEvent::toolArgumentsDelta(state.tool, QString::fromUtf8(codec::toJson(input))));
                state.gotArguments = true;
            }
        } else {
            qCDebug(lcApi) << "Anthropic stream: content block" << state.type << "has no canonical form; skipped";
        }
        m_blocks.insert(index, state);
    } else if (type == QLatin1String("content_block_delta")) {
        const int index = data.value(QLatin1String("index")).toInt();
        const QJsonObject delta = data.value(QLatin1String("delta")).toObject();
        const QString deltaType = delta.value(QLatin1String("type")).toString();
        if (deltaType == QLatin1String("text_delta")) {
            const QString text = delta.value(QLatin1String("text")).toString();
            if (!text.isEmpty())
                emitEvent(CanonicalEvent::textDelta(text));
        } else if (deltaType == QLatin1String("thinking_delta")) {
            const QString text = delta.value(QLatin1String("thinking")).toString();
            if (!text.isEmpty())
                emitEvent(CanonicalEvent::thinkingDelta(text));
        } else if (deltaType == QLatin1String("signature_delta")) {
            emitEvent(CanonicalEvent::thinkingDelta({}, delta.value(QLatin1String("signature")).toString()));
        } else if (deltaType == QLatin1String("input_json_delta")) {
            auto block = m_blocks.find(index);
            const QString json = delta.value(QLatin1String("partial_json")).toString();
            if (block != m_blocks.end() && block->tool >= 0 && !json.isEmpty()) {
                block->gotArguments = true;
                emitEvent(CanonicalEvent::toolArgumentsDelta(block->tool, json));
            }
        }
    } else if (type == QLatin1String("content_block_stop")) {
        const Block block = m_blocks.value(data.value(QLatin1String("index")).toInt());
        // A tool called without arguments streams none; its arguments are still a JSON object.
        if (block.tool >= 0 && !block.gotArguments)
            emitEvent(CanonicalEvent::toolArgumentsDelta(block.tool, QStringLiteral("{}")));
    } else if (type == QLatin1String("message_delta")) {
        const QJsonObject delta = data.value(QLatin1String("delta")).toObject();
        const QString stopReason = delta.value(QLatin1String("stop_reason")).toString();
        if (!stopReason.isEmpty()) {
            m_finish = AnthropicMessagesCodec::finishReasonFromStopReason(stopReason);
            m_stopSequence = delta.value(QLatin1String("stop_sequence")).toString();
            m_finishMessage
                = delta.value(QLatin1String("stop_details")).toObject().value(QLatin1String("explanation")).toString();
        }
        const QJsonObject usage = data.value(QLatin1String("usage")).toObject();
        if (!usage.isEmpty()) {
            TokenUsage update = TokenUsage::fromAnthropic(usage);
            if (update.input < 0) {
                // message_delta often reports output only; the input stays what message_start said.
                update.cached = -1;
                update.cacheWrite = -1;
            }
            emitEvent(CanonicalEvent::usageEvent(update));
        }
    } else if (type == QLatin1String("message_stop")) {
        onEnd();
        if (!terminated())
            emitEvent(CanonicalEvent::finish(FinishReason::Stop));
    } else if (type == QLatin1String("error")) {
        const QJsonObject error = data.value(QLatin1String("error")).toObject();
        const QString errorType = error.value(QLatin1String("type")).toString();
        CanonicalError out;
        out.kind = AnthropicMessagesCodec::kindForErrorType(errorType, 500);
        out.status = errorType == QLatin1String("overloaded_error") ? 529 : CanonicalError::statusForKind(out.kind);
        out.message = error.value(QLatin1String("message")).toString();
        out.code = errorType;
        emitEvent(CanonicalEvent::failure(out));
    }
    // ping and unknown event types carry nothing.
}

void AnthropicStreamDecoder::onEnd()
{
    if (!m_finish)
        return;
    CanonicalEvent finish = CanonicalEvent::finish(*m_finish);
    finish.stopSequence = m_stopSequence;
    finish.finishMessage = m_finishMessage;
    emitEvent(finish);
}

} // namespace sluice
