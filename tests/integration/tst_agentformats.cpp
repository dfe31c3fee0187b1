#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "api/AnthropicStreamDecoder.h"
#include "api/OpenAiResponsesStreamDecoder.h"
#include "cost/PriceCatalog.h"
#include "cost/RequestCost.h"

using namespace sluice;
using namespace sluice::test;

// What the coding agents send, through the running gateway to the mock upstream: Gemini CLI's inbound Gemini
// format (streamed SSE and JSON array, generateContent, countTokens, model lists, its ways of sending the key),
// Claude Code's mid-conversation system messages and adaptive thinking, Codex's Responses requests (bookkeeping
// fields, namespace and hosted tools), and the gateway's answers to probes and unknown paths.
namespace {

const QString GeminiStreamText = QStringLiteral("There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y");
const QString AnthropicStreamText = QStringLiteral("Hello! I'm doing well, thank you for asking.");

QByteArray geminiBody(const QString &prompt = QStringLiteral("How many r's are in strawberry?"))
{
    return toJson(QJsonObject {
        {QStringLiteral("contents"),
         QJsonArray {
             QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                          {QStringLiteral("parts"), QJsonArray {QJsonObject {{QStringLiteral("text"), prompt}}}}}}},
        {QStringLiteral("systemInstruction"),
         QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                      {QStringLiteral("parts"),
                       QJsonArray {QJsonObject {{QStringLiteral("text"), QStringLiteral("Be brief.")}}}}}},
        {QStringLiteral("generationConfig"),
         QJsonObject {{QStringLiteral("temperature"), 1},
                      {QStringLiteral("topP"), 0.95},
                      {QStringLiteral("topK"), 64},
                      {QStringLiteral("thinkingConfig"), QJsonObject {{QStringLiteral("includeThoughts"), true}}}}}});
}

// The text of Gemini answer chunks (SSE events' data or the elements of a JSON array), thoughts left out.
QString geminiText(const QList<QJsonObject> &chunks)
{
    QString text;
    for (const QJsonObject &chunk : chunks) {
        const QJsonArray parts = chunk.value(QLatin1String("candidates"))
                                     .toArray()
                                     .first()
                                     .toObject()
                                     .value(QLatin1String("content"))
                                     .toObject()
                                     .value(QLatin1String("parts"))
                                     .toArray();
        for (const QJsonValue &part : parts) {
            if (!part.toObject().value(QLatin1String("thought")).toBool())
                text += part.toObject().value(QLatin1String("text")).toString();
        }
    }
    return text;
}

QList<QJsonObject> sseChunks(const QByteArray &body)
{
    QList<QJsonObject> chunks;
    for (const SseEvent &event : eventsOf(body))
        chunks.append(jsonOf(event.data));
    return chunks;
}

// Claude Code with a model name it does not know.
QByteArray claudeCodeBody(const QString &model)
{
    return toJson(QJsonObject {
        {QStringLiteral("model"), model},
        {QStringLiteral("max_tokens"), 32000},
        {QStringLiteral("stream"), true},
        {QStringLiteral("system"),
         QJsonArray {QJsonObject {
             {QStringLiteral("type"), QStringLiteral("text")},
             {QStringLiteral("text"), QStringLiteral("You are a Claude agent.")},
             {QStringLiteral("cache_control"), QJsonObject {{QStringLiteral("type"), QStringLiteral("ephemeral")}}}}}},
        {QStringLiteral("messages"),
         QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                  {QStringLiteral("content"), QStringLiteral("Say hello")}},
                     QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
                                  {QStringLiteral("content"), QStringLiteral("Available agent types: general.")}}}},
        {QStringLiteral("tools"),
         QJsonArray {QJsonObject {
             {QStringLiteral("name"), QStringLiteral("Bash")},
             {QStringLiteral("description"), QStringLiteral("Run a command")},
             {QStringLiteral("input_schema"), QJsonObject {{QStringLiteral("type"), QStringLiteral("object")}}}}}},
        {QStringLiteral("thinking"), QJsonObject {{QStringLiteral("type"), QStringLiteral("adaptive")}}},
        {QStringLiteral("output_config"), QJsonObject {{QStringLiteral("effort"), QStringLiteral("high")}}},
        {QStringLiteral("metadata"),
         QJsonObject {{QStringLiteral("user_id"), QStringLiteral("{\"device_id\":\"d\"}")}}},
        {QStringLiteral("context_management"),
         QJsonObject {{QStringLiteral("edits"),
                       QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("clear_thinking_20251015")},
                                                {QStringLiteral("keep"), QStringLiteral("all")}}}}}}});
}

