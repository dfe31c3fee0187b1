#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "store/PromptStore.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// Version 1 (labelled production) and version 2 of "greet"; a text prompt "story"; "helper" for Anthropic.
const QString GreetV1 = QStringLiteral(
    R"([{"role":"system","content":"You are terse. Reply in {{language=English}}."},{"role":"user","content":"Hi {{name}}"}])");
const QString GreetV2 = QStringLiteral(
    R"([{"role":"system","content":"You are warm and chatty."},{"role":"user","content":"Hello {{name}}!"}])");
const QString GreetConfig = QStringLiteral(R"({"model":"gpt-test","temperature":0.2})");

QString messageContent(const QJsonObject &body, int index)
{
    return body.value(QLatin1String("messages"))
        .toArray()
        .at(index)
        .toObject()
        .value(QLatin1String("content"))
        .toString();
}

} // namespace

class PromptsTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_databasePath;
    PromptStore m_store;

    FixtureExtras extras()
    {
        FixtureExtras extras;
        extras.beforeStart = [this](GatewayService &service) {
            service.setDatabasePath(m_databasePath);
        };
        return extras;
    }

    QByteArray withPrompt(const char *model, const QJsonObject &variables, const QJsonObject &extra = {})
    {
        QJsonObject body {{QStringLiteral("model"), QLatin1String(model)},
                          {QStringLiteral("prompt_variables"), variables}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            body.insert(it.key(), it.value());
        return toJson(body);
    }

    static QJsonObject ada() { return {{QStringLiteral("name"), QStringLiteral("Ada")}}; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_databasePath = m_dir.filePath(QStringLiteral("sluice.db"));
        QVERIFY(m_store.open(m_databasePath).ok());
        QCOMPARE(m_store
                     .create(QStringLiteral("greet"), QStringLiteral("chat"), GreetV1, GreetConfig,
                             QStringLiteral("first"), QStringLiteral("test"))
                     .value(),
                 1);
        QCOMPARE(m_store
                     .update(QStringLiteral("greet"), QStringLiteral("chat"), GreetV2, GreetConfig,
                             QStringLiteral("warmer"), QStringLiteral("test"))
                     .value(),
                 2);
        QVERIFY(
            m_store.setLabel(QStringLiteral("greet"), QStringLiteral("production"), 1, QStringLiteral("test")).ok());
        QVERIFY(m_store
                    .create(QStringLiteral("story"), QStringLiteral("text"),
                            QStringLiteral(R"("Tell a story about {{topic}}.")"),
                            QStringLiteral(R"({"model":"gpt-test","max_tokens":300})"), {}, {})
                    .ok());
        QVERIFY(m_store
                    .create(QStringLiteral("support/tea"), QStringLiteral("text"),
                            QStringLiteral(R"("Brew {{topic}}.")"), QStringLiteral(R"({"model":"gpt-test"})"), {}, {})
                    .ok());
        QVERIFY(m_store
                    .create(QStringLiteral("helper"), QStringLiteral("chat"),
                            QStringLiteral(R"([{"role":"system","content":"Help with {{topic}}."}])"),
                            QStringLiteral(R"({"model":"claude-test","max_tokens":64})"), {}, {})
                    .ok());
    }

    // An unmodified OpenAI client names the prompt by label: the upstream gets the rendered messages, the prompt's
    // model and parameters under the request's own, and no prompt_variables; the log row names prompt and version.
    void openAiClientByLabel()
    {
        GatewayFixture fixture({}, extras());
        const auto reply = fixture.post(
            fixture.request(QStringLiteral("/v1/chat/completions")),
            withPrompt("prompt:greet@production", ada(),
                       {{QStringLiteral("max_tokens"), 20},
                        {QStringLiteral("messages"),
                         QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                                  {QStringLiteral("content"), QStringLiteral("And more?")}}}}}));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QCOMPARE(reply.header("x-sluice-prompt"), QByteArray("greet"));
        QCOMPARE(reply.header("x-sluice-prompt-version"), QByteArray("1"));
        const QJsonObject sent = fixture.upstream().lastRequest().json();
        QCOMPARE(sent.value(QLatin1String("model")).toString(), QStringLiteral("openai-text"));
        QCOMPARE(messageContent(sent, 0), QStringLiteral("You are terse. Reply in English."));
        QCOMPARE(messageContent(sent, 1), QStringLiteral("Hi Ada"));
        QCOMPARE(messageContent(sent, 2), QStringLiteral("And more?"));
        QCOMPARE(sent.value(QLatin1String("temperature")).toDouble(), 0.2);
        QCOMPARE(sent.value(QLatin1String("max_tokens")).toInt(), 20);
        QVERIFY(!sent.contains(QLatin1String("prompt_variables")));
        QVERIFY(fixture.waitForRecords(1));
        const RequestRecord &record = fixture.records.constLast();
        QCOMPARE(record.promptName, QStringLiteral("greet"));
        QCOMPARE(record.promptVersion, 1);
        QCOMPARE(record.requestedModel, QStringLiteral("gpt-test"));
        QVERIFY(record.requestBody.contains("Hi Ada")); // the log keeps what was sent on
        QVERIFY(record.observedPrompt.isEmpty()); // a managed prompt is not an observed one
    }

    // Moving the label changes what the next request gets, without a restart; vN and latest pick versions.
    void movingALabelSwitchesWithoutRestart()
    {
        GatewayFixture fixture({}, extras());
        const auto send = [&](const char *model) {
            const auto reply
                = fixture.post(fixture.request(QStringLiteral("/v1/chat/completions")), withPrompt(model, ada()));
            return reply.status == 200 ? messageContent(fixture.upstream().lastRequest().json(), 0)
                                       : QString::fromUtf8(reply.body);
        };
        QCOMPARE(send("prompt:greet@production"), QStringLiteral("You are terse. Reply in English."));
        QVERIFY(
            m_store.setLabel(QStringLiteral("greet"), QStringLiteral("production"), 2, QStringLiteral("test")).ok());
        QCOMPARE(send("prompt:greet@production"), QStringLiteral("You are warm and chatty."));
        QCOMPARE(messageContent(fixture.upstream().lastRequest().json(), 1), QStringLiteral("Hello Ada!"));
        QCOMPARE(send("prompt:greet@v1"), QStringLiteral("You are terse. Reply in English."));
        QCOMPARE(send("prompt:greet"), QStringLiteral("You are warm and chatty."));
        QVERIFY(fixture.waitForRecords(4));
        QCOMPARE(fixture.records.at(0).promptVersion, 1);
        QCOMPARE(fixture.records.at(1).promptVersion, 2);
        QCOMPARE(fixture.records.at(2).promptVersion, 1);
        QCOMPARE(fixture.records.at(3).promptVersion, 2);
        QVERIFY(
            m_store.setLabel(QStringLiteral("greet"), QStringLiteral("production"), 1, QStringLiteral("test")).ok());
    }

    void variableErrorsAre400sNamingTheVariable_data()
    {
        QTest::addColumn<QJsonObject>("variables");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << QJsonObject() << QStringLiteral("Missing variable 'name'");
        QTest::newRow("unknown") << QJsonObject {{QStringLiteral("name"), QStringLiteral("A")},
                                                 {QStringLiteral("nmae"), QStringLiteral("B")}}
                                 << QStringLiteral("Unknown variable 'nmae'");
        QTest::newRow("wrong shape") << QJsonObject {{QStringLiteral("name"), QJsonArray {1}}}
                                     << QStringLiteral("'name' is a string");
    }

    void variableErrorsAre400sNamingTheVariable()
    {
        QFETCH(QJsonObject, variables);
        QFETCH(QString, expected);
        GatewayFixture fixture({}, extras());
        const auto reply = fixture.post(fixture.request(QStringLiteral("/v1/chat/completions")),
                                        withPrompt("prompt:greet@production", variables));
        QCOMPARE(reply.status, 400);
        QVERIFY2(errorMessageOf(reply.body).contains(expected), reply.body.constData());
        QVERIFY(fixture.upstream().requests().isEmpty());
        QVERIFY(fixture.waitForRecords(1));
        QCOMPARE(fixture.records.constLast().promptName, QStringLiteral("greet"));
        QCOMPARE(fixture.records.constLast().promptVersion, 1);
        QCOMPARE(fixture.records.constLast().httpStatus, 400);
    }

    void unknownPromptsAndLabelsAre404s()
    {
        GatewayFixture fixture({}, extras());
        auto reply = fixture.post(fixture.request(QStringLiteral("/v1/chat/completions")),
                                  withPrompt("prompt:nothing", ada()));
        QCOMPARE(reply.status, 404);
        QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("no prompt named 'nothing'")),
                 reply.body.constData());
        reply = fixture.post(fixture.request(QStringLiteral("/v1/chat/completions")),
                             withPrompt("prompt:greet@staging", ada()));
        QCOMPARE(reply.status, 404);
        QVERIFY2(errorMessageOf(reply.body).contains(QLatin1String("no label 'staging'")), reply.body.constData());
        reply
            = fixture.post(fixture.request(QStringLiteral("/v1/chat/completions")), withPrompt("prompt:greet@", ada()));
        QCOMPARE(reply.status, 400);
        QVERIFY(fixture.upstream().requests().isEmpty());
    }

    // Anthropic clients get the system prompt in "system", to an Anthropic provider (same format) and translated.
    void anthropicClient()
    {
        GatewayFixture fixture({}, extras());
        const QJsonObject body {
            {QStringLiteral("model"), QStringLiteral("prompt:helper")},
            {QStringLiteral("prompt_variables"), QJsonObject {{QStringLiteral("topic"), QStringLiteral("tea")}}},
            {QStringLiteral("max_tokens"), 32},
            {QStringLiteral("messages"),
             QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                      {QStringLiteral("content"), QStringLiteral("Green or black?")}}}}};
        auto reply = fixture.post(fixture.request(QStringLiteral("/v1/messages")), toJson(body));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QJsonObject sent = fixture.upstream().lastRequest().json();
        QCOMPARE(sent.value(QLatin1String("model")).toString(), QStringLiteral("anthropic-text"));
        QVERIFY2(QJsonDocument(sent.value(QLatin1String("system")).toArray()).toJson().contains("Help with tea.")
                     || sent.value(QLatin1String("system")).toString() == QLatin1String("Help with tea."),
                 QJsonDocument(sent).toJson().constData());
        QCOMPARE(sent.value(QLatin1String("max_tokens")).toInt(), 32);

        // The same client, a prompt whose model is an OpenAI one: translated, the system prompt first.
        reply = fixture.post(fixture.request(QStringLiteral("/v1/messages")),
                             withPrompt("prompt:greet@production", ada(), {{QStringLiteral("max_tokens"), 32}}));
        QVERIFY2(reply.status == 200, reply.body.constData());
        sent = fixture.upstream().lastRequest().json();
        QCOMPARE(messageContent(sent, 0), QStringLiteral("You are terse. Reply in English."));
        QCOMPARE(messageContent(sent, 1), QStringLiteral("Hi Ada"));
        QVERIFY(jsonOf(reply.body).value(QLatin1String("type")).toString() == QLatin1String("message"));
        QVERIFY(fixture.waitForRecords(2));
        QCOMPARE(fixture.records.at(0).promptName, QStringLiteral("helper"));
        QCOMPARE(fixture.records.at(1).promptVersion, 1);
    }

    // Gemini names the model in the path; Responses clients get instructions and input.
    void geminiAndResponsesClients()
    {
        GatewayFixture fixture({}, extras());
        auto reply = fixture.post(fixture.request(QStringLiteral("/v1beta/models/prompt:greet@v2:generateContent")),
                                  toJson(QJsonObject {{QStringLiteral("prompt_variables"), ada()}}));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QJsonObject sent = fixture.upstream().lastRequest().json();
        QCOMPARE(messageContent(sent, 0), QStringLiteral("You are warm and chatty."));
        QCOMPARE(messageContent(sent, 1), QStringLiteral("Hello Ada!"));
        QVERIFY(jsonOf(reply.body).contains(QLatin1String("candidates")));

        reply = fixture.post(
            fixture.request(QStringLiteral("/v1/responses")),
            withPrompt("prompt:greet@production", ada(), {{QStringLiteral("input"), QStringLiteral("More")}}));
        QVERIFY2(reply.status == 200, reply.body.constData());
        // An OpenAI provider serves /responses: the request goes on in the Responses format.
        sent = fixture.upstream().lastRequest().json();
        QCOMPARE(fixture.upstream().lastRequest().path, QByteArray("/v1/responses"));
        QCOMPARE(sent.value(QLatin1String("instructions")).toString(),
                 QStringLiteral("You are terse. Reply in English."));
        const QJsonArray input = sent.value(QLatin1String("input")).toArray();
        QCOMPARE(input.size(), 2);
        QCOMPARE(input.at(0).toObject().value(QLatin1String("content")).toString(), QStringLiteral("Hi Ada"));
        QCOMPARE(input.at(1).toObject().value(QLatin1String("content")).toString(), QStringLiteral("More"));
        QCOMPARE(sent.value(QLatin1String("temperature")).toDouble(), 0.2);
        QVERIFY(fixture.waitForRecords(2));
        QCOMPARE(fixture.records.at(0).promptVersion, 2);
        QCOMPARE(fixture.records.at(1).promptVersion, 1);
    }

    void promptCompletionsEndpoint()
    {
        GatewayFixture fixture({}, extras());
        const QJsonObject body {{QStringLiteral("variables"), ada()},
                                {QStringLiteral("label"), QStringLiteral("production")},
                                {QStringLiteral("temperature"), 0.7}};
        auto reply = fixture.post(fixture.request(QStringLiteral("/v1/prompts/greet/completions")), toJson(body));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QCOMPARE(jsonOf(reply.body).value(QLatin1String("object")).toString(), QStringLiteral("chat.completion"));
        QVERIFY(!chatMessageText(reply.body).isEmpty());
        QJsonObject sent = fixture.upstream().lastRequest().json();
        QCOMPARE(sent.value(QLatin1String("temperature")).toDouble(), 0.7);
        QCOMPARE(messageContent(sent, 1), QStringLiteral("Hi Ada"));

        // Streamed, by version, with another model.
        const QJsonObject streamed {{QStringLiteral("variables"), ada()},
                                    {QStringLiteral("version"), 2},
                                    {QStringLiteral("stream"), true},
                                    {QStringLiteral("model"), QStringLiteral("claude-test")}};
        reply = fixture.post(fixture.request(QStringLiteral("/v1/prompts/greet/completions")), toJson(streamed));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QVERIFY(!chatStreamText(eventsOf(reply.body)).isEmpty());
        sent = fixture.upstream().lastRequest().json();
        QCOMPARE(sent.value(QLatin1String("model")).toString(), QStringLiteral("anthropic-text"));
        QCOMPARE(sent.value(QLatin1String("system")).toString().isEmpty()
                     && sent.value(QLatin1String("system")).toArray().isEmpty(),
                 false);

        reply = fixture.post(fixture.request(QStringLiteral("/v1/prompts/greet/completions")),
                             toJson(QJsonObject {{QStringLiteral("label"), QStringLiteral("production")},
                                                 {QStringLiteral("version"), 1}}));
        QCOMPARE(reply.status, 400);
        QVERIFY(fixture.waitForRecords(3));
        QCOMPARE(fixture.records.at(0).endpoint, QStringLiteral("/v1/prompts/greet/completions"));
        QCOMPARE(fixture.records.at(0).promptVersion, 1);
        QCOMPARE(fixture.records.at(1).promptVersion, 2);
        QCOMPARE(fixture.records.at(1).requestedModel, QStringLiteral("claude-test"));
    }

    void promptRenderEndpoint()
    {
        GatewayFixture fixture({}, extras());
        const auto reply
            = fixture.post(fixture.request(QStringLiteral("/v1/prompts/story/render")),
                           toJson(QJsonObject {{QStringLiteral("variables"),
                                                QJsonObject {{QStringLiteral("topic"), QStringLiteral("owls")}}}}));
        QVERIFY2(reply.status == 200, reply.body.constData());
        const QJsonObject answer = jsonOf(reply.body);
        QCOMPARE(answer.value(QLatin1String("prompt")).toString(), QStringLiteral("story"));
        QCOMPARE(answer.value(QLatin1String("version")).toInt(), 1);
        const QJsonObject request = answer.value(QLatin1String("request")).toObject();
        QCOMPARE(request.value(QLatin1String("model")).toString(), QStringLiteral("gpt-test"));
        QCOMPARE(request.value(QLatin1String("max_tokens")).toInt(), 300);
        QCOMPARE(messageContent(request, 0), QStringLiteral("Tell a story about owls."));
        QVERIFY(fixture.upstream().requests().isEmpty());
        // A name with a folder in it.
        const auto nested
            = fixture.post(fixture.request(QStringLiteral("/v1/prompts/support/tea/render")),
                           toJson(QJsonObject {{QStringLiteral("variables"),
                                                QJsonObject {{QStringLiteral("topic"), QStringLiteral("oolong")}}}}));
        QVERIFY2(nested.status == 200, nested.body.constData());
        QCOMPARE(jsonOf(nested.body).value(QLatin1String("prompt")).toString(), QStringLiteral("support/tea"));
        const auto missing = fixture.post(fixture.request(QStringLiteral("/v1/prompts/story/render")), "{}");
        QCOMPARE(missing.status, 400);
        QVERIFY(errorMessageOf(missing.body).contains(QLatin1String("'topic'")));
    }

    // Requests that name no prompt carry an observed prompt: the same system prompt with other per-call noise is
    // the same version; the first sighting carries its description for the log.
    void observedPromptsAreFingerprinted()
    {
        GatewayFixture fixture({}, extras());
        const auto send = [&](const QString &system) {
            QNetworkRequest request = fixture.request(QStringLiteral("/v1/chat/completions"));
            request.setRawHeader("User-Agent", "my-agent/2.1 (linux)");
            const QJsonObject body {
                {QStringLiteral("model"), QStringLiteral("gpt-test")},
                {QStringLiteral("messages"),
                 QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
                                          {QStringLiteral("content"), system}},
                             QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                          {QStringLiteral("content"), QStringLiteral("Hi")}}}},
                {QStringLiteral("tools"),
                 QJsonArray {QJsonObject {
                     {QStringLiteral("type"), QStringLiteral("function")},
                     {QStringLiteral("function"), QJsonObject {{QStringLiteral("name"), QStringLiteral("shell")}}}}}}};
            return fixture.post(request, toJson(body)).status;
        };
        QCOMPARE(send(QStringLiteral("You are my agent. Today is 2026-12-06. Cwd: /home/ada/x")), 200);
        QCOMPARE(send(QStringLiteral("You are my agent. Today is 2026-12-07. Cwd: /srv/y")), 200);
        QCOMPARE(send(QStringLiteral("You are my agent, v2. Today is 2026-12-07.")), 200);
        QVERIFY(fixture.waitForRecords(3));
        const RequestRecord &first = fixture.records.at(0);
        QVERIFY(!first.observedPrompt.isEmpty());
        const QJsonObject sample = jsonOf(first.observedPromptSample);
        QCOMPARE(sample.value(QLatin1String("client")).toString(), QStringLiteral("my-agent"));
        QVERIFY(sample.value(QLatin1String("system_text")).toString().contains(QLatin1String("<date>")));
        QCOMPARE(sample.value(QLatin1String("tools")).toArray().first().toString(), QStringLiteral("shell"));
        QCOMPARE(fixture.records.at(1).observedPrompt, first.observedPrompt);
        QVERIFY(fixture.records.at(1).observedPromptSample.isEmpty());
        QVERIFY(fixture.records.at(2).observedPrompt != first.observedPrompt);
        QVERIFY(!fixture.records.at(2).observedPromptSample.isEmpty());
    }
};

QTEST_GUILESS_MAIN(PromptsTest)
#include "tst_prompts.moc"
