#include <cstring>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "support/MockEndpoints.h"

using namespace sluice;
using namespace sluice::test;

// The gateway's other endpoints and formats against the mock upstream: /v1/embeddings (OpenAI pass-through and
// Gemini translation), legacy /v1/completions (pass-through and translated to chat), drop_unsupported_params, and
// Gemini streams reaching OpenAI and Anthropic clients through the running gateway.
// The mock's embeddings are synthetic (MockEndpoints::syntheticEmbedding): no provider recording exists for them.

namespace {
const QByteArray ExtraModels = "  - name: embed-openai\n"
                               "    provider: mock\n"
                               "    upstream_model: text-embedding-3-small\n"
                               "  - name: embed-gemini\n"
                               "    provider: mock-gemini\n"
                               "    upstream_model: gemini-embedding-001\n"
                               "  - name: embed-azure\n"
                               "    provider: mock-azure\n"
                               "    upstream_model: text-embedding-3-small\n"
                               "  - name: embed-claude\n"
                               "    provider: mock-anthropic\n"
                               "    upstream_model: anthropic-text\n"
                               "  - name: embed-fallback\n"
                               "    deployments:\n"
                               "      - {provider: mock, model: \"text-embedding-3-small~status;code=503\"}\n"
                               "    fallbacks: [embed-gemini]\n"
                               "    retry: {attempts: 1}\n"
                               "  - name: instruct\n"
                               "    provider: mock\n"
                               "    upstream_model: openai-completion-text\n"
                               "  - name: groq-chat\n"
                               "    provider: mock-groq\n"
                               "    upstream_model: groq-text\n"
                               "  - name: gemini-reasoning\n"
                               "    provider: mock-gemini\n"
                               "    upstream_model: google-reasoning\n"
                               "  - name: gemini-tool\n"
                               "    provider: mock-gemini\n"
                               "    upstream_model: google-tool-call\n"
                               "  - name: gpt-lenient\n"
                               "    provider: mock\n"
                               "    upstream_model: openai-text\n"
                               "    drop_unsupported_params: true\n"
                               "  - name: claude-lenient\n"
                               "    provider: mock-anthropic\n"
                               "    upstream_model: anthropic-text\n"
                               "    drop_unsupported_params: true\n";

const QString AnthropicText = QStringLiteral(
    "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?");

QList<double> floatsOf(const QJsonValue &embedding)
{
    QList<double> values;
    if (embedding.isString()) {
        const QByteArray bytes = QByteArray::fromBase64(embedding.toString().toLatin1());
        for (qsizetype i = 0; i + 4 <= bytes.size(); i += 4)
            values.append(qFromLittleEndian<float>(bytes.constData() + i));
        return values;
    }
    for (const QJsonValue &value : embedding.toArray())
        values.append(value.toDouble());
    return values;
}

// The text of a text_completion answer's first choice.
QString completionText(const QJsonObject &answer)
{
    return answer.value(QLatin1String("choices")).toArray().first().toObject().value(QLatin1String("text")).toString();
}
} // namespace

class TestFormats : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void embeddingsPassThroughToOpenAiProvider();
    void embeddingsToAzureDeployment();
    void embeddingsTranslatedForGemini_data();
    void embeddingsTranslatedForGemini();
    void embeddingsFallBackFromFailedProvider();
    void embeddingsErrors();
    void embeddingsGeminiErrorInOpenAiShape();

    void completionsPassThroughToOpenAiProvider();
    void completionsStreamPassThrough();
    void completionsTranslatedToChatProvider();
    void completionsStreamTranslatedToChatProvider();
    void completionsParametersAChatTargetCannotHonour();
    void completionsToChatOnlyOpenAiCompatibleProvider();

    void unsupportedParameterIsRefusedByDefault();
    void routeDropsUnsupportedParameter();
    void routingDefaultDropsUnsupportedParameter();

    void geminiStreamToOpenAiClient_data();
    void geminiStreamToOpenAiClient();
    void geminiStreamToAnthropicClient_data();
    void geminiStreamToAnthropicClient();
};

void TestFormats::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("SLUICE_RECORDINGS_DIR"),
             "Run this through ctest, or set SLUICE_RECORDINGS_DIR to the provider-recordings folder.");
}

