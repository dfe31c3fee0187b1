// A client's request body in SLUICE_FUZZ_FORMAT, as the gateway receives it: FormatCodec::decodeRequest, then,
// when it decodes, the provider request every other format would send (encodeRequest, parameters a format cannot
// express dropped) and its own format again (re-encoding to the same format, as the cache key and retries do).
#include "FuzzSupport.h"
#include "api/FormatCodec.h"

using namespace sluice;

namespace {

constexpr ApiFormat Client = ApiFormat::SLUICE_FUZZ_FORMAT;

constexpr ApiFormat ProviderFormats[] = {ApiFormat::OpenAiChat, ApiFormat::AnthropicMessages, ApiFormat::Gemini,
                                         ApiFormat::OpenAiResponses, ApiFormat::BedrockConverse};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQtLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const Result<CanonicalRequest> decoded = FormatCodec::forFormat(Client).decodeRequest(fuzz::bytesOf(data, size));
    if (!decoded)
        return 0;
    for (const ApiFormat provider : ProviderFormats) {
        for (const bool dropUnsupported : {true, false}) {
            EncodeOptions options;
            options.model = QStringLiteral("upstream-model");
            options.dropUnsupported = dropUnsupported;
            options.legacyMaxTokens = (size & 1) != 0;
            options.translateReasoning = (size & 2) == 0;
            (void)FormatCodec::forFormat(provider).encodeRequest(*decoded, options);
        }
    }
    return 0;
}
