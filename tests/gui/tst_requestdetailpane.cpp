#include <QLabel>
#include <QPlainTextEdit>
#include <QTest>

#include "GuiTestRecords.h"
#include "ui/BodyFormatter.h"
#include "ui/RequestDetailPane.h"

using namespace sluice;
using sluice::test::GuiTestRecords;

class TestRequestDetailPane : public QObject
{
    Q_OBJECT

private:
    static QString text(const RequestDetailPane &pane, const char *name)
    {
        if (auto *edit = pane.findChild<QPlainTextEdit *>(QLatin1String(name)))
            return edit->toPlainText();
        if (auto *label = pane.findChild<QLabel *>(QLatin1String(name)))
            return label->text();
        qFatal("No child named %s", name);
    }
    static bool shown(const RequestDetailPane &pane, const char *name)
    {
        QWidget *w = pane.findChild<QWidget *>(QLatin1String(name));
        return w && w->isVisibleTo(const_cast<RequestDetailPane *>(&pane));
    }
    static QByteArray openAiChunk(const QByteArray &content)
    {
        return QByteArrayLiteral(
                   "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                   "\"delta\":{\"content\":\"")
            + content + QByteArrayLiteral("\"},\"finish_reason\":null}]}\n\n");
    }

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void prettyJsonKeepsKeyOrderAndNumbers()
    {
        const QByteArray body = "{\"model\":\"gpt-4.1-mini\",\"messages\":[{\"role\":\"user\",\"content\":"
                                "\"say \\\"hi\\\", {please}\"}],\"seed\":12345678901234567890,\"tools\":[],"
                                "\"metadata\":{ },\"temperature\":0.70}";
        const QString expected = QStringLiteral("{\n"
                                                "  \"model\": \"gpt-4.1-mini\",\n"
                                                "  \"messages\": [\n"
                                                "    {\n"
                                                "      \"role\": \"user\",\n"
                                                "      \"content\": \"say \\\"hi\\\", {please}\"\n"
                                                "    }\n"
                                                "  ],\n"
                                                "  \"seed\": 12345678901234567890,\n"
                                                "  \"tools\": [],\n"
                                                "  \"metadata\": {},\n"
                                                "  \"temperature\": 0.70\n"
                                                "}");
        QCOMPARE(BodyFormatter::prettyJson(body).value_or(QString()), expected);
        QVERIFY(!BodyFormatter::prettyJson(QByteArrayLiteral("{\"model\":\"gpt-4")).has_value());
        QCOMPARE(BodyFormatter::readable(QByteArrayLiteral("plain text")), QStringLiteral("plain text"));
    }

    void showsSummaryAndPrettyJsonBodies()
    {
        RequestDetailPane pane;
        RequestRecord r = GuiTestRecords::record(QStringLiteral("0197a1c2-0001"), GuiTestRecords::baseTime());
        r.requestBody = GuiTestRecords::chatRequest(r.requestedModel, false);
        r.responseBody = GuiTestRecords::body(QStringLiteral("openai-text"));
        r.inputTokens = 1'204;
        r.reasoningTokens = -1;
        pane.showRecord(r);

        QCOMPARE(pane.recordId(), r.id);
        QCOMPARE(text(pane, "summaryId"), r.id);
        QCOMPARE(text(pane, "summaryModel"), QStringLiteral("gpt-4.1-mini → openai / gpt-4.1-mini-2025-04-14"));
        QCOMPARE(text(pane, "summaryStatus"), QStringLiteral("200"));
        QCOMPARE(text(pane, "summaryTokens"), QStringLiteral("1,204 in · 48 out · 0 cached · — reasoning"));
        const QString request = text(pane, "requestBody");
        QVERIFY2(request.startsWith(QStringLiteral("{\n  \"model\": \"gpt-4.1-mini\",\n  \"messages\": [\n")),
                 qPrintable(request));
        const QString response = text(pane, "responseBody");
        QVERIFY(response.contains(QStringLiteral("\n  \"object\": \"chat.completion\",\n")));
        QVERIFY(!shown(pane, "assembledText"));
        QVERIFY(!shown(pane, "requestNote"));
        QVERIFY(!shown(pane, "responseNote"));
    }