void TestFormats::embeddingsPassThroughToOpenAiProvider()
{
    GatewayFixture gateway({}, ExtraModels);
    const QJsonObject request {
        {QStringLiteral("model"), QStringLiteral("embed-openai")},
        {QStringLiteral("input"), QJsonArray {QStringLiteral("the quick brown fox"), QStringLiteral("lazy dog")}},
        {QStringLiteral("dimensions"), 4}};
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")), toJson(request));
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonOf(reply.body);
    QCOMPARE(answer.value(QLatin1String("object")).toString(), QStringLiteral("list"));
    const QJsonArray data = answer.value(QLatin1String("data")).toArray();
    QCOMPARE(data.size(), 2);
    QCOMPARE(floatsOf(data.at(1).toObject().value(QLatin1String("embedding"))),
             MockEndpoints::syntheticEmbedding(QStringLiteral("lazy dog"), 4));

    // Forwarded as sent, under the upstream model name, to the provider's /embeddings.
    const ReceivedRequest sent = gateway.upstream().lastRequest();
    QCOMPARE(sent.path, QByteArray("/v1/embeddings"));
    QCOMPARE(sent.json().value(QLatin1String("model")).toString(), QStringLiteral("text-embedding-3-small"));
    QCOMPARE(sent.json().value(QLatin1String("dimensions")).toInt(), 4);
    QCOMPARE(sent.headers.value("authorization"), QByteArray("Bearer sk-provider-secret-value"));

    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.httpStatus, 200);
    QCOMPARE(record.endpoint, QStringLiteral("/v1/embeddings"));
    QCOMPARE(record.requestedModel, QStringLiteral("embed-openai"));
    QCOMPARE(record.upstreamModel, QStringLiteral("text-embedding-3-small"));
    QCOMPARE(record.inputTokens, 6); // the mock counts words
    QCOMPARE(record.outputTokens, 0);
    QCOMPARE(record.attempts.size(), 1);
}

void TestFormats::embeddingsToAzureDeployment()
{
    GatewayFixture gateway({}, ExtraModels);
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")),
                                    toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("embed-azure")},
                                                        {QStringLiteral("input"), QStringLiteral("hello azure")}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(
        floatsOf(jsonOf(reply.body)
                     .value(QLatin1String("data"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("embedding"))),
        MockEndpoints::syntheticEmbedding(QStringLiteral("hello azure"), MockEndpoints::DefaultEmbeddingDimensions));
    const ReceivedRequest sent = gateway.upstream().lastRequest();
    QCOMPARE(sent.path, QByteArray("/openai/deployments/text-embedding-3-small/embeddings"));
    QVERIFY(sent.query.startsWith("api-version="));
    QCOMPARE(sent.headers.value("api-key"), QByteArray("sk-provider-secret-value"));
    QVERIFY(sent.headers.value("authorization").isEmpty());
}

void TestFormats::embeddingsTranslatedForGemini_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::newRow("float") << QStringLiteral("float");
    QTest::newRow("base64 (encoded by Sluice)") << QStringLiteral("base64");
}

