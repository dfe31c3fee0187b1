#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "prompts/PromptRequestBuilder.h"

using namespace sluice;

namespace {

PromptContent prompt()
{
    PromptContent content;
    content.messages
        = {{QStringLiteral("system"), QStringLiteral("Be terse.")}, {QStringLiteral("user"), QStringLiteral("Hi Ada")}};
    content.config = QJsonObject {{QStringLiteral("model"), QStringLiteral("gpt-test")},
                                  {QStringLiteral("temperature"), 0.2},
                                  {QStringLiteral("max_tokens"), 100}};
    return content;
}

QJsonObject build(ApiFormat format, const QJsonObject &body, const PromptContent &content = prompt())
{
    const Result<QByteArray> built = PromptRequestBuilder::build(format, body, content, QStringLiteral("gpt-test"));
    if (!built)
        qWarning() << built.errorMessage();
    return built ? QJsonDocument::fromJson(built.value()).object() : QJsonObject();
}

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class TestPromptRequestBuilder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void openAiChatGetsThePromptFirstAndTheRequestsParametersWin()
    {
        const QJsonObject body
            = build(ApiFormat::OpenAiChat,
                    object(R"({"model":"prompt:greet","prompt_variables":{"name":"Ada"},"temperature":0.9,
                       "messages":[{"role":"user","content":"And then?"}]})"));
        QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("gpt-test"));
        QVERIFY(!body.contains(QLatin1String("prompt_variables")));
        QCOMPARE(body.value(QLatin1String("temperature")).toDouble(), 0.9);
        QCOMPARE(body.value(QLatin1String("max_tokens")).toInt(), 100);
        const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages.at(0).toObject().value(QLatin1String("content")).toString(), QStringLiteral("Be terse."));
        QCOMPARE(messages.at(1).toObject().value(QLatin1String("content")).toString(), QStringLiteral("Hi Ada"));
        QCOMPARE(messages.at(2).toObject().value(QLatin1String("content")).toString(), QStringLiteral("And then?"));
    }

    void anthropicGetsTheSystemPromptInItsSystemField()
    {
        PromptContent content = prompt();
        content.config.insert(QStringLiteral("stop"), QStringLiteral("END"));
        content.config.insert(QStringLiteral("tools"),
                              QJsonArray {QJsonObject {
                                  {QStringLiteral("type"), QStringLiteral("function")},
                                  {QStringLiteral("function"),
                                   QJsonObject {{QStringLiteral("name"), QStringLiteral("lookup")},
                                                {QStringLiteral("parameters"),
                                                 QJsonObject {{QStringLiteral("type"), QStringLiteral("object")}}}}}}});
        const QJsonObject body = build(
            ApiFormat::AnthropicMessages,
            object(R"({"model":"prompt:greet","max_tokens":50,"system":"Client says hi.","messages":[]})"), content);
        QCOMPARE(body.value(QLatin1String("system")).toString(), QStringLiteral("Be terse.\n\nClient says hi."));
        QCOMPARE(body.value(QLatin1String("max_tokens")).toInt(), 50);
        QCOMPARE(body.value(QLatin1String("temperature")).toDouble(), 0.2);
        QCOMPARE(body.value(QLatin1String("stop_sequences")).toArray().first().toString(), QStringLiteral("END"));
        QCOMPARE(body.value(QLatin1String("messages")).toArray().size(), 1);
        const QJsonObject tool = body.value(QLatin1String("tools")).toArray().first().toObject();
        QCOMPARE(tool.value(QLatin1String("name")).toString(), QStringLiteral("lookup"));
        QVERIFY(tool.contains(QLatin1String("input_schema")));
    }

    void responsesGetInstructionsAndInput()
    {
        const QJsonObject body
            = build(ApiFormat::OpenAiResponses, object(R"({"model":"prompt:greet","input":"More please"})"));
        QCOMPARE(body.value(QLatin1String("instructions")).toString(), QStringLiteral("Be terse."));
        const QJsonArray input = body.value(QLatin1String("input")).toArray();
        QCOMPARE(input.size(), 2);
        QCOMPARE(input.at(1).toObject().value(QLatin1String("content")).toString(), QStringLiteral("More please"));
        QCOMPARE(body.value(QLatin1String("max_output_tokens")).toInt(), 100);
    }

    void geminiGetsSystemInstructionAndGenerationConfig()
    {
        const QJsonObject body = build(ApiFormat::Gemini, object(R"({"generationConfig":{"temperature":1.0}})"));
        QVERIFY(!body.contains(QLatin1String("model"))); // Gemini names it in the path
        QCOMPARE(body.value(QLatin1String("systemInstruction"))
                     .toObject()
                     .value(QLatin1String("parts"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("text"))
                     .toString(),
                 QStringLiteral("Be terse."));
        const QJsonObject generation = body.value(QLatin1String("generationConfig")).toObject();
        QCOMPARE(generation.value(QLatin1String("temperature")).toDouble(), 1.0);
        QCOMPARE(generation.value(QLatin1String("maxOutputTokens")).toInt(), 100);
        QCOMPARE(body.value(QLatin1String("contents")).toArray().size(), 1);
    }

    void textPromptsForCompletionsAndChat()
    {
        PromptContent text;
        text.type = QStringLiteral("text");
        text.text = QStringLiteral("Once upon a time");
        const QJsonObject completion = build(ApiFormat::OpenAiCompletions, object(R"({"model":"prompt:story"})"), text);
        QCOMPARE(completion.value(QLatin1String("prompt")).toString(), QStringLiteral("Once upon a time"));
        const QJsonObject chat = build(ApiFormat::OpenAiChat, object(R"({"model":"prompt:story"})"), text);
        QCOMPARE(chat.value(QLatin1String("messages")).toArray().first().toObject().value(QLatin1String("role")),
                 QStringLiteral("user"));
        QVERIFY(!PromptRequestBuilder::build(ApiFormat::OpenAiCompletions, {}, prompt(), QStringLiteral("m")).ok());
        QVERIFY(!PromptRequestBuilder::build(ApiFormat::OpenAiEmbeddings, {}, prompt(), QStringLiteral("m")).ok());
    }
};

QTEST_GUILESS_MAIN(TestPromptRequestBuilder)
#include "tst_promptrequestbuilder.moc"
