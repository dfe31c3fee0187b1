#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;

// The official @anthropic-ai/sdk and openai packages through the built `sluice --headless` to an Amazon Bedrock
// provider (SigV4-signed, Converse and ConverseStream) served by the mock upstream process from the recorded
// Anthropic traffic transcribed to Converse, with every request landing in the log with its tokens.
namespace {

constexpr auto GatewayToken = "sk-sluice-e2e-bedrock-not-a-real-token";
constexpr auto SecretAccessKey = "e2e-bedrock-secret-access-key";

QProcessEnvironment environment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLUICE_E2E_GATEWAY_TOKEN"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_AWS_ACCESS_KEY_ID"), QStringLiteral("AKIDE2EBEDROCK"));
    env.insert(QStringLiteral("SLUICE_E2E_AWS_SECRET_ACCESS_KEY"), QString::fromLatin1(SecretAccessKey));
    return env;
}

// anthropic-text.json and anthropic-text.chunks.txt: the starts and lengths (UTF-16 units) of the two answers.
const QLatin1String PlainText("Hello! I'm doing well, thanks for asking.");
const QLatin1String StreamText("Hello! I'm doing well, thank you for asking.");
constexpr int PlainLength = 105;
constexpr int StreamLength = 108;

} // namespace

class TestE2eBedrock : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void anthropicSdk();
    void openAiSdk();
    void everyRequestIsLoggedWithTokens();

private:
    QTemporaryDir m_dir;
    ListeningProcess m_mock;
    ListeningProcess m_sluice;
    QUrl m_gateway;
    QString m_dataDir;
};

void TestE2eBedrock::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/@anthropic-ai/sdk/package.json"))
                 && QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/openai/package.json")),
             "The SDK npm packages are missing: run `npm ci` in tests/e2e (scripts/test.sh does).");
    const QUrl upstream = m_mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(upstream.isValid(), qPrintable(m_mock.output()));
    const QByteArray config = "gateway:\n"
                              "  listen: 127.0.0.1\n"
                              "providers:\n"
                              "  - name: aws\n"
                              "    type: bedrock\n"
                              "    region: us-east-1\n"
                              "    base_url: "
        + upstream.toString().toUtf8()
        + "\n"
          "    access_key_id: env:SLUICE_E2E_AWS_ACCESS_KEY_ID\n"
          "    api_key: env:SLUICE_E2E_AWS_SECRET_ACCESS_KEY\n"
          "models:\n"
          "  - {name: claude-bedrock-e2e, provider: aws, upstream_model: anthropic-text}\n"
          "  - {name: claude-bedrock-tool-e2e, provider: aws, upstream_model: anthropic-json-tool.1}\n"
          "tokens:\n"
          "  - name: e2e-bedrock\n"
          "    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n";
    const QString configPath = m_dir.filePath(QStringLiteral("sluice.yaml"));
    m_dataDir = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(writeFile(configPath, config));
    m_gateway = startHeadlessSluice(m_sluice, configPath, m_dataDir, environment());
    QVERIFY2(m_gateway.isValid(), qPrintable(m_sluice.output()));
}