// Codex CLI's Responses request, trimmed: developer instructions as an input item, ids on items, its own
// bookkeeping, a namespace tool, a hosted tool, and an earlier call of a namespaced function.
QByteArray codexBody(const QString &model, const QJsonObject &extra = {})
{
    const QJsonObject function {
        {QStringLiteral("type"), QStringLiteral("function")},
        {QStringLiteral("name"), QStringLiteral("close_agent")},
        {QStringLiteral("strict"), false},
        {QStringLiteral("parameters"),
         QJsonObject {{QStringLiteral("type"), QStringLiteral("object")},
                      {QStringLiteral("properties"),
                       QJsonObject {{QStringLiteral("target"),
                                     QJsonObject {{QStringLiteral("type"), QStringLiteral("string")}}}}}}}};
    QJsonObject body {
        {QStringLiteral("model"), model},
        {QStringLiteral("stream"), true},
        {QStringLiteral("input"),
         QJsonArray {
             QJsonObject {{QStringLiteral("type"), QStringLiteral("message")},
                          {QStringLiteral("id"), QStringLiteral("msg_1")},
                          {QStringLiteral("role"), QStringLiteral("developer")},
                          {QStringLiteral("content"),
                           QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("input_text")},
                                                    {QStringLiteral("text"), QStringLiteral("You are Codex.")}}}}},
             QJsonObject {{QStringLiteral("type"), QStringLiteral("message")},
                          {QStringLiteral("id"), QStringLiteral("msg_2")},
                          {QStringLiteral("role"), QStringLiteral("user")},
                          {QStringLiteral("content"),
                           QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("input_text")},
                                                    {QStringLiteral("text"), QStringLiteral("Close agent a1")}}}}},
             QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call")},
                          {QStringLiteral("id"), QStringLiteral("fc_1")},
                          {QStringLiteral("call_id"), QStringLiteral("call_1")},
                          {QStringLiteral("namespace"), QStringLiteral("multi_agent_v1")},
                          {QStringLiteral("name"), QStringLiteral("close_agent")},
                          {QStringLiteral("arguments"), QStringLiteral("{\"target\":\"a1\"}")}},
             QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call_output")},
                          {QStringLiteral("id"), QStringLiteral("fco_1")},
                          {QStringLiteral("call_id"), QStringLiteral("call_1")},
                          {QStringLiteral("output"), QStringLiteral("closed")}}}},
        {QStringLiteral("tools"),
         QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                                  {QStringLiteral("name"), QStringLiteral("exec_command")},
                                  {QStringLiteral("strict"), false},
                                  {QStringLiteral("parameters"),
                                   QJsonObject {{QStringLiteral("type"), QStringLiteral("object")}}}},
                     QJsonObject {{QStringLiteral("type"), QStringLiteral("namespace")},
                                  {QStringLiteral("name"), QStringLiteral("multi_agent_v1")},
                                  {QStringLiteral("description"), QStringLiteral("Sub-agents.")},
                                  {QStringLiteral("tools"), QJsonArray {function}}},
                     QJsonObject {{QStringLiteral("type"), QStringLiteral("web_search")},
                                  {QStringLiteral("external_web_access"), true}}}},
        {QStringLiteral("tool_choice"), QStringLiteral("auto")},
        {QStringLiteral("parallel_tool_calls"), true},
        {QStringLiteral("reasoning"), QJsonObject {{QStringLiteral("summary"), QStringLiteral("auto")}}},
        {QStringLiteral("store"), false},
        {QStringLiteral("include"), QJsonArray {QStringLiteral("reasoning.encrypted_content")}},
        {QStringLiteral("prompt_cache_key"), QStringLiteral("thread-1")},
        {QStringLiteral("client_metadata"),
         QJsonObject {{QStringLiteral("thread_id"), QStringLiteral("thread-1")},
                      {QStringLiteral("session_id"), QStringLiteral("session-1")}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return toJson(body);
}

// What the log must get from a provider's stream: read with the decoder of its format.
struct ProviderStream
{
    TokenUsage usage;
    QString model;
    QString finishReason;
    int textDeltas = 0;
};

ProviderStream readProviderStream(StreamDecoder &decoder, const QByteArray &body)
{
    CanonicalEvents events = decoder.feed(body);
    events += decoder.finish();
    ProviderStream stream {decoder.usage(), decoder.model(), {}, 0};
    for (const CanonicalEvent &event : std::as_const(events)) {
        if (event.type == CanonicalEvent::Type::Finish)
            stream.finishReason = finishReasonName(event.finishReason);
        stream.textDeltas += event.type == CanonicalEvent::Type::TextDelta;
    }
    return stream;
}

} // namespace

class TestAgentFormats : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void geminiClientToGeminiProviderPassesThrough();
    void geminiClientTranslated_data();
    void geminiClientTranslated();
    void geminiStreamWithoutSseIsAJsonArray();
    void geminiGenerateContent();
    void geminiCountTokensAndModels();
    void geminiKeyInHeaderOrQuery();

    void claudeCodeAliasToAnthropic();
    void claudeCodeAliasTranslated();
    void claudeCodeToAnthropicRelaysTheProviderBytes_data();
    void claudeCodeToAnthropicRelaysTheProviderBytes();

    void codexTranslated();
    void responsesPassThroughToOpenAi();
    void responsesPassThroughKeepsTheClientsBytes();
    void codexToOpenAiRelaysTheProviderBytes();
    void refusedParameterIsLoggedAsARefusal();

    void streamWithoutContentEndsProperly_data();
    void streamWithoutContentEndsProperly();
    void probesAndUnknownPaths();
    void answersArePricedByTheServedModel();
};

