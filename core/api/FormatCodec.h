#pragma once

#include <memory>

#include <QByteArray>
#include <QStringList>

#include "api/ApiFormat.h"
#include "api/CanonicalError.h"
#include "api/CanonicalRequest.h"
#include "api/CanonicalResponse.h"
#include "api/StreamDecoder.h"
#include "api/StreamEncoder.h"
#include "common/Result.h"

namespace sluice {

struct EncodeOptions
{
    QString model; // the upstream model name to send; empty: the request's own
    bool dropUnsupported = false; // leave out what the target cannot express instead of refusing the request
    bool legacyMaxTokens = false; // OpenAI chat: send max_tokens (older compatible servers), not max_completion_tokens
    qint64 defaultMaxTokens = 4096; // Anthropic requires max_tokens: used when the client set none
    // Thinking settings from another format are translated (effort <-> budget); false leaves them out, for
    // models that refuse reasoning parameters.
    bool translateReasoning = true;
};

struct EncodedRequest
{
    QByteArray body; // JSON for the provider
    QStringList dropped; // parameters left out (only with dropUnsupported), for the log
};

// One wire format, both directions: a client's request in that format to canonical and back to the client
// (inbound), canonical to a provider's request in that format and its answer back to canonical (outbound).
// Codecs are stateless; streams get their own stateful decoder/encoder objects.
class FormatCodec
{
public:
    virtual ~FormatCodec();

    virtual ApiFormat format() const = 0;

    // Inbound: a client's request body. Errors name the offending field.
    virtual Result<CanonicalRequest> decodeRequest(const QByteArray &body) const = 0;
    // Outbound: the provider request body. A parameter the format cannot express is refused, naming it,
    // unless options.dropUnsupported.
    virtual Result<EncodedRequest> encodeRequest(const CanonicalRequest &request,
                                                 const EncodeOptions &options = {}) const = 0;
    // Outbound: a provider's non-streamed 2xx answer.
    virtual Result<CanonicalResponse> decodeResponse(const QByteArray &body) const = 0;
    // Inbound: the answer for the client, naming the model the client asked for.
    virtual QByteArray encodeResponse(const CanonicalResponse &response, const QString &requestedModel) const = 0;
    virtual std::unique_ptr<StreamDecoder> createStreamDecoder() const = 0;
    virtual std::unique_ptr<StreamEncoder> createStreamEncoder(const StreamEncoderOptions &options) const = 0;
    // Outbound: a provider's error answer (any body, even non-JSON), keeping its status and message.
    virtual CanonicalError decodeError(int status, const QByteArray &body) const = 0;
    // Inbound: the error in the client's format, with the status to send.
    virtual EncodedError encodeError(const CanonicalError &error) const = 0;

    // The codec of a format (shared, stateless instances).
    static const FormatCodec &forFormat(ApiFormat format);
    // A provider's error answer rewritten for the client.
    static EncodedError translateError(ApiFormat provider, ApiFormat client, int status, const QByteArray &body);
};

} // namespace sluice