void TestFormats::embeddingsTranslatedForGemini()
{
    QFETCH(QString, encoding);
    GatewayFixture gateway({}, ExtraModels);
    const QJsonObject request {
        {QStringLiteral("model"), QStringLiteral("embed-gemini")},
        {QStringLiteral("input"), QJsonArray {QStringLiteral("first text"), QStringLiteral("second, longer text")}},
        {QStringLiteral("encoding_format"), encoding},
        {QStringLiteral("dimensions"), 6}};
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")), toJson(request));
    QCOMPARE(reply.status, 200);

    const ReceivedRequest sent = gateway.upstream().lastRequest();
    QCOMPARE(sent.path, QByteArray("/v1beta/models/gemini-embedding-001:batchEmbedContents"));
    QCOMPARE(sent.headers.value("x-goog-api-key"), QByteArray("sk-provider-secret-value"));
    const QJsonArray requests = sent.json().value(QLatin1String("requests")).toArray();
    QCOMPARE(requests.size(), 2);
    const QJsonObject second = requests.at(1).toObject();
    QCOMPARE(second.value(QLatin1String("model")).toString(), QStringLiteral("models/gemini-embedding-001"));
    QCOMPARE(second.value(QLatin1String("outputDimensionality")).toInt(), 6);
    QCOMPARE(second.value(QLatin1String("content"))
                 .toObject()
                 .value(QLatin1String("parts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("text"))
                 .toString(),
             QStringLiteral("second, longer text"));

    // Back in OpenAI's shape, under the model name the client asked for.
    const QJsonObject answer = jsonOf(reply.body);
    QCOMPARE(answer.value(QLatin1String("object")).toString(), QStringLiteral("list"));
    QCOMPARE(answer.value(QLatin1String("model")).toString(), QStringLiteral("embed-gemini"));
    const QJsonArray data = answer.value(QLatin1String("data")).toArray();
    QCOMPARE(data.size(), 2);
    for (int i = 0; i < 2; ++i) {
        const QJsonObject item = data.at(i).toObject();
        QCOMPARE(item.value(QLatin1String("object")).toString(), QStringLiteral("embedding"));
        QCOMPARE(item.value(QLatin1String("index")).toInt(), i);
        const QJsonValue embedding = item.value(QLatin1String("embedding"));
        QCOMPARE(embedding.isString(), encoding == QLatin1String("base64"));
        QCOMPARE(floatsOf(embedding),
                 MockEndpoints::syntheticEmbedding(requests.at(i)
                                                       .toObject()
                                                       .value(QLatin1String("content"))
                                                       .toObject()
                                                       .value(QLatin1String("parts"))
                                                       .toArray()
                                                       .first()
                                                       .toObject()
                                                       .value(QLatin1String("text"))
                                                       .toString(),
                                                   6));
    }
    // Gemini reports no token count for embeddings: the client gets an estimate, the log says "not reported".
    QVERIFY(answer.value(QLatin1String("usage")).toObject().value(QLatin1String("prompt_tokens")).toInt() > 0);
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().httpStatus, 200);
    QCOMPARE(gateway.records.first().provider, QStringLiteral("mock-gemini"));
    QCOMPARE(gateway.records.first().inputTokens, -1);
}

void TestFormats::embeddingsFallBackFromFailedProvider()
{
    GatewayFixture gateway({}, ExtraModels);
    const QJsonObject request {{QStringLiteral("model"), QStringLiteral("embed-fallback")},
                               {QStringLiteral("input"), QStringLiteral("hello")}};
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")), toJson(request));
    QCOMPARE(reply.status, 200);
    QCOMPARE(jsonOf(reply.body).value(QLatin1String("model")).toString(), QStringLiteral("embed-fallback"));
    QCOMPARE(floatsOf(jsonOf(reply.body)
                          .value(QLatin1String("data"))
                          .toArray()
                          .first()
                          .toObject()
                          .value(QLatin1String("embedding"))),
             MockEndpoints::syntheticEmbedding(QStringLiteral("hello"), MockEndpoints::DefaultEmbeddingDimensions));
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.attempts.size(), 2);
    QCOMPARE(record.attempts.at(0).httpStatus, 503);
    QCOMPARE(record.attempts.at(0).decision, QStringLiteral("fallback"));
    QCOMPARE(record.attempts.at(1).provider, QStringLiteral("mock-gemini"));
    QCOMPARE(record.attempts.at(1).httpStatus, 200);
}

void TestFormats::embeddingsErrors()
{
    GatewayFixture gateway({}, ExtraModels);
    // A provider type without embeddings: a 400 that names the provider, and nothing sent upstream.
    auto reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")),
                              toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("embed-claude")},
                                                  {QStringLiteral("input"), QStringLiteral("hello")}}));
    QCOMPARE(reply.status, 400);
    QVERIFY2(
        errorMessageOf(reply.body).contains(QLatin1String("'mock-anthropic' (type anthropic) offers no embeddings")),
        reply.body.constData());
    QCOMPARE(gateway.upstream().requests().size(), 0);

    // Malformed input names the field.
    reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")),
                         toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("embed-openai")},
                                             {QStringLiteral("input"), QJsonArray {QStringLiteral("ok"), 3.5}}}));
    QCOMPARE(reply.status, 400);
    QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("'input[1]'")), reply.body.constData());
    reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")),
                         toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("embed-openai")},
                                             {QStringLiteral("input"), QStringLiteral("x")},
                                             {QStringLiteral("encoding_format"), QStringLiteral("int8")}}));
    QCOMPARE(reply.status, 400);
    QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("'encoding_format'")));

    // Token ids pass through to an OpenAI-compatible provider, but Gemini embeds text only.
    const QJsonObject tokens {{QStringLiteral("model"), QStringLiteral("embed-openai")},
                              {QStringLiteral("input"), QJsonArray {QJsonArray {1, 2, 3}, QJsonArray {4, 5}}}};
    reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")), toJson(tokens));
    QCOMPARE(reply.status, 200);
    QCOMPARE(jsonOf(reply.body).value(QLatin1String("data")).toArray().size(), 2);
    QJsonObject geminiTokens = tokens;
    geminiTokens.insert(QStringLiteral("model"), QStringLiteral("embed-gemini"));
    const qsizetype sentBefore = gateway.upstream().requests().size();
    reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")), toJson(geminiTokens));
    QCOMPARE(reply.status, 400);
    QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("Gemini embeds text only")), reply.body.constData());
    QCOMPARE(gateway.upstream().requests().size(), sentBefore);

    // Embeddings take no stream; GET is refused.
    reply = gateway.get(gateway.request(QStringLiteral("/v1/embeddings")));
    QCOMPARE(reply.status, 405);
}

