#include "GeminiStreamDecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "api/GeminiCodec.h"

namespace sluice {

void GeminiStreamDecoder::onEvent(const SseEvent &event)
{
    const QJsonDocument doc = QJsonDocument::fromJson(event.data);
    const QJsonObject chunk = doc.isArray() ? doc.array().first().toObject() : doc.object();
    if (chunk.isEmpty()) {
        emitError(502, QStringLiteral("The provider sent a stream event that is not JSON."),
                  QStringLiteral("upstream_protocol"));
        return;
    }
    if (chunk.value(QLatin1String("error")).isObject()) {
        const int status = chunk.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(500);
        emitEvent(CanonicalEvent::failure(GeminiCodec().decodeError(status, event.data)));
        return;
    }
    const TokenUsage usage = TokenUsage::fromGemini(chunk.value(QLatin1String("usageMetadata")).toObject());
    if (!started()) {
        emitStart(chunk.value(QLatin1String("responseId")).toString(),
                  chunk.value(QLatin1String("modelVersion")).toString(), 0, usage);
    }
    const QJsonArray candidates = chunk.value(QLatin1String("candidates")).toArray();
    if (!candidates.isEmpty()) {
        const QJsonObject candidate = candidates.first().toObject();
        const QJsonArray parts
            = candidate.value(QLatin1String("content")).toObject().value(QLatin1String("parts")).toArray();
        for (const QJsonValue &value : parts) {
            if (takePartialCall(value.toObject()))
                continue;
            const ContentPart part = GeminiCodec::partFromJson(value.toObject());
            switch (part.kind) {
            case ContentPart::Kind::Text:
                if (!part.text.isEmpty())
                    emitEvent(CanonicalEvent::textDelta(part.text));
                break;
            case ContentPart::Kind::Thinking:
                if (!part.text.isEmpty() || !part.signature.isEmpty())
                    emitEvent(CanonicalEvent::thinkingDelta(part.text, part.signature));
                break;
            case ContentPart::Kind::ToolCall: {
                const int index = m_toolCount++;
                emitEvent(CanonicalEvent::toolCallStart(index, part.toolCallId, part.toolName));
                emitEvent(CanonicalEvent::toolArgumentsDelta(index, part.arguments));
                break;
            }
            default:
                break;
            }
        }
        const QString finish = candidate.value(QLatin1String("finishReason")).toString();
        if (!finish.isEmpty()) {
            m_finish = GeminiCodec::finishReasonFromName(finish);
            m_finishMessage = candidate.value(QLatin1String("finishMessage")).toString();
            if (m_finish == FinishReason::ContentFilter && m_finishMessage.isEmpty())
                m_finishMessage = QStringLiteral("Gemini stopped the answer (%1).").arg(finish);
        }
    }
    const QString blocked
        = chunk.value(QLatin1String("promptFeedback")).toObject().value(QLatin1String("blockReason")).toString();
    if (!blocked.isEmpty()) {
        m_finish = FinishReason::ContentFilter;
        m_finishMessage = QStringLiteral("Gemini blocked the prompt (%1).").arg(blocked);
    }
    if (usage.reported())
        emitEvent(CanonicalEvent::usageEvent(usage));
}

bool GeminiStreamDecoder::takePartialCall(const QJsonObject &part)
{
    const QJsonObject call = part.value(QLatin1String("functionCall")).toObject();
    const bool streamed
        = call.contains(QLatin1String("partialArgs")) || call.value(QLatin1String("willContinue")).toBool();
    if (!part.contains(QLatin1String("functionCall")) || (!streamed && !m_partial))
        return false;
    if (!streamed && !call.value(QLatin1String("name")).toString().isEmpty()) {
        flushPartialCall(); // a whole new call follows a streamed one
        return false;
    }
    if (!m_partial) {
        // The first piece names the call (and carries its id and thought signature).
        QJsonObject head = part;
        QJsonObject named = call;
        named.remove(QLatin1String("partialArgs"));
        named.remove(QLatin1String("willContinue"));
        named.remove(QLatin1String("args"));
        head.insert(QStringLiteral("functionCall"), named);
        const ContentPart start = GeminiCodec::partFromJson(head);
        m_partial = PartialCall {m_toolCount++, {}};
        emitEvent(CanonicalEvent::toolCallStart(m_partial->index, start.toolCallId, start.toolName));
    }
    if (!m_partial->arguments.apply(call.value(QLatin1String("partialArgs")).toArray())) {
        emitError(502,
                  QStringLiteral("The provider streamed a function call's arguments with a JSON path Sluice "
                                 "cannot read."),
                  QStringLiteral("upstream_protocol"));
        return true;
    }
    if (!call.value(QLatin1String("willContinue")).toBool())
        flushPartialCall();
    return true;
}

void GeminiStreamDecoder::flushPartialCall()
{
    if (!m_partial)
        return;
    const QJsonObject arguments = m_partial->arguments.arguments();
    emitEvent(CanonicalEvent::toolArgumentsDelta(
        m_partial->index, QString::fromUtf8(QJsonDocument(arguments).toJson(QJsonDocument::Compact))));
    m_partial.reset();
}

void GeminiStreamDecoder::onEnd()
{
    flushPartialCall();
    if (!m_finish)
        return;
    FinishReason reason = *m_finish;
    if (reason == FinishReason::Stop && m_toolCount > 0)
        reason = FinishReason::ToolCalls;
    CanonicalEvent finish = CanonicalEvent::finish(reason);
    finish.finishMessage = m_finishMessage;
    emitEvent(finish);
}

} // namespace sluice
