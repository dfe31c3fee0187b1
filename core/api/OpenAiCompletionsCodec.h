#pragma once

#include "api/FormatCodec.h"

namespace sluice {

// OpenAI's legacy Completions (/v1/completions) as a client format: a prompt in, text_completion answers out.
// To an OpenAI-compatible provider that still serves /completions the body passes through (upstreamBody); to a
// chat-only provider the prompt becomes one user message, and the chat answer comes back as text_completion.
// Parameters a chat target cannot honour (echo, logprobs, suffix, several prompts...) stay in extras, so the
// target's ParameterGate refuses them by name, or drops them when the route allows it.
class OpenAiCompletionsCodec : public FormatCodec
{
public:
    ApiFormat format() const override { return ApiFormat::OpenAiCompletions; }
    Result<CanonicalRequest> decodeRequest(const QByteArray &body) const override;
    // Sluice never translates a request into this format; it forwards the client's own (upstreamBody).
    Result<EncodedRequest> encodeRequest(const CanonicalRequest &request,
                                         const EncodeOptions &options = {}) const override;
    Result<CanonicalResponse> decodeResponse(const QByteArray &body) const override;
    QByteArray encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const override;
    std::unique_ptr<StreamDecoder> createStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> createStreamEncoder(const StreamEncoderOptions &options) const override;
    CanonicalError decodeError(int status, const QByteArray &body) const override;
    EncodedError encodeError(const CanonicalError &error) const override;

    // The client's body for an OpenAI-compatible /completions upstream: the upstream model name, and for streams
    // stream_options.include_usage forced on so usage is always known. The client's bytes when nothing changes.
    static QByteArray upstreamBody(const QByteArray &original, const QString &upstreamModel);
};

} // namespace sluice