void TestFormats::embeddingsGeminiErrorInOpenAiShape()
{
    GatewayFixture gateway({}, ExtraModels);
    gateway.upstream().enqueueFault(MockFault::httpStatus(400));
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")),
                                    toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("embed-gemini")},
                                                        {QStringLiteral("input"), QStringLiteral("hello")}}));
    QCOMPARE(reply.status, 400);
    const QJsonObject error = errorOf(reply.body);
    QVERIFY2(error.value(QLatin1String("message")).toString().contains(QLatin1String("Injected failure: status 400")),
             reply.body.constData());
    QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().errorClass, QStringLiteral("upstream_error"));
}

void TestFormats::completionsPassThroughToOpenAiProvider()
{
    GatewayFixture gateway({}, ExtraModels);
    const QJsonObject request {{QStringLiteral("model"), QStringLiteral("instruct")},
                               {QStringLiteral("prompt"), QStringLiteral("Invent a new holiday and describe it.")},
                               {QStringLiteral("max_tokens"), 16},
                               {QStringLiteral("echo"), false},
                               {QStringLiteral("logprobs"), 2}};
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/completions")), toJson(request));
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonOf(reply.body);
    QCOMPARE(answer.value(QLatin1String("object")).toString(), QStringLiteral("text_completion"));
    QVERIFY(completionText(answer).startsWith(QLatin1String("The new holiday is called")));

    // The client's body goes to the provider's own /completions, logprobs and all.
    const ReceivedRequest sent = gateway.upstream().lastRequest();
    QCOMPARE(sent.path, QByteArray("/v1/completions"));
    QCOMPARE(sent.json().value(QLatin1String("model")).toString(), QStringLiteral("openai-completion-text"));
    QCOMPARE(sent.json().value(QLatin1String("logprobs")).toInt(), 2);
    QCOMPARE(sent.json().value(QLatin1String("max_tokens")).toInt(), 16);

    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.endpoint, QStringLiteral("/v1/completions"));
    QCOMPARE(record.inputTokens, 14);
    QCOMPARE(record.outputTokens, 16);
}

void TestFormats::completionsStreamPassThrough()
{
    GatewayFixture gateway({}, ExtraModels);
    const QJsonObject request {{QStringLiteral("model"), QStringLiteral("instruct")},
                               {QStringLiteral("prompt"), QStringLiteral("Invent a new holiday and describe it.")},
                               {QStringLiteral("stream"), true}};
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/completions")), toJson(request));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("content-type").startsWith("text/event-stream"));
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() > 5);
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    QString text;
    for (const SseEvent &event : events.first(events.size() - 1)) {
        const QJsonArray choices = jsonOf(event.data).value(QLatin1String("choices")).toArray();
        QVERIFY2(!choices.isEmpty(), "usage-only chunk leaked to a client that did not ask for it");
        text += choices.first().toObject().value(QLatin1String("text")).toString();
    }
    QVERIFY2(text.startsWith(QLatin1String("The holiday is called \"Gratitude Day\"")), qPrintable(text));
    QVERIFY(gateway.upstream()
                .lastRequest()
                .json()
                .value(QLatin1String("stream_options"))
                .toObject()
                .value(QLatin1String("include_usage"))
                .toBool());
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().inputTokens, 14);
    QCOMPARE(gateway.records.first().outputTokens, 16);
    QVERIFY(gateway.records.first().timeToFirstTokenUs > 0);
}

