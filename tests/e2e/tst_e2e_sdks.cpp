#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTemporaryDir>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;
using namespace sluice::test::recorded;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-sdks-not-a-real-token";
constexpr auto ProviderKey = "sk-provider-e2e-sdks-fake";

QProcessEnvironment environment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLUICE_E2E_GATEWAY_TOKEN"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_PROVIDER_KEY"), QString::fromLatin1(ProviderKey));
    return env;
}

} // namespace

// The official Anthropic SDK and the openai SDK's Responses API, through `sluice --headless`, to providers of
// both wire formats (and tool calls), with everything landing in the request log.
class TestE2eSdks : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void anthropicSdk();
    void openAiResponsesSdk();
    void everyRequestIsLoggedWithTokens();

private:
    QByteArray config() const;

    QTemporaryDir m_dir;
    ListeningProcess m_mock;
    ListeningProcess m_sluice;
    QUrl m_upstream;
    QUrl m_gateway;
    QString m_dataDir;
};

QByteArray TestE2eSdks::config() const
{
    const QByteArray upstream = m_upstream.toString().toUtf8();
    return "gateway:\n"
           "  listen: 127.0.0.1\n"
           "providers:\n"
        + recordedProvider("openai", upstream) + recordedProvider("anthropic", upstream)
        + recordedProvider("mistral", upstream) + recordedProvider("groq", upstream)
        + "models:\n"
          "  - name: claude-e2e\n"
          "    provider: recorded-anthropic\n"
          "    upstream_model: anthropic-text\n"
          "  - name: claude-tool-e2e\n"
          "    provider: recorded-anthropic\n"
          "    upstream_model: anthropic-json-tool.1\n"
          "  - name: gpt-e2e\n"
          "    provider: recorded-openai\n"
          "    upstream_model: openai-text\n"
          "  - name: mistral-tool-e2e\n"
          "    provider: recorded-mistral\n"
          "    upstream_model: mistral-tool-call\n"
          "  - name: groq-tool-e2e\n"
          "    provider: recorded-groq\n"
          "    upstream_model: groq-tool-call\n"
          "tokens:\n"
          "  - name: e2e-sdks\n"
          "    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n";
}

void TestE2eSdks::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/@anthropic-ai/sdk/package.json"))
                 && QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/openai/package.json")),
             "The SDK npm packages are missing: run `npm ci` in tests/e2e (scripts/test.sh does).");
    m_upstream = m_mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(m_upstream.isValid(), qPrintable(m_mock.output()));

    const QString configPath = m_dir.filePath(QStringLiteral("sluice.yaml"));
    m_dataDir = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(writeFile(configPath, config()));
    m_gateway = startHeadlessSluice(m_sluice, configPath, m_dataDir, environment());
    QVERIFY2(m_gateway.isValid(), qPrintable(m_sluice.output()));
}

