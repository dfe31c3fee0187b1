#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;

// `sluice setup CLIENT` writes the agent's own config in a throw-away home; the real agent (installed by npm ci
// in tests/e2e) then answers through `sluice --headless` with nothing else set up; `--undo` puts the home back.
// Continue runs as its command-line agent (`cn` from @continuedev/cli), which reads the same ~/.continue/config.yaml
// as the editor extensions, also through a tool round trip (the mock's scripted shell-tool call).
class TestE2eSetup : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void agentWorksWithWhatSetupWrote_data();
    void agentWorksWithWhatSetupWrote();
    // The documented command line on a file the user already has: --dry-run writes nothing (no token either),
    // set-up keeps the other settings, --undo puts the file back byte for byte.
    void dryRunAndUndoOnTheUsersFile_data();
    void dryRunAndUndoOnTheUsersFile();
};

void TestE2eSetup::dryRunAndUndoOnTheUsersFile_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("original");
    QTest::addColumn<QByteArray>("kept"); // a part of the user's settings that set-up must leave
    QTest::newRow("claude-code") << QStringLiteral("claude-code") << QStringLiteral(".claude/settings.json")
                                 << QByteArray("{\n  \"permissions\": {\"allow\": [\"Bash(git status)\"]},\n"
                                               "  \"hooks\": {\"Stop\": [{\"hooks\": [{\"type\": \"command\", "
                                               "\"command\": \"notify-send done\"}]}]}\n}\n")
                                 << QByteArray("notify-send done");
    QTest::newRow("codex") << QStringLiteral("codex") << QStringLiteral(".codex/config.toml")
                           << QByteArray("# mine\nmodel = \"o3\"\n\n[mcp_servers.docs]\ncommand = \"docs-mcp\"\n")
                           << QByteArray("[mcp_servers.docs]\ncommand = \"docs-mcp\"");
    QTest::newRow("gemini-cli") << QStringLiteral("gemini-cli") << QStringLiteral(".gemini/settings.json")
                                << QByteArray("{\"mcpServers\": {\"docs\": {\"command\": \"docs-mcp\"}}}\n")
                                << QByteArray("docs-mcp");
    QTest::newRow("opencode") << QStringLiteral("opencode") << QStringLiteral(".config/opencode/opencode.json")
                              << QByteArray("{\"provider\": {\"mine\": {\"name\": \"Mine\"}}, \"mcp\": {}}\n")
                              << QByteArray("\"Mine\"");
    QTest::newRow("continue") << QStringLiteral("continue") << QStringLiteral(".continue/config.yaml")
                              << QByteArray("name: Mine   # my own\nversion: 1.0.0\nschema: v1\nmodels:\n"
                                            "  - name: My Claude\n    provider: anthropic\n    model: claude-x\n")
                              << QByteArray("  - name: My Claude\n    provider: anthropic\n    model: claude-x\n");
    QTest::newRow("aider") << QStringLiteral("aider") << QStringLiteral(".aider.conf.yml")
                           << QByteArray("# my aider\nauto-commits: false\ndark-mode: true\n")
                           << QByteArray("auto-commits: false\n");
    QTest::newRow("zed")
        << QStringLiteral("zed") << QStringLiteral(".config/zed/settings.json")
        << QByteArray("// Zed settings\n{\n  \"vim_mode\": true, // of course\n  \"theme\": \"One Dark\",\n}\n")
        << QByteArray("\"vim_mode\": true, // of course");
}

