#include <QDirIterator>
#include <QTest>

#include "FormatTestSupport.h"
#include "api/FormatCodec.h"
#include "api/GeminiCodec.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// What a user must see from each recording, worked out from the recorded bytes independently of the codecs.
// Usage follows Sluice's convention: input includes cached and cache-write tokens, output includes reasoning.
struct Expectation
{
    const char *file;
    int textLength;
    const char *textStart;
    int thinkingLength;
    const char *thinkingStart;
    const char *signatureStart;
    const char *toolName;
    const char *toolArguments;
    FinishReason finish;
    qint64 input, output, cached, reasoning, cacheWrite;
};

constexpr auto Stop = FinishReason::Stop;
constexpr auto Length = FinishReason::Length;
constexpr auto Tools = FinishReason::ToolCalls;
constexpr auto Filter = FinishReason::ContentFilter;

const Expectation expectations[] = {
    // Anthropic
    {"anthropic/anthropic-clear-thinking.1.chunks.txt", 13, "925 ÷ 5 = 185", 75, "The previous result was 925.",
     "EvQBCkYICxgCKkAxhD4N", nullptr, nullptr, Stop, 69, 53, 0, -1, 0},
    {"anthropic/anthropic-clear-thinking.1.json", 13, "925 ÷ 5 = 185", 22, "925 divided by 5 = 185", "Er4BCkYICxgCKkCo",
     nullptr, nullptr, Stop, 69, 33, 0, -1, 0},
    {"anthropic/anthropic-json-tool.1.chunks.txt", 0, "", 0, "", "", "json",
     R"({"elements":[{"location":"San Francisco","temperature":58,"condition":"sunny"}]})", Tools, 849, 47, 0, -1, 0},
    {"anthropic/anthropic-json-tool.1.json", 0, "", 0, "", "", "json",
     R"({"elements":[{"location":"San Francisco","temperature":-5,"condition":"snowy"},
        {"location":"London","temperature":0,"condition":"snowy"},
        {"location":"Paris","temperature":23,"condition":"cloudy"},
        {"location":"Berlin","temperature":-9,"condition":"snowy"}]})",
     Tools, 1151, 87, 0, -1, 0},
    {"anthropic/anthropic-message-delta-input-tokens.chunks.txt", 4, "pong", 0, "", "", nullptr, nullptr, Stop, 61, 2,
     -1, -1, -1},
    {"anthropic/anthropic-refusal.chunks.txt", 0, "", 0, "", "", nullptr, nullptr, Filter, 18, 5, 0, -1, 0},
    {"anthropic/anthropic-refusal.json", 0, "", 0, "", "", nullptr, nullptr, Filter, 18, 5, 0, -1, 0},
    {"anthropic/anthropic-text.chunks.txt", 108, "Hello! I'm doing well, thank you for asking. How", 0, "", "", nullptr,
     nullptr, Stop, 12, 30, 0, -1, 0},
    {"anthropic/anthropic-text.json", 105, "Hello! I'm doing well, thanks for asking.", 0, "", "", nullptr, nullptr,
     Stop, 12, 29, 0, -1, 0},
    {"anthropic/anthropic-tool-no-args.chunks.txt", 35, "I'll update the issue list for you.", 0, "", "",
     "updateIssueList", "{}", Tools, 565, 48, 0, -1, 0},
    {"anthropic/anthropic-tool-no-args.json", 255, "<thinking>\nThe updateIssueList tool", 0, "", "", "updateIssueList",
     "{}", Tools, 602, 93, 0, -1, 0},
    // DeepSeek (reasoning_content)
    {"deepseek/deepseek-reasoning.chunks.txt", 42, "The word \"strawberry\" con", 606, "We need to count the", "",
     nullptr, nullptr, Stop, 18, 219, 0, 205, -1},
    {"deepseek/deepseek-reasoning.json", 107, "The word \"strawberry\" con", 935, "We are asked: \"How m", "", nullptr,
     nullptr, Stop, 18, 345, 0, 315, -1},
    {"deepseek/deepseek-text.chunks.txt", 1855, "## **Holiday Name:** Star", 0, "", "", nullptr, nullptr, Length, 13,
     400, 0, -1, -1},
    {"deepseek/deepseek-text.json", 1375, "## **Holiday Name: Gratit", 0, "", "", nullptr, nullptr, Length, 13, 300, 0,
     -1, -1},
    // Google Gemini (thoughtsTokenCount is reasoning, counted in output)
    {"google/google-reasoning.chunks.txt", 79, "There are **3** \"r\"s in strawberry.", 0, "", "", nullptr, nullptr,
     Stop, 9, 285, -1, 256, -1},
    {"google/google-reasoning.json", 79, "There are **3** \"r\"s in strawberry.", 0, "", "", nullptr, nullptr, Stop, 9,
     311, -1, 282, -1},
    {"google/google-text.chunks.txt", 55, "There are **3** \"r\"s in strawberry.", 0, "", "", nullptr, nullptr, Stop, 9,
     208, -1, 185, -1},
    {"google/google-text.json", 78, "There are **3** r's in strawberry.", 0, "", "", nullptr, nullptr, Stop, 9, 272, -1,
     244, -1},
    {"google/google-tool-call.chunks.txt", 0, "", 0, "", "", "weather", R"({"location":"San Francisco"})", Tools, 29,
     60, -1, 45, -1},
    {"google/google-tool-call.json", 0, "", 0, "", "", "weather", R"({"location":"San Francisco"})", Tools, 29, 908, -1,
     893, -1},
    // Groq
    {"groq/groq-text.chunks.txt", 3189, "Introducing \"Luminaria\" -", 0, "", "", nullptr, nullptr, Stop, 45, 662, -1,
     -1, -1},
    {"groq/groq-text.json", 2953, "I'd like to introduce \"Lu", 0, "", "", nullptr, nullptr, Stop, 45, 607, -1, -1, -1},
    {"groq/groq-tool-call.chunks.txt", 0, "", 0, "", "", "weather", "{}", Tools, 210, 15, -1, -1, -1},
    {"groq/groq-tool-call.json", 0, "", 0, "", "", "weather", "{}", Tools, 218, 15, -1, -1, -1},
    // Mistral (tool-call deltas without an index)
    {"mistral/mistral-text.chunks.txt", 38, "Hello, world! This is a test response.", 0, "", "", nullptr, nullptr, Stop,
     13, 8, -1, -1, -1},
    {"mistral/mistral-text.json", 1926, "**Holiday Name: \"World Ki", 0, "", "", nullptr, nullptr, Stop, 13, 434, -1,
     -1, -1},
    {"mistral/mistral-tool-call.chunks.txt", 0, "", 0, "", "", "weather", R"({"location":"San Francisco"})", Tools, 124,
     22, -1, -1, -1},
    {"mistral/mistral-tool-call.json", 0, "", 0, "", "", "weather", R"({"location":"San Francisco"})", Tools, 124, 22,
     -1, -1, -1},
    // xAI: completion_tokens leaves reasoning out; its total gives it away
    {"openai-compatible/xai-text.chunks.txt", 4, "Grok", 1455, "First, the user said", "", nullptr, nullptr, Stop, 12,
     342, 11, 340, -1},
    {"openai-compatible/xai-text.json", 4, "Grok", 1367, "First, the user said", "", nullptr, nullptr, Stop, 12, 322, 2,
     320, -1},
    // OpenAI and Azure
    {"openai/azure-model-router.1.chunks.txt", 19, "Capital of Denmark.", 0, "", "", nullptr, nullptr, Stop, 15, 78, 0,
     64, -1},
    {"openai/openai-completion-text.chunks.txt", 66, "The holiday is called \"Gr", 0, "", "", nullptr, nullptr, Length,
     14, 16, -1, -1, -1},
    {"openai/openai-completion-text.json", 77, "The new holiday is called", 0, "", "", nullptr, nullptr, Length, 14, 16,
     -1, -1, -1},
    {"openai/openai-text.chunks.txt", 1724, "**Holiday Name:** Harmony", 0, "", "", nullptr, nullptr, Stop, 16, 300, 0,
     0, -1},
    {"openai/openai-text.json", 1842, "**Holiday Name:** Galaxy ", 0, "", "", nullptr, nullptr, Stop, 16, 363, 0, 0,
     -1},
};

