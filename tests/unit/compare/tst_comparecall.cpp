#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "compare/CompareCall.h"
#include "compare/CompareRunner.h"
#include "compare/CompareSource.h"

using namespace sluice;

namespace {
QJsonObject objectOf(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

const QByteArray ChatBody = R"({"model":"gpt-4.1","messages":[{"role":"user","content":"Hi"}],"temperature":1})";
} // namespace

class TestCompareCall : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void openAiChatIsStreamedWithUsage();
    void overridesMergeAndNullRemoves();
    void responsesAndAnthropicAndGemini();
    void geminiOverridesGoToGenerationConfig();
    void formatIsRecognisedFromTheBody_data();
    void formatIsRecognisedFromTheBody();
    void loggedEndpointsNameTheirFormat();
    void loggedRequestsReplayOnlyWhole();
    void textFileIsOneUserMessage();
    void requestValidation();
    void gatewayOnEveryAddressIsCalledOnTheLoopback();
};

void TestCompareCall::openAiChatIsStreamedWithUsage()
{
    const Result<CompareCall> call
        = CompareCall::prepare(ApiFormat::OpenAiChat, ChatBody, {QStringLiteral("claude"), {}});
    QVERIFY2(call.ok(), qPrintable(call.errorMessage()));
    QCOMPARE(call->path, QByteArrayLiteral("/v1/chat/completions"));
    const QJsonObject body = objectOf(call->body);
    QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("claude"));
    QCOMPARE(body.value(QLatin1String("stream")).toBool(), true);
    QCOMPARE(body.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(),
             true);
    QCOMPARE(body.value(QLatin1String("messages")), objectOf(ChatBody).value(QLatin1String("messages")));
}

void TestCompareCall::overridesMergeAndNullRemoves()
{
    const QJsonObject overrides {
        {QStringLiteral("temperature"), QJsonValue()},
        {QStringLiteral("max_tokens"), 50},
        {QStringLiteral("response_format"), QJsonObject {{QStringLiteral("type"), QStringLiteral("json_object")}}}};
    const Result<CompareCall> call
        = CompareCall::prepare(ApiFormat::OpenAiChat, ChatBody, {QStringLiteral("m"), overrides});
    QVERIFY(call.ok());
    const QJsonObject body = objectOf(call->body);
    QVERIFY(!body.contains(QLatin1String("temperature")));
    QCOMPARE(body.value(QLatin1String("max_tokens")).toInt(), 50);
    QCOMPARE(body.value(QLatin1String("response_format")).toObject().value(QLatin1String("type")).toString(),
             QStringLiteral("json_object"));
}

void TestCompareCall::responsesAndAnthropicAndGemini()
{
    const Result<CompareCall> responses = CompareCall::prepare(
        ApiFormat::OpenAiResponses, R"({"input":"Hi"})", {QStringLiteral("m"), {{QStringLiteral("max_tokens"), 9}}});
    QVERIFY(responses.ok());
    QCOMPARE(responses->path, QByteArrayLiteral("/v1/responses"));
    QCOMPARE(objectOf(responses->body).value(QLatin1String("max_output_tokens")).toInt(), 9);
    QCOMPARE(objectOf(responses->body).value(QLatin1String("stream")).toBool(), true);

    const Result<CompareCall> anthropic
        = CompareCall::prepare(ApiFormat::AnthropicMessages, R"({"messages":[{"role":"user","content":"Hi"}]})",
                               {QStringLiteral("claude"), {{QStringLiteral("stop"), QStringLiteral("END")}}});
    QVERIFY(anthropic.ok());
    QCOMPARE(anthropic->path, QByteArrayLiteral("/v1/messages"));
    const QJsonObject anthropicBody = objectOf(anthropic->body);
    QCOMPARE(anthropicBody.value(QLatin1String("max_tokens")).toInt(), 4096); // required by the format
    QCOMPARE(anthropicBody.value(QLatin1String("stop_sequences")).toArray(), QJsonArray {QStringLiteral("END")});

    const Result<CompareCall> gemini
        = CompareCall::prepare(ApiFormat::Gemini, R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]}]})",
                               {QStringLiteral("models/x y"), {}});
    QVERIFY(gemini.ok());
    QCOMPARE(gemini->path, QByteArrayLiteral("/v1beta/models/models%2Fx%20y:streamGenerateContent?alt=sse"));
    QVERIFY(!objectOf(gemini->body).contains(QLatin1String("model")));
}