void TestAgentFormats::initTestCase()
{
    QVERIFY2(qEnvironmentVariableIsSet("SLUICE_RECORDINGS_DIR"), "SLUICE_RECORDINGS_DIR must name the recordings");
}

void TestAgentFormats::geminiClientToGeminiProviderPassesThrough()
{
    GatewayFixture gateway;
    const QByteArray body = geminiBody();
    QNetworkRequest request
        = gateway.request(QStringLiteral("/v1beta/models/gemini-test:streamGenerateContent?alt=sse"), QByteArray());
    request.setRawHeader("x-goog-api-key", TestToken);
    const auto reply = gateway.post(request, body);
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("content-type").startsWith("text/event-stream"));
    QCOMPARE(geminiText(sseChunks(reply.body)), GeminiStreamText);

    // Same format: the client's body goes as it was sent, to the deployment's model, and with the provider's key.
    const ReceivedRequest upstream = gateway.upstream().lastRequest();
    QCOMPARE(upstream.path, QByteArray("/v1beta/models/google-text:streamGenerateContent"));
    QCOMPARE(upstream.query, QByteArray("alt=sse"));
    QCOMPARE(upstream.body, body);
    QCOMPARE(upstream.headers.value("x-goog-api-key"), QByteArray("sk-provider-secret-value"));

    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.httpStatus, 200);
    QCOMPARE(record.requestedModel, QStringLiteral("gemini-test"));
    QCOMPARE(record.endpoint, QStringLiteral("/v1beta/models/gemini-test:streamGenerateContent"));
    QCOMPARE(record.provider, QStringLiteral("mock-gemini"));
    QVERIFY(record.stream);
    QCOMPARE(record.inputTokens, 9);
    QVERIFY(record.outputTokens > 0);
    QVERIFY(record.timeToFirstTokenUs > 0);
    QCOMPARE(record.servedModel, QStringLiteral("gemini-3-pro-preview"));
}

void TestAgentFormats::geminiClientTranslated_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("dropped");
    // Gemini CLI's default sampling: OpenAI has no top-k; current Claude models take temperature or top_p.
    QTest::newRow("to Anthropic") << QStringLiteral("claude-test") << QStringLiteral("mock-anthropic")
                                  << AnthropicStreamText << QByteArray("top_p");
    QTest::newRow("to OpenAI") << QStringLiteral("gpt-test") << QStringLiteral("mock") << QString()
                               << QByteArray("top_k");
}

void TestAgentFormats::geminiClientTranslated()
{
    QFETCH(QString, model);
    QFETCH(QString, provider);
    QFETCH(QString, text);
    QFETCH(QByteArray, dropped);
    GatewayFixture gateway;
    const auto reply = gateway.post(
        gateway.request(QStringLiteral("/v1beta/models/%1:streamGenerateContent?alt=sse").arg(model)), geminiBody());
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-dropped-params"), dropped);
    QVERIFY(!gateway.upstream().lastRequest().json().contains(QString::fromLatin1(dropped)));
    const QList<QJsonObject> chunks = sseChunks(reply.body);
    const QString answer = geminiText(chunks);
    if (!text.isEmpty())
        QVERIFY2(answer.startsWith(text), qPrintable(answer));
    else
        QVERIFY(answer.startsWith(QLatin1String("**Holiday Name:**")));
    QCOMPARE(chunks.last()
                 .value(QLatin1String("candidates"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("finishReason"))
                 .toString(),
             QStringLiteral("STOP"));
    QCOMPARE(chunks.last().value(QLatin1String("modelVersion")).toString(), model);
    QVERIFY(
        chunks.last().value(QLatin1String("usageMetadata")).toObject().value(QLatin1String("promptTokenCount")).toInt()
        > 0);
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().provider, provider);
    QCOMPARE(gateway.records.first().requestedModel, model);
    QVERIFY(gateway.records.first().outputTokens > 0);
}

void TestAgentFormats::geminiStreamWithoutSseIsAJsonArray()
{
    for (const QString &model : {QStringLiteral("claude-test"), QStringLiteral("gemini-test")}) {
        GatewayFixture gateway;
        const auto reply = gateway.post(
            gateway.request(QStringLiteral("/v1beta/models/%1:streamGenerateContent").arg(model)), geminiBody());
        QCOMPARE(reply.status, 200);
        QVERIFY2(reply.header("content-type").startsWith("application/json"), reply.header("content-type").constData());
        QJsonParseError error {};
        const QJsonDocument doc = QJsonDocument::fromJson(reply.body, &error);
        QVERIFY2(doc.isArray(), qPrintable(error.errorString()));
        QList<QJsonObject> chunks;
        for (const QJsonValue &chunk : doc.array())
            chunks.append(chunk.toObject());
        QVERIFY2(!geminiText(chunks).isEmpty(), reply.body.constData());
    }
}