struct ErrorExpectation
{
    const char *file;
    int status;
    CanonicalError::Kind kind;
    const char *message;
    const char *code;
    const char *param;
    qint64 retryAfterMs;
};

const ErrorExpectation errorExpectations[] = {
    {"google/google-429-retry-info.json", 429, CanonicalError::Kind::RateLimit,
     "You exceeded your current quota, please check your plan.", "RESOURCE_EXHAUSTED", "", 34400},
    {"openai/reasoning-model-legacy-parameter-error.json", 400, CanonicalError::Kind::InvalidRequest,
     "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
     "unsupported_parameter", "max_tokens", -1},
};

ApiFormat formatOfFile(const QString &file)
{
    if (file.startsWith(QLatin1String("anthropic/")))
        return ApiFormat::AnthropicMessages;
    if (file.startsWith(QLatin1String("google/")))
        return ApiFormat::Gemini;
    return ApiFormat::OpenAiChat;
}

const RecordingLibrary::Recording *recordingOf(const QString &file)
{
    QString name = file.section(QLatin1Char('/'), 1);
    name.chop(name.endsWith(QLatin1String(".chunks.txt")) ? 11 : 5);
    return recordings().ok() ? recordings()->find(name) : nullptr;
}

bool beginsWith(const QString &text, const char *start)
{
    const QString prefix = QString::fromUtf8(start);
    return prefix.isEmpty() || text.startsWith(prefix);
}

