#include "CompareSource.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include "prompts/PromptContent.h"
#include "prompts/PromptReference.h"
#include "prompts/PromptRequestBuilder.h"
#include "prompts/PromptTemplate.h"
#include "store/PromptStore.h"

namespace sluice {

namespace {

constexpr int TitleLength = 60;

QString shortened(QString text)
{
    text = text.simplified();
    if (text.size() > TitleLength)
        text = text.left(TitleLength - 1) + QChar(0x2026);
    return text;
}

// The text of a message's content in any of the formats: a string, or an array of parts with text.
QString textOf(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QString text;
    for (const QJsonValue &part : content.toArray()) {
        const QJsonObject object = part.toObject();
        const QString piece
            = object.contains(QLatin1String("text")) ? object.value(QLatin1String("text")).toString() : QString();
        if (!piece.isEmpty())
            text += (text.isEmpty() ? QString() : QStringLiteral(" ")) + piece;
    }
    return text;
}

} // namespace

CompareRequest CompareSource::fromText(const QString &prompt, const QString &system)
{
    QJsonArray messages;
    if (!system.trimmed().isEmpty())
        messages.append(
            QJsonObject {{QStringLiteral("role"), QStringLiteral("system")}, {QStringLiteral("content"), system}});
    messages.append(
        QJsonObject {{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), prompt}});
    CompareRequest request;
    request.format = ApiFormat::OpenAiChat;
    request.body = QJsonDocument(QJsonObject {{QStringLiteral("messages"), messages}}).toJson(QJsonDocument::Compact);
    request.source = QStringLiteral("typed");
    request.title = shortened(prompt);
    return request;
}

ApiFormat CompareSource::recogniseFormat(const QJsonObject &body)
{
    if (body.contains(QLatin1String("contents")))
        return ApiFormat::Gemini;
    if (body.contains(QLatin1String("input")) && !body.contains(QLatin1String("messages")))
        return ApiFormat::OpenAiResponses;
    if (body.contains(QLatin1String("system")) || body.contains(QLatin1String("stop_sequences"))
        || body.contains(QLatin1String("anthropic_version")))
        return ApiFormat::AnthropicMessages;
    for (const QJsonValue &message : body.value(QLatin1String("messages")).toArray()) {
        const QString role = message.toObject().value(QLatin1String("role")).toString();
        if (role == QLatin1String("system") || role == QLatin1String("developer") || role == QLatin1String("tool"))
            return ApiFormat::OpenAiChat;
        for (const QJsonValue &part : message.toObject().value(QLatin1String("content")).toArray()) {
            const QString type = part.toObject().value(QLatin1String("type")).toString();
            if (type == QLatin1String("tool_use") || type == QLatin1String("tool_result")
                || type == QLatin1String("thinking") || (type == QLatin1String("image")))
                return ApiFormat::AnthropicMessages;
        }
    }
    return ApiFormat::OpenAiChat;
}

QString CompareSource::titleOf(ApiFormat format, const QJsonObject &body)
{
    QString text;
    if (format == ApiFormat::Gemini) {
        for (const QJsonValue &content : body.value(QLatin1String("contents")).toArray()) {
            if (content.toObject().value(QLatin1String("role")).toString() != QLatin1String("model"))
                text = textOf(content.toObject().value(QLatin1String("parts")));
        }
    } else if (format == ApiFormat::OpenAiResponses) {
        const QJsonValue input = body.value(QLatin1String("input"));
        if (input.isString()) {
            text = input.toString();
        } else {
            for (const QJsonValue &item : input.toArray()) {
                if (item.toObject().value(QLatin1String("role")).toString() == QLatin1String("user"))
                    text = textOf(item.toObject().value(QLatin1String("content")));
            }
        }
    } else {
        for (const QJsonValue &message : body.value(QLatin1String("messages")).toArray()) {
            if (message.toObject().value(QLatin1String("role")).toString() == QLatin1String("user")) {
                const QString content = textOf(message.toObject().value(QLatin1String("content")));
                if (!content.isEmpty())
                    text = content;
            }
        }
    }
    return shortened(text);
}

Result<CompareRequest> CompareSource::fromBody(const QByteArray &body, const QString &formatName)
{
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return makeError(QStringLiteral("The request is not a JSON object%1.")
                             .arg(error.error != QJsonParseError::NoError
                                      ? QStringLiteral(" (%1 at offset %2)").arg(error.errorString()).arg(error.offset)
                                      : QString()));
    CompareRequest request;
    if (formatName.isEmpty()) {
        request.format = recogniseFormat(document.object());
    } else {
        const Result<ApiFormat> format = compareFormatFromName(formatName);
        if (!format)
            return format.error();
        request.format = *format;
    }
    request.body = body.trimmed();
    request.source = QStringLiteral("typed");
    request.title = titleOf(request.format, document.object());
    return request;
}