void TestE2eSetup::dryRunAndUndoOnTheUsersFile()
{
    QFETCH(QString, client);
    QFETCH(QString, file);
    QFETCH(QByteArray, original);
    QFETCH(QByteArray, kept);
    QTemporaryDir root;
    const QString home = root.filePath(QStringLiteral("home"));
    const QString path = home + QLatin1Char('/') + file;
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    QVERIFY(writeFile(path, original));
    const QString config = root.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeFile(config,
                      "gateway:\n  port: 7399\nproviders:\n  - name: local\n    type: ollama\n"
                      "models:\n  - name: work\n    provider: local\n    upstream_model: llama3\n"));
    const QString dataDir = root.filePath(QStringLiteral("data"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"), qEnvironmentVariable("PATH"));
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
    const auto setup = [&](QStringList extra) {
        QStringList arguments = {QStringLiteral("setup"),      client, QStringLiteral("--config"), config,
                                 QStringLiteral("--data-dir"), dataDir};
        arguments += extra;
        return runProgram(QStringLiteral(SLUICE_BINARY), arguments, env, home, 30);
    };

    const ProgramRun dry = setup({QStringLiteral("--dry-run")});
    QVERIFY2(dry.exitCode == 0, dry.err.constData());
    QVERIFY2(dry.out.contains(QByteArray("--- " + path.toUtf8())), dry.out.constData());
    QVERIFY2(dry.out.contains("127.0.0.1:7399"), dry.out.constData()); // the endpoint of the config in force
    QVERIFY(dry.out.contains("Dry run: nothing was written"));
    QFile unchanged(path);
    QVERIFY(unchanged.open(QIODevice::ReadOnly));
    QCOMPARE(unchanged.readAll(), original);
    QVERIFY(!QFile::exists(dataDir + QStringLiteral("/sluice.db"))); // no token made either

    const ProgramRun done = setup({QStringLiteral("--model"), QStringLiteral("work")});
    QVERIFY2(done.exitCode == 0, done.err.constData());
    QFile written(path);
    QVERIFY(written.open(QIODevice::ReadOnly));
    const QByteArray after = written.readAll();
    QVERIFY(after != original);
    QVERIFY2(after.contains(kept), after.constData());
    QVERIFY2(after.contains("127.0.0.1:7399") || done.out.contains("127.0.0.1:7399"), after.constData());

    const ProgramRun undone = setup({QStringLiteral("--undo")});
    QVERIFY2(undone.exitCode == 0, undone.err.constData());
    QFile restored(path);
    QVERIFY(restored.open(QIODevice::ReadOnly));
    QCOMPARE(restored.readAll(), original);
}

void TestE2eSetup::agentWorksWithWhatSetupWrote_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("file"); // what setup writes, under the home
    QTest::addColumn<QString>("model"); // "work": a recording's text; "work-agent": a shell-tool call first
    QTest::newRow("claude-code") << QStringLiteral("claude-code") << QStringLiteral("claude")
                                 << QStringList {QStringLiteral("-p"), QStringLiteral("Say hello")}
                                 << QStringLiteral(".claude/settings.json") << QStringLiteral("work");
    QTest::newRow("opencode") << QStringLiteral("opencode") << QStringLiteral("opencode")
                              << QStringList {QStringLiteral("run"), QStringLiteral("Say hello")}
                              << QStringLiteral(".config/opencode/opencode.json") << QStringLiteral("work");
    QTest::newRow("codex") << QStringLiteral("codex") << QStringLiteral("codex")
                           << QStringList {QStringLiteral("exec"), QStringLiteral("--skip-git-repo-check"),
                                           QStringLiteral("Say hello")}
                           << QStringLiteral(".codex/config.toml") << QStringLiteral("work");
    QTest::newRow("gemini-cli") << QStringLiteral("gemini-cli") << QStringLiteral("gemini")
                                << QStringList {QStringLiteral("-p"), QStringLiteral("Say hello")}
                                << QStringLiteral(".gemini/settings.json") << QStringLiteral("work");
    QTest::newRow("continue") << QStringLiteral("continue") << QStringLiteral("cn")
                              << QStringList {QStringLiteral("-p"), QStringLiteral("Say hello")}
                              << QStringLiteral(".continue/config.yaml") << QStringLiteral("work");
    // --auto: tools run without asking (a non-interactive run has no one to ask).
    QTest::newRow("continue tool") << QStringLiteral("continue") << QStringLiteral("cn")
                                   << QStringList {QStringLiteral("-p"), QStringLiteral("--auto"),
                                                   QStringLiteral("Use the shell to print a number, then tell me "
                                                                  "what it printed.")}
                                   << QStringLiteral(".continue/config.yaml") << QStringLiteral("work-agent");
}