void TestAgentFormats::geminiGenerateContent()
{
    GatewayFixture gateway;
    for (const QString &model : {QStringLiteral("gemini-test"), QStringLiteral("claude-test")}) {
        const auto reply = gateway.post(gateway.request(QStringLiteral("/v1beta/models/%1:generateContent").arg(model)),
                                        geminiBody());
        QCOMPARE(reply.status, 200);
        const QJsonObject answer = jsonOf(reply.body);
        QVERIFY2(!geminiText({answer}).isEmpty(), reply.body.constData());
        QVERIFY(answer.value(QLatin1String("usageMetadata")).toObject().value(QLatin1String("promptTokenCount")).toInt()
                > 0);
    }
    QVERIFY(gateway.waitForRecords(2));
    QCOMPARE(gateway.records.at(0).provider, QStringLiteral("mock-gemini"));
    QCOMPARE(gateway.records.at(1).provider, QStringLiteral("mock-anthropic"));
    QVERIFY(!gateway.records.at(1).stream);

    // A model Sluice does not have: Gemini's error shape, naming it.
    const auto unknown
        = gateway.post(gateway.request(QStringLiteral("/v1beta/models/nope:generateContent")), geminiBody());
    QCOMPARE(unknown.status, 404);
    QVERIFY2(errorMessageOf(unknown.body).contains(QLatin1String("nope")), unknown.body.constData());
    QCOMPARE(errorOf(unknown.body).value(QLatin1String("status")).toString(), QStringLiteral("NOT_FOUND"));
}

void TestAgentFormats::geminiCountTokensAndModels()
{
    GatewayFixture gateway;
    const auto counted
        = gateway.post(gateway.request(QStringLiteral("/v1beta/models/gemini-test:countTokens")), geminiBody());
    QCOMPARE(counted.status, 200);
    QVERIFY(jsonOf(counted.body).value(QLatin1String("totalTokens")).toInt() > 0);
    QCOMPARE(gateway.upstream().requests().size(), 0); // an estimate: no provider call

    const auto list = gateway.get(gateway.request(QStringLiteral("/v1beta/models")));
    QCOMPARE(list.status, 200);
    QStringList names;
    for (const QJsonValue &model : jsonOf(list.body).value(QLatin1String("models")).toArray())
        names.append(model.toObject().value(QLatin1String("name")).toString());
    QVERIFY2(names.contains(QStringLiteral("models/gemini-test")), qPrintable(names.join(QLatin1Char(','))));
    QVERIFY(names.contains(QStringLiteral("models/claude-test")));

    const auto one = gateway.get(gateway.request(QStringLiteral("/v1beta/models/claude-test")));
    QCOMPARE(one.status, 200);
    QCOMPARE(jsonOf(one.body).value(QLatin1String("name")).toString(), QStringLiteral("models/claude-test"));
    QVERIFY(jsonOf(one.body)
                .value(QLatin1String("supportedGenerationMethods"))
                .toArray()
                .contains(QStringLiteral("streamGenerateContent")));
    QCOMPARE(gateway.get(gateway.request(QStringLiteral("/v1beta/models/nope"))).status, 404);
}

void TestAgentFormats::geminiKeyInHeaderOrQuery()
{
    GatewayFixture gateway;
    const QString path = QStringLiteral("/v1beta/models/gemini-test:generateContent");
    QNetworkRequest header = gateway.request(path, QByteArray());
    header.setRawHeader("x-goog-api-key", TestToken);
    QCOMPARE(gateway.post(header, geminiBody()).status, 200);
    QCOMPARE(gateway
                 .post(gateway.request(path + QStringLiteral("?key=") + QLatin1String(TestToken), QByteArray()),
                       geminiBody())
                 .status,
             200);

    QNetworkRequest wrong = gateway.request(path, QByteArray());
    wrong.setRawHeader("x-goog-api-key", "not-a-token");
    const auto refused = gateway.post(wrong, geminiBody());
    QCOMPARE(refused.status, 401);
    QCOMPARE(errorOf(refused.body).value(QLatin1String("code")).toInt(), 401);
    QVERIFY(gateway.waitForRecords(3));
    // The key given in the query never reaches the log.
    for (const RequestRecord &record : std::as_const(gateway.records))
        QVERIFY(!record.endpoint.contains(QLatin1String(TestToken)));
}

