#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTest>
#include <QToolButton>

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

    void showsTheAttemptTimelineOfAFallback()
    {
        RequestDetailPane pane;
        pane.resize(1280, 640);
        const RequestRecord r = GuiTestRecords::fallback();
        pane.showRecord(r);

        QVERIFY(shown(pane, "attemptsSection"));
        QCOMPARE(text(pane, "attemptsSummary"), QStringLiteral("3 attempts · 1 retry · fell back to claude-sonnet-4"));
        const auto row = [&](int n) {
            QStringList cells;
            for (const char *column :
                 {"Number", "Start", "Deployment", "Status", "Error", "Latency", "Decision", "Wait"})
                cells << text(pane, QByteArray("attempt" + QByteArray::number(n) + column).constData());
            return cells;
        };
        QCOMPARE(row(1),
                 (QStringList {QStringLiteral("1"), QStringLiteral("+0 ms"), QStringLiteral("openai/gpt-4.1-mini"),
                               QStringLiteral("429"), QStringLiteral("Rate limited"), QStringLiteral("212 ms"),
                               QStringLiteral("Retry"), QStringLiteral("1.2 s")}));
        QCOMPARE(row(2),
                 (QStringList {QStringLiteral("2"), QStringLiteral("+1.4 s"), QStringLiteral("openai/gpt-4.1-mini"),
                               QStringLiteral("500"), QStringLiteral("Server error"), QStringLiteral("2.3 s"),
                               QStringLiteral("Fallback"), QString()}));
        QCOMPARE(row(3),
                 (QStringList {QStringLiteral("3"), QStringLiteral("+3.7 s"),
                               QStringLiteral("anthropic/claude-sonnet-4-20250514"), QStringLiteral("200"), QString(),
                               QStringLiteral("2.8 s"), QStringLiteral("Done"), QString()}));
        // Why each step happened, in the router's words.
        QCOMPARE(text(pane, "attempt1Reason"),
                 QStringLiteral("HTTP 429: rate limited; retry 1 of 1 after 1.2 s (the provider asked to wait)"));
        QVERIFY(text(pane, "attempt2Reason").endsWith(QStringLiteral("falling back to model 'claude-sonnet-4'")));
        QVERIFY(!pane.findChild<QLabel *>(QStringLiteral("attempt4Number")));
        QVERIFY(shown(pane, "attempt2Waterfall"));
        // The key reference used, never a key, is one hover away.
        QVERIFY(pane.findChild<QLabel *>(QStringLiteral("attempt3Deployment"))
                    ->toolTip()
                    .contains(QStringLiteral("keychain:anthropic")));

        // The summary and the header say what it cost and that it took several attempts.
        QCOMPARE(text(pane, "summaryCost"), QStringLiteral("$0.0098, exact: from the usage the provider reported."));
        QCOMPARE(text(pane, "summaryTokens"),
                 QStringLiteral("1,480 in · 356 out · 0 cached · — reasoning · 0 cache write"));
        const QList<QLabel *> labels = pane.findChildren<QLabel *>();
        QVERIFY(std::any_of(labels.begin(), labels.end(),
                            [](QLabel *l) { return l->text().contains(QStringLiteral("3 attempts  ·  $0.0098")); }));

        // Copy gives the timeline as tab-separated text, a header and one line per attempt.
        QGuiApplication::clipboard()->clear();
        pane.findChild<QToolButton *>(QStringLiteral("copyAttempts"))->click();
        const QStringList lines = QGuiApplication::clipboard()->text().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines.first(), QStringLiteral("#\tStart\tDeployment\tStatus\tError\tLatency\tDecision\tWait\tReason"));
        QVERIFY(lines.at(2).startsWith(
            QStringLiteral("2\t+1.4 s\topenai/gpt-4.1-mini\t500\tServer error\t2.3 s\tFallback")));
    }

    void timelineMarksSkipsAndStaysOutOfTheWayWithoutAttempts()
    {
        RequestDetailPane pane;
        RequestRecord r = GuiTestRecords::record(QStringLiteral("timeout"), GuiTestRecords::baseTime());
        r.httpStatus = 504;
        r.errorClass = QLatin1String(ErrorClass::UpstreamTimeout);
        AttemptRecord skipped;
        skipped.model = r.requestedModel;
        skipped.deployment = QStringLiteral("azure/gpt-4.1-mini");
        skipped.decision = QStringLiteral("skipped");
        skipped.reason = QStringLiteral("circuit breaker open after repeated failures; next probe in 25 s");
        AttemptRecord timedOut = GuiTestRecords::answered(r);
        timedOut.latencyMs = 30'000;
        timedOut.httpStatus = 0;
        timedOut.errorClass = QStringLiteral("timeout");
        timedOut.decision = QStringLiteral("give_up");
        timedOut.reason = QStringLiteral("timed out waiting for the provider's first byte; no other deployment or "
                                         "fallback model is configured for 'gpt-4.1-mini'");
        r.attempts = {skipped, timedOut};
        pane.showRecord(r);
        QCOMPARE(text(pane, "attemptsSummary"),
                 QStringLiteral("1 attempt · 1 deployment skipped (circuit open) · gave up"));
        QCOMPARE(text(pane, "attempt1Number"), QStringLiteral("–"));
        QCOMPARE(text(pane, "attempt1Decision"), QStringLiteral("Skipped"));
        QCOMPARE(text(pane, "attempt1Status"), QString());
        QCOMPARE(text(pane, "attempt2Number"), QStringLiteral("1"));
        QCOMPARE(text(pane, "attempt2Status"), QStringLiteral("—"));
        QCOMPARE(text(pane, "attempt2Error"), QStringLiteral("Timeout"));
        QCOMPARE(text(pane, "attempt2Decision"), QStringLiteral("Give up"));

        // Refused before routing: no timeline at all.
        RequestRecord denied = GuiTestRecords::record(QStringLiteral("denied"), GuiTestRecords::baseTime());
        denied.httpStatus = 401;
        denied.errorClass = QLatin1String(ErrorClass::Authentication);
        pane.showRecord(denied);
        QVERIFY(!shown(pane, "attemptsSection"));

        // A row listed from the log: its attempts arrive with its bodies.
        RequestRecord listed = GuiTestRecords::fallback();
        listed.attempts.clear();
        listed.attemptCount = 3;
        pane.showRecordLoadingBodies(listed);
        QVERIFY(shown(pane, "attemptsSection"));
        QCOMPARE(text(pane, "attemptsMessage"), QStringLiteral("Loading…"));
        QCOMPARE(text(pane, "attemptsSummary"), QStringLiteral("3 attempts"));
        pane.showBodiesUnavailable(QStringLiteral("the request log is locked"));
        QVERIFY(text(pane, "attemptsMessage").contains(QStringLiteral("the request log is locked")));
        pane.showRecord(GuiTestRecords::fallback());
        QCOMPARE(text(pane, "attempt3Decision"), QStringLiteral("Done"));
        QVERIFY(!pane.findChild<QLabel *>(QStringLiteral("attemptsMessage")));
    }

    void costSummarySaysHowFarToTrustIt()
    {
        RequestDetailPane pane;
        RequestRecord r = GuiTestRecords::record(QStringLiteral("cost"), GuiTestRecords::baseTime());
        r.costStatus = QLatin1String(CostStatus::Unpriced);
        r.costUsd = -1;
        pane.showRecord(r);
        const QString unpriced = text(pane, "summaryCost");
        QVERIFY2(unpriced.startsWith(QStringLiteral("Unpriced"))
                     && unpriced.contains(QStringLiteral("prices.overrides")) && unpriced.contains(r.upstreamModel)
                     && !unpriced.contains(QLatin1Char('$')),
                 qPrintable(unpriced));

        r.costStatus = QLatin1String(CostStatus::Estimated);
        r.costUsd = 0.0012;
        pane.showRecord(r);
        QVERIFY(text(pane, "summaryCost").startsWith(QStringLiteral("≈$0.0012, estimated")));

        r.costStatus = QLatin1String(CostStatus::Free);
        r.costUsd = 0;
        pane.showRecord(r);
        QVERIFY(text(pane, "summaryCost").startsWith(QStringLiteral("Free")));

        r.costStatus.clear();
        pane.showRecord(r);
        QVERIFY(text(pane, "summaryCost").startsWith(QStringLiteral("Not priced")));
    }

    void billedFailedAttemptSaysSo()
    {
        RequestDetailPane pane;
        RequestRecord r = GuiTestRecords::fallback();
        r.attempts.first().inputTokens = 12000;
        r.attempts.first().outputTokens = 1;
        pane.showRecord(r);
        const QString reason = text(pane, "attempt1Reason");
        QVERIFY2(
            reason.contains(QStringLiteral("Billed by the provider and counted in the cost: 12,000 input, 1 output "
                                           "tokens")),
            qPrintable(reason));
        QVERIFY(!text(pane, "attempt2Reason").contains(QStringLiteral("Billed")));
    }

    void cacheHitShowsWhatItSaved()
    {
        RequestDetailPane pane;
        RequestRecord r = GuiTestRecords::record(QStringLiteral("hit"), GuiTestRecords::baseTime());
        r.cacheHit = true;
        r.costStatus = QLatin1String(CostStatus::Cached);
        r.costUsd = 0;
        r.savedUsd = 0.0098;
        pane.showRecord(r);
        const QString cost = text(pane, "summaryCost");
        QVERIFY2(cost.startsWith(QStringLiteral("$0, cached")) && cost.contains(QStringLiteral("saved $0.0098")),
                 qPrintable(cost));
        r.savedUsd = -1;
        pane.showRecord(r);
        QVERIFY2(text(pane, "summaryCost").contains(QStringLiteral("no price is known")),
                 qPrintable(text(pane, "summaryCost")));
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
