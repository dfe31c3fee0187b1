#include <QDir>
#include <QDirIterator>
#include <QTemporaryDir>
#include <QtTest>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"

using namespace sluice;
using namespace sluice::test;

namespace {
const QString AwsKey = QStringLiteral("AKIAIOSFODNN7EXAMPLE");
const QString Email = QStringLiteral("jane.doe@example.org");
const QString Prompt = QStringLiteral("Deploy with key AKIAIOSFODNN7EXAMPLE and mail jane.doe@example.org when done.");

const QByteArray EchoModels = "  - name: echo-openai\n"
                              "    provider: mock\n"
                              "    upstream_model: echo\n"
                              "  - name: echo-claude\n"
                              "    provider: mock-anthropic\n"
                              "    upstream_model: echo\n"
                              "  - name: echo-gemini\n"
                              "    provider: mock-gemini\n"
                              "    upstream_model: echo\n";

const QByteArray MaskRules = "guardrails:\n"
                             "  rules:\n"
                             "    - {name: no-keys, detect: secrets, action: mask, on: request}\n"
                             "    - {name: no-mail, detect: email, action: mask, on: request}\n";

struct Client
{
    QString name;
    QString path;
    QString model;
    QByteArray body;
};

QByteArray geminiBody(const QString &prompt)
{
    return toJson(
        QJsonObject {{QStringLiteral("contents"),
                      QJsonArray {QJsonObject {
                          {QStringLiteral("role"), QStringLiteral("user")},
                          {QStringLiteral("parts"), QJsonArray {QJsonObject {{QStringLiteral("text"), prompt}}}}}}}});
}

QByteArray responsesBody(const QString &model, bool stream, const QString &prompt)
{
    QJsonObject body {{QStringLiteral("model"), model}, {QStringLiteral("input"), prompt}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    return toJson(body);
}

QByteArray completionsBody(const QString &model, bool stream, const QString &prompt)
{
    QJsonObject body {{QStringLiteral("model"), model}, {QStringLiteral("prompt"), prompt}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    return toJson(body);
}

Client clientFor(const QString &format, bool stream, const QString &prompt)
{
    if (format == QLatin1String("completions"))
        return {format, QStringLiteral("/v1/completions"), QStringLiteral("echo-openai"),
                completionsBody(QStringLiteral("echo-openai"), stream, prompt)};
    if (format == QLatin1String("openai"))
        return {format, QStringLiteral("/v1/chat/completions"), QStringLiteral("echo-openai"),
                chatBody(QStringLiteral("echo-openai"), stream, {}, prompt)};
    if (format == QLatin1String("responses"))
        return {format, QStringLiteral("/v1/responses"), QStringLiteral("echo-openai"),
                responsesBody(QStringLiteral("echo-openai"), stream, prompt)};
    if (format == QLatin1String("anthropic"))
        return {format, QStringLiteral("/v1/messages"), QStringLiteral("echo-claude"),
                anthropicBody(QStringLiteral("echo-claude"), stream, {}, prompt)};
    if (format == QLatin1String("anthropic-to-openai"))
        return {format, QStringLiteral("/v1/messages"), QStringLiteral("echo-openai"),
                anthropicBody(QStringLiteral("echo-openai"), stream, {}, prompt)};
    return {format,
            stream ? QStringLiteral("/v1beta/models/echo-gemini:streamGenerateContent?alt=sse")
                   : QStringLiteral("/v1beta/models/echo-gemini:generateContent"),
            QStringLiteral("echo-gemini"), geminiBody(prompt)};
}

// The answer's text, whatever the format and streamed or not.
QString answerText(const QString &format, bool stream, const QByteArray &body)
{
    QString text;
    if (format == QLatin1String("completions")) {
        if (!stream)
            return jsonOf(body)
                .value(QLatin1String("choices"))
                .toArray()
                .first()
                .toObject()
                .value(QLatin1String("text"))
                .toString();
        for (const SseEvent &event : eventsOf(body)) {
            for (const QJsonValue &choice : jsonOf(event.data).value(QLatin1String("choices")).toArray())
                text += choice.toObject().value(QLatin1String("text")).toString();
        }
        return text;
    }
    if (!stream) {
        const QJsonObject answer = jsonOf(body);
        if (format == QLatin1String("openai"))
            return chatMessageText(body);
        if (format.startsWith(QLatin1String("anthropic"))) {
            for (const QJsonValue &block : answer.value(QLatin1String("content")).toArray())
                text += block.toObject().value(QLatin1String("text")).toString();
            return text;
        }
        if (format == QLatin1String("responses")) {
            for (const QJsonValue &item : answer.value(QLatin1String("output")).toArray())
                for (const QJsonValue &part : item.toObject().value(QLatin1String("content")).toArray())
                    text += part.toObject().value(QLatin1String("text")).toString();
            return text;
        }
        for (const QJsonValue &part : answer.value(QLatin1String("candidates"))
                                          .toArray()
                                          .first()
                                          .toObject()
                                          .value(QLatin1String("content"))
                                          .toObject()
                                          .value(QLatin1String("parts"))
                                          .toArray())
            text += part.toObject().value(QLatin1String("text")).toString();
        return text;
    }
    const QList<SseEvent> events = eventsOf(body);
    if (format == QLatin1String("openai"))
        return chatStreamText(events);
    if (format.startsWith(QLatin1String("anthropic")))
        return anthropicStreamText(events);
    for (const SseEvent &event : events) {
        const QJsonObject data = jsonOf(event.data);
        if (format == QLatin1String("responses")) {
            if (data.value(QLatin1String("type")).toString() == QLatin1String("response.output_text.delta"))
                text += data.value(QLatin1String("delta")).toString();
        } else {
            for (const QJsonValue &part : data.value(QLatin1String("candidates"))
                                              .toArray()
                                              .first()
                                              .toObject()
                                              .value(QLatin1String("content"))
                                              .toObject()
                                              .value(QLatin1String("parts"))
                                              .toArray())
                text += part.toObject().value(QLatin1String("text")).toString();
        }
    }
    return text;
}

void addFormats()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("stream");
    for (const char *format : {"openai", "completions", "responses", "anthropic", "anthropic-to-openai", "gemini"}) {
        QTest::addRow("%s", format) << QString::fromLatin1(format) << false;
        QTest::addRow("%s streamed", format) << QString::fromLatin1(format) << true;
    }
}
} // namespace

class TestGuardrailsGateway : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void masksBeforeTheUpstreamAndRestoresTheAnswer_data() { addFormats(); }
    void masksBeforeTheUpstreamAndRestoresTheAnswer()
    {
        QFETCH(QString, format);
        QFETCH(bool, stream);
        GatewayFixture fixture(MaskRules, EchoModels);
        const Client client = clientFor(format, stream, Prompt);
        const GatewayFixture::Reply reply = fixture.post(fixture.request(client.path), client.body);
        QCOMPARE(reply.status, 200);

        // The provider saw placeholders only.
        const QByteArray upstream = fixture.upstream().lastRequest().body;
        QVERIFY2(!upstream.contains(AwsKey.toUtf8()) && !upstream.contains(Email.toUtf8()), upstream.constData());
        QVERIFY2(upstream.contains("[SECRET_AWS_1]") && upstream.contains("[EMAIL_1]"), upstream.constData());

        // The echoed answer came back with the client's own values (split across stream events of 7 characters).
        QCOMPARE(answerText(format, stream, reply.body), QStringLiteral("You said: ") + Prompt);

        QVERIFY(fixture.waitForRecords(1));
        const RequestRecord &record = fixture.records.last();
        for (const QByteArray &stored : {record.requestBody, record.responseBody}) {
            QVERIFY2(!stored.contains(AwsKey.toUtf8()) && !stored.contains(Email.toUtf8()), stored.constData());
        }
        QVERIFY(record.requestBody.contains("[SECRET_AWS_1]"));
        QCOMPARE(record.guardrailHits.size(), 2);
        QCOMPARE(record.guardrailHits.at(0).rule, QStringLiteral("no-keys"));
        QCOMPARE(record.guardrailHits.at(0).count, 1);
        QCOMPARE(record.guardrailHits.at(1).rule, QStringLiteral("no-mail"));
    }

