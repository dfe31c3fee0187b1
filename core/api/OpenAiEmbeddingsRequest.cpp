#include "OpenAiEmbeddingsRequest.h"

#include <cstring>

#include <QJsonArray>
#include <QJsonDocument>
#include <QtEndian>

#include "api/CodecJson.h"
#include "common/WholeNumber.h"

namespace sluice {

namespace {
bool isTokenList(const QJsonValue &value)
{
    if (!value.isArray() || value.toArray().isEmpty())
        return false;
    const QJsonArray array = value.toArray();
    return std::all_of(array.begin(), array.end(), [](const QJsonValue &item) {
        return item.isDouble() && wholeNumber(item.toDouble()).value_or(-1) >= 0;
    });
}
} // namespace

Result<OpenAiEmbeddingsRequest> OpenAiEmbeddingsRequest::parse(const QByteArray &body)
{
    Result<QJsonObject> parsed = codec::parseObject(body, QStringLiteral("request body"));
    if (!parsed)
        return parsed.error();
    OpenAiEmbeddingsRequest request;
    request.m_root = parsed.value();
    const QJsonObject &root = request.m_root;
    const QJsonValue model = root.value(QLatin1String("model"));
    if (!model.isString() || model.toString().isEmpty())
        return makeError(QStringLiteral("'model' is missing: name one of the configured models (GET /v1/models)."));
    request.m_model = model.toString();

    const QJsonValue input = root.value(QLatin1String("input"));
    const QString inputHelp = QStringLiteral(
        "'input' must be a non-empty string, an array of strings, an array of token ids or an array of such arrays.");
    if (input.isString()) {
        if (input.toString().isEmpty())
            return makeError(inputHelp);
        request.m_texts.append(input.toString());
        request.m_inputCount = 1;
    } else if (isTokenList(input)) {
        request.m_tokenInput = true;
        request.m_inputCount = 1;
    } else if (input.isArray() && !input.toArray().isEmpty()) {
        const QJsonArray items = input.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QJsonValue item = items.at(i);
            if (item.isString() && !item.toString().isEmpty()) {
                request.m_texts.append(item.toString());
            } else if (isTokenList(item)) {
                request.m_tokenInput = true;
            } else {
                return makeError(
                    QStringLiteral("'input[%1]' is neither a non-empty string nor an array of token ids. ").arg(i)
                    + inputHelp);
            }
        }
        request.m_inputCount = items.size();
    } else {
        return makeError(inputHelp);
    }

    const QJsonValue format = root.value(QLatin1String("encoding_format"));
    if (!format.isUndefined() && !format.isNull()) {
        if (format != QJsonValue(QStringLiteral("float")) && format != QJsonValue(QStringLiteral("base64")))
            return makeError(QStringLiteral("'encoding_format' must be \"float\" or \"base64\"."));
        request.m_base64 = format.toString() == QLatin1String("base64");
    }
    const QJsonValue dimensions = root.value(QLatin1String("dimensions"));
    if (!dimensions.isUndefined() && !dimensions.isNull()) {
        const std::optional<qint64> value = wholeNumber(dimensions.toDouble(-1));
        if (!dimensions.isDouble() || !value || *value < 1 || *value > 1'000'000)
            return makeError(QStringLiteral("'dimensions' must be a positive whole number."));
        request.m_dimensions = *value;
    }
    return request;
}

qint64 OpenAiEmbeddingsRequest::inputCharacters() const
{
    qint64 total = 0;
    for (const QString &text : m_texts)
        total += text.size();
    return total;
}

QByteArray OpenAiEmbeddingsRequest::upstreamBody(const QByteArray &original, const QString &upstreamModel) const
{
    if (m_model == upstreamModel)
        return original;
    QJsonObject root = m_root;
    root.insert(QStringLiteral("model"), upstreamModel);
    return codec::toJson(root);
}

