#include "CompareRun.h"

#include <QJsonDocument>

namespace sluice {

Result<void> CompareRequest::validate() const
{
    if (models.size() < MinModels || models.size() > MaxModels)
        return makeError(
            QStringLiteral("Compare %1 to %2 models; %3 given.").arg(MinModels).arg(MaxModels).arg(models.size()));
    for (const CompareModel &model : models) {
        if (model.model.trimmed().isEmpty())
            return makeError(QStringLiteral("A model name is empty: give each column a configured model name."));
    }
    switch (format) {
    case ApiFormat::OpenAiChat:
    case ApiFormat::OpenAiResponses:
    case ApiFormat::AnthropicMessages:
    case ApiFormat::Gemini:
        break;
    default:
        return makeError(QStringLiteral("%1 requests cannot be compared: only chat requests (OpenAI chat, OpenAI "
                                        "Responses, Anthropic Messages, Gemini) can.")
                             .arg(apiFormatName(format)));
    }
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return makeError(QStringLiteral("The request body is not a JSON object%1.")
                             .arg(error.error != QJsonParseError::NoError
                                      ? QStringLiteral(" (%1 at offset %2)").arg(error.errorString()).arg(error.offset)
                                      : QString()));
    return {};
}

QString CompareColumn::stateName(State state)
{
    switch (state) {
    case State::Waiting:
        return QStringLiteral("waiting");
    case State::Running:
        return QStringLiteral("running");
    case State::Done:
        return QStringLiteral("ok");
    case State::Failed:
        return QStringLiteral("failed");
    case State::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QString compareFormatName(ApiFormat format)
{
    switch (format) {
    case ApiFormat::OpenAiChat:
        return QStringLiteral("openai-chat");
    case ApiFormat::OpenAiResponses:
        return QStringLiteral("responses");
    case ApiFormat::AnthropicMessages:
        return QStringLiteral("anthropic");
    case ApiFormat::Gemini:
        return QStringLiteral("gemini");
    default:
        return apiFormatName(format);
    }
}

Result<ApiFormat> compareFormatFromName(const QString &name)
{
    for (ApiFormat format :
         {ApiFormat::OpenAiChat, ApiFormat::OpenAiResponses, ApiFormat::AnthropicMessages, ApiFormat::Gemini}) {
        if (compareFormatName(format) == name)
            return format;
    }
    return makeError(
        QStringLiteral("Unknown request format '%1': use openai-chat, responses, anthropic or gemini.").arg(name));
}

} // namespace sluice