void TestFormats::completionsTranslatedToChatProvider()
{
    GatewayFixture gateway({}, ExtraModels);
    const QJsonObject request {{QStringLiteral("model"), QStringLiteral("claude-test")},
                               {QStringLiteral("prompt"), QStringLiteral("Hello, how are you?")},
                               {QStringLiteral("max_tokens"), 64},
                               {QStringLiteral("stop"), QStringLiteral("\n\n")},
                               {QStringLiteral("echo"), false}};
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/completions")), toJson(request));
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonOf(reply.body);
    QCOMPARE(answer.value(QLatin1String("object")).toString(), QStringLiteral("text_completion"));
    QCOMPARE(answer.value(QLatin1String("model")).toString(), QStringLiteral("claude-test"));
    const QJsonObject choice = answer.value(QLatin1String("choices")).toArray().first().toObject();
    QCOMPARE(choice.value(QLatin1String("text")).toString(), AnthropicText);
    QCOMPARE(choice.value(QLatin1String("finish_reason")).toString(), QStringLiteral("stop"));
    QCOMPARE(answer.value(QLatin1String("usage")).toObject().value(QLatin1String("prompt_tokens")).toInt(), 12);

    // The prompt became one user message of an Anthropic Messages request.
    const ReceivedRequest sent = gateway.upstream().lastRequest();
    QCOMPARE(sent.path, QByteArray("/v1/messages"));
    const QJsonObject message = sent.json().value(QLatin1String("messages")).toArray().first().toObject();
    QCOMPARE(message.value(QLatin1String("role")).toString(), QStringLiteral("user"));
    QVERIFY(QJsonDocument(QJsonObject {{QStringLiteral("m"), message}}).toJson().contains("Hello, how are you?"));
    QCOMPARE(sent.json().value(QLatin1String("max_tokens")).toInt(), 64);
    QCOMPARE(sent.json().value(QLatin1String("stop_sequences")).toArray().first().toString(), QStringLiteral("\n\n"));

    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().inputTokens, 12);
    QCOMPARE(gateway.records.first().outputTokens, 29);
}

void TestFormats::completionsStreamTranslatedToChatProvider()
{
    GatewayFixture gateway({}, ExtraModels);
    const QJsonObject request {
        {QStringLiteral("model"), QStringLiteral("gemini-test")},
        {QStringLiteral("prompt"), QStringLiteral("How many r's in strawberry?")},
        {QStringLiteral("stream"), true},
        {QStringLiteral("stream_options"), QJsonObject {{QStringLiteral("include_usage"), true}}}};
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/completions")), toJson(request));
    QCOMPARE(reply.status, 200);
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() >= 3);
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    QString text;
    QString finishReason;
    for (const SseEvent &event : events.first(events.size() - 2)) {
        const QJsonObject chunk = jsonOf(event.data);
        QCOMPARE(chunk.value(QLatin1String("object")).toString(), QStringLiteral("text_completion"));
        QCOMPARE(chunk.value(QLatin1String("model")).toString(), QStringLiteral("gemini-test"));
        const QJsonObject choice = chunk.value(QLatin1String("choices")).toArray().first().toObject();
        text += choice.value(QLatin1String("text")).toString();
        if (choice.value(QLatin1String("finish_reason")).isString())
            finishReason = choice.value(QLatin1String("finish_reason")).toString();
    }
    QCOMPARE(text, QStringLiteral("There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y"));
    QCOMPARE(finishReason, QStringLiteral("stop"));
    // The client asked for usage: the chunk before [DONE] carries it, with no choices.
    const QJsonObject usageChunk = jsonOf(events.at(events.size() - 2).data);
    QVERIFY(usageChunk.value(QLatin1String("choices")).toArray().isEmpty());
    QCOMPARE(usageChunk.value(QLatin1String("usage")).toObject().value(QLatin1String("prompt_tokens")).toInt(), 9);
    QVERIFY(gateway.upstream().lastRequest().path.endsWith(":streamGenerateContent"));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().inputTokens, 9);
    QCOMPARE(gateway.records.first().reasoningTokens, 185);
}

