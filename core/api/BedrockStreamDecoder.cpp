#include "BedrockStreamDecoder.h"

#include <QJsonDocument>
#include <QJsonObject>

#include "api/BedrockConverseCodec.h"
#include "api/CodecJson.h"

namespace sluice {

void BedrockStreamDecoder::onBytes(const QByteArray &bytes)
{
    m_messages.clear();
    const Result<void> parsed = m_frames.feed(bytes, m_messages);
    for (const AwsEventStreamMessage &message : std::as_const(m_messages)) {
        if (!terminated())
            onMessage(message);
    }
    if (!parsed && !terminated()) {
        emitError(502, QStringLiteral("The provider's event stream is corrupt: %1.").arg(parsed.errorMessage()),
                  QStringLiteral("upstream_protocol"));
    }
}

void BedrockStreamDecoder::onFlush()
{
    if (m_frames.hasPartialMessage() && !terminated()) {
        emitError(502, QStringLiteral("The provider's event stream ended inside a message; the answer is incomplete."),
                  QStringLiteral("stream_truncated"));
    }
}

void BedrockStreamDecoder::onEvent(const SseEvent &)
{
    // ConverseStream is binary framed: bytes go through onBytes, never the SSE parser.
}

void BedrockStreamDecoder::onMessage(const AwsEventStreamMessage &message)
{
    const QByteArray messageType = message.header(QByteArrayLiteral(":message-type"));
    const QJsonObject data = QJsonDocument::fromJson(message.payload).object();
    if (messageType == "exception" || messageType == "error") {
        const QString name
            = QString::fromUtf8(messageType == "error" ? message.header(QByteArrayLiteral(":error-code"))
                                                       : message.header(QByteArrayLiteral(":exception-type")));
        CanonicalError error;
        error.kind = BedrockConverseCodec::kindForException(name, 500);
        error.status = CanonicalError::statusForKind(error.kind);
        error.message = data.value(QLatin1String("message")).toString();
        if (error.message.isEmpty())
            error.message = QString::fromUtf8(message.header(QByteArrayLiteral(":error-message")));
        if (error.message.isEmpty())
            error.message = QStringLiteral("Bedrock reported %1 in its stream.").arg(name);
        error.code = name;
        emitEvent(CanonicalEvent::failure(error));
        return;
    }
    if (message.payload.size() > 0 && data.isEmpty() && !QJsonDocument::fromJson(message.payload).isObject()) {
        emitError(502, QStringLiteral("The provider sent a stream event that is not JSON."),
                  QStringLiteral("upstream_protocol"));
        return;
    }
    const QByteArray type = message.header(QByteArrayLiteral(":event-type"));
    if (type == "messageStart") {
        emitStart({}, model(), 0);
    } else if (type == "contentBlockStart") {
        const int index = data.value(QLatin1String("contentBlockIndex")).toInt();
        const QJsonObject start = data.value(QLatin1String("start")).toObject();
        if (start.contains(QLatin1String("toolUse"))) {
            const QJsonObject use = start.value(QLatin1String("toolUse")).toObject();
            Block block;
            block.tool = m_toolCount++;
            m_blocks.insert(index, block);
            emitEvent(CanonicalEvent::toolCallStart(block.tool, use.value(QLatin1String("toolUseId")).toString(),
                                                    use.value(QLatin1String("name")).toString()));
        }
    } else if (type == "contentBlockDelta") {
        const int index = data.value(QLatin1String("contentBlockIndex")).toInt();
        const QJsonObject delta = data.value(QLatin1String("delta")).toObject();
        if (delta.contains(QLatin1String("text"))) {
            const QString text = delta.value(QLatin1String("text")).toString();
            if (!text.isEmpty())
                emitEvent(CanonicalEvent::textDelta(text));
        } else if (delta.contains(QLatin1String("toolUse"))) {
            auto block = m_blocks.find(index);
            const QString json
                = delta.value(QLatin1String("toolUse")).toObject().value(QLatin1String("input")).toString();
            if (block != m_blocks.end() && block->tool >= 0 && !json.isEmpty()) {
                block->gotArguments = true;
                emitEvent(CanonicalEvent::toolArgumentsDelta(block->tool, json));
            }
        } else if (delta.contains(QLatin1String("reasoningContent"))) {
            const QJsonObject reasoning = delta.value(QLatin1String("reasoningContent")).toObject();
            if (reasoning.contains(QLatin1String("redactedContent"))) {
                CanonicalEvent redacted
                    = CanonicalEvent::thinkingDelta(reasoning.value(QLatin1String("redactedContent")).toString());
                redacted.redacted = true;
                emitEvent(redacted);
            } else {
                const QString text = reasoning.value(QLatin1String("text")).toString();
                const QString signature = reasoning.value(QLatin1String("signature")).toString();
                if (!text.isEmpty() || !signature.isEmpty())
                    emitEvent(CanonicalEvent::thinkingDelta(text, signature));
            }
        }
    } else if (type == "contentBlockStop") {
        const Block block = m_blocks.value(data.value(QLatin1String("contentBlockIndex")).toInt());
        // A tool called without arguments streams none; its arguments are still a JSON object.
        if (block.tool >= 0 && !block.gotArguments)
            emitEvent(CanonicalEvent::toolArgumentsDelta(block.tool, QStringLiteral("{}")));
    } else if (type == "messageStop") {
        m_stopReason = data.value(QLatin1String("stopReason")).toString();
        m_finish = BedrockConverseCodec::finishReasonFromStopReason(m_stopReason);
        if (m_gotMetadata)
            onEnd();
    } else if (type == "metadata") {
        m_gotMetadata = true;
        const TokenUsage usage = BedrockConverseCodec::usageFromConverse(data.value(QLatin1String("usage")).toObject());
        if (usage.reported())
            emitEvent(CanonicalEvent::usageEvent(usage));
        if (m_finish)
            onEnd();
    } else {
        qCDebug(lcApi) << "Bedrock stream: event" << type << "has no canonical form; skipped";
    }
}

void BedrockStreamDecoder::onEnd()
{
    if (!m_finish)
        return;
    CanonicalEvent finish = CanonicalEvent::finish(*m_finish);
    if (*m_finish == FinishReason::ContentFilter)
        finish.finishMessage = QStringLiteral("Bedrock stopped the answer: %1").arg(m_stopReason);
    emitEvent(finish);
}

} // namespace sluice