void TestAgentFormats::claudeCodeAliasToAnthropic()
{
    GatewayFixture gateway;
    QNetworkRequest request = gateway.request(QStringLiteral("/v1/messages?beta=true"));
    request.setRawHeader("anthropic-beta", "claude-code-20250219,mid-conversation-system-2026-04-07,effort-2025-11-24");
    const auto reply = gateway.post(request, claudeCodeBody(QStringLiteral("claude-test")));
    QCOMPARE(reply.status, 200);
    QVERIFY(anthropicStreamText(eventsOf(reply.body)).startsWith(AnthropicStreamText));

    // Same format: the system message stays where Claude Code put it; thinking, effort and betas go through.
    const ReceivedRequest upstream = gateway.upstream().lastRequest();
    const QJsonObject sent = upstream.json();
    const QJsonArray messages = sent.value(QLatin1String("messages")).toArray();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[1].toObject().value(QLatin1String("role")).toString(), QStringLiteral("system"));
    QCOMPARE(sent.value(QLatin1String("thinking")).toObject().value(QLatin1String("type")).toString(),
             QStringLiteral("adaptive"));
    QCOMPARE(sent.value(QLatin1String("output_config")).toObject().value(QLatin1String("effort")).toString(),
             QStringLiteral("high"));
    QVERIFY(sent.contains(QLatin1String("context_management")));
    QVERIFY(upstream.headers.value("anthropic-beta").contains("mid-conversation-system"));
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().requestedModel, QStringLiteral("claude-test"));
    QVERIFY(gateway.records.first().outputTokens > 0);
}

void TestAgentFormats::claudeCodeToAnthropicRelaysTheProviderBytes_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("recording");
    QTest::newRow("text") << QStringLiteral("claude-test") << QStringLiteral("anthropic-text");
    QTest::newRow("tool call") << QStringLiteral("claude-tool") << QStringLiteral("anthropic-json-tool.1");
    QTest::newRow("tool call without arguments")
        << QStringLiteral("claude-tool-no-args") << QStringLiteral("anthropic-tool-no-args");
}

// Claude Code to Anthropic: the client gets the provider's bytes, message_start naming the model it asked for,
// and the log gets usage, stop reason, served model and time to first token, wherever the provider's bytes are cut
// into reads (every byte boundary, and every byte a read of its own).
void TestAgentFormats::claudeCodeToAnthropicRelaysTheProviderBytes()
{
    QFETCH(QString, model);
    QFETCH(QString, recording);
    GatewayFixture gateway({},
                           "  - name: claude-tool\n"
                           "    provider: mock-anthropic\n"
                           "    upstream_model: anthropic-json-tool.1\n"
                           "  - name: claude-tool-no-args\n"
                           "    provider: mock-anthropic\n"
                           "    upstream_model: anthropic-tool-no-args\n");
    QNetworkRequest direct(QUrl(gateway.upstream().baseUrl().toString() + QStringLiteral("/v1/messages")));
    direct.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    const auto provider = gateway.post(direct, anthropicBody(recording, true));
    QCOMPARE(provider.status, 200);
    AnthropicStreamDecoder decoder;
    const ProviderStream answer = readProviderStream(decoder, provider.body);
    QVERIFY(answer.usage.output > 0);
    QVERIFY(!answer.finishReason.isEmpty());
    const QByteArray servedModel = "\"model\":\"" + answer.model.toUtf8() + '"';
    QCOMPARE(provider.body.count(servedModel), 1);
    QByteArray expected = provider.body;
    const QByteArray clientModel = "\"model\":\"" + model.toUtf8() + '"';
    expected.replace(servedModel, clientModel);

    const qsizetype size = provider.body.size();
    for (int at = -1; at < size; ++at) {
        if (at >= 0)
            gateway.upstream().enqueueFault(MockFault::rechunk(at)); // 0: every byte a read of its own
        const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/messages")), anthropicBody(model, true));
        QCOMPARE(reply.status, 200);
        if (reply.body != expected)
            QFAIL(
                qPrintable(QStringLiteral("Cut at %1: the client got\n%2").arg(at).arg(QString::fromUtf8(reply.body))));
    }
    QVERIFY(gateway.waitForRecords(int(size) + 1));
    for (const RequestRecord &record : std::as_const(gateway.records)) {
        QCOMPARE(record.httpStatus, 200);
        QCOMPARE(record.errorClass, QString());
        QCOMPARE(record.inputTokens, answer.usage.input);
        QCOMPARE(record.outputTokens, answer.usage.output);
        QCOMPARE(record.cachedTokens, answer.usage.cached);
        QCOMPARE(record.finishReason, answer.finishReason);
        QCOMPARE(record.servedModel, answer.model);
        QVERIFY(record.timeToFirstTokenUs > 0);
        QCOMPARE(record.responseBody, expected);
    }

    // Not streamed: the provider's answer as it came, the model renamed.
    const auto providerJson = gateway.post(direct, anthropicBody(recording, false));
    QCOMPARE(providerJson.status, 200);
    const QByteArray servedJsonModel
        = '"' + jsonOf(providerJson.body).value(QLatin1String("model")).toString().toUtf8() + '"';
    QCOMPARE(providerJson.body.count(servedJsonModel), 1);
    QByteArray expectedJson = providerJson.body;
    expectedJson.replace(servedJsonModel, QByteArray('"' + model.toUtf8() + '"'));
    const auto json = gateway.post(gateway.request(QStringLiteral("/v1/messages")), anthropicBody(model, false));
    QCOMPARE(json.status, 200);
    QCOMPARE(json.body, expectedJson);
    QVERIFY(gateway.waitForRecords(int(size) + 2));
    QCOMPARE(gateway.records.last().outputTokens,
             jsonOf(providerJson.body)
                 .value(QLatin1String("usage"))
                 .toObject()
                 .value(QLatin1String("output_tokens"))
                 .toInteger());
}

