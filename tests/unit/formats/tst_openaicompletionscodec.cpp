#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "api/ApiFormat.h"
#include "api/FormatCodec.h"
#include "api/OpenAiCompletionsCodec.h"
#include "api/SseParser.h"

using namespace sluice;

namespace {
QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

const FormatCodec &codec()
{
    return FormatCodec::forFormat(ApiFormat::OpenAiCompletions);
}
} // namespace

// The legacy Completions format as a client format: what a prompt becomes for a chat provider, and what a chat
// answer becomes for the client.
class TestOpenAiCompletionsCodec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void promptBecomesOneUserMessage();
    void parametersAChatTargetCannotHonourAreRefusedByName();
    void severalPromptsCannotBecomeOneChat();
    void invalidRequests_data();
    void invalidRequests();
    void answerIsATextCompletion();
    void streamIsTextCompletionChunks();
    void upstreamBodyEditsOnlyModelAndUsage();
};

void TestOpenAiCompletionsCodec::promptBecomesOneUserMessage()
{
    const Result<CanonicalRequest> request = codec().decodeRequest(
        toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("m")},
                            {QStringLiteral("prompt"), QJsonArray {QStringLiteral("Say hi")}},
                            {QStringLiteral("max_tokens"), 7},
                            {QStringLiteral("temperature"), 0.5},
                            {QStringLiteral("stop"), QStringLiteral("END")},
                            {QStringLiteral("stream"), true},
                            {QStringLiteral("stream_options"), QJsonObject {{QStringLiteral("include_usage"), true}}},
                            {QStringLiteral("echo"), false},
                            {QStringLiteral("n"), 1}}));
    QVERIFY2(request.ok(), qPrintable(request.errorMessage()));
    QCOMPARE(request->sourceFormat, ApiFormat::OpenAiCompletions);
    QCOMPARE(request->messages.size(), 1);
    QCOMPARE(request->messages.first().role, CanonicalMessage::Role::User);
    QCOMPARE(joinedText(request->messages.first().parts), QStringLiteral("Say hi"));
    QCOMPARE(request->maxTokens, std::optional<qint64>(7));
    QCOMPARE(request->temperature, std::optional<double>(0.5));
    QCOMPARE(request->stop, QStringList {QStringLiteral("END")});
    QVERIFY(request->stream);
    QVERIFY(request->includeUsage);

    // echo: false and n: 1 change nothing: a chat target takes the request.
    const Result<EncodedRequest> anthropic
        = FormatCodec::forFormat(ApiFormat::AnthropicMessages).encodeRequest(request.value());
    QVERIFY2(anthropic.ok(), qPrintable(anthropic.errorMessage()));
    const QJsonObject body = jsonOf(anthropic->body);
    QCOMPARE(body.value(QLatin1String("max_tokens")).toInt(), 7);
    QCOMPARE(body.value(QLatin1String("stop_sequences")).toArray().first().toString(), QStringLiteral("END"));
}

void TestOpenAiCompletionsCodec::parametersAChatTargetCannotHonourAreRefusedByName()
{
    const Result<CanonicalRequest> request
        = codec().decodeRequest(toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("m")},
                                                    {QStringLiteral("prompt"), QStringLiteral("x")},
                                                    {QStringLiteral("echo"), true},
                                                    {QStringLiteral("logprobs"), 2},
                                                    {QStringLiteral("suffix"), QStringLiteral("y")},
                                                    {QStringLiteral("best_of"), 3}}));
    QVERIFY(request.ok());
    for (const ApiFormat target : {ApiFormat::OpenAiChat, ApiFormat::AnthropicMessages, ApiFormat::Gemini}) {
        const Result<EncodedRequest> refused = FormatCodec::forFormat(target).encodeRequest(request.value());
        QVERIFY(!refused.ok());
        for (const auto name : {QLatin1String("'echo'"), QLatin1String("'logprobs'"), QLatin1String("'suffix'"),
                                QLatin1String("'best_of'")})
            QVERIFY2(refused.errorMessage().contains(name), qPrintable(refused.errorMessage()));

        EncodeOptions drop;
        drop.dropUnsupported = true;
        const Result<EncodedRequest> dropped = FormatCodec::forFormat(target).encodeRequest(request.value(), drop);
        QVERIFY2(dropped.ok(), qPrintable(dropped.errorMessage()));
        QCOMPARE(dropped->dropped.size(), 4);
        QVERIFY(!dropped->body.contains("echo"));
    }
}

void TestOpenAiCompletionsCodec::severalPromptsCannotBecomeOneChat()
{
    const Result<CanonicalRequest> request = codec().decodeRequest(
        toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("m")},
                            {QStringLiteral("prompt"), QJsonArray {QStringLiteral("a"), QStringLiteral("b")}}}));
    QVERIFY(request.ok());
    QVERIFY(request->messages.isEmpty());
    const Result<EncodedRequest> refused
        = FormatCodec::forFormat(ApiFormat::AnthropicMessages).encodeRequest(request.value());
    QVERIFY(!refused.ok());
    QVERIFY2(refused.errorMessage().contains(QLatin1String("'prompt'")), qPrintable(refused.errorMessage()));
}

