#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "prompts/ObservedPrompts.h"

using namespace sluice;

class TestObservedPrompts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void perCallNoiseIsNormalised()
    {
        const QString a = QStringLiteral("You are an agent.\nToday's date: 2026-12-06\nWorking directory: "
                                         "/home/ada/src/project\nIt is 10:42 on Sunday, Dec 6, 2026. Session "
                                         "3f2c1a9e-1b2c-4d5e-8f90-123456789abc, commit a1b2c3d.");
        const QString b = QStringLiteral("You are an agent.\nToday's date: 2027-01-15\nWorking directory: "
                                         "/tmp/agents-XYZ/work\nIt is 23:01 on Friday, January 15, 2027. Session "
                                         "00000000-1111-2222-3333-444444444444, commit 9f8e7d6c5b.");
        QCOMPARE(ObservedPrompts::normalise(a), ObservedPrompts::normalise(b));
        QVERIFY(!ObservedPrompts::normalise(a).contains(QLatin1String("/home/ada")));
        // What coding agents paste in per request: Claude Code's billing line, the model the client asked for.
        const QString claudeA = QStringLiteral("x-anthropic-billing-header: cc_version=2.1.197.132; "
                                               "cc_entrypoint=sdk-cli;You are a Claude agent.\n - You are powered by "
                                               "the model work-agent.\nThe exact model ID is sluice/work-agent");
        const QString claudeB = QStringLiteral("x-anthropic-billing-header: cc_version=2.1.197.1c0; "
                                               "cc_entrypoint=sdk-cli;You are a Claude agent.\n - You are powered by "
                                               "the model deepseek.\nThe exact model ID is sluice/deepseek");
        QCOMPARE(ObservedPrompts::normalise(claudeA), ObservedPrompts::normalise(claudeB));
        QVERIFY(ObservedPrompts::normalise(claudeA).startsWith(QLatin1String("You are a Claude agent.")));
        QVERIFY(ObservedPrompts::normalise(QStringLiteral("You are powered by the model named house. Be brief."))
                    .endsWith(QLatin1String("<model>. Be brief.")));
        // Words and URLs are not noise.
        const QString words = QStringLiteral("Use and/or the https://example.com/docs page; a decade of facades.");
        QCOMPARE(ObservedPrompts::normalise(words), words);
    }

    void aRealChangeMakesANewVersionAndNoiseDoesNot()
    {
        ObservedPrompts observed;
        const QStringList tools {QStringLiteral("Read"), QStringLiteral("Bash")};
        const ObservedPromptSighting first
            = observed.observe(QStringLiteral("claude-cli"),
                               QStringLiteral("You are Claude Code.\nDate: 2026-12-06\nCwd: /home/a/x"), tools);
        QVERIFY(!first.fingerprint.isEmpty());
        QVERIFY(!first.sample.isEmpty());
        const QJsonObject sample = QJsonDocument::fromJson(first.sample).object();
        QCOMPARE(sample.value(QLatin1String("client")).toString(), QStringLiteral("claude-cli"));
        QCOMPARE(sample.value(QLatin1String("prompt_key")).toString(),
                 QStringLiteral("claude-cli: You are Claude Code."));
        QCOMPARE(sample.value(QLatin1String("tools")).toArray().first().toString(), QStringLiteral("Bash"));

        const ObservedPromptSighting again = observed.observe(
            QStringLiteral("claude-cli"), QStringLiteral("You are Claude Code.\nDate: 2026-12-07\nCwd: /srv/b"),
            {QStringLiteral("Bash"), QStringLiteral("Read")});
        QCOMPARE(again.fingerprint, first.fingerprint);
        QVERIFY(again.sample.isEmpty()); // handed out once

        const ObservedPromptSighting edited = observed.observe(
            QStringLiteral("claude-cli"), QStringLiteral("You are Claude Code, be brief.\nDate: 2026-12-07"), tools);
        QVERIFY(edited.fingerprint != first.fingerprint);
        const ObservedPromptSighting moreTools = observed.observe(
            QStringLiteral("claude-cli"), QStringLiteral("You are Claude Code.\nDate: 2026-12-06\nCwd: /home/a/x"),
            tools + QStringList {QStringLiteral("Write")});
        QVERIFY(moreTools.fingerprint != first.fingerprint);
        QVERIFY(observed.observe(QStringLiteral("x"), QString(), {}).fingerprint.isEmpty());
    }

    void openAiChatBodiesSeenBeforeCostAHash()
    {
        ObservedPrompts observed;
        const auto body = [](const char *date, const char *question) -> QByteArray {
            return QByteArray(
                       "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"You are opencode. Today: ")
                + date + "\"},{\"role\":\"user\",\"content\":\"" + question
                + "\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"bash\"}}]}";
        };
        const ObservedPromptSighting first
            = observed.observeOpenAiChat(QStringLiteral("opencode"), body("2026-12-06", "Hi"));
        QVERIFY(!first.fingerprint.isEmpty());
        QVERIFY(!first.sample.isEmpty());
        // Another turn of the conversation: the same bytes of system prompt and tools.
        const ObservedPromptSighting next
            = observed.observeOpenAiChat(QStringLiteral("opencode"), body("2026-12-06", "More"));
        QCOMPARE(next.fingerprint, first.fingerprint);
        QVERIFY(next.sample.isEmpty());
        // Another day: other bytes, the same version once normalised.
        const ObservedPromptSighting tomorrow
            = observed.observeOpenAiChat(QStringLiteral("opencode"), body("2026-12-07", "Hi"));
        QCOMPARE(tomorrow.fingerprint, first.fingerprint);
        QVERIFY(tomorrow.sample.isEmpty());
        QVERIFY(
            observed.observeOpenAiChat(QStringLiteral("other"), body("2026-12-06", "Hi")).fingerprint != QString()
            && !observed.observeOpenAiChat(QStringLiteral("other"), body("2026-12-06", "Hi")).fingerprint.isEmpty());
        QVERIFY(observed
                    .observeOpenAiChat(QStringLiteral("x"),
                                       "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                    .fingerprint.isEmpty());
    }

    void clientNamesComeFromTheUserAgent()
    {
        QCOMPARE(ObservedPrompts::clientName("claude-cli/1.0.98 (external, cli)"), QStringLiteral("claude-cli"));
        QCOMPARE(ObservedPrompts::clientName("GeminiCLI/0.1.5 (linux; x64)"), QStringLiteral("GeminiCLI"));
        QCOMPARE(ObservedPrompts::clientName(""), QStringLiteral("unknown client"));
    }

    void openAiChatBodiesAreReadWithoutTheConversation()
    {
        const QByteArray body
            = R"({"model":"m","messages":[{"role":"system","content":"Sys one"},)"
              "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Sys, \\\"two\\\" ]\"}]},"
              R"({"role":"user","content":"hello"}],"tools":[{"type":"function","function":)"
              R"({"name":"bash","parameters":{"type":"object"}}},{"type":"function","function":)"
              R"({"name":"read"}}]})";
        QString system;
        QStringList tools;
        ObservedPrompts::readOpenAiChat(body, &system, &tools);
        QCOMPARE(system, QStringLiteral("Sys one\n\nSys, \"two\" ]"));
        QCOMPARE(tools, (QStringList {QStringLiteral("bash"), QStringLiteral("read")}));
    }
};

QTEST_GUILESS_MAIN(TestObservedPrompts)
#include "tst_observedprompts.moc"
