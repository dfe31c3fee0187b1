#pragma once

#include "api/FormatCodec.h"

namespace sluice {

// Amazon Bedrock Converse (POST /model/{modelId}/converse) and ConverseStream (/converse-stream, AWS event-stream
// framing): messages of content blocks (text, image, document, toolUse, toolResult, reasoningContent), system,
// inferenceConfig, toolConfig; output.message, stopReason, usage with cache read/write tokens; errors as
// {"message": ...} with the exception name in x-amzn-ErrorType (folded into the body as "__type" by the adapter).
//
// Outbound only: no client speaks Converse to Sluice, so decodeRequest refuses and createStreamEncoder gives
// null. encodeResponse renders a Converse answer (tests use it to check the decoder round trip).
// The adapter's part: the URL from the model id, and SigV4 signing (service "bedrock") or a Bedrock API key.
class BedrockConverseCodec : public FormatCodec
{
public:
    ApiFormat format() const override { return ApiFormat::BedrockConverse; }
    Result<CanonicalRequest> decodeRequest(const QByteArray &body) const override;
    Result<EncodedRequest> encodeRequest(const CanonicalRequest &request,
                                         const EncodeOptions &options = {}) const override;
    Result<CanonicalResponse> decodeResponse(const QByteArray &body) const override;
    QByteArray encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const override;
    std::unique_ptr<StreamDecoder> createStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> createStreamEncoder(const StreamEncoderOptions &options) const override;
    CanonicalError decodeError(int status, const QByteArray &body) const override;
    EncodedError encodeError(const CanonicalError &error) const override;

    // "/model/{modelId}/converse" or "/converse-stream", the model id percent-encoded (':' becomes %3A).
    static QString requestPath(const QString &modelId, bool stream);
    static FinishReason finishReasonFromStopReason(const QString &stopReason);
    // Converse usage: inputTokens excludes cacheReadInputTokens and cacheWriteInputTokens; they are added here.
    static TokenUsage usageFromConverse(const QJsonObject &usage);
    // The kind of an exception name (ThrottlingException, ValidationException, ...; any case), else from status.
    static CanonicalError::Kind kindForException(const QString &name, int status);
};

} // namespace sluice