Result<CompareRequest> CompareSource::fromFile(const QString &path, const QString &formatName)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("Cannot read the prompt file %1: %2").arg(path, file.errorString()));
    const QByteArray bytes = file.read(16 * 1024 * 1024);
    Result<CompareRequest> request = makeError(QString());
    if (bytes.trimmed().startsWith('{')) {
        request = fromBody(bytes, formatName);
        if (!request)
            return makeError(QStringLiteral("%1: %2").arg(path, request.errorMessage()));
    } else {
        if (bytes.trimmed().isEmpty())
            return makeError(QStringLiteral("The prompt file %1 is empty.").arg(path));
        if (!formatName.isEmpty() && formatName != QLatin1String("openai-chat"))
            return makeError(QStringLiteral("%1 is plain text: it is sent as one OpenAI chat message, so it takes no "
                                            "other format.")
                                 .arg(path));
        request = fromText(QString::fromUtf8(bytes).trimmed());
    }
    request.value().source = QStringLiteral("file");
    return request;
}

Result<ApiFormat> CompareSource::formatOfEndpoint(const QString &endpoint)
{
    const QString path = endpoint.section(QLatin1Char('?'), 0, 0);
    if (path == QLatin1String("/v1/chat/completions") || path == QLatin1String("/chat/completions"))
        return ApiFormat::OpenAiChat;
    if (path == QLatin1String("/v1/messages") || path == QLatin1String("/messages"))
        return ApiFormat::AnthropicMessages;
    if (path == QLatin1String("/v1/responses") || path == QLatin1String("/responses"))
        return ApiFormat::OpenAiResponses;
    if (path.startsWith(QLatin1String("/v1beta/models/"))
        && (path.endsWith(QLatin1String(":generateContent")) || path.endsWith(QLatin1String(":streamGenerateContent"))))
        return ApiFormat::Gemini;
    return makeError(QStringLiteral("Requests to %1 cannot be compared: only chat requests (/v1/chat/completions, "
                                    "/v1/messages, /v1/responses, Gemini generateContent) can.")
                         .arg(endpoint));
}

Result<CompareRequest> CompareSource::fromRecord(const RequestRecord &record)
{
    const Result<ApiFormat> format = formatOfEndpoint(record.endpoint);
    if (!format)
        return format.error();
    if (record.requestBody.isEmpty())
        return makeError(QStringLiteral("Request %1 has no stored body (logging.store_bodies was off, or retention "
                                        "removed it), so it cannot be replayed.")
                             .arg(record.id));
    if (record.bodiesTruncated)
        return makeError(QStringLiteral("Request %1's body was stored truncated (larger than logging.max_body_bytes), "
                                        "so it cannot be replayed exactly.")
                             .arg(record.id));
    Result<CompareRequest> request = fromBody(record.requestBody, compareFormatName(*format));
    if (!request)
        return makeError(QStringLiteral("Request %1: %2").arg(record.id, request.errorMessage()));
    request.value().source = QStringLiteral("request");
    const QString what = request->title.isEmpty() ? QString() : QStringLiteral(": ") + request->title;
    request.value().title = QStringLiteral("request %1%2").arg(record.id.left(8), what);
    return request;
}

Result<CompareRequest> CompareSource::fromPrompt(PromptStore &store, const QString &reference,
                                                 const QJsonObject &variables)
{
    const Result<PromptReference> parsed = PromptReference::parse(reference);
    if (!parsed)
        return parsed.error();
    const Result<PromptVersion> version = store.resolve(parsed->name, parsed->selector);
    if (!version)
        return version.error();
    const Result<PromptContent> content = PromptContent::fromVersion(version.value());
    if (!content)
        return content.error();
    const auto partials = [&store](const QString &text) -> Result<PromptContent> {
        const Result<PromptReference> included = PromptReference::parse(text);
        if (!included)
            return included.error();
        const Result<PromptVersion> found = store.resolve(included->name, included->selector);
        if (!found)
            return found.error();
        return PromptContent::fromVersion(found.value());
    };
    const Result<PromptContent> rendered = PromptTemplate::render(content.value(), variables, partials);
    if (!rendered)
        return makeError(
            QStringLiteral("%1 v%2: %3").arg(parsed->name).arg(version->version).arg(rendered.errorMessage()));
    QJsonObject body = PromptRequestBuilder::openAiChatBody(rendered.value(), QString());
    body.remove(QStringLiteral("model"));
    CompareRequest request;
    request.format = ApiFormat::OpenAiChat;
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    request.source = QStringLiteral("prompt");
    request.title = QStringLiteral("%1 v%2").arg(parsed->name).arg(version->version);
    return request;
}

} // namespace sluice
