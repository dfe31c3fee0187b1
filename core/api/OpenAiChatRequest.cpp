#include "OpenAiChatRequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace sluice {

Result<OpenAiChatRequest> OpenAiChatRequest::parse(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return makeError(QStringLiteral("The request body is not valid JSON (%1 at byte %2). Send a JSON object "
                                        "with \"model\" and \"messages\".")
                             .arg(parseError.errorString())
                             .arg(parseError.offset));
    }
    if (!doc.isObject())
        return makeError(QStringLiteral("The request body must be a JSON object with \"model\" and \"messages\"."));

    OpenAiChatRequest request;
    request.m_root = doc.object();
    const QJsonValue model = request.m_root.value(QLatin1String("model"));
    if (!model.isString() || model.toString().isEmpty())
        return makeError(QStringLiteral("\"model\" is required and must be a non-empty string."));
    request.m_model = model.toString();

    if (!request.m_root.value(QLatin1String("messages")).isArray())
        return makeError(QStringLiteral("\"messages\" is required and must be an array of messages."));

    const QJsonValue stream = request.m_root.value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return makeError(QStringLiteral("\"stream\" must be true or false."));
    request.m_stream = stream.toBool(false);

    const QJsonValue options = request.m_root.value(QLatin1String("stream_options"));
    if (!options.isUndefined() && !options.isNull() && !options.isObject())
        return makeError(QStringLiteral("\"stream_options\" must be an object, e.g. {\"include_usage\": true}."));
    request.m_clientWantsUsage = options.toObject().value(QLatin1String("include_usage")).toBool(false);
    return request;
}

QByteArray OpenAiChatRequest::upstreamBody(const QByteArray &original, const QString &upstreamModel) const
{
    const bool renameModel = upstreamModel != m_model;
    const bool addUsage = m_stream && !m_clientWantsUsage;
    if (!renameModel && !addUsage)
        return original;

    QJsonObject root = m_root;
    if (renameModel)
        root.insert(QLatin1String("model"), upstreamModel);
    if (addUsage) {
        QJsonObject options = root.value(QLatin1String("stream_options")).toObject();
        options.insert(QLatin1String("include_usage"), true);
        root.insert(QLatin1String("stream_options"), options);
    }
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace sluice
