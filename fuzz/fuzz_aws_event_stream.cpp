// Bedrock's binary framing (AwsEventStreamParser) as untrusted upstream bytes: whole and split into small pieces,
// the parser must produce the same messages and the same verdict, and never read outside its buffer.
#include "FuzzSupport.h"
#include "api/AwsEventStreamParser.h"

using namespace sluice;

namespace {

struct Parsed
{
    QList<AwsEventStreamMessage> messages;
    bool failed = false;
    bool partial = false;
};

Parsed parse(const QList<QByteArray> &pieces)
{
    AwsEventStreamParser parser;
    Parsed parsed;
    for (const QByteArray &piece : pieces) {
        if (!parser.feed(piece, parsed.messages)) {
            parsed.failed = true;
            break;
        }
    }
    parsed.partial = !parsed.failed && parser.hasPartialMessage();
    return parsed;
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
    const Parsed whole = parse({bytes});
    const Parsed split = parse(fuzz::splitPieces(bytes));
    if (whole.failed != split.failed || whole.partial != split.partial)
        fuzz::contractBroken("the verdict depends on how the bytes were split");
    if (!whole.failed) {
        if (whole.messages.size() != split.messages.size())
            fuzz::contractBroken("a different number of messages when split differently");
        for (qsizetype i = 0; i < whole.messages.size(); ++i) {
            if (whole.messages.at(i).payload != split.messages.at(i).payload
                || whole.messages.at(i).headers != split.messages.at(i).headers)
                fuzz::contractBroken("a different message when split differently");
        }
    }
    return 0;
}
