#include "ErrorClassifier.h"

#include <cstring>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sluice {

namespace {

bool startsWith(const char *at, const char *end, const char *word, size_t length)
{
    return size_t(end - at) >= length && std::memcmp(at, word, length) == 0;
}

// Whether the answer can be a refusal at all: one of the names or values the parse in isRefusalAnswer looks for
// ("refusal", "content_filter", "blockReason", "finishReason") begins right after a quote, as every JSON name and
// string does; "refusal": null, in every OpenAI answer, is not one. One memchr per quote instead of a search of
// the whole answer per word.
bool mayBeRefusal(const QByteArray &body)
{
    static constexpr char refusal[] = "refusal";
    constexpr size_t refusalLength = sizeof(refusal) - 1;
    const char *end = body.constData() + body.size();
    const char *at = body.constData();
    while ((at = static_cast<const char *>(std::memchr(at, '"', size_t(end - at))))) {
        ++at;
        if (at == end)
            break;
        switch (*at) {
        case 'r':
            if (startsWith(at, end, refusal, refusalLength)) {
                const char *value = at + refusalLength;
                if (value < end && *value == '"') {
                    ++value;
                    while (value < end && (*value == ' ' || *value == ':' || *value == '\n' || *value == '\t'))
                        ++value;
                    if (startsWith(value, end, "null", 4))
                        continue;
                }
                return true;
            }
            break;
        case 'c':
            if (startsWith(at, end, "content_filter", 14))
                return true;
            break;
        case 'b':
            if (startsWith(at, end, "blockReason", 11))
                return true;
            break;
        case 'f':
            if (startsWith(at, end, "finishReason", 12))
                return true;
            break;
        default:
            break;
        }
    }
    return false;
}

// The parts of a provider's error body that identify the error, lower-cased. OpenAI: {"error": {message,
// type, code}}; Anthropic: {"type": "error", "error": {type, message}}; Gemini: {"error": {code, message,
// status, details}}, sometimes wrapped in a one-element array.
struct ErrorFields
{
    QString code;
    QString type;
    QString status;
    QString message;
    QString innerCode; // Azure's error.innererror.code
    QString raw; // the whole body, for bodies that are not JSON
};

QString lowerText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().toLower();
    if (value.isDouble())
        return QString::number(value.toInteger());
    return {};
}

ErrorFields errorFields(const QByteArray &body)
{
    ErrorFields fields;
    fields.raw = QString::fromUtf8(body.left(64 * 1024)).toLower();
    const QJsonDocument document = QJsonDocument::fromJson(body);
    QJsonObject root = document.object();
    if (document.isArray() && !document.array().isEmpty())
        root = document.array().first().toObject();
    const QJsonValue error = root.value(QLatin1String("error"));
    const QJsonObject object = error.isObject() ? error.toObject() : root;
    fields.code = lowerText(object.value(QLatin1String("code")));
    fields.type = lowerText(object.value(QLatin1String("type")));
    fields.status = lowerText(object.value(QLatin1String("status")));
    fields.message = error.isString() ? error.toString().toLower() : lowerText(object.value(QLatin1String("message")));
    fields.innerCode = lowerText(object.value(QLatin1String("innererror")).toObject().value(QLatin1String("code")));
    return fields;
}

bool containsAny(const QString &text, std::initializer_list<QLatin1String> phrases)
{
    for (const QLatin1String &phrase : phrases) {
        if (text.contains(phrase))
            return true;
    }
    return false;
}

bool hasContextWindowSignal(const ErrorFields &fields)
{
    if (fields.code == QLatin1String("context_length_exceeded")
        || fields.type == QLatin1String("context_length_exceeded"))
        return true;
    const QString &text = fields.message.isEmpty() ? fields.raw : fields.message;
    return containsAny(text,
                       {QLatin1String("context_length_exceeded"), QLatin1String("maximum context length"),
                        QLatin1String("context length"), QLatin1String("context window"),
                        QLatin1String("context limit"), QLatin1String("prompt is too long"),
                        QLatin1String("input is too long"), QLatin1String("exceeds the maximum number of tokens"),
                        QLatin1String("reduce the length of the messages"), QLatin1String("too many tokens"),
                        QLatin1String("too many input tokens")});
}

