#include <QDir>
#include <QFile>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"

using namespace sluice;
using namespace sluice::test;

// `sluice setup CLIENT` writes the agent's own config in a throw-away home; the real agent (installed by npm ci
// in tests/e2e) then answers through `sluice --headless` with nothing else set up; `--undo` puts the home back.
class TestE2eSetup : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void agentWorksWithWhatSetupWrote_data();
    void agentWorksWithWhatSetupWrote();
};

void TestE2eSetup::agentWorksWithWhatSetupWrote_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("file"); // what setup writes, under the home
    QTest::newRow("claude-code") << QStringLiteral("claude-code") << QStringLiteral("claude")
                                 << QStringList {QStringLiteral("-p"), QStringLiteral("Say hello")}
                                 << QStringLiteral(".claude/settings.json");
    QTest::newRow("opencode") << QStringLiteral("opencode") << QStringLiteral("opencode")
                              << QStringList {QStringLiteral("run"), QStringLiteral("Say hello")}
                              << QStringLiteral(".config/opencode/opencode.json");
    QTest::newRow("codex") << QStringLiteral("codex") << QStringLiteral("codex")
                           << QStringList {QStringLiteral("exec"), QStringLiteral("--skip-git-repo-check"),
                                           QStringLiteral("Say hello")}
                           << QStringLiteral(".codex/config.toml");
    QTest::newRow("gemini-cli") << QStringLiteral("gemini-cli") << QStringLiteral("gemini")
                                << QStringList {QStringLiteral("-p"), QStringLiteral("Say hello")}
                                << QStringLiteral(".gemini/settings.json");
}

void TestE2eSetup::agentWorksWithWhatSetupWrote()
{
    QFETCH(QString, client);
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(QString, file);
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
                            "    upstream_model: openai-text\n"));
    const QString dataDir = root.filePath(QStringLiteral("data"));

    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"), qEnvironmentVariable("PATH"));
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
    env.insert(QStringLiteral("TERM"), QStringLiteral("dumb"));
    const ProgramRun setup
        = runProgram(QStringLiteral(SLUICE_BINARY),
                     {QStringLiteral("setup"), client, QStringLiteral("--config"), config, QStringLiteral("--data-dir"),
                      dataDir, QStringLiteral("--model"), QStringLiteral("work")},
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

    const ProgramRun undo = runProgram(QStringLiteral(SLUICE_BINARY),
                                       {QStringLiteral("setup"), client, QStringLiteral("--undo"),
                                        QStringLiteral("--config"), config, QStringLiteral("--data-dir"), dataDir},
                                       env, home, 30);
    QVERIFY2(undo.exitCode == 0, QByteArray(undo.out + undo.err).constData());
    QVERIFY(!QFile::exists(home + QLatin1Char('/') + file)); // it did not exist before setup
}

QTEST_GUILESS_MAIN(TestE2eSetup)
#include "tst_e2e_setup.moc"