void TestFormats::completionsParametersAChatTargetCannotHonour()
{
    GatewayFixture gateway({}, ExtraModels);
    const QJsonObject request {{QStringLiteral("model"), QStringLiteral("claude-test")},
                               {QStringLiteral("prompt"), QStringLiteral("Say this is a test")},
                               {QStringLiteral("echo"), true},
                               {QStringLiteral("logprobs"), 3},
                               {QStringLiteral("suffix"), QStringLiteral("end")}};
    auto reply = gateway.post(gateway.request(QStringLiteral("/v1/completions")), toJson(request));
    QCOMPARE(reply.status, 400);
    const QString message = errorMessageOf(reply.body);
    for (const auto name : {QLatin1String("'echo'"), QLatin1String("'logprobs'"), QLatin1String("'suffix'")})
        QVERIFY2(message.contains(name), qPrintable(message));
    QCOMPARE(gateway.upstream().requests().size(), 0);

    // Several prompts cannot become one chat either.
    QJsonObject several = request;
    several.remove(QStringLiteral("echo"));
    several.remove(QStringLiteral("logprobs"));
    several.remove(QStringLiteral("suffix"));
    several.insert(QStringLiteral("prompt"), QJsonArray {QStringLiteral("one"), QStringLiteral("two")});
    reply = gateway.post(gateway.request(QStringLiteral("/v1/completions")), toJson(several));
    QCOMPARE(reply.status, 400);
    QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("'prompt'")), reply.body.constData());

    // The same request with the route's drop_unsupported_params: answered, and the dropped names are reported.
    QJsonObject lenient = request;
    lenient.insert(QStringLiteral("model"), QStringLiteral("claude-lenient"));
    reply = gateway.post(gateway.request(QStringLiteral("/v1/completions")), toJson(lenient));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-dropped-params"), QByteArray("echo,logprobs,suffix"));
}

void TestFormats::completionsToChatOnlyOpenAiCompatibleProvider()
{
    GatewayFixture gateway({}, ExtraModels);
    // Groq serves no legacy /completions: the prompt goes to its chat endpoint and comes back as text_completion.
    const QJsonObject request {{QStringLiteral("model"), QStringLiteral("groq-chat")},
                               {QStringLiteral("prompt"), QStringLiteral("Invent a holiday.")},
                               {QStringLiteral("max_tokens"), 700}};
    auto reply = gateway.post(gateway.request(QStringLiteral("/v1/completions")), toJson(request));
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonOf(reply.body);
    QCOMPARE(answer.value(QLatin1String("object")).toString(), QStringLiteral("text_completion"));
    QCOMPARE(answer.value(QLatin1String("model")).toString(), QStringLiteral("groq-chat"));
    QVERIFY(completionText(answer).startsWith(QLatin1String("I'd like to introduce \"Luminaria\"")));
    const ReceivedRequest sent = gateway.upstream().lastRequest();
    QCOMPARE(sent.path, QByteArray("/v1/chat/completions"));
    QCOMPARE(sent.json().value(QLatin1String("model")).toString(), QStringLiteral("groq-text"));
    const QJsonObject message = sent.json().value(QLatin1String("messages")).toArray().first().toObject();
    QCOMPARE(message.value(QLatin1String("role")).toString(), QStringLiteral("user"));
    QVERIFY(!sent.json().contains(QLatin1String("prompt")));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().inputTokens, 45);
    QCOMPARE(gateway.records.first().outputTokens, 607);

    // Groq has no embeddings either: refused, naming the provider.
    reply = gateway.post(gateway.request(QStringLiteral("/v1/embeddings")),
                         toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("groq-chat")},
                                             {QStringLiteral("input"), QStringLiteral("hello")}}));
    QCOMPARE(reply.status, 400);
    QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("'mock-groq' (type groq) offers no embeddings")),
             reply.body.constData());
}

void TestFormats::unsupportedParameterIsRefusedByDefault()
{
    GatewayFixture gateway({}, ExtraModels);
    // OpenAI chat has no top_k: an Anthropic client's top_k cannot reach an OpenAI provider as it is.
    const auto reply
        = gateway.post(gateway.request(QStringLiteral("/v1/messages")),
                       anthropicBody(QStringLiteral("gpt-test"), false, QJsonObject {{QStringLiteral("top_k"), 40}}));
    QCOMPARE(reply.status, 400);
    QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("'top_k'")), reply.body.constData());
    QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("drop unsupported parameters")));
    QCOMPARE(gateway.upstream().requests().size(), 0);
    QVERIFY(reply.header("x-sluice-dropped-params").isEmpty());
}