Result<QByteArray> OpenAiEmbeddingsRequest::geminiBody(const QString &upstreamModel, bool dropUnsupported,
                                                       QStringList &dropped) const
{
    if (m_tokenInput)
        return makeError(QStringLiteral("'input' holds token ids, and Gemini embeds text only: send the text"));
    if (m_inputCount > MaxGeminiInputs)
        return makeError(QStringLiteral("'input' has %1 items, and Gemini takes at most %2 per request: split it")
                             .arg(m_inputCount)
                             .arg(MaxGeminiInputs));
    QStringList refused;
    for (auto it = m_root.begin(); it != m_root.end(); ++it) {
        static const QStringList known = {QStringLiteral("model"), QStringLiteral("input"),
                                          QStringLiteral("encoding_format"), QStringLiteral("dimensions")};
        // user only labels the caller for OpenAI's abuse monitoring; it changes no vector.
        if (known.contains(it.key()) || it.key() == QLatin1String("user") || codec::isEmptyValue(it.value()))
            continue;
        (dropUnsupported ? dropped : refused).append(it.key());
    }
    if (!refused.isEmpty())
        return makeError(QStringLiteral("Gemini embeddings have no equivalent of '%1'; remove it from the request, or "
                                        "configure the route to drop unsupported parameters")
                             .arg(refused.join(QStringLiteral("', '"))));
    const QString modelPath = QStringLiteral("models/") + upstreamModel;
    QJsonArray requests;
    for (const QString &text : m_texts) {
        QJsonObject item {
            {QStringLiteral("model"), modelPath},
            {QStringLiteral("content"),
             QJsonObject {{QStringLiteral("parts"), QJsonArray {QJsonObject {{QStringLiteral("text"), text}}}}}}};
        if (m_dimensions > 0)
            item.insert(QStringLiteral("outputDimensionality"), m_dimensions);
        requests.append(item);
    }
    return codec::toJson(QJsonObject {{QStringLiteral("requests"), requests}});
}

Result<QByteArray> OpenAiEmbeddingsRequest::openAiFromGemini(const QByteArray &geminiAnswer,
                                                             const QString &requestedModel, TokenUsage &usage) const
{
    Result<QJsonObject> parsed = codec::parseObject(geminiAnswer, QStringLiteral("provider response"));
    if (!parsed)
        return parsed.error();
    const QJsonArray embeddings = parsed->value(QLatin1String("embeddings")).toArray();
    if (embeddings.size() != m_texts.size())
        return makeError(QStringLiteral("Gemini answered with %1 embeddings for %2 inputs")
                             .arg(embeddings.size())
                             .arg(m_texts.size()));
    QJsonArray data;
    for (qsizetype i = 0; i < embeddings.size(); ++i) {
        const QJsonValue values = embeddings.at(i).toObject().value(QLatin1String("values"));
        if (!values.isArray())
            return makeError(QStringLiteral("Gemini's embeddings[%1] has no values").arg(i));
        QJsonValue embedding = values;
        if (m_base64) {
            QList<double> floats;
            for (const QJsonValue &value : values.toArray())
                floats.append(value.toDouble());
            embedding = QString::fromLatin1(base64Floats(floats));
        }
        data.append(QJsonObject {{QStringLiteral("object"), QStringLiteral("embedding")},
                                 {QStringLiteral("index"), int(i)},
                                 {QStringLiteral("embedding"), embedding}});
    }
    usage = TokenUsage();
    const QJsonValue metadata = parsed->value(QLatin1String("usageMetadata"));
    if (metadata.isObject())
        usage.input = metadata.toObject().value(QLatin1String("promptTokenCount")).toInteger(-1);
    if (usage.input >= 0)
        usage.output = 0;
    QJsonObject root {{QStringLiteral("object"), QStringLiteral("list")},
                      {QStringLiteral("data"), data},
                      {QStringLiteral("model"), requestedModel}};
    // Gemini reports no token count for embeddings: the client's usage is an estimate then (about four characters a
    // token); the log keeps it unreported so its cost is marked estimated.
    const qint64 tokens = usage.input >= 0 ? usage.input : (inputCharacters() + 3) / 4;
    root.insert(QStringLiteral("usage"),
                QJsonObject {{QStringLiteral("prompt_tokens"), tokens}, {QStringLiteral("total_tokens"), tokens}});
    return codec::toJson(root);
}

QByteArray OpenAiEmbeddingsRequest::base64Floats(const QList<double> &values)
{
    QByteArray bytes(values.size() * 4, Qt::Uninitialized);
    for (qsizetype i = 0; i < values.size(); ++i) {
        const float value = float(values.at(i));
        quint32 bits = 0;
        std::memcpy(&bits, &value, sizeof bits);
        qToLittleEndian(bits, bytes.data() + i * 4);
    }
    return bytes.toBase64();
}

} // namespace sluice