void TestAgentFormats::claudeCodeAliasTranslated()
{
    GatewayFixture gateway;
    for (const QString &model : {QStringLiteral("gpt-test"), QStringLiteral("gemini-test")}) {
        const auto reply
            = gateway.post(gateway.request(QStringLiteral("/v1/messages?beta=true")), claudeCodeBody(model));
        QCOMPARE(reply.status, 200);
        QVERIFY2(!anthropicStreamText(eventsOf(reply.body)).isEmpty(), reply.body.left(400).constData());
    }
    // OpenAI chat: the instructions as a system message in place; adaptive thinking is the model's default.
    const QJsonObject chat = gateway.upstream().requests().at(0).json();
    const QJsonArray messages = chat.value(QLatin1String("messages")).toArray();
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages[2].toObject().value(QLatin1String("role")).toString(), QStringLiteral("system"));
    QVERIFY(!chat.contains(QLatin1String("reasoning_effort")));
    // Gemini: the instructions join systemInstruction.
    const QJsonObject gemini = gateway.upstream().requests().at(1).json();
    QVERIFY(QJsonDocument(gemini.value(QLatin1String("systemInstruction")).toObject())
                .toJson()
                .contains("Available agent types"));
    QVERIFY(gateway.waitForRecords(2));
    for (const RequestRecord &record : std::as_const(gateway.records))
        QCOMPARE(record.httpStatus, 200);
}

void TestAgentFormats::codexTranslated()
{
    GatewayFixture gateway;
    const auto reply
        = gateway.post(gateway.request(QStringLiteral("/v1/responses")), codexBody(QStringLiteral("claude-test")));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-sluice-dropped-params"), QByteArray("tools[2] (web_search)"));
    QByteArray completed;
    for (const SseEvent &event : eventsOf(reply.body)) {
        if (event.event == "response.completed")
            completed = event.data;
    }
    QVERIFY2(!completed.isEmpty(), reply.body.left(400).constData());

    // Anthropic got the namespaced function flattened, the earlier call under that name, no bookkeeping.
    const QJsonObject sent = gateway.upstream().lastRequest().json();
    QStringList tools;
    for (const QJsonValue &tool : sent.value(QLatin1String("tools")).toArray())
        tools.append(tool.toObject().value(QLatin1String("name")).toString());
    QCOMPARE(tools, (QStringList {QStringLiteral("exec_command"), QStringLiteral("multi_agent_v1__close_agent")}));
    const QByteArray raw = gateway.upstream().lastRequest().body;
    QVERIFY(raw.contains("\"name\":\"multi_agent_v1__close_agent\""));
    QVERIFY(!raw.contains("client_metadata"));
    QVERIFY(!raw.contains("thread-1"));
    QCOMPARE(sent.value(QLatin1String("system")).toString(), QStringLiteral("You are Codex."));

    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.httpStatus, 200);
    QVERIFY2(record.attempts.last().reason.contains(QLatin1String("web_search")),
             qPrintable(record.attempts.last().reason));
}

void TestAgentFormats::responsesPassThroughKeepsTheClientsBytes()
{
    GatewayFixture gateway;
    // Spacing, key order and a number JSON re-encoding would rewrite (2^53 + 1) must reach OpenAI as sent; only
    // the model's value is replaced.
    const QByteArray body = R"({ "model" : "gpt-test", "input": "Say hi.", "metadata": {"b": "2", "a": "1"},)"
                            R"( "max_output_tokens": 9007199254740993 })";
    const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/responses")), body);
    QCOMPARE(reply.status, 200);
    const ReceivedRequest upstream = gateway.upstream().lastRequest();
    QCOMPARE(upstream.path, QByteArray("/v1/responses"));
    QByteArray expected = body;
    expected.replace(R"("gpt-test")", R"("openai-text")");
    QCOMPARE(upstream.body, expected);
}