bool hasContentPolicySignal(const ErrorFields &fields)
{
    for (const QString &code : {fields.code, fields.type, fields.innerCode}) {
        if (code == QLatin1String("content_policy_violation") || code == QLatin1String("content_filter")
            || code == QLatin1String("responsibleaipolicyviolation") || code == QLatin1String("invalid_prompt"))
            return true;
    }
    const QString &text = fields.message.isEmpty() ? fields.raw : fields.message;
    return containsAny(text,
                       {QLatin1String("content management policy"), QLatin1String("content policy"),
                        QLatin1String("usage policy"), QLatin1String("usage policies"), QLatin1String("safety system"),
                        QLatin1String("content filter"), QLatin1String("flagged as potentially violating")});
}

Classification make(FailureClass failure, QString reason, bool retryable = true)
{
    return Classification {failure, retryable, std::move(reason)};
}

QString timeoutReason(const QString &phase)
{
    if (phase == QLatin1String("connect"))
        return QStringLiteral("timed out connecting to the provider");
    if (phase == QLatin1String("first byte"))
        return QStringLiteral("timed out waiting for the provider's first byte");
    if (phase == QLatin1String("idle"))
        return QStringLiteral("timed out: the provider went quiet in the middle of the answer");
    if (phase == QLatin1String("total"))
        return QStringLiteral("timed out: the whole answer took too long");
    return QStringLiteral("timed out");
}

QString httpPrefix(int status)
{
    return QStringLiteral("HTTP %1: ").arg(status);
}

} // namespace

bool ErrorClassifier::isContextWindowError(const QByteArray &body)
{
    return hasContextWindowSignal(errorFields(body));
}

bool ErrorClassifier::isContentPolicyError(const QByteArray &body)
{
    return hasContentPolicySignal(errorFields(body));
}

bool ErrorClassifier::isRefusalAnswer(const QByteArray &body)
{
    // Parsing a whole answer is skipped unless one of the markers is present at all.
    if (!mayBeRefusal(body))
        return false;
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    if (root.value(QLatin1String("stop_reason")).toString() == QLatin1String("refusal"))
        return true;
    for (const QJsonValue &choice : root.value(QLatin1String("choices")).toArray()) {
        const QJsonObject object = choice.toObject();
        if (object.value(QLatin1String("finish_reason")).toString() == QLatin1String("content_filter"))
            return true;
        const QJsonValue refusal = object.value(QLatin1String("message")).toObject().value(QLatin1String("refusal"));
        if (refusal.isString() && !refusal.toString().isEmpty())
            return true;
    }
    if (!root.value(QLatin1String("promptFeedback"))
             .toObject()
             .value(QLatin1String("blockReason"))
             .toString()
             .isEmpty())
        return true;
    static const QStringList blockedFinishReasons
        = {QStringLiteral("SAFETY"), QStringLiteral("PROHIBITED_CONTENT"), QStringLiteral("BLOCKLIST"),
           QStringLiteral("SPII"), QStringLiteral("IMAGE_SAFETY")};
    for (const QJsonValue &candidate : root.value(QLatin1String("candidates")).toArray()) {
        if (blockedFinishReasons.contains(candidate.toObject().value(QLatin1String("finishReason")).toString()))
            return true;
    }
    return false;
}