    void streamedResponseShowsEventsAndAssembledText()
    {
        RequestDetailPane pane;
        RequestRecord r = GuiTestRecords::record(QStringLiteral("stream"), GuiTestRecords::baseTime());
        r.stream = true;
        r.responseBody = openAiChunk("Galaxy") + openAiChunk(" Day\\n") + openAiChunk("celebrates \\\"stars\\\".")
            + QByteArrayLiteral("data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":12}}\n\n"
                                "data: [DONE]\n\n");
        pane.showRecord(r);
        QVERIFY(shown(pane, "assembledText"));
        QCOMPARE(text(pane, "assembledText"), QStringLiteral("Galaxy Day\ncelebrates \"stars\"."));
        const QStringList lines = text(pane, "responseBody").split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 5);
        QVERIFY(lines.at(0).startsWith(QStringLiteral("{\"id\":\"chatcmpl-1\"")));
        QCOMPARE(lines.at(4), QStringLiteral("[DONE]"));

        // Anthropic streams name their events; thinking deltas are not part of the answer.
        r.responseBody = QByteArrayLiteral(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}\n\n"
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me think\"}}\n\n"
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
            "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
            "\"delta\":{\"type\":\"text_delta\",\"text\":\" there\"}}\n\n"
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        r.id = QStringLiteral("anthropic");
        pane.showRecord(r);
        QCOMPARE(text(pane, "assembledText"), QStringLiteral("Hello there"));
        QVERIFY(text(pane, "responseBody").startsWith(QStringLiteral("message_start {\"type\"")));

        // A recorded OpenAI stream, framed as it was sent.
        r.responseBody = GuiTestRecords::stream(QStringLiteral("openai-text"));
        pane.showRecord(r);
        QVERIFY(text(pane, "assembledText").startsWith(QStringLiteral("**Holiday Name:**")));
    }

    void saysWhenBodiesAreTruncatedOrNotStored()
    {
        RequestDetailPane pane;
        RequestRecord r = GuiTestRecords::record(QStringLiteral("cut"), GuiTestRecords::baseTime());
        r.requestBody = GuiTestRecords::chatRequest(r.requestedModel, false).left(40);
        r.responseBody = GuiTestRecords::body(QStringLiteral("openai-text")).left(60);
        r.bodiesTruncated = true;
        pane.showRecord(r);
        QVERIFY(shown(pane, "requestNote"));
        QVERIFY(text(pane, "requestNote").contains(QStringLiteral("size limit")));
        QVERIFY(shown(pane, "responseNote"));
        QCOMPARE(text(pane, "requestBody"), QString::fromUtf8(r.requestBody));

        r.id = QStringLiteral("off");
        r.requestBody.clear();
        r.responseBody.clear();
        r.bodiesTruncated = false;
        pane.showRecord(r);
        QVERIFY(text(pane, "requestNote").startsWith(QStringLiteral("Not stored")));
        QVERIFY(text(pane, "responseNote").startsWith(QStringLiteral("Not stored")));

        pane.showRecordLoadingBodies(r);
        QCOMPARE(text(pane, "requestNote"), QStringLiteral("Loading…"));
        pane.showBodiesUnavailable(QStringLiteral("the request log is locked"));
        QVERIFY(text(pane, "responseNote").contains(QStringLiteral("the request log is locked")));
    }

    void showsTheErrorOfAFailedRequest()
    {
        RequestDetailPane pane;
        RequestRecord r = GuiTestRecords::record(QStringLiteral("fail"), GuiTestRecords::baseTime());
        r.httpStatus = 502;
        r.errorClass = QLatin1String(ErrorClass::UpstreamError);
        r.errorMessage = QStringLiteral("openai answered 502 Bad Gateway");
        pane.showRecord(r);
        QCOMPARE(text(pane, "summaryStatus"), QStringLiteral("502 Upstream error"));
        QCOMPARE(text(pane, "statusChip"), QStringLiteral("502 Upstream error"));
        const QList<QLabel *> labels = pane.findChildren<QLabel *>();
        QVERIFY(std::any_of(labels.begin(), labels.end(),
                            [&](QLabel *l) { return l->text() == r.errorMessage && l->isVisibleTo(&pane); }));
        pane.clear();
        QVERIFY(pane.recordId().isEmpty());
        QVERIFY(shown(pane, "placeholder"));
    }
};

QTEST_MAIN(TestRequestDetailPane)
#include "tst_requestdetailpane.moc"