void checkAgainst(const Expectation &expected, const QString &text, const QString &thinking, const QString &signature,
                  const QList<StreamSummary::Call> &calls, FinishReason finish, const TokenUsage &usage)
{
    QCOMPARE(text.size(), expected.textLength);
    QVERIFY2(beginsWith(text, expected.textStart), qPrintable(text.left(80)));
    QCOMPARE(thinking.size(), expected.thinkingLength);
    QVERIFY2(beginsWith(thinking, expected.thinkingStart), qPrintable(thinking.left(80)));
    QVERIFY2(beginsWith(signature, expected.signatureStart), qPrintable(signature.left(40)));
    QCOMPARE(signature.isEmpty(), QByteArray(expected.signatureStart).isEmpty());
    if (expected.toolName) {
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.first().name, QString::fromLatin1(expected.toolName));
        QVERIFY(!calls.first().id.isEmpty());
        QCOMPARE(parseObject(calls.first().arguments), parseObject(QByteArray(expected.toolArguments)));
        QVERIFY2(!calls.first().arguments.isEmpty(), "arguments must parse as a JSON object");
    } else {
        QCOMPARE(calls.size(), 0);
    }
    QCOMPARE(finishReasonName(finish), finishReasonName(expected.finish));
    QCOMPARE(usage.input, expected.input);
    QCOMPARE(usage.output, expected.output);
    QCOMPARE(usage.cached, expected.cached);
    QCOMPARE(usage.reasoning, expected.reasoning);
    QCOMPARE(usage.cacheWrite, expected.cacheWrite);
}

} // namespace

class TestRecordingReplay : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyRecordingHasAnExpectation();
    void replay_data();
    void replay();
    void errors_data();
    void errors();
};

void TestRecordingReplay::initTestCase()
{
    QVERIFY2(recordings().ok(), qPrintable(recordings().errorMessage()));
}

void TestRecordingReplay::everyRecordingHasAnExpectation()
{
    QStringList known;
    for (const Expectation &expected : expectations)
        known.append(QString::fromLatin1(expected.file));
    for (const ErrorExpectation &expected : errorExpectations)
        known.append(QString::fromLatin1(expected.file));
    const QString dir = recordings()->directory();
    QDirIterator it(dir, {QStringLiteral("*.json"), QStringLiteral("*.chunks.txt")}, QDir::Files,
                    QDirIterator::Subdirectories);
    int files = 0;
    while (it.hasNext()) {
        const QString relative = QDir(dir).relativeFilePath(it.next());
        QVERIFY2(known.contains(relative), qPrintable(QStringLiteral("no replay expectation for %1").arg(relative)));
        ++files;
    }
    QCOMPARE(files, known.size());
}