    void blockRefusesInTheClientsFormat_data() { addFormats(); }
    void blockRefusesInTheClientsFormat()
    {
        QFETCH(QString, format);
        QFETCH(bool, stream);
        GatewayFixture fixture("guardrails:\n"
                               "  rules:\n"
                               "    - {name: no-aws, detect: aws_access_key, action: block}\n",
                               EchoModels);
        const Client client = clientFor(format, stream, Prompt);
        const GatewayFixture::Reply reply = fixture.post(fixture.request(client.path), client.body);
        QCOMPARE(reply.status, 400);
        QVERIFY(fixture.upstream().requests().isEmpty());
        QVERIFY2(!reply.body.contains(AwsKey.toUtf8()), reply.body.constData());
        QString message = errorMessageOf(reply.body);
        if (message.isEmpty()) // Gemini's envelope: {"error": {"message"...}} too, but check the raw body
            message = QString::fromUtf8(reply.body);
        QVERIFY2(message.contains(QLatin1String("'no-aws'")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("content")) || message.contains(QLatin1String("input"))
                     || message.contains(QLatin1String("parts")) || message.contains(QLatin1String("prompt")),
                 qPrintable(message));
        QVERIFY(fixture.waitForRecords(1));
        const RequestRecord &record = fixture.records.last();
        QCOMPARE(record.errorClass, QString::fromLatin1(ErrorClass::GuardrailBlocked));
        QVERIFY(!record.requestBody.contains(AwsKey.toUtf8()));
        QCOMPARE(record.guardrailHits.value(0).action, QStringLiteral("block"));
    }