void TestCompareCall::geminiOverridesGoToGenerationConfig()
{
    const Result<CompareCall> call = CompareCall::prepare(
        ApiFormat::Gemini, R"({"contents":[],"generationConfig":{"candidateCount":1,"temperature":1}})",
        {QStringLiteral("g"),
         {{QStringLiteral("temperature"), 0.2}, {QStringLiteral("max_tokens"), 64}, {QStringLiteral("top_p"), 0.5}}});
    QVERIFY(call.ok());
    const QJsonObject config = objectOf(call->body).value(QLatin1String("generationConfig")).toObject();
    QCOMPARE(config.value(QLatin1String("temperature")).toDouble(), 0.2);
    QCOMPARE(config.value(QLatin1String("maxOutputTokens")).toInt(), 64);
    QCOMPARE(config.value(QLatin1String("topP")).toDouble(), 0.5);
    QCOMPARE(config.value(QLatin1String("candidateCount")).toInt(), 1); // kept: merged, not replaced
}

void TestCompareCall::formatIsRecognisedFromTheBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("format");
    QTest::newRow("chat") << ChatBody << QStringLiteral("openai-chat");
    QTest::newRow("chat system message") << QByteArray(
        R"({"messages":[{"role":"system","content":"x"},{"role":"user","content":"y"}]})")
                                         << QStringLiteral("openai-chat");
    QTest::newRow("anthropic system") << QByteArray(R"({"system":"x","messages":[{"role":"user","content":"y"}]})")
                                      << QStringLiteral("anthropic");
    QTest::newRow("anthropic tool result")
        << QByteArray(R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a"}]}]})")
        << QStringLiteral("anthropic");
    QTest::newRow("responses") << QByteArray(R"({"input":"Hi","instructions":"be brief"})")
                               << QStringLiteral("responses");
    QTest::newRow("gemini") << QByteArray(R"({"contents":[{"parts":[{"text":"Hi"}]}]})") << QStringLiteral("gemini");
}

void TestCompareCall::formatIsRecognisedFromTheBody()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, format);
    const Result<CompareRequest> request = CompareSource::fromBody(body);
    QVERIFY2(request.ok(), qPrintable(request.errorMessage()));
    QCOMPARE(compareFormatName(request->format), format);
    // A named format wins over the guess.
    QCOMPARE(CompareSource::fromBody(body, QStringLiteral("anthropic"))->format, ApiFormat::AnthropicMessages);
    QVERIFY(!CompareSource::fromBody(body, QStringLiteral("cohere")).ok());
}

void TestCompareCall::loggedEndpointsNameTheirFormat()
{
    QCOMPARE(CompareSource::formatOfEndpoint(QStringLiteral("/v1/chat/completions")).value(), ApiFormat::OpenAiChat);
    QCOMPARE(CompareSource::formatOfEndpoint(QStringLiteral("/v1/messages")).value(), ApiFormat::AnthropicMessages);
    QCOMPARE(CompareSource::formatOfEndpoint(QStringLiteral("/v1/responses")).value(), ApiFormat::OpenAiResponses);
    QCOMPARE(
        CompareSource::formatOfEndpoint(QStringLiteral("/v1beta/models/gemini-2.5-pro:streamGenerateContent")).value(),
        ApiFormat::Gemini);
    const Result<ApiFormat> embeddings = CompareSource::formatOfEndpoint(QStringLiteral("/v1/embeddings"));
    QVERIFY(!embeddings.ok());
    QVERIFY(embeddings.errorMessage().contains(QLatin1String("/v1/embeddings")));
}

