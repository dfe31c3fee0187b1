#pragma once

#include <QJsonArray>

#include "api/FormatCodec.h"

namespace sluice {

// OpenAI Responses (/v1/responses), as Codex CLI and newer SDKs speak it: input as a string or items (messages,
// function_call, function_call_output, reasoning), instructions, flat function tools, text.format, reasoning;
// the response object and its streamed event sequence. Reasoning signatures (e.g. Anthropic's) travel as the
// reasoning item's encrypted_content so a client that sends its items back returns them intact.
// Sluice keeps no conversation state: previous_response_id only works with an OpenAI Responses upstream.
class OpenAiResponsesCodec : public FormatCodec
{
public:
    ApiFormat format() const override { return ApiFormat::OpenAiResponses; }
    Result<CanonicalRequest> decodeRequest(const QByteArray &body) const override;
    Result<EncodedRequest> encodeRequest(const CanonicalRequest &request,
                                         const EncodeOptions &options = {}) const override;
    Result<CanonicalResponse> decodeResponse(const QByteArray &body) const override;
    QByteArray encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const override;
    std::unique_ptr<StreamDecoder> createStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> createStreamEncoder(const StreamEncoderOptions &options) const override;
    CanonicalError decodeError(int status, const QByteArray &body) const override;
    EncodedError encodeError(const CanonicalError &error) const override;

    static QJsonObject usageJson(const TokenUsage &usage);
    // The response object (as in the non-streamed answer and the response.* stream events).
    static QJsonObject responseObject(const QString &id, qint64 createdAt, const QString &model, const QString &status,
                                      const QJsonArray &output, const QJsonValue &usage);
    // "completed" | "incomplete" | "failed" and the matching incomplete_details / error for a finish reason.
    static QString statusFor(FinishReason reason);
    static QJsonValue incompleteDetailsFor(FinishReason reason);
    static QJsonObject messageItem(const QString &id, const QString &status, const QString &text,
                                   const QString &refusal = {});
    static QJsonObject reasoningItem(const QString &id, const QString &text, const QString &signature);
    // toolNamespace: the namespace tool the function belongs to (Codex's namespaced tools), or empty.
    static QJsonObject functionCallItem(const QString &id, const QString &status, const QString &callId,
                                        const QString &name, const QString &arguments,
                                        const QString &toolNamespace = {});
};

} // namespace sluice