void TestFormats::routeDropsUnsupportedParameter()
{
    GatewayFixture gateway({}, ExtraModels);
    auto reply = gateway.post(
        gateway.request(QStringLiteral("/v1/messages")),
        anthropicBody(QStringLiteral("gpt-lenient"), false, QJsonObject {{QStringLiteral("top_k"), 40}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-dropped-params"), QByteArray("top_k"));
    QVERIFY(!gateway.upstream().lastRequest().json().contains(QLatin1String("top_k")));
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.attempts.size(), 1);
    QVERIFY2(record.attempts.first().reason.contains(QLatin1String("dropped unsupported parameters: top_k")),
             qPrintable(record.attempts.first().reason));

    // Streams report it too; an OpenAI client's seed dropped for Anthropic.
    reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                         chatBody(QStringLiteral("claude-lenient"), true, QJsonObject {{QStringLiteral("seed"), 7}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-dropped-params"), QByteArray("seed"));
    QCOMPARE(eventsOf(reply.body).last().data, QByteArray("[DONE]"));

    // Nothing to drop: no header.
    reply = gateway.post(gateway.request(QStringLiteral("/v1/messages")),
                         anthropicBody(QStringLiteral("gpt-lenient"), false));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("x-sluice-dropped-params").isEmpty());
}

void TestFormats::routingDefaultDropsUnsupportedParameter()
{
    GatewayFixture gateway("routing:\n  drop_unsupported_params: true\n",
                           ExtraModels
                               + "  - name: claude-strict\n"
                                 "    provider: mock-anthropic\n"
                                 "    upstream_model: anthropic-text\n"
                                 "    drop_unsupported_params: false\n");
    auto reply
        = gateway.post(gateway.request(QStringLiteral("/v1/messages")),
                       anthropicBody(QStringLiteral("gpt-test"), false, QJsonObject {{QStringLiteral("top_k"), 40}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-dropped-params"), QByteArray("top_k"));
    // A route's own setting wins over the default.
    reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")),
                         chatBody(QStringLiteral("claude-strict"), false, QJsonObject {{QStringLiteral("seed"), 7}}));
    QCOMPARE(reply.status, 400);
    QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("'seed'")), reply.body.constData());
}

void TestFormats::geminiStreamToOpenAiClient_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("finishReason");
    QTest::addColumn<qint64>("inputTokens");
    QTest::addColumn<qint64>("outputTokens");
    QTest::addColumn<qint64>("reasoningTokens");
    QTest::newRow("text") << QStringLiteral("gemini-test")
                          << QStringLiteral("There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y") << QString()
                          << QStringLiteral("stop") << qint64(9) << qint64(23 + 185) << qint64(185);
    QTest::newRow("reasoning") << QStringLiteral("gemini-reasoning")
                               << QStringLiteral("There are **3** \"r\"s in strawberry.\n\nHere is the breakdown: "
                                                 "st**r**awbe**rr**y.")
                               << QString() << QStringLiteral("stop") << qint64(9) << qint64(29 + 256) << qint64(256);
    QTest::newRow("tool call") << QStringLiteral("gemini-tool") << QString() << QStringLiteral("weather")
                               << QStringLiteral("tool_calls") << qint64(29) << qint64(15 + 45) << qint64(45);
}

void TestFormats::geminiStreamToOpenAiClient()
{
    QFETCH(QString, model);
    QFETCH(QString, text);
    QFETCH(QString, tool);
    QFETCH(QString, finishReason);
    QFETCH(qint64, inputTokens);
    QFETCH(qint64, outputTokens);
    QFETCH(qint64, reasoningTokens);
    GatewayFixture gateway({}, ExtraModels);
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chatBody(model, true));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("content-type").startsWith("text/event-stream"));
    QVERIFY(gateway.upstream().lastRequest().path.endsWith(":streamGenerateContent"));
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() >= 3);
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    QString content;
    QString toolName;
    QString arguments;
    QString finish;
    for (const SseEvent &event : events.first(events.size() - 1)) {
        const QJsonObject chunk = jsonOf(event.data);
        QCOMPARE(chunk.value(QLatin1String("model")).toString(), model);
        const QJsonObject choice = chunk.value(QLatin1String("choices")).toArray().first().toObject();
        const QJsonObject delta = choice.value(QLatin1String("delta")).toObject();
        content += delta.value(QLatin1String("content")).toString();
        for (const QJsonValue &call : delta.value(QLatin1String("tool_calls")).toArray()) {
            const QJsonObject function = call.toObject().value(QLatin1String("function")).toObject();
            toolName += function.value(QLatin1String("name")).toString();
            arguments += function.value(QLatin1String("arguments")).toString();
        }
        if (choice.value(QLatin1String("finish_reason")).isString())
            finish = choice.value(QLatin1String("finish_reason")).toString();
    }
    QCOMPARE(content, text);
    QCOMPARE(toolName, tool);
    if (!tool.isEmpty())
        QCOMPARE(QJsonDocument::fromJson(arguments.toUtf8()).object().value(QLatin1String("location")).toString(),
                 QStringLiteral("San Francisco"));
    QCOMPARE(finish, finishReason);

    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.httpStatus, 200);
    QVERIFY(record.stream);
    QCOMPARE(record.provider, QStringLiteral("mock-gemini"));
    QCOMPARE(record.inputTokens, inputTokens);
    QCOMPARE(record.outputTokens, outputTokens);
    QCOMPARE(record.reasoningTokens, reasoningTokens);
    QVERIFY(record.timeToFirstTokenUs > 0);
}

