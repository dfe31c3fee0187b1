#include "BedrockTranscript.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "AwsEventStreamWriter.h"

namespace sluice::test {

namespace {
QJsonObject converseUsage(qint64 input, qint64 output, qint64 cacheRead, qint64 cacheWrite)
{
    return {{QStringLiteral("inputTokens"), input},
            {QStringLiteral("outputTokens"), output},
            {QStringLiteral("totalTokens"), input + output + cacheRead + cacheWrite},
            {QStringLiteral("cacheReadInputTokens"), cacheRead},
            {QStringLiteral("cacheWriteInputTokens"), cacheWrite}};
}

qint64 tokens(const QJsonObject &usage, QLatin1String key)
{
    return qint64(usage.value(key).toDouble());
}
} // namespace

QString BedrockTranscript::stopReason(const QString &anthropicStopReason)
{
    if (anthropicStopReason == QLatin1String("refusal"))
        return QStringLiteral("content_filtered");
    if (anthropicStopReason == QLatin1String("pause_turn") || anthropicStopReason.isEmpty())
        return QStringLiteral("end_turn");
    return anthropicStopReason; // end_turn, tool_use, max_tokens, stop_sequence: the same words
}

QByteArray BedrockTranscript::exceptionFor(int status)
{
    switch (status) {
    case 400:
        return "ValidationException";
    case 403:
        return "AccessDeniedException";
    case 404:
        return "ResourceNotFoundException";
    case 408:
        return "ModelTimeoutException";
    case 424:
        return "ModelErrorException";
    case 429:
        return "ThrottlingException";
    case 503:
        return "ServiceUnavailableException";
    default:
        return "InternalServerException";
    }
}

QJsonObject BedrockTranscript::converseBody(const QJsonObject &anthropicMessage)
{
    QJsonArray content;
    for (const QJsonValue &value : anthropicMessage.value(QLatin1String("content")).toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value(QLatin1String("type")).toString();
        if (type == QLatin1String("text")) {
            content.append(QJsonObject {{QStringLiteral("text"), block.value(QLatin1String("text"))}});
        } else if (type == QLatin1String("tool_use")) {
            content.append(
                QJsonObject {{QStringLiteral("toolUse"),
                              QJsonObject {{QStringLiteral("toolUseId"), block.value(QLatin1String("id"))},
                                           {QStringLiteral("name"), block.value(QLatin1String("name"))},
                                           {QStringLiteral("input"), block.value(QLatin1String("input"))}}}});
        } else if (type == QLatin1String("thinking")) {
            content.append(QJsonObject {
                {QStringLiteral("reasoningContent"),
                 QJsonObject {
                     {QStringLiteral("reasoningText"),
                      QJsonObject {{QStringLiteral("text"), block.value(QLatin1String("thinking"))},
                                   {QStringLiteral("signature"), block.value(QLatin1String("signature"))}}}}}});
        } else if (type == QLatin1String("redacted_thinking")) {
            content.append(
                QJsonObject {{QStringLiteral("reasoningContent"),
                              QJsonObject {{QStringLiteral("redactedContent"), block.value(QLatin1String("data"))}}}});
        }
    }
    const QJsonObject usage = anthropicMessage.value(QLatin1String("usage")).toObject();
    return {{QStringLiteral("output"),
             QJsonObject {{QStringLiteral("message"),
                           QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                                        {QStringLiteral("content"), content}}}}},
            {QStringLiteral("stopReason"), stopReason(anthropicMessage.value(QLatin1String("stop_reason")).toString())},
            {QStringLiteral("usage"),
             converseUsage(tokens(usage, QLatin1String("input_tokens")), tokens(usage, QLatin1String("output_tokens")),
                           tokens(usage, QLatin1String("cache_read_input_tokens")),
                           tokens(usage, QLatin1String("cache_creation_input_tokens")))},
            {QStringLiteral("metrics"), QJsonObject {{QStringLiteral("latencyMs"), 412}}}};
}