void TestOpenAiCompletionsCodec::invalidRequests_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("names");
    QTest::newRow("no model") << QByteArray(R"({"prompt":"x"})") << QStringLiteral("'model'");
    QTest::newRow("no prompt") << QByteArray(R"({"model":"m"})") << QStringLiteral("'prompt'");
    QTest::newRow("prompt object") << QByteArray(R"({"model":"m","prompt":{}})") << QStringLiteral("'prompt'");
    QTest::newRow("max_tokens text") << QByteArray(R"({"model":"m","prompt":"x","max_tokens":"5"})")
                                     << QStringLiteral("max_tokens");
    QTest::newRow("stream text") << QByteArray(R"({"model":"m","prompt":"x","stream":"yes"})")
                                 << QStringLiteral("'stream'");
}

void TestOpenAiCompletionsCodec::invalidRequests()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, names);
    const Result<CanonicalRequest> request = codec().decodeRequest(body);
    QVERIFY(!request.ok());
    QVERIFY2(request.errorMessage().contains(names), qPrintable(request.errorMessage()));
}

void TestOpenAiCompletionsCodec::answerIsATextCompletion()
{
    CanonicalResponse response;
    response.content.append(ContentPart::makeThinking(QStringLiteral("hidden")));
    response.content.append(ContentPart::makeText(QStringLiteral("Hello there")));
    response.finishReason = FinishReason::Length;
    response.usage.input = 5;
    response.usage.output = 9;
    const QJsonObject answer = jsonOf(codec().encodeResponse(response, QStringLiteral("my-model")));
    QCOMPARE(answer.value(QLatin1String("object")).toString(), QStringLiteral("text_completion"));
    QCOMPARE(answer.value(QLatin1String("model")).toString(), QStringLiteral("my-model"));
    QVERIFY(answer.value(QLatin1String("id")).toString().startsWith(QLatin1String("cmpl-")));
    const QJsonObject choice = answer.value(QLatin1String("choices")).toArray().first().toObject();
    QCOMPARE(choice.value(QLatin1String("text")).toString(), QStringLiteral("Hello there"));
    QCOMPARE(choice.value(QLatin1String("finish_reason")).toString(), QStringLiteral("length"));
    QVERIFY(choice.value(QLatin1String("logprobs")).isNull());
    const QJsonObject usage = answer.value(QLatin1String("usage")).toObject();
    QCOMPARE(usage.value(QLatin1String("prompt_tokens")).toInt(), 5);
    QCOMPARE(usage.value(QLatin1String("completion_tokens")).toInt(), 9);
}

void TestOpenAiCompletionsCodec::streamIsTextCompletionChunks()
{
    StreamEncoderOptions options;
    options.requestedModel = QStringLiteral("my-model");
    options.includeUsage = true;
    std::unique_ptr<StreamEncoder> encoder = codec().createStreamEncoder(options);
    TokenUsage usage;
    usage.input = 3;
    usage.output = 2;
    QByteArray bytes = encoder->encode(CanonicalEvents {
        CanonicalEvent::start(QStringLiteral("x"), QString(), 42), CanonicalEvent::thinkingDelta(QStringLiteral("hmm")),
        CanonicalEvent::textDelta(QStringLiteral("Hel")), CanonicalEvent::textDelta(QStringLiteral("lo")),
        CanonicalEvent::usageEvent(usage), CanonicalEvent::finish(FinishReason::Stop)});
    bytes += encoder->finish();
    SseParser parser;
    QList<SseEvent> events;
    parser.feed(bytes, events);
    QCOMPARE(events.size(), 5); // two text chunks, the finish chunk, the usage chunk, [DONE]
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    QString text;
    for (int i = 0; i < 3; ++i) {
        const QJsonObject chunk = jsonOf(events.at(i).data);
        QCOMPARE(chunk.value(QLatin1String("object")).toString(), QStringLiteral("text_completion"));
        QCOMPARE(chunk.value(QLatin1String("model")).toString(), QStringLiteral("my-model"));
        QCOMPARE(chunk.value(QLatin1String("created")).toInt(), 42);
        text += chunk.value(QLatin1String("choices"))
                    .toArray()
                    .first()
                    .toObject()
                    .value(QLatin1String("text"))
                    .toString();
    }
    QCOMPARE(text, QStringLiteral("Hello")); // reasoning is not part of a text completion
    QCOMPARE(jsonOf(events.at(2).data)
                 .value(QLatin1String("choices"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("finish_reason"))
                 .toString(),
             QStringLiteral("stop"));
    const QJsonObject usageChunk = jsonOf(events.at(3).data);
    QVERIFY(usageChunk.value(QLatin1String("choices")).toArray().isEmpty());
    QCOMPARE(usageChunk.value(QLatin1String("usage")).toObject().value(QLatin1String("completion_tokens")).toInt(), 2);
}

void TestOpenAiCompletionsCodec::upstreamBodyEditsOnlyModelAndUsage()
{
    const QByteArray original = R"({"model":"m","prompt":"x","logprobs":2})";
    QCOMPARE(OpenAiCompletionsCodec::upstreamBody(original, QStringLiteral("m")), original);
    const QJsonObject renamed = jsonOf(OpenAiCompletionsCodec::upstreamBody(original, QStringLiteral("other")));
    QCOMPARE(renamed.value(QLatin1String("model")).toString(), QStringLiteral("other"));
    QCOMPARE(renamed.value(QLatin1String("logprobs")).toInt(), 2);
    const QJsonObject streamed = jsonOf(
        OpenAiCompletionsCodec::upstreamBody(R"({"model":"m","prompt":"x","stream":true})", QStringLiteral("m")));
    QVERIFY(streamed.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool());
}

QTEST_GUILESS_MAIN(TestOpenAiCompletionsCodec)
#include "tst_openaicompletionscodec.moc"
