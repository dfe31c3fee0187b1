#include "CachedAnswer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sluice {

namespace {

constexpr int FormatVersion = 1;

QLatin1String kindName(ContentPart::Kind kind)
{
    switch (kind) {
    case ContentPart::Kind::Thinking:
        return QLatin1String("thinking");
    case ContentPart::Kind::ToolCall:
        return QLatin1String("tool_call");
    default:
        break;
    }
    return QLatin1String("text");
}

FinishReason finishReasonOf(const QString &name)
{
    for (const FinishReason reason : {FinishReason::Stop, FinishReason::Length, FinishReason::ToolCalls,
                                      FinishReason::ContentFilter, FinishReason::Error}) {
        if (name == finishReasonName(reason))
            return reason;
    }
    return FinishReason::Stop;
}

QJsonObject usageJson(const TokenUsage &usage)
{
    return QJsonObject {{QStringLiteral("input"), usage.input},
                        {QStringLiteral("output"), usage.output},
                        {QStringLiteral("cached"), usage.cached},
                        {QStringLiteral("reasoning"), usage.reasoning},
                        {QStringLiteral("cache_write"), usage.cacheWrite}};
}

TokenUsage usageOf(const QJsonObject &json)
{
    TokenUsage usage;
    usage.input = json.value(QLatin1String("input")).toInteger(-1);
    usage.output = json.value(QLatin1String("output")).toInteger(-1);
    usage.cached = json.value(QLatin1String("cached")).toInteger(-1);
    usage.reasoning = json.value(QLatin1String("reasoning")).toInteger(-1);
    usage.cacheWrite = json.value(QLatin1String("cache_write")).toInteger(-1);
    return usage;
}

} // namespace

QByteArray CachedAnswer::toJson() const
{
    QJsonArray content;
    for (const ContentPart &part : response.content) {
        QJsonObject json {{QStringLiteral("kind"), kindName(part.kind)}, {QStringLiteral("text"), part.text}};
        if (part.kind == ContentPart::Kind::Thinking) {
            json.insert(QStringLiteral("signature"), part.signature);
            json.insert(QStringLiteral("redacted"), part.redacted);
        } else if (part.kind == ContentPart::Kind::ToolCall) {
            json.insert(QStringLiteral("id"), part.toolCallId);
            json.insert(QStringLiteral("name"), part.toolName);
            json.insert(QStringLiteral("arguments"), part.arguments);
        }
        content.append(json);
    }
    const QJsonObject json {
        {QStringLiteral("v"), FormatVersion},
        {QStringLiteral("id"), response.id},
        {QStringLiteral("model"), response.model},
        {QStringLiteral("created"), response.created},
        {QStringLiteral("content"), content},
        {QStringLiteral("finish_reason"), finishReasonName(response.finishReason)},
        {QStringLiteral("stop_sequence"), response.stopSequence},
        {QStringLiteral("finish_message"), response.finishMessage},
        {QStringLiteral("usage"), usageJson(response.usage)},
        {QStringLiteral("provider"), provider},
        {QStringLiteral("upstream_model"), upstreamModel},
        {QStringLiteral("deployment"), deployment},
        {QStringLiteral("created_at_ms"), createdAtMs},
    };
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

Result<CachedAnswer> CachedAnswer::fromJson(const QByteArray &bytes)
{
    const QJsonObject json = QJsonDocument::fromJson(bytes).object();
    if (json.value(QLatin1String("v")).toInt() != FormatVersion)
        return makeError(QStringLiteral("The cached answer is not in a format this Sluice reads."));
    CachedAnswer answer;
    CanonicalResponse &response = answer.response;
    response.id = json.value(QLatin1String("id")).toString();
    response.model = json.value(QLatin1String("model")).toString();
    response.created = json.value(QLatin1String("created")).toInteger();
    for (const QJsonValue &value : json.value(QLatin1String("content")).toArray()) {
        const QJsonObject part = value.toObject();
        const QString kind = part.value(QLatin1String("kind")).toString();
        const QString text = part.value(QLatin1String("text")).toString();
        if (kind == QLatin1String("thinking")) {
            ContentPart thinking = ContentPart::makeThinking(text, part.value(QLatin1String("signature")).toString());
            thinking.redacted = part.value(QLatin1String("redacted")).toBool();
            response.content.append(thinking);
        } else if (kind == QLatin1String("tool_call")) {
            response.content.append(ContentPart::makeToolCall(part.value(QLatin1String("id")).toString(),
                                                              part.value(QLatin1String("name")).toString(),
                                                              part.value(QLatin1String("arguments")).toString()));
        } else {
            response.content.append(ContentPart::makeText(text));
        }
    }
    response.finishReason = finishReasonOf(json.value(QLatin1String("finish_reason")).toString());
    response.stopSequence = json.value(QLatin1String("stop_sequence")).toString();
    response.finishMessage = json.value(QLatin1String("finish_message")).toString();
    response.usage = usageOf(json.value(QLatin1String("usage")).toObject());
    answer.provider = json.value(QLatin1String("provider")).toString();
    answer.upstreamModel = json.value(QLatin1String("upstream_model")).toString();
    answer.deployment = json.value(QLatin1String("deployment")).toString();
    answer.createdAtMs = json.value(QLatin1String("created_at_ms")).toInteger();
    return answer;
}

} // namespace sluice
