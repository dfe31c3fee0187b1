// An OpenAI /v1/embeddings request (OpenAiEmbeddingsRequest) and, after a NUL byte in the input, a Gemini
// batchEmbedContents answer to it: parse(), the forwarded body, the Gemini request body (with and without
// dropping what Gemini cannot express) and the answer translated back to OpenAI's shape.
#include "FuzzSupport.h"
#include "api/OpenAiEmbeddingsRequest.h"

using namespace sluice;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQtLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytesOf(data, size);
    const qsizetype separator = input.indexOf('\0');
    const QByteArray body = separator < 0 ? input : input.left(separator);
    const QByteArray answer = separator < 0 ? QByteArray() : input.mid(separator + 1);

    const Result<OpenAiEmbeddingsRequest> request = OpenAiEmbeddingsRequest::parse(body);
    if (!request)
        return 0;
    (void)request->inputCharacters();
    (void)request->upstreamBody(body, QStringLiteral("upstream-model"));
    for (const bool dropUnsupported : {true, false}) {
        QStringList dropped;
        (void)request->geminiBody(QStringLiteral("models/upstream-model"), dropUnsupported, dropped);
    }
    if (separator >= 0) {
        TokenUsage usage;
        (void)request->openAiFromGemini(answer, QStringLiteral("client-model"), usage);
    }
    return 0;
}
