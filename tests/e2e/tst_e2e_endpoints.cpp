#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTemporaryDir>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"
#include "support/MockEndpoints.h"

using namespace sluice;
using namespace sluice::test;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-endpoints-not-a-real-token";
constexpr auto ProviderKey = "sk-provider-e2e-endpoints-fake";

QProcessEnvironment environment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLUICE_E2E_GATEWAY_TOKEN"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_PROVIDER_KEY"), QString::fromLatin1(ProviderKey));
    return env;
}

// The vectors the SDK handed its caller, as doubles (float32 values, exact for the mock's synthetic vectors).
QList<QList<double>> vectorsOf(const QJsonObject &seen)
{
    QList<QList<double>> vectors;
    for (const QJsonValue &vector : seen.value(QLatin1String("vectors")).toArray()) {
        QList<double> values;
        for (const QJsonValue &value : vector.toObject().value(QLatin1String("values")).toArray())
            values.append(value.toDouble());
        vectors.append(values);
    }
    return vectors;
}

// Recorded texts the mock replays (the plain and streamed recordings differ).
const QLatin1String
    InstructPlainText("The new holiday is called \"Gratitude Day\" and it celebrates the importance of");
const QLatin1String InstructStreamText("The holiday is called \"Gratitude Day\"");
const QLatin1String AnthropicPlainText("Hello! I'm doing well, thanks for asking.");
const QLatin1String AnthropicStreamText("Hello! I'm doing well, thank you for asking.");
constexpr int AnthropicPlainLength = 105;
constexpr int AnthropicStreamLength = 108;
} // namespace

// The official openai SDK's embeddings.create and completions.create through `sluice --headless`, against the mock
// upstream process. The mock's embeddings are synthetic vectors (no provider recording exists for embeddings), in
// each provider's documented response shape; the completions replay recorded traffic.
class TestE2eEndpoints : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void openAiSdkEmbeddingsAndCompletions();
    void everyRequestIsLogged();

private:
    QByteArray config() const;

    QTemporaryDir m_dir;
    ListeningProcess m_mock;
    ListeningProcess m_sluice;
    QUrl m_upstream;
    QUrl m_gateway;
    QString m_dataDir;
};

QByteArray TestE2eEndpoints::config() const
{
    const QByteArray upstream = m_upstream.toString().toUtf8();
    return "gateway:\n"
           "  listen: 127.0.0.1\n"
           "providers:\n"
        + recordedProvider("openai", upstream) + recordedProvider("anthropic", upstream)
        + recordedProvider("gemini", upstream)
        + "models:\n"
          "  - name: embed-openai\n"
          "    provider: recorded-openai\n"
          "    upstream_model: text-embedding-3-small\n"
          "  - name: embed-gemini\n"
          "    provider: recorded-gemini\n"
          "    upstream_model: gemini-embedding-001\n"
          "  - name: embed-claude\n"
          "    provider: recorded-anthropic\n"
          "    upstream_model: anthropic-text\n"
          "  - name: instruct\n"
          "    provider: recorded-openai\n"
          "    upstream_model: openai-completion-text\n"
          "  - name: claude-e2e\n"
          "    provider: recorded-anthropic\n"
          "    upstream_model: anthropic-text\n"
          "tokens:\n"
          "  - name: e2e-endpoints\n"
          "    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n";
}

void TestE2eEndpoints::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/openai/package.json")),
             "The SDK npm packages are missing: run `npm ci` in tests/e2e (scripts/test.sh does).");
    m_upstream = m_mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(m_upstream.isValid(), qPrintable(m_mock.output()));
    const QString configPath = m_dir.filePath(QStringLiteral("sluice.yaml"));
    m_dataDir = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(writeFile(configPath, config()));
    m_gateway = startHeadlessSluice(m_sluice, configPath, m_dataDir, environment());
    QVERIFY2(m_gateway.isValid(), qPrintable(m_sluice.output()));
}