    void responseRulesMaskAndBlockAnswers_data() { addFormats(); }
    void responseRulesMaskAndBlockAnswers()
    {
        QFETCH(QString, format);
        QFETCH(bool, stream);
        // The client sends a card number the request side lets through; the answer repeats it.
        const QString prompt = QStringLiteral("My card is 4111 1111 1111 1111 ok");
        {
            GatewayFixture fixture("guardrails:\n"
                                   "  rules:\n"
                                   "    - {name: cards-out, detect: credit_card, action: mask, on: response}\n",
                                   EchoModels);
            const Client client = clientFor(format, stream, prompt);
            const GatewayFixture::Reply reply = fixture.post(fixture.request(client.path), client.body);
            QCOMPARE(reply.status, 200);
            QVERIFY(fixture.upstream().lastRequest().body.contains("4111 1111 1111 1111"));
            QCOMPARE(answerText(format, stream, reply.body), QStringLiteral("You said: My card is [CREDIT_CARD_1] ok"));
            QVERIFY(fixture.waitForRecords(1));
            QCOMPARE(fixture.records.last().guardrailHits.value(0).side, QStringLiteral("response"));
            QVERIFY(!fixture.records.last().responseBody.contains("4111 1111 1111 1111"));
        }
        {
            GatewayFixture fixture("guardrails:\n"
                                   "  rules:\n"
                                   "    - {name: cards-stop, detect: credit_card, action: block, on: response}\n",
                                   EchoModels);
            const Client client = clientFor(format, stream, prompt);
            const GatewayFixture::Reply reply = fixture.post(fixture.request(client.path), client.body);
            QVERIFY2(!reply.body.contains("4111 1111 1111 1111"), reply.body.constData());
            QVERIFY2(reply.body.contains("cards-stop"), reply.body.constData());
            QVERIFY(fixture.waitForRecords(1));
            QCOMPARE(fixture.records.last().errorClass, QString::fromLatin1(ErrorClass::GuardrailBlocked));
        }
    }

    void responseLogRulesCountAndPassTheAnswer_data() { addFormats(); }
    void responseLogRulesCountAndPassTheAnswer()
    {
        QFETCH(QString, format);
        QFETCH(bool, stream);
        GatewayFixture fixture("guardrails:\n"
                               "  rules:\n"
                               "    - {name: mail-out, detect: email, action: log, on: response}\n",
                               EchoModels);
        const Client client = clientFor(format, stream, Prompt);
        const GatewayFixture::Reply reply = fixture.post(fixture.request(client.path), client.body);
        QCOMPARE(reply.status, 200);
        QCOMPARE(answerText(format, stream, reply.body), QStringLiteral("You said: ") + Prompt);
        QVERIFY(fixture.waitForRecords(1));
        const RequestRecord &record = fixture.records.last();
        QCOMPARE(record.guardrailHits.size(), 1);
        QCOMPARE(record.guardrailHits.at(0).side, QStringLiteral("response"));
        QCOMPARE(record.guardrailHits.at(0).action, QStringLiteral("log"));
        QVERIFY(!record.responseBody.contains(Email.toUtf8()));
        QVERIFY(record.responseBody.contains("[EMAIL_1]"));
    }

