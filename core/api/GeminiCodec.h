#pragma once

#include "api/FormatCodec.h"

namespace sluice {

// Google Gemini generateContent / streamGenerateContent (alt=sse): contents and parts, systemInstruction,
// functionCall / functionResponse, thought parts and thoughtSignature, thoughtsTokenCount, usageMetadata, safety
// blocks, RetryInfo on 429.
//
// The model and the streaming choice live in the URL, not the body (requestPath()); the adapter sends the key as
// `x-goog-api-key`. Gemini names no tool calls, so decoders give each one an id; a call's thoughtSignature rides
// inside that id (after "__thought__") so it survives any client format and returns to Gemini on the next turn,
// as Gemini 3 requires.
class GeminiCodec : public FormatCodec
{
public:
    ApiFormat format() const override { return ApiFormat::Gemini; }
    // The model is not in a Gemini body: the caller sets CanonicalRequest::model (and stream) from the URL.
    Result<CanonicalRequest> decodeRequest(const QByteArray &body) const override;
    Result<EncodedRequest> encodeRequest(const CanonicalRequest &request,
                                         const EncodeOptions &options = {}) const override;
    Result<CanonicalResponse> decodeResponse(const QByteArray &body) const override;
    QByteArray encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const override;
    std::unique_ptr<StreamDecoder> createStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> createStreamEncoder(const StreamEncoderOptions &options) const override;
    CanonicalError decodeError(int status, const QByteArray &body) const override;
    EncodedError encodeError(const CanonicalError &error) const override;

    // "/v1beta/models/MODEL:generateContent", or ":streamGenerateContent?alt=sse" for a stream.
    static QString requestPath(const QString &model, bool stream);
    // The RetryInfo retryDelay of an error body ("34.4s") in milliseconds; -1 when there is none.
    static qint64 retryDelayMs(const QByteArray &errorBody);

    static FinishReason finishReasonFromName(const QString &name);
    static QString finishReasonNameFor(FinishReason reason);
    static QJsonObject usageJson(const TokenUsage &usage);
    // A tool call id for Gemini's nameless calls, carrying the call's signature when it has one.
    static QString makeToolCallId(const QString &geminiId, const QString &signature);
    static QString signatureFromToolCallId(const QString &id);
    // One Gemini part as canonical content (text, thought, functionCall, inlineData...).
    static ContentPart partFromJson(const QJsonObject &part);
    // The status word Google uses for an HTTP status ("RESOURCE_EXHAUSTED" for 429).
    static QString statusWord(int status);
};

} // namespace sluice
