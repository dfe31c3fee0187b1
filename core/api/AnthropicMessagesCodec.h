#pragma once

#include "api/FormatCodec.h"

namespace sluice {

class JsonWriter;

// Anthropic Messages (/v1/messages): system prompt, content blocks, images and documents, tool_use / tool_result,
// thinking and redacted_thinking with signatures, cache_control, stop reasons, cache read/write usage, every SSE
// event type and the error envelope.
//
// The adapter's part, not the codec's: send the headers `anthropic-version: 2023-06-01`, `x-api-key: KEY` and,
// when the client sent any, its `anthropic-beta` values. cache_control found on any part or tool (whatever the
// client's format) is passed through; structured output uses output_config.format.
class AnthropicMessagesCodec : public FormatCodec
{
public:
    ApiFormat format() const override { return ApiFormat::AnthropicMessages; }
    Result<CanonicalRequest> decodeRequest(const QByteArray &body) const override;
    Result<EncodedRequest> encodeRequest(const CanonicalRequest &request,
                                         const EncodeOptions &options = {}) const override;
    Result<CanonicalResponse> decodeResponse(const QByteArray &body) const override;
    QByteArray encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const override;
    std::unique_ptr<StreamDecoder> createStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> createStreamEncoder(const StreamEncoderOptions &options) const override;
    CanonicalError decodeError(int status, const QByteArray &body) const override;
    EncodedError encodeError(const CanonicalError &error) const override;

    static FinishReason finishReasonFromStopReason(const QString &stopReason);
    static QString stopReasonFor(FinishReason reason, const QString &stopSequence);
    // Anthropic's usage object: input_tokens without cache reads and writes, which have their own fields.
    static QJsonObject usageJson(const TokenUsage &usage);
    // usageJson's object written directly (the same bytes).
    static void writeUsage(JsonWriter &out, const TokenUsage &usage);
    static QByteArray errorType(CanonicalError::Kind kind);
    static CanonicalError::Kind kindForErrorType(const QString &type, int status);
    // Tool ids as Anthropic accepts them (letters, digits, '_' and '-'); other characters become '_'.
    static QString toolId(const QString &id);
};

} // namespace sluice
