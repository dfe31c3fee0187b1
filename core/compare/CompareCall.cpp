#include "CompareCall.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace sluice {

namespace {

// Deep merge: objects merge member by member, anything else replaces; null removes.
void mergeInto(QJsonObject &target, const QJsonObject &overrides)
{
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        if (it.value().isNull()) {
            target.remove(it.key());
        } else if (it.value().isObject() && target.value(it.key()).isObject()) {
            QJsonObject nested = target.value(it.key()).toObject();
            mergeInto(nested, it.value().toObject());
            target.insert(it.key(), nested);
        } else {
            target.insert(it.key(), it.value());
        }
    }
}

// OpenAI's names for the common parameters, in the words of each other format.
QJsonObject translatedOverrides(ApiFormat format, const QJsonObject &overrides)
{
    QJsonObject result;
    QJsonObject generationConfig;
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        const QString &key = it.key();
        QJsonValue value = it.value();
        if (format == ApiFormat::OpenAiResponses
            && (key == QLatin1String("max_tokens") || key == QLatin1String("max_completion_tokens"))) {
            result.insert(QStringLiteral("max_output_tokens"), value);
        } else if (format == ApiFormat::AnthropicMessages && key == QLatin1String("stop")) {
            result.insert(QStringLiteral("stop_sequences"), value.isString() ? QJsonArray {value} : value);
        } else if (format == ApiFormat::AnthropicMessages && key == QLatin1String("max_completion_tokens")) {
            result.insert(QStringLiteral("max_tokens"), value);
        } else if (format == ApiFormat::Gemini && key == QLatin1String("temperature")) {
            generationConfig.insert(QStringLiteral("temperature"), value);
        } else if (format == ApiFormat::Gemini && key == QLatin1String("top_p")) {
            generationConfig.insert(QStringLiteral("topP"), value);
        } else if (format == ApiFormat::Gemini
                   && (key == QLatin1String("max_tokens") || key == QLatin1String("max_completion_tokens"))) {
            generationConfig.insert(QStringLiteral("maxOutputTokens"), value);
        } else if (format == ApiFormat::Gemini && key == QLatin1String("stop")) {
            generationConfig.insert(QStringLiteral("stopSequences"), value.isString() ? QJsonArray {value} : value);
        } else {
            result.insert(key, value);
        }
    }
    if (!generationConfig.isEmpty()) {
        QJsonObject merged = result.value(QStringLiteral("generationConfig")).toObject();
        mergeInto(merged, generationConfig);
        result.insert(QStringLiteral("generationConfig"), merged);
    }
    return result;
}

} // namespace

Result<CompareCall> CompareCall::prepare(ApiFormat format, const QByteArray &body, const CompareModel &model)
{
    QJsonParseError error {};
    QJsonObject object = QJsonDocument::fromJson(body, &error).object();
    if (error.error != QJsonParseError::NoError)
        return makeError(QStringLiteral("The request body is not valid JSON: %1.").arg(error.errorString()));
    mergeInto(object, translatedOverrides(format, model.overrides));

    CompareCall call;
    switch (format) {
    case ApiFormat::OpenAiChat: {
        object.insert(QStringLiteral("model"), model.model);
        object.insert(QStringLiteral("stream"), true);
        QJsonObject streamOptions = object.value(QStringLiteral("stream_options")).toObject();
        streamOptions.insert(QStringLiteral("include_usage"), true);
        object.insert(QStringLiteral("stream_options"), streamOptions);
        call.path = QByteArrayLiteral("/v1/chat/completions");
        break;
    }
    case ApiFormat::OpenAiResponses:
        object.insert(QStringLiteral("model"), model.model);
        object.insert(QStringLiteral("stream"), true);
        call.path = QByteArrayLiteral("/v1/responses");
        break;
    case ApiFormat::AnthropicMessages:
        object.insert(QStringLiteral("model"), model.model);
        object.insert(QStringLiteral("stream"), true);
        if (!object.contains(QStringLiteral("max_tokens")))
            object.insert(QStringLiteral("max_tokens"), 4096); // Anthropic requires it
        call.path = QByteArrayLiteral("/v1/messages");
        break;
    case ApiFormat::Gemini:
        object.remove(QStringLiteral("model")); // Gemini names the model in the path
        object.remove(QStringLiteral("stream"));
        call.path = QByteArrayLiteral("/v1beta/models/") + QUrl::toPercentEncoding(model.model)
            + QByteArrayLiteral(":streamGenerateContent?alt=sse");
        break;
    default:
        return makeError(QStringLiteral("%1 requests cannot be compared.").arg(apiFormatName(format)));
    }
    call.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return call;
}

} // namespace sluice
