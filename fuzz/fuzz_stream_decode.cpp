// A provider's streamed answer (SLUICE_FUZZ_FORMAT's StreamDecoder) as untrusted upstream bytes: fed whole and
// again split into small pieces, both must keep StreamDecoder's event contract and decode the same events. The
// events then go through a client format's StreamEncoder, as on a translated route.
// OpenAI chat streams are decoded twice more, with the fast chunk reader (simdjson) off: QJsonDocument's reading
// must give the same events.
#include "FuzzSupport.h"
#include "api/FormatCodec.h"
#include "api/OpenAiChatStreamDecoder.h"

using namespace sluice;

namespace {

constexpr ApiFormat Provider = ApiFormat::SLUICE_FUZZ_FORMAT;

constexpr ApiFormat ClientFormats[] = {ApiFormat::OpenAiChat, ApiFormat::AnthropicMessages, ApiFormat::Gemini,
                                       ApiFormat::OpenAiResponses, ApiFormat::OpenAiCompletions};

CanonicalEvents decode(const QList<QByteArray> &pieces, bool fastReader = true)
{
    const std::unique_ptr<StreamDecoder> decoder = FormatCodec::forFormat(Provider).createStreamDecoder();
    if (auto *chat = dynamic_cast<OpenAiChatStreamDecoder *>(decoder.get()))
        chat->setFastReader(fastReader);
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

// Every field, strings as their UTF-16 code units (lone surrogates included).
QByteArray exactDigest(const CanonicalEvents &events)
{
    const auto units = [](const QString &text) -> QByteArray {
        return QByteArray(reinterpret_cast<const char *>(text.utf16()), text.size() * 2) + '\x1f';
    };
    QByteArray digest;
    for (const CanonicalEvent &event : events) {
        digest += QByteArray::number(int(event.type)) + ' ' + units(event.id) + units(event.model)
            + QByteArray::number(event.created) + ' ' + units(event.text) + units(event.signature)
            + QByteArray::number(event.index) + ' ' + units(event.toolCallId) + units(event.toolName)
            + QByteArray::number(event.usage.input) + ' ' + QByteArray::number(event.usage.output) + ' '
            + QByteArray::number(event.usage.cached) + ' ' + QByteArray::number(event.usage.reasoning) + ' '
            + QByteArray::number(int(event.finishReason)) + ' ' + units(event.error.message) + units(event.error.code)
            + QByteArray::number(event.error.status) + '\n';
    }
    return digest;
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
    if (Provider == ApiFormat::OpenAiChat) {
        const CanonicalEvents slow = decode({bytes}, false);
        if (exactDigest(whole) != exactDigest(slow)) {
            std::fprintf(stderr, "fast reader:\n%s\nQJsonDocument:\n%s\n", fuzz::eventDigest(whole).constData(),
                         fuzz::eventDigest(slow).constData());
            fuzz::contractBroken("the fast chunk reader and QJsonDocument decode the same bytes differently");
        }
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