    // Rules on the request side only: the answer reaches the client as the model wrote it, but the stored answer
    // holds no value any rule finds, also when the model wrote it across several stream events.
    void requestRulesKeepSplitAnswerValuesOutOfTheLog_data() { addFormats(); }
    void requestRulesKeepSplitAnswerValuesOutOfTheLog()
    {
        QFETCH(QString, format);
        QFETCH(bool, stream);
        GatewayFixture fixture("guardrails:\n"
                               "  rules:\n"
                               "    - {name: keys-counted, detect: secrets, action: log, on: request}\n"
                               "    - {name: mail-counted, detect: email, action: log, on: request}\n",
                               EchoModels);
        const Client client = clientFor(format, stream, Prompt);
        const GatewayFixture::Reply reply = fixture.post(fixture.request(client.path), client.body);
        QCOMPARE(reply.status, 200);
        QVERIFY(fixture.upstream().lastRequest().body.contains(AwsKey.toUtf8()));
        QCOMPARE(answerText(format, stream, reply.body), QStringLiteral("You said: ") + Prompt);
        QVERIFY(fixture.waitForRecords(1));
        const RequestRecord &record = fixture.records.last();
        // The stored answer read as the client reads it: the 7-character events joined.
        const QString stored = answerText(format, stream, record.responseBody);
        QVERIFY2(!stored.contains(AwsKey) && !stored.contains(Email), qPrintable(stored));
        QVERIFY2(stored.contains(QLatin1String("[SECRET_AWS_1]")) && stored.contains(QLatin1String("[EMAIL_1]")),
                 record.responseBody.constData());
        QVERIFY(!record.requestBody.contains(AwsKey.toUtf8()));
    }

    void scopeLimitsRulesToModelsAndTokens()
    {
        GatewayFixture fixture("guardrails:\n"
                               "  rules:\n"
                               "    - {name: claude-only, detect: secrets, action: block, models: [echo-claude]}\n"
                               "    - {name: other-token, detect: email, action: block, tokens: [someone-else]}\n",
                               EchoModels);
        const Client openai = clientFor(QStringLiteral("openai"), false, Prompt);
        QCOMPARE(fixture.post(fixture.request(openai.path), openai.body).status, 200);
        const Client claude = clientFor(QStringLiteral("anthropic"), false, Prompt);
        QCOMPARE(fixture.post(fixture.request(claude.path), claude.body).status, 400);
    }

    void scopeLimitsRulesToClients()
    {
        GatewayFixture fixture("guardrails:\n"
                               "  rules:\n"
                               "    - {name: claude-code-mail, detect: email, action: block, clients: [claude-cli]}\n",
                               EchoModels);
        const Client openai = clientFor(QStringLiteral("openai"), false, Prompt);
        QNetworkRequest other = fixture.request(openai.path);
        other.setRawHeader("User-Agent", "curl/8.5.0");
        QCOMPARE(fixture.post(other, openai.body).status, 200);
        QNetworkRequest claudeCode = fixture.request(openai.path);
        claudeCode.setRawHeader("User-Agent", "claude-cli/1.0.98 (external, cli)");
        const GatewayFixture::Reply refused = fixture.post(claudeCode, openai.body);
        QCOMPARE(refused.status, 400);
        QVERIFY(errorMessageOf(refused.body).contains(QLatin1String("'claude-code-mail'")));
    }