// Codex to OpenAI: the client gets the provider's Responses stream byte for byte (the model renamed where the
// response object names it), and the log gets usage, stop reason, served model and time to first token, wherever the
// provider's bytes are cut into reads. Once text flows its delta events go out unread.
void TestAgentFormats::codexToOpenAiRelaysTheProviderBytes()
{
    GatewayFixture gateway;
    QNetworkRequest direct(QUrl(gateway.upstream().baseUrl().toString() + QStringLiteral("/v1/responses")));
    direct.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    const auto provider = gateway.post(direct, codexBody(QStringLiteral("openai-text")));
    QCOMPARE(provider.status, 200);
    OpenAiResponsesStreamDecoder decoder;
    const ProviderStream answer = readProviderStream(decoder, provider.body);
    QVERIFY(answer.usage.output > 0);
    QVERIFY(!answer.finishReason.isEmpty());
    QVERIFY(answer.textDeltas > 2);
    const QByteArray servedModel = "\"model\":\"" + answer.model.toUtf8() + '"';
    QVERIFY(provider.body.count(servedModel) >= 2); // response.created ... response.completed
    // The mock renders each Responses stream with new ids; everything else is the same from one request to the next.
    const auto sameIds = [](QByteArray body) {
        static const QRegularExpression ids(QStringLiteral("\\b(resp|msg|fc|rs)_[0-9a-f]{16,}"));
        return QString::fromUtf8(body).replace(ids, QStringLiteral("\\1_id")).toUtf8();
    };
    QByteArray expected = sameIds(provider.body);
    expected.replace(servedModel, QByteArrayLiteral("\"model\":\"gpt-test\""));
    QVERIFY(expected.contains("resp_id"));

    const qsizetype size = provider.body.size();
    int sent = 0;
    // Uncut, every byte a read of its own (0), then cuts across the stream: inside and between events, before and
    // after the first text.
    for (int at = -1; at < size; at += at < 1 ? 1 : 53) {
        if (at >= 0)
            gateway.upstream().enqueueFault(MockFault::rechunk(at)); // 0: every byte a read of its own
        const auto reply
            = gateway.post(gateway.request(QStringLiteral("/v1/responses")), codexBody(QStringLiteral("gpt-test")));
        ++sent;
        QCOMPARE(reply.status, 200);
        if (sameIds(reply.body) != expected)
            QFAIL(
                qPrintable(QStringLiteral("Cut at %1: the client got\n%2").arg(at).arg(QString::fromUtf8(reply.body))));
    }
    QVERIFY(gateway.waitForRecords(sent));
    for (const RequestRecord &record : std::as_const(gateway.records)) {
        QCOMPARE(record.httpStatus, 200);
        QCOMPARE(record.errorClass, QString());
        QCOMPARE(record.inputTokens, answer.usage.input);
        QCOMPARE(record.outputTokens, answer.usage.output);
        QCOMPARE(record.finishReason, answer.finishReason);
        QCOMPARE(record.servedModel, answer.model);
        QVERIFY(record.timeToFirstTokenUs > 0);
        QCOMPARE(sameIds(record.responseBody), expected);
        QCOMPARE(record.relayedTextChars, qint64(-1)); // the deltas were relayed unread
    }
}

void TestAgentFormats::responsesPassThroughToOpenAi()
{
    GatewayFixture gateway;
    for (const bool stream : {true, false}) {
        const QByteArray body = codexBody(QStringLiteral("gpt-test"), {{QStringLiteral("stream"), stream}});
        const auto reply = gateway.post(gateway.request(QStringLiteral("/v1/responses")), body);
        QCOMPARE(reply.status, 200);
        // OpenAI serves the Responses API itself: the request goes there as it came, tools and bookkeeping
        // included, with only the model renamed.
        const ReceivedRequest upstream = gateway.upstream().lastRequest();
        QCOMPARE(upstream.path, QByteArray("/v1/responses"));
        QJsonObject expected = jsonOf(body);
        expected.insert(QStringLiteral("model"), QStringLiteral("openai-text"));
        QCOMPARE(upstream.json(), expected);
        QVERIFY(reply.header("x-sluice-dropped-params").isEmpty());

        QJsonObject response;
        if (stream) {
            const QList<SseEvent> events = eventsOf(reply.body);
            QVERIFY(events.size() > 3);
            for (const SseEvent &event : events) {
                if (event.event == "response.completed")
                    response = jsonOf(event.data).value(QLatin1String("response")).toObject();
            }
        } else {
            response = jsonOf(reply.body);
        }
        // The client sees the model name it asked for.
        QCOMPARE(response.value(QLatin1String("model")).toString(), QStringLiteral("gpt-test"));
        QVERIFY(response.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens")).toInt() > 0);
    }
    QVERIFY(gateway.waitForRecords(2));
    for (const RequestRecord &record : std::as_const(gateway.records)) {
        QCOMPARE(record.httpStatus, 200);
        QCOMPARE(record.provider, QStringLiteral("mock"));
        QVERIFY(record.inputTokens > 0);
        QVERIFY(record.outputTokens > 0);
    }
    QVERIFY(gateway.records.at(0).timeToFirstTokenUs > 0);
}

void TestAgentFormats::refusedParameterIsLoggedAsARefusal()
{
    GatewayFixture gateway;
    const auto reply = gateway.post(
        gateway.request(QStringLiteral("/v1/responses")),
        codexBody(QStringLiteral("claude-test"), {{QStringLiteral("previous_response_id"), QStringLiteral("resp_1")}}));
    QCOMPARE(reply.status, 400);
    QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("previous_response_id")));
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord &record = gateway.records.first();
    QCOMPARE(record.requestedModel, QStringLiteral("claude-test"));
    QCOMPARE(record.attempts.size(), 1);
    QCOMPARE(record.attempts.first().errorClass, QStringLiteral("client_error"));
    QVERIFY2(record.attempts.first().reason.startsWith(QLatin1String("refused: ")),
             qPrintable(record.attempts.first().reason));
    QVERIFY(!record.attempts.first().reason.contains(QLatin1String("went away")));

    // A body refused before routing still logs the model the client asked for.
    const auto invalid
        = gateway.post(gateway.request(QStringLiteral("/v1/messages")), R"({"model":"claude-test","messages":[]})");
    QCOMPARE(invalid.status, 400);
    QVERIFY(gateway.waitForRecords(2));
    QCOMPARE(gateway.records.at(1).requestedModel, QStringLiteral("claude-test"));
}

