#include "OpenAiChatRequest.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include "JsonMembers.h"

namespace sluice {

namespace {

// The members parse() reads, decoded from a scan of the top level: the rest of a large body (the messages) is
// skipped, not decoded. Empty when the body needs the full parser (malformed, or names spelled with escapes).
std::optional<QJsonObject> readTopLevel(const QByteArray &body)
{
    const std::optional<JsonMembers> members = JsonMembers::scan(body);
    if (!members)
        return std::nullopt;
    QJsonObject root;
    for (const JsonMembers::Member &member : members->members()) {
        if (member.name.contains('\\'))
            return std::nullopt;
        const QByteArrayView value = members->value(member);
        if (member.name == "messages") {
            // Only its kind is checked here; the provider reads the messages.
            root.insert(QLatin1String("messages"), value.startsWith('[') ? QJsonValue(QJsonArray()) : QJsonValue(0));
        } else if (member.name == "model" || member.name == "stream" || member.name == "stream_options") {
            const QJsonDocument wrapped = QJsonDocument::fromJson('[' + value.toByteArray() + ']');
            if (!wrapped.isArray() || wrapped.array().size() != 1)
                return std::nullopt;
            root.insert(QString::fromUtf8(member.name), wrapped.array().at(0));
        }
    }
    return root;
}

} // namespace

Result<OpenAiChatRequest> OpenAiChatRequest::parse(const QByteArray &body)
{
    std::optional<QJsonObject> root = readTopLevel(body);
    if (!root) {
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
        root = doc.object();
    }

    OpenAiChatRequest request;
    const QJsonValue model = root->value(QLatin1String("model"));
    if (!model.isString() || model.toString().isEmpty())
        return makeError(QStringLiteral("\"model\" is required and must be a non-empty string."));
    request.m_model = model.toString();

    if (!root->value(QLatin1String("messages")).isArray())
        return makeError(QStringLiteral("\"messages\" is required and must be an array of messages."));

    const QJsonValue stream = root->value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return makeError(QStringLiteral("\"stream\" must be true or false."));
    request.m_stream = stream.toBool(false);

    const QJsonValue options = root->value(QLatin1String("stream_options"));
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

    if (std::optional<QByteArray> spliced = spliceBody(original, renameModel ? upstreamModel : QString(), addUsage))
        return *spliced;
    QJsonObject root = QJsonDocument::fromJson(original).object();
    if (renameModel)
        root.insert(QLatin1String("model"), upstreamModel);
    if (addUsage) {
        QJsonObject options = root.value(QLatin1String("stream_options")).toObject();
        options.insert(QLatin1String("include_usage"), true);
        root.insert(QLatin1String("stream_options"), options);
    }
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

std::optional<QByteArray> OpenAiChatRequest::spliceBody(const QByteArray &original, const QString &upstreamModel,
                                                        bool addUsage)
{
    const std::optional<JsonMembers> members = JsonMembers::scan(original);
    if (!members)
        return std::nullopt;
    struct Edit
    {
        qsizetype begin;
        qsizetype end;
        QByteArray text;
    };
    QList<Edit> edits;
    if (!upstreamModel.isNull()) {
        const JsonMembers::Member *model = members->find("model");
        // A key spelled with escapes or given twice is left to the full re-encoding.
        if (!model
            || std::count_if(members->members().cbegin(), members->members().cend(),
                             [](const JsonMembers::Member &m) { return m.name == "model"; })
                != 1)
            return std::nullopt;
        const QByteArray quoted = QJsonDocument(QJsonArray {upstreamModel}).toJson(QJsonDocument::Compact);
        edits.append({model->valueBegin, model->valueEnd, quoted.sliced(1, quoted.size() - 2)});
    }
    if (addUsage) {
        const QByteArray includeUsage = QByteArrayLiteral("\"include_usage\":true");
        if (const JsonMembers::Member *options = members->find("stream_options")) {
            const QByteArrayView value = members->value(*options);
            QByteArray replaced;
            if (value == "null") {
                replaced = '{' + includeUsage + '}';
            } else {
                QJsonObject object = QJsonDocument::fromJson(value.toByteArray()).object();
                object.insert(QLatin1String("include_usage"), true);
                replaced = QJsonDocument(object).toJson(QJsonDocument::Compact);
            }
            edits.append({options->valueBegin, options->valueEnd, replaced});
        } else {
            const QByteArray member = "\"stream_options\":{" + includeUsage + '}';
            edits.append({members->closingBrace(), members->closingBrace(),
                          members->members().isEmpty() ? member : ',' + member});
        }
    }
    std::sort(edits.begin(), edits.end(), [](const Edit &a, const Edit &b) { return a.begin > b.begin; });
    QByteArray body = original;
    for (const Edit &edit : std::as_const(edits))
        body.replace(edit.begin, edit.end - edit.begin, edit.text);
    return body;
}

} // namespace sluice
