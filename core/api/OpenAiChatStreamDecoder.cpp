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
    if (m_fastReader && event.event != "error") {
        if (const std::optional<OpenAiChatChunkReader::Chunk> chunk = m_reader.read(data)) {
            ++m_fastChunks;
            onChunk(*chunk);
            return;
        }
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

void OpenAiChatStreamDecoder::onChunk(const OpenAiChatChunkReader::Chunk &chunk)
{
    // The same steps as the QJsonObject reading above (the reader never gives a chunk with a usage object).
    if (!chunk.hasChoices)
        return;
    if (!started()) {
        emitStart(QString::fromUtf8(chunk.id.data(), qsizetype(chunk.id.size())),
                  QString::fromUtf8(chunk.model.data(), qsizetype(chunk.model.size())), chunk.created);
    }
    for (const OpenAiChatChunkReader::Choice &choice : chunk.choices) {
        if (choice.hasText && !choice.text.isEmpty())
            emitEvent(CanonicalEvent::textDelta(choice.text));
        if (!choice.reasoningContent.isEmpty())
            emitEvent(CanonicalEvent::thinkingDelta(choice.reasoningContent));
        else if (!choice.reasoning.isEmpty())
            emitEvent(CanonicalEvent::thinkingDelta(choice.reasoning));
        if (!choice.content.isEmpty())
            emitEvent(CanonicalEvent::textDelta(choice.content));
        if (!choice.refusal.isEmpty())
            emitEvent(CanonicalEvent::textDelta(choice.refusal));
        for (qsizetype i = 0; i < choice.toolCalls.size(); ++i) {
            const OpenAiChatChunkReader::ToolCall &call = choice.toolCalls[i];
            const int ordinal
                = toolOrdinal(call.id, call.hasIndex ? std::optional<int>(call.index) : std::nullopt, i, call.name);
            if (!call.arguments.isEmpty())
                emitEvent(CanonicalEvent::toolArgumentsDelta(ordinal, call.arguments));
        }
        if (!choice.finishReason.isEmpty())
            m_finish = OpenAiChatCodec::finishReasonFromName(choice.finishReason);
    }
}

int OpenAiChatStreamDecoder::toolOrdinal(const QJsonObject &call, qsizetype position)
{
    const QJsonValue indexValue = call.value(QLatin1String("index"));
    return toolOrdinal(call.value(QLatin1String("id")).toString(),
                       indexValue.isDouble() ? std::optional<int>(indexValue.toInt()) : std::nullopt, position,
                       call.value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString());
}

int OpenAiChatStreamDecoder::toolOrdinal(const QString &id, std::optional<int> index, qsizetype position,
                                         const QString &name)
{
    int ordinal = -1;
    if (index) {
        ordinal = m_toolByIndex.value(*index, -1);
    } else if (!id.isEmpty()) {
        ordinal = m_toolById.value(id, -1);
    } else {
        // Neither index nor id: a continuation of the latest call (or the nth of this chunk).
        ordinal = m_lastTool >= 0 ? m_lastTool : int(position);
    }
    if (ordinal < 0) {
        ordinal = m_toolCount++;
        if (index)
            m_toolByIndex.insert(*index, ordinal);
        if (!id.isEmpty())
            m_toolById.insert(id, ordinal);
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