void TestAgentFormats::streamWithoutContentEndsProperly_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("terminal"); // what the client's format ends the stream with
    QTest::newRow("OpenAI chat") << QStringLiteral("/v1/chat/completions") << chatBody(QStringLiteral("refuse"), true)
                                 << QByteArray("[DONE]");
    QTest::newRow("Anthropic") << QStringLiteral("/v1/messages") << anthropicBody(QStringLiteral("refuse"), true)
                               << QByteArray("message_stop");
    QTest::newRow("Responses") << QStringLiteral("/v1/responses")
                               << toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("refuse")},
                                                      {QStringLiteral("input"), QStringLiteral("hi")},
                                                      {QStringLiteral("stream"), true}})
                               << QByteArray("response.");
    QTest::newRow("Gemini") << QStringLiteral("/v1beta/models/refuse:streamGenerateContent?alt=sse") << geminiBody()
                            << QByteArray("finishReason");
}

void TestAgentFormats::streamWithoutContentEndsProperly()
{
    // The recorded refusal: message_start, ping, message_delta (stop_reason refusal), message_stop, and no content.
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, terminal);
    GatewayFixture gateway({},
                           "  - name: refuse\n"
                           "    provider: mock-anthropic\n"
                           "    upstream_model: anthropic-refusal\n");
    const auto reply = gateway.post(gateway.request(path), body);
    QCOMPARE(reply.status, 200);
    const QList<SseEvent> events = eventsOf(reply.body);
    QVERIFY2(!events.isEmpty(), "the client got no events at all");
    QVERIFY2(events.last().data.contains(terminal) || events.last().event.startsWith(terminal),
             reply.body.right(300).constData());
    QVERIFY(gateway.waitForRecords(1));
    QCOMPARE(gateway.records.first().httpStatus, 200);
    QVERIFY(!gateway.records.first().responseBody.isEmpty());
}

void TestAgentFormats::probesAndUnknownPaths()
{
    GatewayFixture gateway;
    QNetworkAccessManager network;
    QNetworkReply *head = network.head(QNetworkRequest(gateway.url(QStringLiteral("/"))));
    QSignalSpy finished(head, &QNetworkReply::finished);
    QVERIFY(finished.wait(5000));
    QCOMPARE(head->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    head->deleteLater();

    // No token: refused before anything about the gateway is said.
    const auto anonymous = gateway.get(gateway.request(QStringLiteral("/v1/nothing-here"), QByteArray()));
    QCOMPARE(anonymous.status, 401);
    QVERIFY(!anonymous.body.contains("/v1/chat/completions"));
    const auto known = gateway.get(gateway.request(QStringLiteral("/v1/nothing-here")));
    QCOMPARE(known.status, 404);
    QVERIFY(known.body.contains("/v1beta/models"));
    QVERIFY(gateway.waitForRecords(2));
    QTest::qWait(50);
    QCOMPARE(gateway.records.size(), 2); // the probe is not logged
    QCOMPARE(gateway.records.at(0).httpStatus, 401);
}

void TestAgentFormats::answersArePricedByTheServedModel()
{
    // The deployment's upstream model is a name no catalog knows (the recording's); the answers name the model
    // that served them, which has a price.
    GatewayFixture gateway;
    QCOMPARE(
        gateway
            .post(gateway.request(QStringLiteral("/v1/chat/completions")), chatBody(QStringLiteral("gpt-test"), false))
            .status,
        200);
    QCOMPARE(
        gateway
            .post(gateway.request(QStringLiteral("/v1/chat/completions")), chatBody(QStringLiteral("gpt-test"), true))
            .status,
        200);
    QCOMPARE(
        gateway
            .post(gateway.request(QStringLiteral("/v1/messages")), anthropicBody(QStringLiteral("claude-test"), true))
            .status,
        200);
    QVERIFY(gateway.waitForRecords(3));
    QCOMPARE(gateway.records.at(0).servedModel, QStringLiteral("gpt-4.1-nano-2025-04-14"));
    QVERIFY(!gateway.records.at(1).servedModel.isEmpty());
    QCOMPARE(gateway.records.at(2).servedModel.left(17), QStringLiteral("claude-sonnet-4-5"));
    // Priced as Sluice's record sink prices every finished request.
    const Result<PriceCatalog> catalog = PriceCatalog::builtIn();
    QVERIFY(catalog.ok());
    for (RequestRecord &record : gateway.records) {
        priceRecord(record, *catalog, Config());
        QCOMPARE(record.costStatus, QString::fromLatin1(CostStatus::Exact));
        QVERIFY(record.costUsd > 0);
    }
}

QTEST_GUILESS_MAIN(TestAgentFormats)
#include "tst_agentformats.moc"
