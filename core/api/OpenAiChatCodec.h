#pragma once

#include "api/FormatCodec.h"

namespace sluice {

// OpenAI Chat Completions (/v1/chat/completions), as OpenAI and the OpenAI-compatible family speak it:
// tool calls, DeepSeek's reasoning_content, stream_options usage, legacy text_completion answers (read only).
class OpenAiChatCodec : public FormatCodec
{
public:
    ApiFormat format() const override { return ApiFormat::OpenAiChat; }
    Result<CanonicalRequest> decodeRequest(const QByteArray &body) const override;
    // Streams always ask for the usage chunk (stream_options.include_usage) so usage is known; the client's own
    // wish is CanonicalRequest::includeUsage, honoured by the stream encoder.
    Result<EncodedRequest> encodeRequest(const CanonicalRequest &request,
                                         const EncodeOptions &options = {}) const override;
    Result<CanonicalResponse> decodeResponse(const QByteArray &body) const override;
    QByteArray encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const override;
    std::unique_ptr<StreamDecoder> createStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> createStreamEncoder(const StreamEncoderOptions &options) const override;
    CanonicalError decodeError(int status, const QByteArray &body) const override;
    EncodedError encodeError(const CanonicalError &error) const override;

    static FinishReason finishReasonFromName(const QString &name);
    // OpenAI's usage object (prompt/completion tokens with their details).
    static QJsonObject usageJson(const TokenUsage &usage);
    // OpenAI's error "type" for a kind.
    static QByteArray errorType(CanonicalError::Kind kind);
    // An error answer's envelope for OpenAI-style clients (also used by the Responses format).
    static CanonicalError decodeOpenAiStyleError(int status, const QByteArray &body);
};

} // namespace sluice