void TestFormats::geminiStreamToAnthropicClient_data()
{
    geminiStreamToOpenAiClient_data();
}

void TestFormats::geminiStreamToAnthropicClient()
{
    QFETCH(QString, model);
    QFETCH(QString, text);
    QFETCH(QString, tool);
    QFETCH(QString, finishReason);
    QFETCH(qint64, inputTokens);
    QFETCH(qint64, outputTokens);
    QFETCH(qint64, reasoningTokens);
    GatewayFixture gateway({}, ExtraModels);
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/messages")), anthropicBody(model, true));
    QCOMPARE(reply.status, 200);
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY(events.size() >= 4);
    QCOMPARE(events.first().event, QByteArray("message_start"));
    QCOMPARE(events.last().event, QByteArray("message_stop"));
    QCOMPARE(
        jsonOf(events.first().data).value(QLatin1String("message")).toObject().value(QLatin1String("model")).toString(),
        model);
    QString content;
    QString toolName;
    QString arguments;
    QString stopReason;
    qint64 reportedOutput = -1;
    for (const SseEvent &event : events) {
        const QJsonObject data = jsonOf(event.data);
        if (event.event == "content_block_start") {
            const QJsonObject block = data.value(QLatin1String("content_block")).toObject();
            if (block.value(QLatin1String("type")).toString() == QLatin1String("tool_use"))
                toolName += block.value(QLatin1String("name")).toString();
        } else if (event.event == "content_block_delta") {
            const QJsonObject delta = data.value(QLatin1String("delta")).toObject();
            content += delta.value(QLatin1String("text")).toString();
            arguments += delta.value(QLatin1String("partial_json")).toString();
        } else if (event.event == "message_delta") {
            stopReason = data.value(QLatin1String("delta")).toObject().value(QLatin1String("stop_reason")).toString();
            reportedOutput
                = data.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens")).toInteger(-1);
        }
    }
    QCOMPARE(content, text);
    QCOMPARE(toolName, tool);
    if (!tool.isEmpty())
        QCOMPARE(QJsonDocument::fromJson(arguments.toUtf8()).object().value(QLatin1String("location")).toString(),
                 QStringLiteral("San Francisco"));
    QCOMPARE(stopReason,
             finishReason == QLatin1String("tool_calls") ? QStringLiteral("tool_use") : QStringLiteral("end_turn"));
    QCOMPARE(reportedOutput, outputTokens);

    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.httpStatus, 200);
    QCOMPARE(record.endpoint, QStringLiteral("/v1/messages"));
    QCOMPARE(record.inputTokens, inputTokens);
    QCOMPARE(record.outputTokens, outputTokens);
    QCOMPARE(record.reasoningTokens, reasoningTokens);
}

QTEST_GUILESS_MAIN(TestFormats)
#include "tst_formats.moc"