void TestE2eSetup::agentWorksWithWhatSetupWrote()
{
    QFETCH(QString, client);
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(QString, file);
    QFETCH(QString, model);
    const QString agent = QStringLiteral(SLUICE_E2E_DIR "/node_modules/.bin/") + program;
    if (!QFile::exists(agent))
        QSKIP("the agent is not installed: run npm ci in tests/e2e (scripts/test.sh does)");

    // Homes beside the test binary, not in /tmp (some agents refuse helper files there).
    QTemporaryDir root(QDir::currentPath() + QStringLiteral("/setup-XXXXXX"));
    const QString home = root.filePath(QStringLiteral("home"));
    QDir().mkpath(home + QStringLiteral("/work"));
    ListeningProcess mock;
    const QUrl upstream = mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, QProcessEnvironment::systemEnvironment());
    QVERIFY2(upstream.isValid(), qPrintable(mock.output()));
    // setup takes the endpoint from the config: a port known to be free now.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QString config = root.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeFile(config,
                      "gateway:\n  port: " + QByteArray::number(port)
                          + "\nproviders:\n  - name: recorded-openai\n    type: openai\n    base_url: "
                          + upstream.toString().toUtf8()
                          + "/v1\nmodels:\n  - name: work\n    provider: recorded-openai\n"
                            "    upstream_model: openai-text\n"
                            "  - name: work-agent\n    provider: recorded-openai\n"
                            "    upstream_model: \"agent-tool~openai-text\"\n"));
    const QString dataDir = root.filePath(QStringLiteral("data"));

    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"), qEnvironmentVariable("PATH"));
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
    env.insert(QStringLiteral("TERM"), QStringLiteral("dumb"));
    const ProgramRun setup = runProgram(QStringLiteral(SLUICE_BINARY),
                                        {QStringLiteral("setup"), client, QStringLiteral("--config"), config,
                                         QStringLiteral("--data-dir"), dataDir, QStringLiteral("--model"), model},
                                        env, home, 30);
    QVERIFY2(setup.exitCode == 0, QByteArray(setup.out + setup.err).constData());
    QVERIFY(QFile::exists(home + QLatin1Char('/') + file));

    ListeningProcess sluice;
    QVERIFY2(sluice
                 .start(QStringLiteral(SLUICE_BINARY),
                        {QStringLiteral("--headless"), QStringLiteral("--config"), config, QStringLiteral("--data-dir"),
                         dataDir, QStringLiteral("--port"), QString::number(port)},
                        QProcessEnvironment::systemEnvironment())
                 .isValid(),
             qPrintable(sluice.output()));

    // Nothing but what setup wrote, and the exports it printed for agents that read their key from the
    // environment, points the agent at Sluice; telemetry and updates are off as in the docs.
    QProcessEnvironment agentEnv = env;
    for (const QByteArray &line : setup.out.split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (!trimmed.startsWith("export "))
            continue;
        const qsizetype equals = trimmed.indexOf('=');
        agentEnv.insert(QString::fromUtf8(trimmed.mid(7, equals - 7)), QString::fromUtf8(trimmed.mid(equals + 1)));
    }
    agentEnv.insert(QStringLiteral("GEMINI_CLI_NO_RELAUNCH"), QStringLiteral("true"));
    // A non-interactive run needs a trust decision for its folder: Gemini CLI's own rule, not Sluice's.
    agentEnv.insert(QStringLiteral("GEMINI_CLI_TRUST_WORKSPACE"), QStringLiteral("true"));
    for (const auto off :
         {"DISABLE_TELEMETRY", "DISABLE_ERROR_REPORTING", "DISABLE_AUTOUPDATER",
          "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "OPENCODE_DISABLE_AUTOUPDATE", "OPENCODE_DISABLE_MODELS_FETCH",
          "OPENCODE_DISABLE_SHARE", "OPENCODE_DISABLE_LSP_DOWNLOAD", "OPENCODE_DISABLE_DEFAULT_PLUGINS"})
        agentEnv.insert(QLatin1String(off), QStringLiteral("1"));
    const ProgramRun run = runProgram(agent, arguments, agentEnv, home + QStringLiteral("/work"), 90);
    QVERIFY2(run.exitCode == 0, QByteArray(run.out + run.err.right(2000)).constData());
    QVERIFY2(QString::fromUtf8(run.out).contains(recorded::OpenAiStreamText), run.out.constData());
    QCOMPARE(sluice.stop(), 0);
    // Logged under the gateway token set-up made for the client (spend per tool); a tool run sent the shell
    // command's output back in a later request.
    RequestLogReader log(dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(log.open().ok());
    const RequestRecords records = loggedRequests(log, model, 1);
    QVERIFY(!records.isEmpty());
    bool toolOutputSent = false;
    for (const RequestRecord &record : records) {
        QCOMPARE(record.httpStatus, 200);
        QCOMPARE(record.tokenName, client);
        toolOutputSent = toolOutputSent || record.requestBody.contains("sluice-tool-42");
    }
    QCOMPARE(toolOutputSent, model.endsWith(QLatin1String("-agent")));

    const ProgramRun undo = runProgram(QStringLiteral(SLUICE_BINARY),
                                       {QStringLiteral("setup"), client, QStringLiteral("--undo"),
                                        QStringLiteral("--config"), config, QStringLiteral("--data-dir"), dataDir},
                                       env, home, 30);
    QVERIFY2(undo.exitCode == 0, QByteArray(undo.out + undo.err).constData());
    QVERIFY(!QFile::exists(home + QLatin1Char('/') + file)); // it did not exist before setup
}

QTEST_GUILESS_MAIN(TestE2eSetup)
#include "tst_e2e_setup.moc"
