#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "GuiTestRecords.h"
#include "store/RequestLogWriter.h"
#include "store/TokenStore.h"
#include "ui/ClientsPage.h"
#include "ui/MainWindow.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// Claude Code's settings with what a user has there besides Sluice: permissions, hooks, an MCP server.
const QByteArray ClaudeSettings = "{\n"
                                  "  \"permissions\": { \"allow\": [\"Bash(npm test)\"] },\n"
                                  "  \"hooks\": { \"PostToolUse\": [] },\n"
                                  "  \"mcpServers\": { \"docs\": { \"command\": \"npx\" } }\n"
                                  "}\n";

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

int rowOf(QTableView *table, const QString &text)
{
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        if (table->model()->index(row, 0).data().toString() == text)
            return row;
    }
    return -1;
}

QString cell(QTableView *table, const QString &client, int column)
{
    return table->model()->index(rowOf(table, client), column).data().toString();
}

QString screenshotPath(const char *name)
{
    return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
}

} // namespace

class TestClientsPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR)));
    }

    void init()
    {
        m_home = std::make_unique<QTemporaryDir>();
        // Never the real home, and no agent on the PATH: the states come from the files alone.
        qputenv("HOME", m_home->path().toUtf8());
        qputenv("XDG_CONFIG_HOME", (m_home->path() + QStringLiteral("/.config")).toUtf8());
        qputenv("PATH", (m_home->path() + QStringLiteral("/bin")).toUtf8());
        qunsetenv("CODEX_HOME");
        m_config = m_home->filePath(QStringLiteral("sluice.yaml"));
        m_database = m_home->filePath(QStringLiteral("sluice.db"));
        QVERIFY(writeAll(m_config,
                         "gateway:\n  port: 7455\nproviders:\n  - name: local\n    type: ollama\n"
                         "models:\n  - name: work\n    provider: local\n"));
        QVERIFY(writeAll(m_home->filePath(QStringLiteral(".claude/settings.json")), ClaudeSettings));
    }

    void setUpAndUndoInOneClickEach()
    {
        MainWindow window;
        ClientsPage *page = preparedPage(window);
        auto *table = page->findChild<QTableView *>(QStringLiteral("clientTable"));
        QCOMPARE(cell(table, QStringLiteral("Claude Code"), 1), QStringLiteral("● Installed, not set up"));
        QCOMPARE(cell(table, QStringLiteral("Codex CLI"), 1), QStringLiteral("● Not installed"));
        QCOMPARE(cell(table, QStringLiteral("Claude Code"), 2), QStringLiteral("none yet"));

        // Picking a client shows what its set-up changes, the token masked.
        table->selectRow(rowOf(table, QStringLiteral("Claude Code")));
        auto *preview = page->findChild<QPlainTextEdit *>(QStringLiteral("clientPreview"));
        QVERIFY2(preview->toPlainText().contains(QLatin1String("\"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:7455\"")),
                 qPrintable(preview->toPlainText()));
        QVERIFY(preview->toPlainText().contains(QLatin1String("<gateway token 'claude-code'>")));
        // The default model (the config's first): Claude Code asks for it, not for a model Sluice does not have.
        QCOMPARE(page->findChild<QComboBox *>(QStringLiteral("clientModel"))->currentText(), QStringLiteral("work"));
        QVERIFY(preview->toPlainText().contains(QLatin1String("\"ANTHROPIC_MODEL\": \"work\"")));
        auto *undo = page->findChild<QPushButton *>(QStringLiteral("undoClient"));
        QVERIFY(!undo->isEnabled());

        QSignalSpy idle(page, &ClientsPage::idle);
        page->findChild<QPushButton *>(QStringLiteral("setUpClient"))->click();
        QVERIFY(QTest::qWaitFor(
            [&] { return cell(table, QStringLiteral("Claude Code"), 1) == QStringLiteral("● Pointed at Sluice"); },
            10000));
        const QString settingsPath = m_home->filePath(QStringLiteral(".claude/settings.json"));
        const QByteArray written = readAll(settingsPath);
        QVERIFY(written.contains("\"mcpServers\""));
        QVERIFY(written.contains("\"ANTHROPIC_AUTH_TOKEN\": \"sk-sluice-"));
        QVERIFY(written.contains("\"ANTHROPIC_MODEL\": \"work\""));
        TokenStore tokens;
        QVERIFY(tokens.open(m_database).ok());
        const Result<QList<StoredToken>> stored = tokens.list();
        QVERIFY(stored.ok() && stored->size() == 1 && stored->first().name == QLatin1String("claude-code"));
        tokens.close();
        QVERIFY(
            page->findChild<QLabel *>(QStringLiteral("clientsStatus"))->text().contains(QLatin1String("claude-code")));

        // Codex reads its token from the environment: the page shows the export line to add.
        table->selectRow(rowOf(table, QStringLiteral("Codex CLI")));
        page->findChild<QPushButton *>(QStringLiteral("setUpClient"))->click();
        QVERIFY(QTest::qWaitFor(
            [&] { return preview->toPlainText().startsWith(QLatin1String("export SLUICE_API_KEY=sk-")); }, 10000));
        QVERIFY(page->findChild<QPushButton *>(QStringLiteral("copyEnvironment"))->isVisible());
        QVERIFY(readAll(m_home->filePath(QStringLiteral(".codex/config.toml"))).contains("[model_providers.sluice]"));

        // A request made with Claude Code's token shows as its last request.
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_database).ok());
            RequestRecord record = GuiTestRecords::record(QStringLiteral("r1"), QDateTime::currentDateTimeUtc());
            record.tokenName = QStringLiteral("claude-code");
            writer.append(std::move(record));
            writer.stop();
        }
        idle.clear();
        page->reload();
        QVERIFY(idle.wait(10000));
        QVERIFY(cell(table, QStringLiteral("Claude Code"), 2) != QStringLiteral("none yet"));
        QTest::qWait(50);
        QVERIFY(window.grab().save(screenshotPath("clients-page.png")));

        // Undo: byte for byte.
        table->selectRow(rowOf(table, QStringLiteral("Claude Code")));
        QVERIFY(undo->isEnabled());
        undo->click();
        QVERIFY(QTest::qWaitFor([&] { return readAll(settingsPath) == ClaudeSettings; }, 10000));
        QVERIFY(QTest::qWaitFor(
            [&] { return cell(table, QStringLiteral("Claude Code"), 1) == QStringLiteral("● Installed, not set up"); },
            10000));
    }

    void followsADarkPalette()
    {
        const QPalette original = QApplication::palette();
        QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            MainWindow window;
            ClientsPage *page = preparedPage(window);
            auto *table = page->findChild<QTableView *>(QStringLiteral("clientTable"));
            table->selectRow(rowOf(table, QStringLiteral("Claude Code")));
            QTest::qWait(50);
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath("clients-page-dark.png")));
            auto *preview = page->findChild<QPlainTextEdit *>(QStringLiteral("clientPreview"));
            QVERIFY(shot.pixelColor(preview->mapTo(&window, QPoint(preview->width() - 60, preview->height() / 2)))
                        .lightnessF()
                    < 0.3);
        }
        QApplication::setPalette(original);
    }

private:
    ClientsPage *preparedPage(MainWindow &window)
    {
        window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7455/v1")));
        window.setGatewayState(GatewayState::Running);
        window.resize(1280, 720);
        window.show();
        [[maybe_unused]] const bool exposed = QTest::qWaitForWindowExposed(&window);
        ClientsPage *page = window.clientsPage();
        page->setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7455")));
        QSignalSpy idle(page, &ClientsPage::idle);
        page->setPaths(m_config, m_database);
        window.showPage(MainWindow::Page::Clients);
        [[maybe_unused]] const bool loaded = idle.wait(10000);
        return page;
    }

    std::unique_ptr<QTemporaryDir> m_home;
    QString m_config;
    QString m_database;
};

QTEST_MAIN(TestClientsPage)
#include "tst_clientspage.moc"