void TestCompareCall::loggedRequestsReplayOnlyWhole()
{
    RequestRecord record;
    record.id = QStringLiteral("0190-abc");
    record.endpoint = QStringLiteral("/v1/messages");
    const QByteArray body = R"({"model":"claude","max_tokens":99,"messages":[{"role":"user","content":"Why?"}]})";
    record.requestBody = body;
    const Result<CompareRequest> request = CompareSource::fromRecord(record);
    QVERIFY2(request.ok(), qPrintable(request.errorMessage()));
    QCOMPARE(request->format, ApiFormat::AnthropicMessages);
    QCOMPARE(request->body, body); // byte for byte
    QCOMPARE(request->source, QStringLiteral("request"));
    QVERIFY(request->title.contains(QLatin1String("Why?")));

    record.bodiesTruncated = true;
    QVERIFY(CompareSource::fromRecord(record).errorMessage().contains(QLatin1String("truncated")));
    record.requestBody.clear();
    record.bodiesTruncated = false;
    QVERIFY(CompareSource::fromRecord(record).errorMessage().contains(QLatin1String("store_bodies")));
}

void TestCompareCall::textFileIsOneUserMessage()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("prompt.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("Name three rivers.\n");
    file.close();
    const Result<CompareRequest> request = CompareSource::fromFile(path);
    QVERIFY(request.ok());
    QCOMPARE(request->format, ApiFormat::OpenAiChat);
    const QJsonArray messages = objectOf(request->body).value(QLatin1String("messages")).toArray();
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).toObject().value(QLatin1String("content")).toString(),
             QStringLiteral("Name three rivers."));
    QVERIFY(CompareSource::fromFile(dir.filePath(QStringLiteral("missing.json")))
                .errorMessage()
                .contains(QLatin1String("missing.json")));
}

void TestCompareCall::requestValidation()
{
    CompareRequest request = CompareSource::fromText(QStringLiteral("Hi"));
    request.models = {{QStringLiteral("a"), {}}};
    QVERIFY(request.validate().errorMessage().contains(QLatin1String("2 to 6")));
    request.models.append({QStringLiteral("b"), {}});
    QVERIFY(request.validate().ok());
    for (int i = 0; i < 5; ++i)
        request.models.append({QStringLiteral("m%1").arg(i), {}});
    QVERIFY(!request.validate().ok());
    request.models = {{QStringLiteral("a"), {}}, {QStringLiteral("b"), {}}};
    request.format = ApiFormat::OpenAiEmbeddings;
    QVERIFY(!request.validate().ok());
}

void TestCompareCall::gatewayOnEveryAddressIsCalledOnTheLoopback()
{
    CompareRunner runner;
    runner.setGateway(QUrl(QStringLiteral("http://0.0.0.0:8787")));
    QCOMPARE(runner.gateway(), QUrl(QStringLiteral("http://127.0.0.1:8787")));
    runner.setGateway(QUrl(QStringLiteral("http://[::]:8787")));
    QCOMPARE(runner.gateway().host(), QStringLiteral("::1"));
    runner.setGateway(QUrl(QStringLiteral("http://192.168.1.20:8787")));
    QCOMPARE(runner.gateway().host(), QStringLiteral("192.168.1.20"));
    // Not running: Run explains instead of calling nowhere.
    runner.setGateway(QUrl());
    CompareRequest request = CompareSource::fromText(QStringLiteral("Hi"));
    request.models = {{QStringLiteral("a"), {}}, {QStringLiteral("b"), {}}};
    QVERIFY(runner.start(request).errorMessage().contains(QLatin1String("not running")));
}

QTEST_GUILESS_MAIN(TestCompareCall)
#include "tst_comparecall.moc"
