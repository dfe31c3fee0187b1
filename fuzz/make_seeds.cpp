// sluice-fuzz-seeds SOURCE_ROOT RECORDINGS_DIR OUT_DIR: writes each fuzz target's seed corpus to OUT_DIR/TARGET/,
// derived at build time instead of committed:
// - request bodies: the JSON objects written as raw string literals in the tests (tests/**/*.cpp), and each of
//   them that a client codec decodes, encoded again in every other format;
// - provider streams: the recordings (provider-recordings/SOURCE.md) framed as each provider sent them, and each
//   recording rendered in every other stream format (tests/support's AnswerRenderer), Bedrock's event-stream
//   transcription (BedrockTranscript) included;
// - HTTP: requests around those bodies (Content-Length, chunked, pipelined, Expect: 100-continue, HTTP/1.0) and
//   responses around the recordings (Content-Length, chunked SSE, close-delimited, 100 Continue first).
#include <cstdio>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "api/FormatCodec.h"
#include "support/AnswerRenderer.h"
#include "support/BedrockTranscript.h"
#include "support/RecordingLibrary.h"

using namespace sluice;
using sluice::test::AnswerRenderer;
using sluice::test::BedrockTranscript;
using sluice::test::RecordingLibrary;

namespace {

QDir g_out;
int g_written = 0;

void writeSeed(const QString &target, const QByteArray &bytes)
{
    if (!g_out.mkpath(target))
        return;
    const QString name = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha1).toHex());
    QFile file(g_out.filePath(target + QLatin1Char('/') + name));
    if (file.exists())
        return;
    if (file.open(QIODevice::WriteOnly)) {
        file.write(bytes);
        ++g_written;
    }
}

struct StreamTarget
{
    ApiFormat format;
    const char *target;
};

constexpr StreamTarget StreamTargets[] = {
    {ApiFormat::OpenAiChat, "fuzz_stream_openai_chat"},
    {ApiFormat::AnthropicMessages, "fuzz_stream_anthropic_messages"},
    {ApiFormat::Gemini, "fuzz_stream_gemini"},
    {ApiFormat::OpenAiResponses, "fuzz_stream_openai_responses"},
};

struct DecodeTarget
{
    ApiFormat format;
    const char *target;
};

constexpr DecodeTarget DecodeTargets[] = {
    {ApiFormat::OpenAiChat, "fuzz_decode_openai_chat"},
    {ApiFormat::AnthropicMessages, "fuzz_decode_anthropic_messages"},
    {ApiFormat::Gemini, "fuzz_decode_gemini"},
    {ApiFormat::OpenAiResponses, "fuzz_decode_openai_responses"},
    {ApiFormat::OpenAiCompletions, "fuzz_decode_openai_completions"},
};

// JSON objects written as raw string literals R"(...)" in the tests.
QList<QByteArray> testRequestBodies(const QString &sourceRoot)
{
    QList<QByteArray> bodies;
    static const QRegularExpression rawString(QStringLiteral(R"re(R"\((.*?)\)")re"),
                                              QRegularExpression::DotMatchesEverythingOption);
    QDirIterator it(sourceRoot + QStringLiteral("/tests"), {QStringLiteral("*.cpp"), QStringLiteral("*.h")},
                    QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.contains(QLatin1String("node_modules")))
            continue;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QString text = QString::fromUtf8(file.readAll());
        for (auto match = rawString.globalMatch(text); match.hasNext();) {
            const QByteArray candidate = match.next().captured(1).toUtf8();
            if (QJsonDocument::fromJson(candidate).isObject())
                bodies.append(candidate);
        }
    }
    return bodies;
}

QByteArray join(const QList<QByteArray> &pieces)
{
    QByteArray joined;
    for (const QByteArray &piece : pieces)
        joined += piece;
    return joined;
}

QByteArray httpRequest(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                       const QByteArray &extraHeaders = {})
{
    return method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nAuthorization: Bearer sk-fuzz\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" + extraHeaders
        + "\r\n" + body;
}

QByteArray chunked(const QList<QByteArray> &pieces)
{
    QByteArray out;
    for (const QByteArray &piece : pieces) {
        if (!piece.isEmpty())
            out += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    }
    return out + "0\r\n\r\n";
}

