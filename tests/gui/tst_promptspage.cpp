#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <QUuid>

#include "GuiTestRecords.h"
#include "store/PromptStore.h"
#include "store/RequestLogWriter.h"
#include "ui/MainWindow.h"
#include "ui/prompts/PromptDiffView.h"
#include "ui/prompts/PromptsPage.h"

using namespace sluice;
using namespace sluice::test;

namespace {

const QString Greeting = QStringLiteral("support/greeting");
const QString ClaudeKey = QStringLiteral("claude-cli: You are Claude Code, Anthropic's official CLI for Claude.");

QString messages(const QString &system, const QString &user)
{
    return QStringLiteral(R"([{"role":"system","content":"%1"},{"role":"user","content":"%2"}])").arg(system, user);
}

RequestRecord used(int n, const QString &prompt, int version, const QString &observed = {})
{
    RequestRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.startedAt = GuiTestRecords::baseTime().addSecs(n);
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.requestedModel = QStringLiteral("gpt-4.1-mini");
    record.httpStatus = n % 9 == 0 ? 502 : 200;
    record.latencyUs = 400'000 + (n % 7) * 90'000 + version * 50'000;
    record.timeToFirstTokenUs = 180'000 + (n % 5) * 20'000;
    record.inputTokens = 420 + n;
    record.outputTokens = 130 + n % 40;
    record.costUsd = 0.00021 * (version + 1) + n * 0.000001;
    record.costStatus = QStringLiteral("exact");
    record.promptName = prompt;
    record.promptVersion = version;
    record.observedPrompt = observed;
    return record;
}

QByteArray sample(const QString &key, const QString &client, const QString &text, const QStringList &tools)
{
    QJsonObject object {{QStringLiteral("prompt_key"), key},
                        {QStringLiteral("client"), client},
                        {QStringLiteral("system_text"), text},
                        {QStringLiteral("tools"), QJsonArray::fromStringList(tools)}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class TestPromptsPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;

    static QString screenshotPath(const char *name)
    {
        return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
    }

    void seed()
    {
        PromptStore store;
        QVERIFY(store.open(m_path).ok());
        const QString config = QStringLiteral(R"({"model":"gpt-4.1-mini","temperature":0.2})");
        QVERIFY(
            store
                .create(Greeting, QStringLiteral("chat"),
                        messages(QStringLiteral("You are a support agent for {{product}}. Answer in two sentences."),
                                 QStringLiteral("Hi, I am {{name}}. {{question}}")),
                        config, QStringLiteral("First version"), QStringLiteral("ada"))
                .ok());
        QVERIFY(store
                    .update(Greeting, QStringLiteral("chat"),
                            messages(QStringLiteral("You are a friendly support agent for {{product}}.\\nAnswer in two "
                                                    "sentences and offer one next step."),
                                     QStringLiteral("Hi, I am {{name}}. {{question}}")),
                            config, QStringLiteral("Offer a next step"), QStringLiteral("ada"))
                    .ok());
        QVERIFY(store
                    .update(Greeting, QStringLiteral("chat"),
                            messages(QStringLiteral("You are a friendly support agent for {{product}}.\\nAnswer in "
                                                    "{{language=English}}, in two sentences, and offer one next step."),
                                     QStringLiteral("Hi, I am {{name}}. {{question}}")),
                            QStringLiteral(R"({"model":"claude-sonnet-4-5","temperature":0.4,"max_tokens":300})"),
                            QStringLiteral("Answer in the customer's language"), QStringLiteral("bob"))
                    .ok());
        QVERIFY(store.setLabel(Greeting, QStringLiteral("production"), 1, QStringLiteral("ada")).ok());
        QVERIFY(store.setLabel(Greeting, QStringLiteral("production"), 2, QStringLiteral("ada")).ok());
        QVERIFY(store.setLabel(Greeting, QStringLiteral("staging"), 3, QStringLiteral("bob")).ok());
        QVERIFY(store
                    .create(QStringLiteral("summarise"), QStringLiteral("text"),
                            QStringLiteral(R"("Summarise in {{words:integer=50}} words:\n\n{{document}}")"),
                            QStringLiteral(R"({"model":"gpt-4.1-mini"})"), QStringLiteral("First version"), {})
                    .ok());
        RequestLogWriter writer;
        QVERIFY(writer.open(m_path).ok());
        for (int n = 0; n < 40; ++n)
            writer.append(used(n, Greeting, n < 12 ? 1 : (n < 34 ? 2 : 3)));
        const QString claudeText = QStringLiteral(
            "You are Claude Code, Anthropic's official CLI for Claude.\nYou are an interactive CLI tool that helps "
            "users "
            "with software engineering tasks.\n\n<env>\nWorking directory: <path>\nToday's date: <date>\n</env>");
        for (int n = 0; n < 24; ++n) {
            const bool newer = n >= 15;
            RequestRecord record = used(100 + n, QString(), 0,
                                        newer ? QStringLiteral("b7e1c2d3a4f5061728394a5b6c7d8e9f")
                                              : QStringLiteral("a1f09c3b2e4d5f60718293a4b5c6d7e8"));
            if (n == 0)
                record.observedPromptSample
                    = sample(ClaudeKey, QStringLiteral("claude-cli"), claudeText,
                             {QStringLiteral("Bash"), QStringLiteral("Edit"), QStringLiteral("Read")});
            if (n == 15)
                record.observedPromptSample
                    = sample(ClaudeKey, QStringLiteral("claude-cli"),
                             claudeText + QStringLiteral("\nUse the TodoWrite tool to plan multi-step work."),
                             {QStringLiteral("Bash"), QStringLiteral("Edit"), QStringLiteral("Read"),
                              QStringLiteral("TodoWrite")});
            record.inputTokens = newer ? 9800 : 8200;
            record.costUsd = newer ? 0.031 : 0.026;
            writer.append(record);
        }
        RequestRecord codex = used(200, QString(), 0, QStringLiteral("c0de00112233445566778899aabbccdd"));
        codex.observedPromptSample
            = sample(QStringLiteral("codex_exec: You are a coding agent running in the Codex CLI."),
                     QStringLiteral("codex_exec"), QStringLiteral("You are a coding agent running in the Codex CLI."),
                     {QStringLiteral("exec_command")});
        writer.append(codex);
        writer.flush();
    }

    bool waitForVersions(PromptsPage *page, int rows)
    {
        return QTest::qWaitFor([&] { return page->versionsModel()->rowCount() == rows; }, 5000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR)));
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("sluice.db"));
        seed();
    }

    void versionsWithLabelsAndMetricsDiffEditAndMoveALabel()
    {
        MainWindow window;
        window.resize(1360, 820);
        window.setDatabasePath(m_path);
        window.show();
        window.showPage(MainWindow::Page::Prompts);
        PromptsPage *page = window.promptsPage();
        QTRY_VERIFY_WITH_TIMEOUT(page->selectPrompt(Greeting), 5000);
        QVERIFY(waitForVersions(page, 3));

        // Newest first: v3 (latest, staging), v2 (production) with its 22 requests.
        QStandardItemModel *versions = page->versionsModel();
        QCOMPARE(versions->item(0, 0)->text(), QStringLiteral("v3"));
        QCOMPARE(versions->item(0, 1)->text(), QStringLiteral("latest, staging"));
        QCOMPARE(versions->item(1, 1)->text(), QStringLiteral("production"));
        QCOMPARE(versions->item(1, 4)->text(), QStringLiteral("22"));
        QCOMPARE(versions->item(2, 4)->text(), QStringLiteral("12"));
        QVERIFY(versions->item(1, 5)->text().startsWith(QLatin1Char('$')));
        QVERIFY(versions->item(1, 6)->text().endsWith(QLatin1String("ms")));
        QCOMPARE(versions->item(2, 9)->text(), QStringLiteral("16.7%")); // 2 of the 12 v1 requests failed
        QTest::qWait(100);
        QVERIFY(window.grab().save(screenshotPath("prompts-versions.png")));

        // Side by side: v2 against v3, template and config.
        page->showDiff(2, 3);
        QVERIFY(page->templateDiff()->changedLines() >= 2);
        QVERIFY(page->templateDiff()->left()->toPlainText().contains(QLatin1String("offer one next step")));
        QVERIFY(page->templateDiff()->right()->toPlainText().contains(QLatin1String("{{language=English}}")));
        QVERIFY(window.grab().save(screenshotPath("prompts-diff.png")));

        // The editor finds variables and refuses what would not render.
        page->tabs()->setCurrentIndex(2);
        page->editor()->setPlainText(QStringLiteral("type: chat\nmessages: [{role: user, content: \"Hi {{name\"}]\n"));
        QTRY_VERIFY(page->editorStatus()->text().contains(QLatin1String("not closed")));
        QVERIFY(!page->saveButton()->isEnabled());
        page->editor()->setPlainText(QStringLiteral(
            "type: chat\nmessages:\n  - {role: system, content: \"You are a support agent for {{product}}. Be "
            "brief.\"}\n  - {role: user, content: \"Hi, I am {{name}}. {{question}} (order {{order:integer}})\"}\n"
            "config: {model: gpt-4.1-mini, temperature: 0.1}\n"));
        window.findChild<QLineEdit *>(QStringLiteral("commitMessage"))->setText(QStringLiteral("Ask for the order"));
        QTRY_VERIFY(page->saveButton()->isEnabled());
        QVERIFY2(page->editorStatus()->text().contains(QLatin1String("product, name, question, order:integer")),
                 qPrintable(page->editorStatus()->text()));
        QVERIFY(window.grab().save(screenshotPath("prompts-editor.png")));
        QTest::mouseClick(page->saveButton(), Qt::LeftButton);
        QVERIFY(waitForVersions(page, 4));
        QCOMPARE(versions->item(0, 2)->text(), QStringLiteral("Ask for the order"));

        // Move production to the new version: the history shows it first.
        page->tabs()->setCurrentIndex(3);
        auto *label = window.findChild<QComboBox *>(QStringLiteral("labelName"));
        auto *version = window.findChild<QComboBox *>(QStringLiteral("labelVersion"));
        label->setCurrentText(QStringLiteral("production"));
        version->setCurrentIndex(version->findData(4));
        QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("moveLabel")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->historyModel()->rowCount() == 4, 5000);
        QCOMPARE(page->historyModel()->item(0, 1)->text(), QStringLiteral("production"));
        QCOMPARE(page->historyModel()->item(0, 2)->text(), QStringLiteral("v2"));
        QCOMPARE(page->historyModel()->item(0, 3)->text(), QStringLiteral("v4"));
        QVERIFY(window.grab().save(screenshotPath("prompts-labels.png")));
        PromptStore store;
        QVERIFY(store.open(m_path).ok());
        QCOMPARE(store.resolve(Greeting, QStringLiteral("production"))->version, 4);
    }

    void observedPromptsWithVersionsAndCost()
    {
        MainWindow window;
        window.resize(1360, 820);
        window.setDatabasePath(m_path);
        window.show();
        window.showPage(MainWindow::Page::Prompts);
        PromptsPage *page = window.promptsPage();
        QTRY_VERIFY_WITH_TIMEOUT(page->selectObserved(ClaudeKey), 5000);
        QTRY_COMPARE(page->observedModel()->rowCount(), 2);
        QCOMPARE(page->observedModel()->item(1, 0)->text(), QStringLiteral("v2"));
        QCOMPARE(page->observedModel()->item(0, 4)->text(), QStringLiteral("15"));
        QCOMPARE(page->observedModel()->item(1, 4)->text(), QStringLiteral("9"));
        QVERIFY(window.grab().save(screenshotPath("prompts-observed.png")));

        // What the client's new release changed: the newest version against the one before it.
        QVERIFY(page->observedTabs()->isTabEnabled(1));
        page->observedTabs()->setCurrentIndex(1);
        QVERIFY(page->observedDiff()->changedLines() >= 2); // the added sentence and the tools line
        QVERIFY(!page->observedDiff()->left()->toPlainText().contains(QLatin1String("TodoWrite")));
        QVERIFY(page->observedDiff()->right()->toPlainText().contains(QLatin1String("Use the TodoWrite tool")));
        QVERIFY(window.grab().save(screenshotPath("prompts-observed-diff.png")));
        page->observedView()->selectRow(0); // v1 has nothing before it
        QVERIFY(!page->observedTabs()->isTabEnabled(1));
        page->observedView()->selectRow(1);
        page->observedTabs()->setCurrentIndex(0);

        // The selected (newest) version saved into the registry becomes a prompt of its own.
        window.findChild<QLineEdit *>(QStringLiteral("observedName"))->setText(QStringLiteral("claude-code/system"));
        QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("saveObserved")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            page->versionsModel()->rowCount() == 1 && page->selectPrompt(QStringLiteral("claude-code/system")), 5000);
        PromptStore store;
        QVERIFY(store.open(m_path).ok());
        QVERIFY(store.resolve(QStringLiteral("claude-code/system"), QString())
                    ->templateJson.contains(QLatin1String("TodoWrite")));

        // Search narrows both lists.
        page->search()->setText(QStringLiteral("codex"));
        int selectable = 0;
        for (int row = 0; row < page->list()->count(); ++row)
            selectable += page->list()->item(row)->flags().testFlag(Qt::ItemIsSelectable) ? 1 : 0;
        QCOMPARE(selectable, 1);
        page->search()->clear();
    }

    void usageFollowsNewRequestsWhileShown()
    {
        MainWindow window;
        window.resize(1360, 820);
        window.setDatabasePath(m_path);
        window.show();
        window.showPage(MainWindow::Page::Prompts);
        PromptsPage *page = window.promptsPage();
        QTRY_VERIFY_WITH_TIMEOUT(page->selectPrompt(Greeting), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(page->versionsModel()->rowCount() >= 3, 5000);
        const auto requestsOf = [page](int version) {
            QStandardItemModel *versions = page->versionsModel();
            for (int row = 0; row < versions->rowCount(); ++row) {
                if (versions->item(row, 0)->text() == QStringLiteral("v%1").arg(version))
                    return versions->item(row, 4)->text().toInt();
            }
            return -1;
        };
        const int before = requestsOf(2);
        QVERIFY(before > 0);
        page->showDiff(1, 2); // a pick of the user's, which a reload must keep

        // Requests written while the page is open: the window hands them over and the figures follow.
        RequestRecords records;
        for (int n = 0; n < 3; ++n)
            records.append(used(300 + n, Greeting, 2));
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_path).ok());
            for (const RequestRecord &record : std::as_const(records))
                writer.append(record);
            writer.flush();
        }
        window.appendRecords(records);
        QTRY_COMPARE_WITH_TIMEOUT(requestsOf(2), before + 3, 5000);
        QCOMPARE(window.findChild<QComboBox *>(QStringLiteral("diffA"))->currentData().toInt(), 1);
        QCOMPARE(window.findChild<QComboBox *>(QStringLiteral("diffB"))->currentData().toInt(), 2);

        // The same for an observed prompt, and the version picked stays picked.
        QTRY_VERIFY_WITH_TIMEOUT(page->selectObserved(ClaudeKey), 5000);
        QTRY_COMPARE(page->observedModel()->rowCount(), 2);
        page->observedView()->selectRow(0);
        const int observedBefore = page->observedModel()->item(0, 4)->text().toInt();
        RequestRecords observed {used(400, QString(), 0, QStringLiteral("a1f09c3b2e4d5f60718293a4b5c6d7e8"))};
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_path).ok());
            writer.append(observed.constFirst());
            writer.flush();
        }
        window.appendRecords(observed);
        QTRY_COMPARE_WITH_TIMEOUT(page->observedModel()->item(0, 4)->text().toInt(), observedBefore + 1, 5000);
        QCOMPARE(page->observedView()->currentIndex().row(), 0);
    }

    void darkPalette()
    {
        const QPalette original = QApplication::palette();
        QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            MainWindow window;
            window.resize(1360, 820);
            window.setDatabasePath(m_path);
            window.show();
            window.showPage(MainWindow::Page::Prompts);
            PromptsPage *page = window.promptsPage();
            QTRY_VERIFY_WITH_TIMEOUT(page->selectPrompt(Greeting), 5000);
            QTRY_VERIFY_WITH_TIMEOUT(page->versionsModel()->rowCount() >= 3, 5000);
            QTest::qWait(100);
            QVERIFY(window.grab().save(screenshotPath("prompts-versions-dark.png")));
            page->showDiff(2, 3);
            QVERIFY(window.grab().save(screenshotPath("prompts-diff-dark.png")));
            QTRY_VERIFY_WITH_TIMEOUT(page->selectObserved(ClaudeKey), 5000);
            QTRY_COMPARE(page->observedModel()->rowCount(), 2);
            QVERIFY(window.grab().save(screenshotPath("prompts-observed-dark.png")));
            page->observedTabs()->setCurrentIndex(1);
            QVERIFY(window.grab().save(screenshotPath("prompts-observed-diff-dark.png")));
        }
        QApplication::setPalette(original);
    }
};

QTEST_MAIN(TestPromptsPage)
#include "tst_promptspage.moc"
