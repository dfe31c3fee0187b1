#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLoggingCategory>
#include <QString>
#include <QStringList>

#include "api/CanonicalRequest.h"
#include "api/FormatCodec.h"
#include "common/Result.h"

Q_DECLARE_LOGGING_CATEGORY(lcApi)

namespace sluice {
class ParameterGate;
}

namespace sluice::codec {

// Shared JSON chores of the format codecs.

// The body as a JSON object; the error names `what` ("request body", "provider response") and the parse problem.
// Parsed by simdjson where it reads as Qt would (simd::parseObject), else by QJsonDocument: the same object.
Result<QJsonObject> parseObject(const QByteArray &body, const QString &what);
QByteArray toJson(const QJsonObject &object);
// A fresh id such as "msg_3f2a...": prefix plus 24 hex digits.
QString newId(QLatin1String prefix);
qint64 nowSeconds();
// Tool arguments text as an object: empty text is {}; anything but a JSON object fails.
std::optional<QJsonObject> argumentsObject(const QString &arguments);
// True for values that carry no request: null, false, "", [] and {} (safe to leave out of any format).
bool isEmptyValue(const QJsonValue &value);
// Reads an optional number; false (with `error` set) when present but not a number.
bool readNumber(const QJsonObject &object, QLatin1String key, const QString &path, std::optional<double> &out,
                QString &error);
bool readInteger(const QJsonObject &object, QLatin1String key, const QString &path, std::optional<qint64> &out,
                 QString &error);
// A string or array of strings (stop sequences).
bool readStringList(const QJsonValue &value, const QString &path, QStringList &out, QString &error);
// Copies every key of `from` not in `known` into `to`.
void copyUnknown(const QJsonObject &from, std::initializer_list<QLatin1String> known, QJsonObject &to);
// Base64url without padding and back (for ids that must stay identifier-safe).
QString toBase64Url(const QString &base64);
QString fromBase64Url(const QString &base64url);
// A provider's non-JSON error body, shortened and on one line, for an error message.
QString bodySnippet(const QByteArray &body);
// "The provider answered HTTP 503 ..." when the body says nothing usable.
QString statusOnlyMessage(int status, const QByteArray &body);

// The longest end-user id OpenAI's "user" field takes.
inline constexpr qsizetype MaxOpenAiUserLength = 64;

// A top_k the target cannot take: Gemini clients send the model's default sampling (Gemini CLI always has
// topK), so theirs is left out and listed; any other client asked for it, and it is refused unless dropped.
void refuseTopK(const CanonicalRequest &request, ParameterGate &gate, const QString &reason);

// "path[index]", the path of a list element in an error message.
QString at(const QString &path, qsizetype index);

// Encoder chores shared by the formats.
// A built-in (hosted) tool goes out unchanged to its own format and is left out, and listed as dropped, for any
// other; true when `tool` was one.
bool passBuiltinTool(const CanonicalTool &tool, qsizetype index, bool same, ParameterGate &gate, QJsonArray &tools);
// The tool's parameter schema; an empty one becomes an object schema without properties.
QJsonObject toolParameters(const QJsonObject &parameters);
// tool_choice as OpenAI chat and Responses write it: "auto", "none", "required", or namedTool for one tool
// (the two formats name it differently); nothing when unset.
void insertToolChoice(QJsonObject &root, const ToolChoice &choice, const QJsonObject &namedTool);
// name, schema, description and strict of a json_schema response format (OpenAI chat and Responses).
QJsonObject jsonSchemaFormat(const ResponseFormat &format);
// The request's own extras (same format only), then the gate's verdict: the encoded body or the refusal.
Result<EncodedRequest> finishRequest(const CanonicalRequest &request, bool same, const ParameterGate &gate,
                                     QJsonObject root);

} // namespace sluice::codec
