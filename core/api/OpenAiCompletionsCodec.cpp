#include "OpenAiCompletionsCodec.h"

#include <optional>

#include <QJsonArray>
#include <QJsonDocument>

#include "api/CodecJson.h"
#include "api/OpenAiChatCodec.h"
#include "api/OpenAiCompletionsStreamEncoder.h"

namespace sluice {

namespace {
const OpenAiChatCodec &chatCodec()
{
    static const OpenAiChatCodec codec;
    return codec;
}

// The prompt as one text, when it is one: a string, or an array holding exactly one string.
std::optional<QString> singlePrompt(const QJsonValue &prompt)
{
    if (prompt.isString())
        return prompt.toString();
    const QJsonArray array = prompt.toArray();
    if (array.size() == 1 && array.first().isString())
        return array.first().toString();
    return std::nullopt;
}
} // namespace

Result<CanonicalRequest> OpenAiCompletionsCodec::decodeRequest(const QByteArray &body) const
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("request body"));
    if (!parsed)
        return parsed.error();
    const QJsonObject root = parsed.value();
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::OpenAiCompletions;
    const QJsonValue model = root.value(QLatin1String("model"));
    if (!model.isString() || model.toString().isEmpty())
        return makeError(QStringLiteral("'model' is missing: name one of the configured models (GET /v1/models)."));
    request.model = model.toString();

    const QJsonValue prompt = root.value(QLatin1String("prompt"));
    if (prompt.isUndefined() || prompt.isNull())
        return makeError(QStringLiteral("'prompt' is missing: send the text to complete, as a string."));
    if (!prompt.isString() && !prompt.isArray())
        return makeError(QStringLiteral("'prompt' must be a string or an array of strings or token ids."));
    if (const std::optional<QString> text = singlePrompt(prompt)) {
        CanonicalMessage message;
        message.parts.append(ContentPart::makeText(*text));
        request.messages.append(message);
    } else {
        // Several prompts or token ids: only a /completions upstream can take them (a chat target refuses 'prompt').
        request.extras.insert(QStringLiteral("prompt"), prompt);
    }

    QString error;
    if (!codec::readInteger(root, QLatin1String("max_tokens"), QStringLiteral("max_tokens"), request.maxTokens, error)
        || !codec::readNumber(root, QLatin1String("temperature"), QStringLiteral("temperature"), request.temperature,
                              error)
        || !codec::readNumber(root, QLatin1String("top_p"), QStringLiteral("top_p"), request.topP, error)
        || !codec::readInteger(root, QLatin1String("seed"), QStringLiteral("seed"), request.seed, error)
        || !codec::readNumber(root, QLatin1String("presence_penalty"), QStringLiteral("presence_penalty"),
                              request.presencePenalty, error)
        || !codec::readNumber(root, QLatin1String("frequency_penalty"), QStringLiteral("frequency_penalty"),
                              request.frequencyPenalty, error))
        return makeError(error);
    const QJsonValue stop = root.value(QLatin1String("stop"));
    if (!stop.isUndefined() && !stop.isNull()
        && !codec::readStringList(stop, QStringLiteral("stop"), request.stop, error))
        return makeError(error);
    const QJsonValue stream = root.value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return makeError(QStringLiteral("'stream' must be true or false."));
    request.stream = stream.toBool(false);
    request.includeUsage = request.stream
        && root.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(false);
    request.user = root.value(QLatin1String("user")).toString();
    // echo, logprobs, suffix, n, best_of, logit_bias...: kept for a /completions upstream, refused by chat targets.
    codec::copyUnknown(root,
                       {QLatin1String("model"), QLatin1String("prompt"), QLatin1String("max_tokens"),
                        QLatin1String("temperature"), QLatin1String("top_p"), QLatin1String("seed"),
                        QLatin1String("presence_penalty"), QLatin1String("frequency_penalty"), QLatin1String("stop"),
                        QLatin1String("stream"), QLatin1String("stream_options"), QLatin1String("user")},
                       request.extras);
    return request;
}

Result<EncodedRequest> OpenAiCompletionsCodec::encodeRequest(const CanonicalRequest &request,
                                                             const EncodeOptions &options) const
{
    Q_UNUSED(request);
    Q_UNUSED(options);
    return makeError(QStringLiteral("Sluice forwards legacy completions only from a /v1/completions client."));
}

Result<CanonicalResponse> OpenAiCompletionsCodec::decodeResponse(const QByteArray &body) const
{
    return chatCodec().decodeResponse(body); // it reads text_completion answers too
}

QByteArray OpenAiCompletionsCodec::encodeResponse(const CanonicalResponse &response,
                                                  const QString &requestedModel) const
{
    const FinishReason reason
        = response.finishReason == FinishReason::ToolCalls ? FinishReason::Stop : response.finishReason;
    QJsonObject choice {{QStringLiteral("text"), response.text()},
                        {QStringLiteral("index"), 0},
                        {QStringLiteral("logprobs"), QJsonValue()},
                        {QStringLiteral("finish_reason"), QString(finishReasonName(reason))}};
    QJsonObject root {
        {QStringLiteral("id"), codec::newId(QLatin1String("cmpl-"))},
        {QStringLiteral("object"), QStringLiteral("text_completion")},
        {QStringLiteral("created"), response.created > 0 ? response.created : codec::nowSeconds()},
        {QStringLiteral("model"), requestedModel},
        {QStringLiteral("choices"), QJsonArray {choice}},
    };
    if (response.usage.reported())
        root.insert(QStringLiteral("usage"), OpenAiChatCodec::usageJson(response.usage));
    return codec::toJson(root);
}

std::unique_ptr<StreamDecoder> OpenAiCompletionsCodec::createStreamDecoder() const
{
    return chatCodec().createStreamDecoder();
}

std::unique_ptr<StreamEncoder> OpenAiCompletionsCodec::createStreamEncoder(const StreamEncoderOptions &options) const
{
    return std::make_unique<OpenAiCompletionsStreamEncoder>(options);
}

CanonicalError OpenAiCompletionsCodec::decodeError(int status, const QByteArray &body) const
{
    return chatCodec().decodeError(status, body);
}

EncodedError OpenAiCompletionsCodec::encodeError(const CanonicalError &error) const
{
    return chatCodec().encodeError(error);
}

QByteArray OpenAiCompletionsCodec::upstreamBody(const QByteArray &original, const QString &upstreamModel)
{
    QJsonObject root = QJsonDocument::fromJson(original).object();
    bool changed = false;
    if (root.value(QLatin1String("model")).toString() != upstreamModel) {
        root.insert(QStringLiteral("model"), upstreamModel);
        changed = true;
    }
    if (root.value(QLatin1String("stream")).toBool(false)) {
        QJsonObject streamOptions = root.value(QLatin1String("stream_options")).toObject();
        if (!streamOptions.value(QLatin1String("include_usage")).toBool(false)) {
            streamOptions.insert(QStringLiteral("include_usage"), true);
            root.insert(QStringLiteral("stream_options"), streamOptions);
            changed = true;
        }
    }
    return changed ? codec::toJson(root) : original;
}

} // namespace sluice
