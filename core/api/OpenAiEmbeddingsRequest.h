#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "api/TokenUsage.h"
#include "common/Result.h"

namespace sluice {

// An OpenAI /v1/embeddings request: validated once, forwarded as it is to OpenAI-compatible providers (with the
// upstream model name), or rendered as a Gemini batchEmbedContents request whose answer comes back in OpenAI's
// shape (base64 encoded by Sluice when the client asked for it).
class OpenAiEmbeddingsRequest
{
public:
    // Validates the body; the error names the field and what to send instead.
    static Result<OpenAiEmbeddingsRequest> parse(const QByteArray &body);

    QString model() const { return m_model; }
    bool base64() const { return m_base64; }
    qint64 dimensions() const { return m_dimensions; } // 0: the model's own
    qsizetype inputCount() const { return m_inputCount; }
    bool hasTokenInput() const { return m_tokenInput; }
    // Characters of text input, for a token estimate.
    qint64 inputCharacters() const;

    // The client's body with the upstream model name (the client's bytes when it already matches).
    QByteArray upstreamBody(const QByteArray &original, const QString &upstreamModel) const;
    // The Gemini batchEmbedContents body. Fields Gemini has no equivalent for are refused by name, or left out
    // and listed in `dropped` when dropUnsupported.
    Result<QByteArray> geminiBody(const QString &upstreamModel, bool dropUnsupported, QStringList &dropped) const;
    // A Gemini batchEmbedContents answer as OpenAI's embedding list, naming the model the client asked for.
    // usage gets what Gemini reported (input -1 when it reported nothing).
    Result<QByteArray> openAiFromGemini(const QByteArray &geminiAnswer, const QString &requestedModel,
                                        TokenUsage &usage) const;

    // Float32 values as OpenAI's base64 encoding_format sends them (little-endian IEEE 754).
    static QByteArray base64Floats(const QList<double> &values);
    // Gemini batchEmbedContents takes at most this many inputs per request.
    static constexpr qsizetype MaxGeminiInputs = 100;

private:
    QJsonObject m_root;
    QString m_model;
    QStringList m_texts; // string inputs
    qsizetype m_inputCount = 0;
    bool m_tokenInput = false;
    bool m_base64 = false;
    qint64 m_dimensions = 0;
};

} // namespace sluice