void TestE2eSdks::anthropicSdk()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("ANTHROPIC_BASE_URL"), m_gateway.toString());
    env.insert(QStringLiteral("ANTHROPIC_API_KEY"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_ANTHROPIC_MODEL"), QStringLiteral("claude-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_OPENAI_MODEL"), QStringLiteral("gpt-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_TOOL_MODEL"), QStringLiteral("claude-tool-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_OPENAI_TOOL_MODEL"), QStringLiteral("mistral-tool-e2e"));
    const QJsonObject seen = runNode(QStringLiteral("anthropic_messages.mjs"), env);
    QVERIFY2(!seen.isEmpty(), "the Anthropic SDK script failed (see the warning above)");

    // Anthropic provider: relayed in its own format.
    const QJsonObject anthropicPlain = objectAt(seen, QStringLiteral("anthropic.plain"));
    QVERIFY(isRecordedText(stringAt(anthropicPlain, "text"), AnthropicPlainText, AnthropicPlainLength));
    QCOMPARE(stringAt(anthropicPlain, "model"), QStringLiteral("claude-e2e"));
    QCOMPARE(stringAt(anthropicPlain, "stop_reason"), QStringLiteral("end_turn"));
    QCOMPARE(intAt(anthropicPlain.value(QLatin1String("usage")).toObject(), "input_tokens"), 12);
    QCOMPARE(intAt(anthropicPlain.value(QLatin1String("usage")).toObject(), "output_tokens"), 29);
    const QJsonObject anthropicStream = objectAt(seen, QStringLiteral("anthropic.stream"));
    QVERIFY(isRecordedText(stringAt(anthropicStream, "text"), AnthropicStreamText, AnthropicStreamLength));
    QVERIFY(intAt(anthropicStream, "deltas") > 1);
    QCOMPARE(stringAt(anthropicStream, "stop_reason"), QStringLiteral("end_turn"));
    QCOMPARE(intAt(anthropicStream.value(QLatin1String("usage")).toObject(), "output_tokens"), 30);

    // OpenAI provider: translated both ways, streamed too.
    const QJsonObject openaiPlain = objectAt(seen, QStringLiteral("openai.plain"));
    QVERIFY(isRecordedText(stringAt(openaiPlain, "text"), OpenAiPlainText, OpenAiPlainLength));
    QCOMPARE(stringAt(openaiPlain, "model"), QStringLiteral("gpt-e2e"));
    QCOMPARE(stringAt(openaiPlain, "stop_reason"), QStringLiteral("end_turn"));
    QCOMPARE(intAt(openaiPlain.value(QLatin1String("usage")).toObject(), "input_tokens"), 16);
    QCOMPARE(intAt(openaiPlain.value(QLatin1String("usage")).toObject(), "output_tokens"), 363);
    const QJsonObject openaiStream = objectAt(seen, QStringLiteral("openai.stream"));
    QVERIFY(isRecordedText(stringAt(openaiStream, "text"), OpenAiStreamText, OpenAiStreamLength));
    QVERIFY(intAt(openaiStream, "deltas") > 100);
    QCOMPARE(stringAt(openaiStream, "stop_reason"), QStringLiteral("end_turn"));
    QCOMPARE(intAt(openaiStream.value(QLatin1String("usage")).toObject(), "output_tokens"), 300);

    // A forced tool call comes back as a tool_use block with the structured input.
    const QJsonObject tool = seen.value(QLatin1String("tool")).toObject();
    QCOMPARE(stringAt(tool, "stop_reason"), QStringLiteral("tool_use"));
    QCOMPARE(stringAt(tool, "name"), QStringLiteral("json"));
    QVERIFY(!stringAt(tool, "id").isEmpty());
    const QJsonArray elements = objectAt(tool, QStringLiteral("input")).value(QLatin1String("elements")).toArray();
    QCOMPARE(elements.size(), 4);
    QCOMPARE(stringAt(elements.first().toObject(), "location"), QStringLiteral("San Francisco"));
    QCOMPARE(intAt(elements.first().toObject(), "temperature"), -5);
    QCOMPARE(intAt(tool.value(QLatin1String("usage")).toObject(), "output_tokens"), 87);

    // Streamed, the tool input arrives as JSON fragments the SDK joins back together.
    const QJsonObject toolStream = seen.value(QLatin1String("toolStream")).toObject();
    QCOMPARE(stringAt(toolStream, "stop_reason"), QStringLiteral("tool_use"));
    QCOMPARE(stringAt(toolStream, "name"), QStringLiteral("json"));
    const QJsonArray streamedElements
        = objectAt(toolStream, QStringLiteral("input")).value(QLatin1String("elements")).toArray();
    QCOMPARE(streamedElements.size(), 1);
    const QJsonObject streamedElement = streamedElements.first().toObject();
    QCOMPARE(stringAt(streamedElement, "location"), QStringLiteral("San Francisco"));
    QCOMPARE(intAt(streamedElement, "temperature"), 58);
    QCOMPARE(stringAt(streamedElement, "condition"), QStringLiteral("sunny"));
    QCOMPARE(intAt(toolStream.value(QLatin1String("usage")).toObject(), "output_tokens"), 47);

    // An OpenAI-style tool call (from a Mistral provider) becomes a tool_use block with parsed input.
    const QJsonObject translatedTool = seen.value(QLatin1String("toolFromOpenAiProvider")).toObject();
    QCOMPARE(stringAt(translatedTool, "stop_reason"), QStringLiteral("tool_use"));
    QCOMPARE(stringAt(translatedTool, "name"), QStringLiteral("weather"));
    QCOMPARE(objectAt(translatedTool, QStringLiteral("input")),
             QJsonObject({{QStringLiteral("location"), QStringLiteral("San Francisco")}}));
    QCOMPARE(stringAt(translatedTool, "id"), QStringLiteral("gSIMJiOkT"));

    QVERIFY(seen.value(QLatin1String("countTokens")).toInt() > 0);
}

void TestE2eSdks::openAiResponsesSdk()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("OPENAI_BASE_URL"), m_gateway.toString() + QStringLiteral("/v1"));
    env.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_ANTHROPIC_MODEL"), QStringLiteral("claude-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_OPENAI_MODEL"), QStringLiteral("gpt-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_TOOL_MODEL"), QStringLiteral("mistral-tool-e2e"));
    env.insert(QStringLiteral("SLUICE_E2E_NO_ARGS_TOOL_MODEL"), QStringLiteral("groq-tool-e2e"));
    const QJsonObject seen = runNode(QStringLiteral("openai_responses.mjs"), env);
    QVERIFY2(!seen.isEmpty(), "the openai Responses script failed (see the warning above)");

    const QJsonObject anthropicPlain = objectAt(seen, QStringLiteral("anthropic.plain"));
    QVERIFY(isRecordedText(stringAt(anthropicPlain, "text"), AnthropicPlainText, AnthropicPlainLength));
    QCOMPARE(stringAt(anthropicPlain, "status"), QStringLiteral("completed"));
    QCOMPARE(intAt(anthropicPlain.value(QLatin1String("usage")).toObject(), "input_tokens"), 12);
    QCOMPARE(intAt(anthropicPlain.value(QLatin1String("usage")).toObject(), "output_tokens"), 29);
    const QJsonObject anthropicStream = objectAt(seen, QStringLiteral("anthropic.stream"));
    QVERIFY(isRecordedText(stringAt(anthropicStream, "text"), AnthropicStreamText, AnthropicStreamLength));
    // The final response.completed event carries the whole answer too.
    QCOMPARE(stringAt(anthropicStream, "completedText"), stringAt(anthropicStream, "text"));
    QCOMPARE(stringAt(anthropicStream, "status"), QStringLiteral("completed"));
    QCOMPARE(intAt(anthropicStream.value(QLatin1String("usage")).toObject(), "output_tokens"), 30);

    const QJsonObject openaiPlain = objectAt(seen, QStringLiteral("openai.plain"));
    QVERIFY(isRecordedText(stringAt(openaiPlain, "text"), OpenAiPlainText, OpenAiPlainLength));
    QCOMPARE(stringAt(openaiPlain, "status"), QStringLiteral("completed"));
    QCOMPARE(intAt(openaiPlain.value(QLatin1String("usage")).toObject(), "input_tokens"), 16);
    QCOMPARE(intAt(openaiPlain.value(QLatin1String("usage")).toObject(), "output_tokens"), 363);
    const QJsonObject openaiStream = objectAt(seen, QStringLiteral("openai.stream"));
    QVERIFY(isRecordedText(stringAt(openaiStream, "text"), OpenAiStreamText, OpenAiStreamLength));
    QVERIFY(intAt(openaiStream, "deltas") > 100);
    QCOMPARE(stringAt(openaiStream, "completedText"), stringAt(openaiStream, "text"));
    QCOMPARE(stringAt(openaiStream, "status"), QStringLiteral("completed"));
    QCOMPARE(intAt(openaiStream.value(QLatin1String("usage")).toObject(), "output_tokens"), 300);

    // Chat-completions tool calls relayed from OpenAI-compatible providers: name and parsed JSON arguments.
    const QJsonObject tool = seen.value(QLatin1String("tool")).toObject();
    QCOMPARE(stringAt(tool, "finish"), QStringLiteral("tool_calls"));
    QCOMPARE(stringAt(tool, "name"), QStringLiteral("weather"));
    QCOMPARE(objectAt(tool, QStringLiteral("arguments")),
             QJsonObject({{QStringLiteral("location"), QStringLiteral("San Francisco")}}));
    QCOMPARE(intAt(tool.value(QLatin1String("usage")).toObject(), "completion_tokens"), 22);
    const QJsonObject noArgs = seen.value(QLatin1String("noArgsTool")).toObject();
    QCOMPARE(stringAt(noArgs, "finish"), QStringLiteral("tool_calls"));
    QCOMPARE(stringAt(noArgs, "name"), QStringLiteral("weather"));
    QVERIFY(noArgs.value(QLatin1String("arguments")).isObject());
    QVERIFY(objectAt(noArgs, QStringLiteral("arguments")).isEmpty());
    QCOMPARE(intAt(noArgs.value(QLatin1String("usage")).toObject(), "prompt_tokens"), 218);

    // The same tool call through the Responses API (Mistral's recorded chat answer translated): the
    // function_call item, plain and streamed with its argument deltas.
    const QJsonObject weather({{QStringLiteral("location"), QStringLiteral("San Francisco")}});
    const QJsonObject responsesTool = seen.value(QLatin1String("responsesTool")).toObject();
    QCOMPARE(stringAt(responsesTool, "status"), QStringLiteral("completed"));
    QCOMPARE(stringAt(responsesTool, "name"), QStringLiteral("weather"));
    QVERIFY(!stringAt(responsesTool, "callId").isEmpty());
    QCOMPARE(objectAt(responsesTool, QStringLiteral("arguments")), weather);
    QCOMPARE(intAt(responsesTool.value(QLatin1String("usage")).toObject(), "output_tokens"), 22);
    const QJsonObject responsesToolStream = seen.value(QLatin1String("responsesToolStream")).toObject();
    QCOMPARE(stringAt(responsesToolStream, "name"), QStringLiteral("weather"));
    QCOMPARE(objectAt(responsesToolStream, QStringLiteral("arguments")), weather);
    QCOMPARE(objectAt(responsesToolStream, QStringLiteral("deltasArguments")), weather);
    QCOMPARE(stringAt(responsesToolStream, "status"), QStringLiteral("completed"));
}

