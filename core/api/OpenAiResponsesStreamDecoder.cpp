#include "OpenAiResponsesStreamDecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "api/OpenAiChatCodec.h"
#include "common/WholeNumber.h"

namespace sluice {

int OpenAiResponsesStreamDecoder::toolFor(const QJsonObject &data) const
{
    const QString item = data.value(QLatin1String("item_id")).toString();
    if (m_toolByItem.contains(item))
        return m_toolByItem.value(item);
    return m_toolByOutput.value(data.value(QLatin1String("output_index")).toInt(), -1);
}

void OpenAiResponsesStreamDecoder::onEvent(const SseEvent &event)
{
    const QJsonDocument doc = QJsonDocument::fromJson(event.data);
    if (!doc.isObject()) {
        emitError(502, QStringLiteral("The provider sent a stream event that is not JSON."),
                  QStringLiteral("upstream_protocol"));
        return;
    }
    const QJsonObject data = doc.object();
    const QString type = data.value(QLatin1String("type")).toString(QString::fromUtf8(event.event));
    const QJsonObject response = data.value(QLatin1String("response")).toObject();

    if (type == QLatin1String("response.created") || type == QLatin1String("response.in_progress")) {
        emitStart(response.value(QLatin1String("id")).toString(), response.value(QLatin1String("model")).toString(),
                  wholeNumber(response.value(QLatin1String("created_at")).toDouble()).value_or(0));
    } else if (type == QLatin1String("response.output_item.added")) {
        const QJsonObject item = data.value(QLatin1String("item")).toObject();
        if (item.value(QLatin1String("type")).toString() != QLatin1String("function_call"))
            return;
        const int ordinal = m_toolCount++;
        m_toolByItem.insert(item.value(QLatin1String("id")).toString(), ordinal);
        m_toolByOutput.insert(data.value(QLatin1String("output_index")).toInt(), ordinal);
        emitEvent(CanonicalEvent::toolCallStart(ordinal, item.value(QLatin1String("call_id")).toString(),
                                                item.value(QLatin1String("name")).toString()));
        const QString arguments = item.value(QLatin1String("arguments")).toString();
        if (!arguments.isEmpty()) {
            m_toolsWithArguments.insert(ordinal);
            emitEvent(CanonicalEvent::toolArgumentsDelta(ordinal, arguments));
        }
    } else if (type == QLatin1String("response.output_text.delta") || type == QLatin1String("response.refusal.delta")) {
        const QString delta = data.value(QLatin1String("delta")).toString();
        if (!delta.isEmpty())
            emitEvent(CanonicalEvent::textDelta(delta));
    } else if (type == QLatin1String("response.reasoning_summary_part.added")) {
        if (data.value(QLatin1String("summary_index")).toInt() > 0)
            emitEvent(CanonicalEvent::thinkingDelta(QStringLiteral("\n\n")));
    } else if (type == QLatin1String("response.reasoning_summary_text.delta")
               || type == QLatin1String("response.reasoning_text.delta")) {
        const QString delta = data.value(QLatin1String("delta")).toString();
        if (!delta.isEmpty())
            emitEvent(CanonicalEvent::thinkingDelta(delta));
    } else if (type == QLatin1String("response.function_call_arguments.delta")) {
        const int ordinal = toolFor(data);
        const QString delta = data.value(QLatin1String("delta")).toString();
        if (ordinal >= 0 && !delta.isEmpty()) {
            m_toolsWithArguments.insert(ordinal);
            emitEvent(CanonicalEvent::toolArgumentsDelta(ordinal, delta));
        }
    } else if (type == QLatin1String("response.function_call_arguments.done")) {
        const int ordinal = toolFor(data);
        if (ordinal >= 0 && !m_toolsWithArguments.contains(ordinal)) {
            m_toolsWithArguments.insert(ordinal);
            const QString arguments = data.value(QLatin1String("arguments")).toString();
            emitEvent(
                CanonicalEvent::toolArgumentsDelta(ordinal, arguments.isEmpty() ? QStringLiteral("{}") : arguments));
        }
    } else if (type == QLatin1String("response.output_item.done")) {
        const QJsonObject item = data.value(QLatin1String("item")).toObject();
        const QString itemType = item.value(QLatin1String("type")).toString();
        if (itemType == QLatin1String("reasoning")) {
            const QString signature = item.value(QLatin1String("encrypted_content")).toString();
            if (!signature.isEmpty())
                emitEvent(CanonicalEvent::thinkingDelta({}, signature));
        } else if (itemType == QLatin1String("function_call")) {
            const int ordinal = m_toolByItem.value(item.value(QLatin1String("id")).toString(), -1);
            if (ordinal >= 0 && !m_toolsWithArguments.contains(ordinal)) {
                m_toolsWithArguments.insert(ordinal);
                const QString arguments = item.value(QLatin1String("arguments")).toString();
                emitEvent(CanonicalEvent::toolArgumentsDelta(ordinal,
                                                             arguments.isEmpty() ? QStringLiteral("{}") : arguments));
            }
        }
    } else if (type == QLatin1String("response.completed") || type == QLatin1String("response.incomplete")
               || type == QLatin1String("response.failed")) {
        finishWith(response, type);
    } else if (type == QLatin1String("error")) {
        CanonicalError error = CanonicalError::make(500, data.value(QLatin1String("message")).toString(),
                                                    data.value(QLatin1String("code")).toString());
        if (error.code == QLatin1String("rate_limit_exceeded")) {
            error.kind = CanonicalError::Kind::RateLimit;
            error.status = 429;
        }
        emitEvent(CanonicalEvent::failure(error));
    }
}

void OpenAiResponsesStreamDecoder::finishWith(const QJsonObject &response, const QString &type)
{
    const QJsonValue usage = response.value(QLatin1String("usage"));
    if (usage.isObject())
        emitEvent(CanonicalEvent::usageEvent(TokenUsage::fromOpenAiResponses(usage.toObject())));
    if (type == QLatin1String("response.failed")) {
        const QJsonObject error = response.value(QLatin1String("error")).toObject();
        CanonicalError out = CanonicalError::make(500, error.value(QLatin1String("message")).toString(),
                                                  error.value(QLatin1String("code")).toString());
        if (out.message.isEmpty())
            out.message = QStringLiteral("The provider reported that the response failed.");
        emitEvent(CanonicalEvent::failure(out));
        return;
    }
    FinishReason reason = m_toolCount > 0 ? FinishReason::ToolCalls : FinishReason::Stop;
    if (type == QLatin1String("response.incomplete")) {
        const QString why
            = response.value(QLatin1String("incomplete_details")).toObject().value(QLatin1String("reason")).toString();
        reason = why == QLatin1String("content_filter") ? FinishReason::ContentFilter : FinishReason::Length;
    }
    emitEvent(CanonicalEvent::finish(reason));
}

} // namespace sluice
