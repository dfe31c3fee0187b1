#include "OpenAiChatStreamDecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "api/OpenAiChatCodec.h"
#include "common/WholeNumber.h"

namespace sluice {

void OpenAiChatStreamDecoder::onEvent(const SseEvent &event)
{
    const QByteArray data = event.data.trimmed();
    if (data.isEmpty())
        return;
    if (data == "[DONE]") {
        emitFinish();
        return;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(data);
    if (!doc.isObject()) {
        emitError(502, QStringLiteral("The provider sent a stream event that is not JSON."),
                  QStringLiteral("upstream_protocol"));
        return;
    }
    const QJsonObject chunk = doc.object();
    if (chunk.value(QLatin1String("error")).isObject() || event.event == "error") {
        CanonicalError error = OpenAiChatCodec::decodeOpenAiStyleError(500, data);
        error.status = CanonicalError::statusForKind(error.kind);
        emitEvent(CanonicalEvent::failure(error));
        return;
    }
    onChunk(chunk);
}

void OpenAiChatStreamDecoder::onChunk(const QJsonObject &chunk)
{
    const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
    const QJsonValue usage = chunk.value(QLatin1String("usage"));
    // Azure's opening prompt_filter_results chunk has neither choices nor usage: nothing to say yet.
    if (choices.isEmpty() && !usage.isObject())
        return;
    if (!started()) {
        emitStart(chunk.value(QLatin1String("id")).toString(), chunk.value(QLatin1String("model")).toString(),
                  wholeNumber(chunk.value(QLatin1String("created")).toDouble()).value_or(0));
    }
    for (const QJsonValue &choiceValue : choices) {
        const QJsonObject choice = choiceValue.toObject();
        if (choice.value(QLatin1String("index")).toInt(0) != 0)
            continue;
        if (choice.value(QLatin1String("text")).isString()) { // legacy text_completion
            const QString text = choice.value(QLatin1String("text")).toString();
            if (!text.isEmpty())
                emitEvent(CanonicalEvent::textDelta(text));
        }
        const QJsonObject delta = choice.value(QLatin1String("delta")).toObject();
        for (const auto key : {QLatin1String("reasoning_content"), QLatin1String("reasoning")}) {
            const QString reasoning = delta.value(key).toString();
            if (!reasoning.isEmpty()) {
                emitEvent(CanonicalEvent::thinkingDelta(reasoning));
                break;
            }
        }
        for (const auto key : {QLatin1String("content"), QLatin1String("refusal")}) {
            const QString text = delta.value(key).toString();
            if (!text.isEmpty())
                emitEvent(CanonicalEvent::textDelta(text));
        }
        const QJsonArray calls = delta.value(QLatin1String("tool_calls")).toArray();
        for (qsizetype i = 0; i < calls.size(); ++i) {
            const QJsonObject call = calls[i].toObject();
            const int ordinal = toolOrdinal(call, i);
            const QJsonObject function = call.value(QLatin1String("function")).toObject();
            const QJsonValue arguments = function.value(QLatin1String("arguments"));
            const QString text = arguments.isObject()
                ? QString::fromUtf8(QJsonDocument(arguments.toObject()).toJson(QJsonDocument::Compact))
                : arguments.toString();
            if (!text.isEmpty())
                emitEvent(CanonicalEvent::toolArgumentsDelta(ordinal, text));
        }
        const QJsonValue finish = choice.value(QLatin1String("finish_reason"));
        if (finish.isString() && !finish.toString().isEmpty())
            m_finish = OpenAiChatCodec::finishReasonFromName(finish.toString());
    }
    if (usage.isObject())
        emitEvent(CanonicalEvent::usageEvent(TokenUsage::fromOpenAiChat(usage.toObject())));
}

int OpenAiChatStreamDecoder::toolOrdinal(const QJsonObject &call, qsizetype position)
{
    const QString id = call.value(QLatin1String("id")).toString();
    const QJsonValue indexValue = call.value(QLatin1String("index"));
    int ordinal = -1;
    if (indexValue.isDouble()) {
        ordinal = m_toolByIndex.value(indexValue.toInt(), -1);
    } else if (!id.isEmpty()) {
        ordinal = m_toolById.value(id, -1);
    } else {
        // Neither index nor id: a continuation of the latest call (or the nth of this chunk).
        ordinal = m_lastTool >= 0 ? m_lastTool : int(position);
    }
    if (ordinal < 0) {
        ordinal = m_toolCount++;
        if (indexValue.isDouble())
            m_toolByIndex.insert(indexValue.toInt(), ordinal);
        if (!id.isEmpty())
            m_toolById.insert(id, ordinal);
        const QString name = call.value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString();
        emitEvent(CanonicalEvent::toolCallStart(ordinal, id, name));
    }
    m_lastTool = ordinal;
    return ordinal;
}

void OpenAiChatStreamDecoder::onEnd()
{
    // The body ended without [DONE]: complete only if the provider already gave a finish_reason.
    if (m_finish)
        emitFinish();
}

void OpenAiChatStreamDecoder::emitFinish()
{
    FinishReason reason = m_finish.value_or(FinishReason::Stop);
    if (reason == FinishReason::Stop && m_toolCount > 0)
        reason = FinishReason::ToolCalls;
    emitEvent(CanonicalEvent::finish(reason));
}

} // namespace sluice