void TestE2eSdks::everyRequestIsLoggedWithTokens()
{
    QCOMPARE(m_sluice.stop(), 0);
    const QString printed = m_sluice.output();
    QVERIFY2(!printed.contains(QLatin1String(GatewayToken)), "the gateway token appeared in Sluice's output");
    QVERIFY2(!printed.contains(QLatin1String(ProviderKey)), "the provider key appeared in Sluice's output");

    RequestLogReader reader(m_dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(reader.open().ok());
    const Result<RequestRecords> recent = reader.recent(50);
    QVERIFY2(recent.ok(), qPrintable(recent.errorMessage()));
    // Anthropic SDK: count_tokens, 2 x 2 messages, 3 tool calls; openai SDK: 2 x 2 responses, 2 Responses tool
    // calls, 2 chat tool calls.
    QCOMPARE(recent->size(), 16);

    QMap<QString, int> byEndpoint;
    for (const RequestRecord &record : recent.value()) {
        const QString what = record.endpoint + QLatin1Char(' ') + record.requestedModel;
        QCOMPARE(record.tokenName, QStringLiteral("e2e-sdks"));
        // Attributed to the SDK that sent it (docs/spend.md), the project being the token's name.
        QCOMPARE(record.client,
                 record.endpoint.startsWith(QLatin1String("/v1/messages"))
                     ? QStringLiteral("Anthropic SDK (JavaScript)")
                     : QStringLiteral("OpenAI SDK (JavaScript)"));
        QCOMPARE(record.project, QStringLiteral("e2e-sdks"));
        QVERIFY2(record.httpStatus == 200, qPrintable(what + QStringLiteral(": ") + record.errorMessage));
        byEndpoint[record.endpoint] += 1;
        if (record.endpoint == QLatin1String("/v1/messages/count_tokens")) {
            QCOMPARE(record.requestedModel, QStringLiteral("claude-e2e"));
            continue;
        }
        QVERIFY2(record.inputTokens > 0, qPrintable(what));
        QVERIFY2(record.outputTokens > 0, qPrintable(what));
        QVERIFY2(!record.provider.isEmpty(), qPrintable(what));
        if (record.requestedModel == QLatin1String("claude-e2e")) {
            QCOMPARE(record.provider, QStringLiteral("recorded-anthropic"));
            QCOMPARE(record.inputTokens, 12);
            QCOMPARE(record.outputTokens, record.stream ? 30 : 29);
        } else if (record.requestedModel == QLatin1String("gpt-e2e")) {
            QCOMPARE(record.provider, QStringLiteral("recorded-openai"));
            QCOMPARE(record.inputTokens, 16);
            QCOMPARE(record.outputTokens, record.stream ? 300 : 363);
        }
        QCOMPARE(record.timeToFirstTokenUs > 0, record.stream);
    }
    QCOMPARE(byEndpoint.value(QStringLiteral("/v1/messages")), 7);
    QCOMPARE(byEndpoint.value(QStringLiteral("/v1/messages/count_tokens")), 1);
    QCOMPARE(byEndpoint.value(QStringLiteral("/v1/responses")), 6);
    QCOMPARE(byEndpoint.value(QStringLiteral("/v1/chat/completions")), 2);
}

QTEST_GUILESS_MAIN(TestE2eSdks)
#include "tst_e2e_sdks.moc"