void TestE2eEndpoints::openAiSdkEmbeddingsAndCompletions()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("OPENAI_BASE_URL"), m_gateway.toString() + QStringLiteral("/v1"));
    env.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromLatin1(GatewayToken));
    const QJsonObject seen = runNode(QStringLiteral("openai_endpoints.mjs"), env);
    QVERIFY2(!seen.isEmpty(), "the openai endpoints script failed (see the warning above)");

    // Embeddings passed through to an OpenAI provider, decoded by the SDK from the base64 it asked for.
    const QJsonObject openai = objectAt(seen, QStringLiteral("embeddings.openai"));
    QCOMPARE(vectorsOf(openai),
             (QList<QList<double>> {MockEndpoints::syntheticEmbedding(QStringLiteral("the quick brown fox"), 4),
                                    MockEndpoints::syntheticEmbedding(QStringLiteral("lazy dog"), 4)}));
    QCOMPARE(intAt(openai.value(QLatin1String("usage")).toObject(), "prompt_tokens"), 6);
    // From Gemini: translated, base64-encoded by Sluice, named as the client asked.
    const QJsonObject gemini = objectAt(seen, QStringLiteral("embeddings.gemini"));
    QCOMPARE(stringAt(gemini, "model"), QStringLiteral("embed-gemini"));
    QCOMPARE(vectorsOf(gemini),
             (QList<QList<double>> {MockEndpoints::syntheticEmbedding(QStringLiteral("hello gemini"),
                                                                      MockEndpoints::DefaultEmbeddingDimensions)}));
    const QJsonObject geminiFloat = objectAt(seen, QStringLiteral("embeddings.geminiFloat"));
    QCOMPARE(vectorsOf(geminiFloat),
             (QList<QList<double>> {MockEndpoints::syntheticEmbedding(QStringLiteral("first"), 3),
                                    MockEndpoints::syntheticEmbedding(QStringLiteral("second"), 3)}));
    const QJsonObject refusal = objectAt(seen, QStringLiteral("embeddings.refusal"));
    QCOMPARE(intAt(refusal, "status"), 400);
    QVERIFY2(stringAt(refusal, "message")
                 .contains(QLatin1String("'recorded-anthropic' (type anthropic) offers no "
                                         "embeddings")),
             qPrintable(stringAt(refusal, "message")));

    // Completions passed through to the provider's /completions, plain and streamed.
    const QJsonObject passThrough = objectAt(seen, QStringLiteral("completions.passThrough"));
    QCOMPARE(stringAt(passThrough, "object"), QStringLiteral("text_completion"));
    QCOMPARE(stringAt(passThrough, "text"), QString(InstructPlainText));
    QCOMPARE(stringAt(passThrough, "finish"), QStringLiteral("length"));
    QCOMPARE(intAt(passThrough.value(QLatin1String("usage")).toObject(), "completion_tokens"), 16);
    const QJsonObject passStream = objectAt(seen, QStringLiteral("completions.passThroughStream"));
    QVERIFY2(stringAt(passStream, "text").startsWith(InstructStreamText), qPrintable(stringAt(passStream, "text")));
    QCOMPARE(stringAt(passStream, "finish"), QStringLiteral("length"));
    QCOMPARE(intAt(passStream.value(QLatin1String("usage")).toObject(), "prompt_tokens"), 14);
    // Translated to Anthropic Messages and back to text_completion, plain and streamed.
    const QJsonObject translated = objectAt(seen, QStringLiteral("completions.translated"));
    QCOMPARE(stringAt(translated, "object"), QStringLiteral("text_completion"));
    QCOMPARE(stringAt(translated, "model"), QStringLiteral("claude-e2e"));
    QVERIFY(isRecordedText(stringAt(translated, "text"), AnthropicPlainText, AnthropicPlainLength));
    QCOMPARE(stringAt(translated, "finish"), QStringLiteral("stop"));
    QCOMPARE(intAt(translated.value(QLatin1String("usage")).toObject(), "completion_tokens"), 29);
    const QJsonObject translatedStream = objectAt(seen, QStringLiteral("completions.translatedStream"));
    QVERIFY(isRecordedText(stringAt(translatedStream, "text"), AnthropicStreamText, AnthropicStreamLength));
    QVERIFY(intAt(translatedStream, "chunks") > 2);
    QCOMPARE(stringAt(translatedStream, "finish"), QStringLiteral("stop"));
    QCOMPARE(intAt(translatedStream.value(QLatin1String("usage")).toObject(), "completion_tokens"), 30);
    const QJsonObject completionRefusal = objectAt(seen, QStringLiteral("completions.refusal"));
    QCOMPARE(intAt(completionRefusal, "status"), 400);
    QVERIFY2(stringAt(completionRefusal, "message").contains(QLatin1String("'echo'"))
                 && stringAt(completionRefusal, "message").contains(QLatin1String("'suffix'")),
             qPrintable(stringAt(completionRefusal, "message")));
}

void TestE2eEndpoints::everyRequestIsLogged()
{
    QCOMPARE(m_sluice.stop(), 0);
    const QString printed = m_sluice.output();
    QVERIFY2(!printed.contains(QLatin1String(GatewayToken)), "the gateway token appeared in Sluice's output");
    QVERIFY2(!printed.contains(QLatin1String(ProviderKey)), "the provider key appeared in Sluice's output");

    RequestLogReader reader(m_dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(reader.open().ok());
    const Result<RequestRecords> recent = reader.recent(50);
    QVERIFY2(recent.ok(), qPrintable(recent.errorMessage()));
    QMap<QString, int> byEndpoint;
    for (const RequestRecord &record : recent.value()) {
        byEndpoint[record.endpoint] += 1;
        QCOMPARE(record.tokenName, QStringLiteral("e2e-endpoints"));
        if (record.httpStatus != 200)
            continue;
        if (record.requestedModel == QLatin1String("embed-openai")) {
            QCOMPARE(record.inputTokens, 6);
            QCOMPARE(record.outputTokens, 0);
            // Priced from the catalog: text-embedding-3-small costs $0.02 per million input tokens.
            QCOMPARE(record.costStatus, QStringLiteral("exact"));
            QVERIFY2(qAbs(record.costUsd - 6 * 0.02 / 1e6) < 1e-12, qPrintable(QString::number(record.costUsd)));
        } else if (record.requestedModel == QLatin1String("embed-gemini")) {
            // Gemini reports no token count for embeddings: the cost is estimated from the request's size.
            QCOMPARE(record.inputTokens, -1);
            QCOMPARE(record.costStatus, QStringLiteral("estimated"));
            QVERIFY2(record.costUsd > 0, qPrintable(QString::number(record.costUsd)));
        } else if (record.requestedModel == QLatin1String("instruct")) {
            QCOMPARE(record.inputTokens, 14);
            QCOMPARE(record.outputTokens, 16);
        } else if (record.requestedModel == QLatin1String("claude-e2e")) {
            QCOMPARE(record.inputTokens, 12);
            QCOMPARE(record.outputTokens, record.stream ? 30 : 29);
        }
    }
    // embeddings: 3 answered + 1 refused; completions: 4 answered + 1 refused.
    QCOMPARE(byEndpoint.value(QStringLiteral("/v1/embeddings")), 4);
    QCOMPARE(byEndpoint.value(QStringLiteral("/v1/completions")), 5);
}

QTEST_GUILESS_MAIN(TestE2eEndpoints)
#include "tst_e2e_endpoints.moc"