Classification ErrorClassifier::classifyHttp(int status, const QByteArray &body)
{
    const QString prefix = httpPrefix(status);
    if (status >= 200 && status < 300) {
        if (isRefusalAnswer(body))
            return make(FailureClass::ContentPolicy,
                        prefix + QStringLiteral("the provider refused to answer (content policy)"), false);
        return make(FailureClass::None, prefix + QStringLiteral("answered"));
    }
    if (status == 429) {
        const ErrorFields fields = errorFields(body);
        if (fields.code == QLatin1String("insufficient_quota") || fields.type == QLatin1String("insufficient_quota"))
            return make(FailureClass::RateLimit,
                        prefix + QStringLiteral("the account's quota is used up (insufficient_quota)"), false);
        // OpenAI answers 429 "Request too large" when one request alone exceeds the tokens-per-minute limit.
        if (fields.message.contains(QLatin1String("request too large")))
            return make(FailureClass::RateLimit,
                        prefix + QStringLiteral("the request alone exceeds the tokens-per-minute limit"), false);
        return make(FailureClass::RateLimit, prefix + QStringLiteral("rate limited"));
    }
    if (status == 408)
        return make(FailureClass::Timeout, prefix + QStringLiteral("the provider timed out reading the request"));
    if (status == 504)
        return make(FailureClass::Timeout, prefix + QStringLiteral("the provider's gateway timed out"));
    if (status == 529)
        return make(FailureClass::ServerError, prefix + QStringLiteral("the provider is overloaded"));
    if (status == 503)
        return make(FailureClass::ServerError, prefix + QStringLiteral("the provider is unavailable"));
    if (status >= 500)
        return make(FailureClass::ServerError, prefix + QStringLiteral("server error"));
    if (status >= 400) {
        const ErrorFields fields = errorFields(body);
        if (hasContextWindowSignal(fields))
            return make(FailureClass::ContextWindowExceeded,
                        prefix + QStringLiteral("the prompt does not fit the model's context window"), false);
        if (hasContentPolicySignal(fields))
            return make(FailureClass::ContentPolicy,
                        prefix + QStringLiteral("refused by the provider's content policy"), false);
        QString what;
        switch (status) {
        case 400:
            what = QStringLiteral("the provider rejected the request");
            break;
        case 401:
            what = QStringLiteral("the provider did not accept the key (check it with `sluice key set`)");
            break;
        case 402:
            what = QStringLiteral("the provider requires payment (check the account's credit)");
            break;
        case 403:
            what = QStringLiteral("the key is not allowed to use this model or endpoint");
            break;
        case 404:
            what = QStringLiteral("the provider does not know this model or endpoint (check the upstream model name)");
            break;
        case 413:
            what = QStringLiteral("the request is too large for the provider");
            break;
        default:
            what = QStringLiteral("the provider rejected the request");
            break;
        }
        return make(FailureClass::ClientError, prefix + what, false);
    }
    return make(FailureClass::ServerError, prefix + QStringLiteral("unexpected status from the provider"));
}

Classification ErrorClassifier::classify(const AttemptOutcome &outcome)
{
    switch (outcome.transport) {
    case AttemptOutcome::Transport::None:
        break;
    case AttemptOutcome::Transport::Connect:
        return make(FailureClass::Connection,
                    outcome.detail.isEmpty() ? QStringLiteral("could not connect to the provider")
                                             : QStringLiteral("could not connect: ") + outcome.detail);
    case AttemptOutcome::Transport::Reset:
        return make(FailureClass::Connection, QStringLiteral("the connection broke before the answer was complete"));
    case AttemptOutcome::Transport::Timeout:
        return make(FailureClass::Timeout, timeoutReason(outcome.timeoutPhase));
    case AttemptOutcome::Transport::Protocol:
        return make(FailureClass::ServerError, QStringLiteral("the provider's answer was not valid HTTP"));
    case AttemptOutcome::Transport::Cancelled:
        return make(FailureClass::Cancelled, QStringLiteral("cancelled: the client went away"), false);
    }
    if (outcome.httpStatus >= 200 && outcome.httpStatus < 300 && outcome.malformedBody)
        return make(FailureClass::ServerError,
                    httpPrefix(outcome.httpStatus) + QStringLiteral("the answer could not be read"));
    return classifyHttp(outcome.httpStatus, outcome.body);
}

} // namespace sluice