QList<QByteArray> BedrockTranscript::converseStream(const QList<QByteArray> &anthropicEvents)
{
    QList<QByteArray> out;
    qint64 input = 0;
    qint64 output = 0;
    qint64 cacheRead = 0;
    qint64 cacheWrite = 0;
    for (const QByteArray &payload : anthropicEvents) {
        const QJsonObject event = QJsonDocument::fromJson(payload).object();
        const QString type = event.value(QLatin1String("type")).toString();
        const int index = event.value(QLatin1String("index")).toInt();
        if (type == QLatin1String("message_start")) {
            const QJsonObject usage
                = event.value(QLatin1String("message")).toObject().value(QLatin1String("usage")).toObject();
            input = tokens(usage, QLatin1String("input_tokens"));
            cacheRead = tokens(usage, QLatin1String("cache_read_input_tokens"));
            cacheWrite = tokens(usage, QLatin1String("cache_creation_input_tokens"));
            out.append(
                AwsEventStreamWriter::event("messageStart", {{QStringLiteral("role"), QStringLiteral("assistant")}}));
        } else if (type == QLatin1String("content_block_start")) {
            const QJsonObject block = event.value(QLatin1String("content_block")).toObject();
            const QString blockType = block.value(QLatin1String("type")).toString();
            if (blockType == QLatin1String("tool_use")) {
                out.append(AwsEventStreamWriter::event(
                    "contentBlockStart",
                    {{QStringLiteral("contentBlockIndex"), index},
                     {QStringLiteral("start"),
                      QJsonObject {{QStringLiteral("toolUse"),
                                    QJsonObject {{QStringLiteral("toolUseId"), block.value(QLatin1String("id"))},
                                                 {QStringLiteral("name"), block.value(QLatin1String("name"))}}}}}}));
            } else if (blockType == QLatin1String("text") && !block.value(QLatin1String("text")).toString().isEmpty()) {
                out.append(AwsEventStreamWriter::event(
                    "contentBlockDelta",
                    {{QStringLiteral("contentBlockIndex"), index},
                     {QStringLiteral("delta"),
                      QJsonObject {{QStringLiteral("text"), block.value(QLatin1String("text"))}}}}));
            }
        } else if (type == QLatin1String("content_block_delta")) {
            const QJsonObject delta = event.value(QLatin1String("delta")).toObject();
            const QString deltaType = delta.value(QLatin1String("type")).toString();
            QJsonObject converse;
            if (deltaType == QLatin1String("text_delta"))
                converse = {{QStringLiteral("text"), delta.value(QLatin1String("text"))}};
            else if (deltaType == QLatin1String("thinking_delta"))
                converse = {{QStringLiteral("reasoningContent"),
                             QJsonObject {{QStringLiteral("text"), delta.value(QLatin1String("thinking"))}}}};
            else if (deltaType == QLatin1String("signature_delta"))
                converse = {{QStringLiteral("reasoningContent"),
                             QJsonObject {{QStringLiteral("signature"), delta.value(QLatin1String("signature"))}}}};
            else if (deltaType == QLatin1String("input_json_delta"))
                converse = {{QStringLiteral("toolUse"),
                             QJsonObject {{QStringLiteral("input"), delta.value(QLatin1String("partial_json"))}}}};
            if (!converse.isEmpty()) {
                out.append(AwsEventStreamWriter::event(
                    "contentBlockDelta",
                    {{QStringLiteral("contentBlockIndex"), index}, {QStringLiteral("delta"), converse}}));
            }
        } else if (type == QLatin1String("content_block_stop")) {
            out.append(AwsEventStreamWriter::event("contentBlockStop", {{QStringLiteral("contentBlockIndex"), index}}));
        } else if (type == QLatin1String("message_delta")) {
            const QJsonObject usage = event.value(QLatin1String("usage")).toObject();
            output = tokens(usage, QLatin1String("output_tokens"));
            if (usage.contains(QLatin1String("input_tokens")))
                input = tokens(usage, QLatin1String("input_tokens"));
            const QString stop
                = event.value(QLatin1String("delta")).toObject().value(QLatin1String("stop_reason")).toString();
            out.append(AwsEventStreamWriter::event("messageStop", {{QStringLiteral("stopReason"), stopReason(stop)}}));
        } else if (type == QLatin1String("message_stop")) {
            out.append(AwsEventStreamWriter::event(
                "metadata",
                {{QStringLiteral("usage"), converseUsage(input, output, cacheRead, cacheWrite)},
                 {QStringLiteral("metrics"), QJsonObject {{QStringLiteral("latencyMs"), 412}}}}));
        } else if (type == QLatin1String("error")) {
            const QJsonObject error = event.value(QLatin1String("error")).toObject();
            out.append(AwsEventStreamWriter::exception(error.value(QLatin1String("type")).toString()
                                                               == QLatin1String("overloaded_error")
                                                           ? QByteArrayLiteral("serviceUnavailableException")
                                                           : QByteArrayLiteral("internalServerException"),
                                                       error.value(QLatin1String("message")).toString()));
        }
    }
    return out;
}

} // namespace sluice::test