    // Embeddings inputs are prompts too: masked before they leave, or refused.
    void embeddingsInputIsMaskedOrBlocked()
    {
        const QByteArray body
            = toJson(QJsonObject {{QStringLiteral("model"), QStringLiteral("echo-openai")},
                                  {QStringLiteral("input"), QJsonArray {Prompt, QStringLiteral("plain text")}}});
        {
            GatewayFixture fixture(MaskRules, EchoModels);
            const GatewayFixture::Reply reply = fixture.post(fixture.request(QStringLiteral("/v1/embeddings")), body);
            QCOMPARE(reply.status, 200);
            const QByteArray upstream = fixture.upstream().lastRequest().body;
            QVERIFY2(!upstream.contains(AwsKey.toUtf8()) && !upstream.contains(Email.toUtf8()), upstream.constData());
            QVERIFY2(upstream.contains("[SECRET_AWS_1]") && upstream.contains("[EMAIL_1]"), upstream.constData());
            QVERIFY(fixture.waitForRecords(1));
            QVERIFY(!fixture.records.last().requestBody.contains(AwsKey.toUtf8()));
        }
        {
            GatewayFixture fixture(
                "guardrails:\n  rules:\n    - {name: no-aws, detect: aws_access_key, action: block}\n", EchoModels);
            const GatewayFixture::Reply reply = fixture.post(fixture.request(QStringLiteral("/v1/embeddings")), body);
            QCOMPARE(reply.status, 400);
            QVERIFY(fixture.upstream().requests().isEmpty());
            QVERIFY(errorMessageOf(reply.body).contains(QLatin1String("input[0]")));
        }
    }

    void databaseHoldsNoPlantedValue()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sluice.db"));
        RequestLogWriter writer;
        QVERIFY(writer.open(path).ok());
        const QByteArray rules = MaskRules
            + "    - {name: cards, detect: credit_card, action: log, on: both}\n"
              "    - {name: stop-ssn, detect: us_ssn, action: block}\n";
        GatewayFixture fixture(rules, EchoModels);
        const QString planted = Prompt + QStringLiteral(" Card 4111 1111 1111 1111.");
        int sent = 0;
        for (const QString &format : {QStringLiteral("openai"), QStringLiteral("responses"),
                                      QStringLiteral("anthropic"), QStringLiteral("gemini")}) {
            for (const bool stream : {false, true}) {
                const Client client = clientFor(format, stream, planted);
                QCOMPARE(fixture.post(fixture.request(client.path), client.body).status, 200);
                ++sent;
            }
        }
        const Client blocked
            = clientFor(QStringLiteral("openai"), false, QStringLiteral("SSN 078-05-1120 and ") + AwsKey);
        QCOMPARE(fixture.post(fixture.request(blocked.path), blocked.body).status, 400);
        ++sent;
        QVERIFY(fixture.waitForRecords(sent));
        for (const RequestRecord &record : std::as_const(fixture.records))
            writer.append(record);
        writer.stop();

        const QList<QByteArray> plantedValues {AwsKey.toUtf8(), Email.toUtf8(), "4111 1111 1111 1111", "078-05-1120"};
        // Every file of the database (main file, WAL), byte for byte...
        QDirIterator files(dir.path(), QDir::Files);
        int searched = 0;
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray bytes = file.readAll();
            for (const QByteArray &value : plantedValues)
                QVERIFY2(!bytes.contains(value),
                         qPrintable(file.fileName() + QLatin1String(" holds ") + QString::fromUtf8(value)));
            ++searched;
        }
        QVERIFY(searched >= 1);
        // ...and every stored body as read back (compressed ones decompressed).
        RequestLogReader reader(path);
        QVERIFY(reader.open().ok());
        const Result<RequestRecords> rows = reader.recent(100);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), sent);
        int withHits = 0;
        for (const RequestRecord &row : *rows) {
            const Result<RequestRecord> full = reader.byId(row.id);
            QVERIFY(full.ok());
            for (const QByteArray &value : plantedValues) {
                QVERIFY(!full->requestBody.contains(value));
                QVERIFY(!full->responseBody.contains(value));
            }
            withHits += full->guardrailHits.isEmpty() ? 0 : 1;
        }
        QCOMPARE(withHits, sent);
    }
};

QTEST_GUILESS_MAIN(TestGuardrailsGateway)
#include "tst_guardrails_gateway.moc"