void requestSeeds(const QList<QByteArray> &bodies)
{
    // Every body to every request target: the formats share most of their vocabulary.
    QList<QByteArray> all = bodies;
    for (const QByteArray &body : bodies) {
        for (const DecodeTarget &from : DecodeTargets) {
            const Result<CanonicalRequest> decoded = FormatCodec::forFormat(from.format).decodeRequest(body);
            if (!decoded)
                continue;
            for (const ApiFormat to :
                 {ApiFormat::OpenAiChat, ApiFormat::AnthropicMessages, ApiFormat::Gemini, ApiFormat::OpenAiResponses}) {
                EncodeOptions options;
                options.dropUnsupported = true;
                if (const Result<EncodedRequest> encoded = FormatCodec::forFormat(to).encodeRequest(*decoded, options))
                    all.append(encoded->body);
            }
        }
    }
    for (const QByteArray &body : std::as_const(all)) {
        for (const DecodeTarget &target : DecodeTargets)
            writeSeed(QString::fromLatin1(target.target), body);
        writeSeed(QStringLiteral("fuzz_openai_chat_request"), body);
        writeSeed(QStringLiteral("fuzz_openai_embeddings_request"), body);
    }
    // Embeddings with a Gemini answer after a NUL byte.
    const QByteArray answer = R"({"embeddings":[{"values":[0.25,-0.5,1e-3]},{"values":[1,2,3]}]})";
    for (const QByteArray &request :
         {QByteArrayLiteral(R"({"model":"text-embedding-3-small","input":"hello"})"),
          QByteArrayLiteral(R"({"model":"m","input":["a","b"],"encoding_format":"base64","dimensions":3})"),
          QByteArrayLiteral(R"({"model":"m","input":[[1,2,3],[4]],"user":"u"})")}) {
        writeSeed(QStringLiteral("fuzz_openai_embeddings_request"), request);
        writeSeed(QStringLiteral("fuzz_openai_embeddings_request"), request + '\0' + answer);
    }

    // HTTP requests (first byte: the size of the pieces the harness writes; 0 = all at once).
    const QString http = QStringLiteral("fuzz_http_request");
    int count = 0;
    for (const QByteArray &body : std::as_const(bodies)) {
        if (++count > 12)
            break;
        writeSeed(http, '\0' + httpRequest("POST", "/v1/chat/completions", body));
        writeSeed(http, '\x07' + httpRequest("POST", "/stream", body, "Expect: 100-continue\r\n"));
        writeSeed(http,
                  '\0' + QByteArray("POST /later?x=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
                      + chunked({body.left(10), body.mid(10)}));
    }
    writeSeed(http,
              '\0'
                  + QByteArray("GET /v1/models HTTP/1.1\r\nHost: h\r\n\r\nGET /later HTTP/1.1\r\nHost: h\r\n\r\n"
                               "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"));
    writeSeed(http, '\x03' + QByteArray("GET /abort HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\n\r\n"));
    writeSeed(http, '\0' + QByteArray("POST /x HTTP/1.1\r\nContent-Length: 99999\r\n\r\n"));
    writeSeed(http, '\0' + QByteArray("GET /x HTTP/1.1\r\nX: ") + QByteArray(3000, 'a') + "\r\n\r\n");
    writeSeed(http, '\0' + QByteArray("GET /x HTTP/2.0\r\n\r\n"));
    writeSeed(http, '\0' + QByteArray("GET /x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nxx"));
}

QByteArray httpResponse(const QByteArray &contentType, const QByteArray &body)
{
    return "HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n\r\n" + body;
}

void responseSeeds(const QList<QByteArray> &bodies, const QList<QList<QByteArray>> &streams)
{
    const QString target = QStringLiteral("fuzz_upstream_response");
    int count = 0;
    for (const QByteArray &body : bodies) {
        if (++count > 8)
            break;
        writeSeed(target, '\0' + httpResponse("application/json", body));
        writeSeed(target, '\x01' + httpResponse("application/json", body));
        writeSeed(target,
                  '\0' + QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\n")
                      + "Retry-After: 7\r\nConnection: close\r\n\r\n" + body);
    }
    count = 0;
    for (const QList<QByteArray> &events : streams) {
        if (++count > 8)
            break;
        writeSeed(
            target,
            '\0' + QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n")
                + "\r\n" + chunked(events) + httpResponse("text/plain", "next"));
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc != 4) {
        std::fprintf(stderr, "usage: sluice-fuzz-seeds SOURCE_ROOT RECORDINGS_DIR OUT_DIR\n");
        return 2;
    }
    const QString sourceRoot = QString::fromLocal8Bit(argv[1]);
    Result<RecordingLibrary> library = RecordingLibrary::load(QString::fromLocal8Bit(argv[2]));
    if (!library) {
        std::fprintf(stderr, "sluice-fuzz-seeds: %s\n", qPrintable(library.error().message));
        return 1;
    }
    g_out = QDir(QString::fromLocal8Bit(argv[3]));
    if (!g_out.mkpath(QStringLiteral(".")))
        return 1;

    QList<QByteArray> recordedBodies;
    QList<QList<QByteArray>> recordedStreams;
    for (const QString &name : library->names()) {
        const RecordingLibrary::Recording *recording = library->find(name);
        if (recording->hasBody)
            recordedBodies.append(recording->body);
        if (recording->hasEvents) {
            QList<QByteArray> framed;
            for (const QByteArray &payload : recording->events)
                framed.append(RecordingLibrary::frameEvent(recording->family, payload));
            if (recording->family == RecordingLibrary::Family::OpenAi)
                framed.append(QByteArrayLiteral("data: [DONE]\n\n"));
            recordedStreams.append(framed);
            const char *target = recording->family == RecordingLibrary::Family::Anthropic
                ? "fuzz_stream_anthropic_messages"
                : recording->family == RecordingLibrary::Family::Gemini ? "fuzz_stream_gemini"
                                                                        : "fuzz_stream_openai_chat";
            writeSeed(QString::fromLatin1(target), join(framed));
            if (recording->family == RecordingLibrary::Family::Anthropic) {
                const QByteArray bedrock = join(BedrockTranscript::converseStream(recording->events));
                writeSeed(QStringLiteral("fuzz_stream_bedrock_converse"), bedrock);
                writeSeed(QStringLiteral("fuzz_aws_event_stream"), bedrock);
            }
        }
        // The same answer in every stream format, as Sluice's own encoders write it.
        const Result<CanonicalEvents> events = AnswerRenderer::events(*recording);
        if (!events)
            continue;
        for (const StreamTarget &stream : StreamTargets) {
            StreamEncoderOptions options;
            options.requestedModel = QStringLiteral("fuzz-model");
            options.includeUsage = true;
            writeSeed(QString::fromLatin1(stream.target),
                      join(AnswerRenderer::stream(stream.format, *events, options)));
        }
    }

    const QList<QByteArray> bodies = testRequestBodies(sourceRoot);
    requestSeeds(bodies);
    responseSeeds(recordedBodies, recordedStreams);
    std::printf("sluice-fuzz-seeds: %d seeds from %lld test request bodies and %lld recordings in %s\n", g_written,
                qlonglong(bodies.size()), qlonglong(library->names().size()), argv[3]);
    return 0;
}