void TestE2eBedrock::anthropicSdk()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("ANTHROPIC_BASE_URL"), m_gateway.toString());
    env.insert(QStringLiteral("ANTHROPIC_API_KEY"), QString::fromLatin1(GatewayToken));
    // The script's "Anthropic" and "OpenAI" models both go to Bedrock here.
    env.insert(QStringLiteral("SLUICE_E2E_ANTHROPIC_MODEL"), QStringLiteral("claude-bedrock-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_OPENAI_MODEL"), QStringLiteral("claude-bedrock-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_TOOL_MODEL"), QStringLiteral("claude-bedrock-tool-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_OPENAI_TOOL_MODEL"), QStringLiteral("claude-bedrock-tool-e2e"));
    const QJsonObject seen = runNode(QStringLiteral("anthropic_messages.mjs"), env);
    QVERIFY2(!seen.isEmpty(), "the Anthropic SDK script failed (see the warning above)");

    const QJsonObject plain = objectAt(seen, QStringLiteral("anthropic.plain"));
    QVERIFY(isRecordedText(stringAt(plain, "text"), PlainText, PlainLength));
    QCOMPARE(stringAt(plain, "model"), QStringLiteral("claude-bedrock-e2e"));
    QCOMPARE(stringAt(plain, "stop_reason"), QStringLiteral("end_turn"));
    QCOMPARE(intAt(plain.value(QLatin1String("usage")).toObject(), "input_tokens"), 12);
    QCOMPARE(intAt(plain.value(QLatin1String("usage")).toObject(), "output_tokens"), 29);
    const QJsonObject stream = objectAt(seen, QStringLiteral("anthropic.stream"));
    QVERIFY(isRecordedText(stringAt(stream, "text"), StreamText, StreamLength));
    QVERIFY(intAt(stream, "deltas") > 1);
    QCOMPARE(stringAt(stream, "stop_reason"), QStringLiteral("end_turn"));
    QCOMPARE(intAt(stream.value(QLatin1String("usage")).toObject(), "output_tokens"), 30);

    // A forced tool call, plain and streamed: the SDK gets tool_use blocks with the structured input.
    const QJsonObject tool = seen.value(QLatin1String("tool")).toObject();
    QCOMPARE(stringAt(tool, "stop_reason"), QStringLiteral("tool_use"));
    QCOMPARE(stringAt(tool, "name"), QStringLiteral("json"));
    QCOMPARE(stringAt(tool, "id"), QStringLiteral("toolu_01Q9ExVZnzZj7E2QQYHYtNUa"));
    const QJsonArray elements = objectAt(tool, QStringLiteral("input")).value(QLatin1String("elements")).toArray();
    QCOMPARE(elements.size(), 4);
    QCOMPARE(intAt(elements.first().toObject(), "temperature"), -5);
    QCOMPARE(intAt(tool.value(QLatin1String("usage")).toObject(), "output_tokens"), 87);
    const QJsonObject toolStream = seen.value(QLatin1String("toolStream")).toObject();
    QCOMPARE(stringAt(toolStream, "stop_reason"), QStringLiteral("tool_use"));
    const QJsonArray streamed
        = objectAt(toolStream, QStringLiteral("input")).value(QLatin1String("elements")).toArray();
    QCOMPARE(streamed.size(), 1);
    QCOMPARE(stringAt(streamed.first().toObject(), "condition"), QStringLiteral("sunny"));
    QCOMPARE(intAt(toolStream.value(QLatin1String("usage")).toObject(), "output_tokens"), 47);
}

void TestE2eBedrock::openAiSdk()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("OPENAI_BASE_URL"), m_gateway.toString() + QStringLiteral("/v1"));
    env.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_MODEL"), QStringLiteral("claude-bedrock-e2e"));
    const QJsonObject seen = runNode(QStringLiteral("openai_chat.mjs"), env);
    QVERIFY2(!seen.isEmpty(), "the openai SDK script failed (see the warning above)");
    const QJsonObject plain = seen.value(QLatin1String("plain")).toObject();
    QVERIFY(isRecordedText(stringAt(plain, "text"), PlainText, PlainLength));
    QCOMPARE(stringAt(plain, "finish"), QStringLiteral("stop"));
    QCOMPARE(intAt(plain.value(QLatin1String("usage")).toObject(), "prompt_tokens"), 12);
    QCOMPARE(intAt(plain.value(QLatin1String("usage")).toObject(), "completion_tokens"), 29);
    const QJsonObject stream = seen.value(QLatin1String("stream")).toObject();
    QVERIFY(isRecordedText(stringAt(stream, "text"), StreamText, StreamLength));
    QCOMPARE(intAt(stream, "usageChunks"), 0); // not asked for, so not shown
}

void TestE2eBedrock::everyRequestIsLoggedWithTokens()
{
    QCOMPARE(m_sluice.stop(), 0);
    const QString printed = m_sluice.output();
    QVERIFY2(!printed.contains(QLatin1String(GatewayToken)), "the gateway token appeared in Sluice's output");
    QVERIFY2(!printed.contains(QLatin1String(SecretAccessKey)), "the AWS secret appeared in Sluice's output");

    RequestLogReader reader(m_dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(reader.open().ok());
    const Result<RequestRecords> recent = reader.recent(50);
    QVERIFY2(recent.ok(), qPrintable(recent.errorMessage()));
    int proxied = 0;
    for (const RequestRecord &record : recent.value()) {
        const QString what = record.endpoint + QLatin1Char(' ') + record.requestedModel;
        if (record.endpoint == QLatin1String("/v1/messages/count_tokens")
            || record.endpoint == QLatin1String("/v1/models")
            || record.requestedModel == QLatin1String("no-such-model"))
            continue;
        ++proxied;
        QVERIFY2(record.httpStatus == 200, qPrintable(what + QStringLiteral(": ") + record.errorMessage));
        QCOMPARE(record.provider, QStringLiteral("aws"));
        QVERIFY2(record.inputTokens > 0 && record.outputTokens > 0, qPrintable(what));
        QVERIFY(!record.responseBody.contains(SecretAccessKey));
    }
    // Anthropic SDK: 2 x 2 messages and 3 tool calls; openai SDK: a plain and a streamed completion.
    QCOMPARE(proxied, 9);
}

QTEST_GUILESS_MAIN(TestE2eBedrock)
#include "tst_e2e_bedrock.moc"
