// A provider's streamed answer (SLUICE_FUZZ_FORMAT's StreamDecoder) as untrusted upstream bytes: fed whole and
// again split into small pieces, both must keep StreamDecoder's event contract and decode the same events. The
// events then go through a client format's StreamEncoder, as on a translated route.
#include "FuzzSupport.h"
#include "api/FormatCodec.h"

using namespace sluice;

namespace {

constexpr ApiFormat Provider = ApiFormat::SLUICE_FUZZ_FORMAT;

constexpr ApiFormat ClientFormats[] = {ApiFormat::OpenAiChat, ApiFormat::AnthropicMessages, ApiFormat::Gemini,
                                       ApiFormat::OpenAiResponses, ApiFormat::OpenAiCompletions};

CanonicalEvents decode(const QList<QByteArray> &pieces)
{
    const std::unique_ptr<StreamDecoder> decoder = FormatCodec::forFormat(Provider).createStreamDecoder();
    CanonicalEvents events;
    for (const QByteArray &piece : pieces) {
        events += decoder->feed(piece);
        fuzz::checkEventContract(events, false);
    }
    events += decoder->finish();
    fuzz::checkEventContract(events, true);
    if (!decoder->terminated())
        fuzz::contractBroken("finish() left the decoder unterminated");
    return events;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQtLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = fuzz::bytesOf(data, size);
    const CanonicalEvents whole = decode({bytes});
    const CanonicalEvents split = decode(fuzz::splitPieces(bytes));
    if (fuzz::eventDigest(whole) != fuzz::eventDigest(split)) {
        std::fprintf(stderr, "fed whole:\n%s\nfed in pieces:\n%s\n", fuzz::eventDigest(whole).constData(),
                     fuzz::eventDigest(split).constData());
        fuzz::contractBroken("the same bytes decode to different events when split differently");
    }

    StreamEncoderOptions options;
    options.requestedModel = QStringLiteral("fuzz-model");
    options.includeUsage = (size & 1) != 0;
    options.jsonArray = (size & 2) != 0;
    const ApiFormat client = ClientFormats[size % std::size(ClientFormats)];
    const std::unique_ptr<StreamEncoder> encoder = FormatCodec::forFormat(client).createStreamEncoder(options);
    encoder->encode(whole);
    encoder->finish();
    return 0;
}
