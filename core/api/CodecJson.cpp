#include "CodecJson.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringList>
#include <QUuid>

#include "api/ParameterGate.h"
#include "api/SimdJsonSupport.h"
#include "common/WholeNumber.h"

Q_LOGGING_CATEGORY(lcApi, "sluice.api")

namespace sluice::codec {

Result<QJsonObject> parseObject(const QByteArray &body, const QString &what)
{
    // simdjson first where that is cheaper (QJsonDocument decodes strings a character at a time: about 100
    // instructions per byte of an answer's text); anything else goes through QJsonDocument, errors included.
    if (std::optional<QJsonObject> object = simd::parseObject(body, simd::Choice::WhenCheaper))
        return *std::move(object);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return makeError(QStringLiteral("The %1 is not valid JSON (%2 at byte %3).")
                             .arg(what, parseError.errorString())
                             .arg(parseError.offset));
    }
    if (!doc.isObject())
        return makeError(QStringLiteral("The %1 must be a JSON object.").arg(what));
    return doc.object();
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString newId(QLatin1String prefix)
{
    return prefix + QUuid::createUuid().toString(QUuid::Id128).left(24);
}

qint64 nowSeconds()
{
    return QDateTime::currentSecsSinceEpoch();
}

std::optional<QJsonObject> argumentsObject(const QString &arguments)
{
    if (arguments.trimmed().isEmpty())
        return QJsonObject();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(arguments.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

bool isEmptyValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return true;
    case QJsonValue::Bool:
        return !value.toBool();
    case QJsonValue::String:
        return value.toString().isEmpty();
    case QJsonValue::Array:
        return value.toArray().isEmpty();
    case QJsonValue::Object:
        return value.toObject().isEmpty();
    case QJsonValue::Double:
        break;
    }
    return false;
}

bool readNumber(const QJsonObject &object, QLatin1String key, const QString &path, std::optional<double> &out,
                QString &error)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isDouble()) {
        error = QStringLiteral("\"%1\" must be a number.").arg(path);
        return false;
    }
    out = value.toDouble();
    return true;
}

bool readInteger(const QJsonObject &object, QLatin1String key, const QString &path, std::optional<qint64> &out,
                 QString &error)
{
    std::optional<double> number;
    if (!readNumber(object, key, path, number, error))
        return false;
    if (number) {
        const std::optional<qint64> whole = wholeNumber(*number);
        if (!whole) {
            error = QStringLiteral("\"%1\" must be a whole number within 64-bit range.").arg(path);
            return false;
        }
        out = *whole;
    }
    return true;
}

bool readStringList(const QJsonValue &value, const QString &path, QStringList &out, QString &error)
{
    if (value.isUndefined() || value.isNull())
        return true;
    if (value.isString()) {
        out = QStringList {value.toString()};
        return true;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue &item : array) {
            if (!item.isString()) {
                error = QStringLiteral("\"%1\" must be a string or an array of strings.").arg(path);
                return false;
            }
            out.append(item.toString());
        }
        return true;
    }
    error = QStringLiteral("\"%1\" must be a string or an array of strings.").arg(path);
    return false;
}

void copyUnknown(const QJsonObject &from, std::initializer_list<QLatin1String> known, QJsonObject &to)
{
    for (auto it = from.begin(); it != from.end(); ++it) {
        bool isKnown = false;
        for (const QLatin1String key : known) {
            if (it.key() == key) {
                isKnown = true;
                break;
            }
        }
        if (!isKnown)
            to.insert(it.key(), it.value());
    }
}

QString toBase64Url(const QString &base64)
{
    QString out = base64;
    out.replace(QLatin1Char('+'), QLatin1Char('-')).replace(QLatin1Char('/'), QLatin1Char('_'));
    while (out.endsWith(QLatin1Char('=')))
        out.chop(1);
    return out;
}

QString fromBase64Url(const QString &base64url)
{
    QString out = base64url;
    out.replace(QLatin1Char('-'), QLatin1Char('+')).replace(QLatin1Char('_'), QLatin1Char('/'));
    while (out.size() % 4 != 0)
        out.append(QLatin1Char('='));
    return out;
}

QString bodySnippet(const QByteArray &body)
{
    QString text = QString::fromUtf8(body.left(600)).simplified();
    if (text.size() > 300)
        text = text.left(300) + QStringLiteral("...");
    return text;
}

QString statusOnlyMessage(int status, const QByteArray &body)
{
    const QString snippet = bodySnippet(body);
    if (snippet.isEmpty())
        return QStringLiteral("The provider answered HTTP %1 without an error message.").arg(status);
    return QStringLiteral("The provider answered HTTP %1: %2").arg(status).arg(snippet);
}

QString at(const QString &path, qsizetype index)
{
    return QStringLiteral("%1[%2]").arg(path).arg(index);
}

bool passBuiltinTool(const CanonicalTool &tool, qsizetype index, bool same, ParameterGate &gate, QJsonArray &tools)
{
    if (tool.builtinType.isEmpty())
        return false;
    // A provider's hosted tool (web search, code interpreter...) runs only there; agents treat it as optional, so
    // another provider gets the request without it, and the log says so.
    if (same)
        tools.append(tool.raw);
    else
        gate.omit(QStringLiteral("tools[%1] (%2)").arg(index).arg(tool.builtinType));
    return true;
}

void refuseTopK(const CanonicalRequest &request, ParameterGate &gate, const QString &reason)
{
    if (request.sourceFormat == ApiFormat::Gemini)
        gate.omit(QStringLiteral("top_k"));
    else
        gate.refuse(QStringLiteral("top_k"), reason);
}

QJsonObject toolParameters(const QJsonObject &parameters)
{
    return parameters.isEmpty() ? QJsonObject {{QStringLiteral("type"), QStringLiteral("object")},
                                               {QStringLiteral("properties"), QJsonObject()}}
                                : parameters;
}

void insertToolChoice(QJsonObject &root, const ToolChoice &choice, const QJsonObject &namedTool)
{
    switch (choice.mode) {
    case ToolChoice::Mode::Unset:
        break;
    case ToolChoice::Mode::Auto:
        root.insert(QStringLiteral("tool_choice"), QStringLiteral("auto"));
        break;
    case ToolChoice::Mode::None:
        root.insert(QStringLiteral("tool_choice"), QStringLiteral("none"));
        break;
    case ToolChoice::Mode::Required:
        root.insert(QStringLiteral("tool_choice"), QStringLiteral("required"));
        break;
    case ToolChoice::Mode::Tool:
        root.insert(QStringLiteral("tool_choice"), namedTool);
        break;
    }
}

QJsonObject jsonSchemaFormat(const ResponseFormat &format)
{
    QJsonObject schema {{QStringLiteral("name"), format.name.isEmpty() ? QStringLiteral("response") : format.name},
                        {QStringLiteral("schema"), format.schema}};
    if (!format.description.isEmpty())
        schema.insert(QStringLiteral("description"), format.description);
    if (format.strict)
        schema.insert(QStringLiteral("strict"), *format.strict);
    return schema;
}

Result<EncodedRequest> finishRequest(const CanonicalRequest &request, bool same, const ParameterGate &gate,
                                     QJsonObject root)
{
    if (same) {
        for (auto it = request.extras.begin(); it != request.extras.end(); ++it) {
            if (!root.contains(it.key()))
                root.insert(it.key(), it.value());
        }
    }
    if (gate.refused())
        return gate.error();
    return EncodedRequest {toJson(root), gate.dropped()};
}

} // namespace sluice::codec