void TestRecordingReplay::replay_data()
{
    QTest::addColumn<int>("row");
    for (int i = 0; i < int(std::size(expectations)); ++i)
        QTest::newRow(expectations[i].file) << i;
}

void TestRecordingReplay::replay()
{
    QFETCH(int, row);
    const Expectation &expected = expectations[row];
    const QString file = QString::fromLatin1(expected.file);
    const RecordingLibrary::Recording *recording = recordingOf(file);
    QVERIFY2(recording, expected.file);
    const FormatCodec &codec = FormatCodec::forFormat(formatOfFile(file));

    if (file.endsWith(QLatin1String(".json"))) {
        const Result<CanonicalResponse> response = codec.decodeResponse(recording->body);
        QVERIFY2(response.ok(), qPrintable(response.errorMessage()));
        QList<StreamSummary::Call> calls;
        for (const ContentPart &call : response->toolCalls())
            calls.append({call.toolCallId, call.toolName, call.arguments});
        QString signature;
        for (const ContentPart &part : response->content) {
            if (part.kind == ContentPart::Kind::Thinking)
                signature += part.signature;
        }
        checkAgainst(expected, response->text(), response->thinkingText(), signature, calls, response->finishReason,
                     response->usage);
        if (expected.finish == FinishReason::ContentFilter && formatOfFile(file) == ApiFormat::AnthropicMessages)
            QVERIFY(response->refusal.contains(QLatin1String("violative cyber content")));
        return;
    }

    // Streamed: the same answer whether the bytes arrive in small awkward pieces or all at once.
    const QByteArray bytes = recordedStream(*recording);
    for (const int pieceSize : {7, int(bytes.size())}) {
        std::unique_ptr<StreamDecoder> decoder = codec.createStreamDecoder();
        const StreamSummary summary = summarize(decodeInPieces(*decoder, bytes, pieceSize));
        QVERIFY2(summary.violations.isEmpty(), qPrintable(summary.violations.join(QStringLiteral("; "))));
        QVERIFY2(summary.finished, qPrintable(summary.error.message));
        checkAgainst(expected, summary.text, summary.thinking, summary.signature, summary.calls, summary.finish,
                     summary.usage);
        QVERIFY(!summary.model.isEmpty());
        QCOMPARE(decoder->usage().output, expected.output);
        if (expected.finish == FinishReason::ContentFilter && formatOfFile(file) == ApiFormat::AnthropicMessages)
            QVERIFY(summary.finishMessage.contains(QLatin1String("violative cyber content")));
    }
}

void TestRecordingReplay::errors_data()
{
    QTest::addColumn<int>("row");
    for (int i = 0; i < int(std::size(errorExpectations)); ++i)
        QTest::newRow(errorExpectations[i].file) << i;
}

void TestRecordingReplay::errors()
{
    QFETCH(int, row);
    const ErrorExpectation &expected = errorExpectations[row];
    const QString file = QString::fromLatin1(expected.file);
    const RecordingLibrary::Recording *recording = recordingOf(file);
    QVERIFY2(recording, expected.file);
    const CanonicalError error
        = FormatCodec::forFormat(formatOfFile(file)).decodeError(expected.status, recording->body);
    QCOMPARE(error.status, expected.status);
    QCOMPARE(int(error.kind), int(expected.kind));
    QCOMPARE(error.message, QString::fromUtf8(expected.message));
    QCOMPARE(error.code, QString::fromLatin1(expected.code));
    QCOMPARE(error.param, QString::fromLatin1(expected.param));
    QCOMPARE(error.retryAfterMs, expected.retryAfterMs);
}

QTEST_GUILESS_MAIN(TestRecordingReplay)
#include "tst_recordingreplay.moc"
