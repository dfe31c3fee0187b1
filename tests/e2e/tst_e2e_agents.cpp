#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include "E2eSupport.h"
#include "store/PromptStore.h"
#include "store/RequestLogReader.h"
#include "support/AgentScript.h"

using namespace sluice;
using namespace sluice::test;
using namespace sluice::test::recorded;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-agents-not-a-real-token";
constexpr auto ProviderKey = "sk-provider-e2e-agents-fake";
constexpr int AgentTimeoutS = 90;

// The prompts mean nothing to the mock (the upstream model decides the answer); neither contains the tool's
// output, so finding it in a later request proves the agent ran the command.
const QString TextPrompt = QStringLiteral("Say hello.");
const QString ToolPrompt = QStringLiteral("Use the shell to print a number, then tell me what it printed.");

enum class Agent { ClaudeCode, Codex, OpenCode, GeminiCli };

struct Expected
{
    QLatin1String text; // the start of the streamed recording's text
    int length = 0;
};

// The agents' commands in tests/e2e/node_modules/.bin (installed by `npm ci` there).
QString binaryOf(Agent agent)
{
    static const char *const names[] = {"claude", "codex", "opencode", "gemini"};
    return QStringLiteral(SLUICE_E2E_DIR "/node_modules/.bin/") + QLatin1String(names[int(agent)]);
}

// The client name the request log gives each agent (docs/spend.md).
QString clientOf(Agent agent)
{
    switch (agent) {
    case Agent::ClaudeCode:
        return QStringLiteral("Claude Code");
    case Agent::Codex:
        return QStringLiteral("Codex CLI");
    case Agent::OpenCode:
        return QStringLiteral("opencode");
    case Agent::GeminiCli:
        break;
    }
    return QStringLiteral("Gemini CLI");
}

QString endpointOf(Agent agent)
{
    switch (agent) {
    case Agent::ClaudeCode:
        return QStringLiteral("/v1/messages");
    case Agent::Codex:
        return QStringLiteral("/v1/responses");
    case Agent::OpenCode:
        return QStringLiteral("/v1/chat/completions");
    case Agent::GeminiCli:
        break;
    }
    return QStringLiteral("/v1beta/models/");
}

QProcessEnvironment sluiceEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLUICE_E2E_GATEWAY_TOKEN"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_PROVIDER_KEY"), QString::fromLatin1(ProviderKey));
    return env;
}
} // namespace

Q_DECLARE_METATYPE(Agent)
Q_DECLARE_METATYPE(Expected)

// "Agents as tests": the real coding agents (Claude Code, Codex, opencode, Gemini CLI, from npm) run
// non-interactively against `sluice --headless` and the mock upstream, each on a route in its own wire format and
// on a translated one, with and without a tool round trip (the mock's scripted agent-tool model, AgentScript).
// Checked: the agent's exit status and printed answer, and Sluice's request log. docs/providers.md ("Coding
// agents") shows the same settings for users.
class TestE2eAgents : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void agent_data();
    void agent();
    // Runs after agent(): the agents' own system prompts, as the gateway observed them.
    void observedPrompts();
    void cleanupTestCase();

private:
    QByteArray config() const;
    // A fresh HOME with the agent's settings pointing at the gateway with `model`; returns the environment to
    // run it with (nothing inherited but PATH).
    QProcessEnvironment prepareHome(Agent agent, const QString &home, const QString &model) const;
    QStringList argumentsFor(Agent agent, const QString &model, bool tool) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    ListeningProcess m_mock;
    ListeningProcess m_sluice;
    QUrl m_upstream;
    QUrl m_gateway;
    QString m_dataDir;
    std::unique_ptr<RequestLogReader> m_log;
};

QByteArray TestE2eAgents::config() const
{
    const QByteArray upstream = m_upstream.toString().toUtf8();
    // Per agent, a model in its own format and a translated one, named as a user might, each once for text (a
    // recording) and once for the tool round trip (agent-tool~recording).
    struct Model
    {
        const char *name;
        const char *provider;
        const char *upstream;
    };
    static const Model models[] = {
        {"work", "recorded-anthropic", "anthropic-text"},
        {"work-agent", "recorded-anthropic", "agent-tool~anthropic-text"},
        {"deepseek", "recorded-openai", "openai-text"},
        {"deepseek-agent", "recorded-openai", "agent-tool~openai-text"},
        {"codex-local", "recorded-openai", "openai-text"},
        {"codex-local-agent", "recorded-openai", "agent-tool~openai-text"},
        {"team", "recorded-anthropic", "anthropic-text"},
        {"team-agent", "recorded-anthropic", "agent-tool~anthropic-text"},
        {"house", "recorded-openai", "openai-text"},
        {"house-agent", "recorded-openai", "agent-tool~openai-text"},
        {"office", "recorded-anthropic", "anthropic-text"},
        {"office-agent", "recorded-anthropic", "agent-tool~anthropic-text"},
        {"studio", "recorded-gemini", "google-text"},
        {"studio-agent", "recorded-gemini", "agent-tool~google-text"},
        // Gemini CLI always sends its default topK, which OpenAI's format cannot express: Sluice leaves a Gemini
        // client's top_k out (x-sluice-dropped-params says so), so default settings work.
        {"cheap", "recorded-openai", "openai-text"},
        {"cheap-agent", "recorded-openai", "agent-tool~openai-text"},
    };
    QByteArray yaml = "gateway:\n"
                      "  listen: 127.0.0.1\n"
                      "providers:\n"
        + recordedProvider("openai", upstream) + recordedProvider("anthropic", upstream)
        + recordedProvider("gemini", upstream) + "models:\n";
    for (const Model &model : models) {
        yaml += QByteArray("  - name: ") + model.name + "\n    provider: " + model.provider + "\n    upstream_model: \""
            + model.upstream + "\"\n";
    }
    yaml += "tokens:\n"
            "  - name: e2e-agents\n"
            "    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n";
    return yaml;
}

void TestE2eAgents::initTestCase()
{
    // Codex refuses to set up its helper binaries under /tmp: the agents' homes live beside the test binary.
    m_dir = std::make_unique<QTemporaryDir>(QCoreApplication::applicationDirPath() + QStringLiteral("/agents-XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_upstream = m_mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, sluiceEnvironment());
    QVERIFY2(m_upstream.isValid(), qPrintable(m_mock.output()));

    const QString configPath = m_dir->filePath(QStringLiteral("sluice.yaml"));
    m_dataDir = m_dir->filePath(QStringLiteral("data"));
    QVERIFY(writeFile(configPath, config()));
    m_gateway = startHeadlessSluice(m_sluice, configPath, m_dataDir, sluiceEnvironment());
    QVERIFY2(m_gateway.isValid(), qPrintable(m_sluice.output()));
    m_log = std::make_unique<RequestLogReader>(m_dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(m_log->open().ok());
}

void TestE2eAgents::cleanupTestCase()
{
    m_log.reset();
    QCOMPARE(m_sluice.stop(), 0);
    const QString printed = m_sluice.output();
    QVERIFY2(!printed.contains(QLatin1String(GatewayToken)), "the gateway token appeared in Sluice's output");
    QVERIFY2(!printed.contains(QLatin1String(ProviderKey)), "the provider key appeared in Sluice's output");
}

QProcessEnvironment TestE2eAgents::prepareHome(Agent agent, const QString &home, const QString &model) const
{
    const QString gateway = m_gateway.toString(QUrl::StripTrailingSlash);
    const QString token = QString::fromLatin1(GatewayToken);
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("PATH"),
               QStringLiteral(SLUICE_E2E_DIR "/node_modules/.bin:") + qEnvironmentVariable("PATH"));
    env.insert(QStringLiteral("TERM"), QStringLiteral("dumb"));
    env.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/.cache"));
    env.insert(QStringLiteral("XDG_STATE_HOME"), home + QStringLiteral("/.local/state"));
    env.insert(QStringLiteral("TMPDIR"), home + QStringLiteral("/tmp")); // Gemini CLI writes error reports there
    QDir(home).mkpath(QStringLiteral("work"));
    QDir(home).mkpath(QStringLiteral("tmp"));
    writeFile(home + QStringLiteral("/work/README.md"), "A folder for the agent to work in.\n");

    switch (agent) {
    case Agent::ClaudeCode:
        // docs/providers.md, "Claude Code".
        env.insert(QStringLiteral("ANTHROPIC_BASE_URL"), gateway);
        env.insert(QStringLiteral("ANTHROPIC_AUTH_TOKEN"), token);
        env.insert(QStringLiteral("ANTHROPIC_MODEL"), model);
        for (const auto off : {"DISABLE_TELEMETRY", "DISABLE_ERROR_REPORTING", "DISABLE_AUTOUPDATER",
                               "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY"})
            env.insert(QLatin1String(off), QStringLiteral("1"));
        break;
    case Agent::Codex: {
        // docs/providers.md, "Codex".
        QDir(home).mkpath(QStringLiteral(".codex"));
        const QByteArray toml = "model = \"" + model.toUtf8()
            + "\"\n"
              "model_provider = \"sluice\"\n"
              "check_for_update_on_startup = false\n"
              "\n"
              "[model_providers.sluice]\n"
              "name = \"Sluice\"\n"
              "base_url = \""
            + gateway.toUtf8()
            + "/v1\"\n"
              "wire_api = \"responses\"\n"
              "env_key = \"SLUICE_API_KEY\"\n"
              "\n"
              "[analytics]\n"
              "enabled = false\n"
              "\n"
              "[feedback]\n"
              "enabled = false\n";
        writeFile(home + QStringLiteral("/.codex/config.toml"), toml);
        env.insert(QStringLiteral("CODEX_HOME"), home + QStringLiteral("/.codex"));
        env.insert(QStringLiteral("SLUICE_API_KEY"), token);
        break;
    }
    case Agent::OpenCode: {
        // docs/providers.md, "opencode".
        QDir(home).mkpath(QStringLiteral(".config/opencode"));
        const QByteArray json = "{\n"
                                "  \"$schema\": \"https://opencode.ai/config.json\",\n"
                                "  \"autoupdate\": false,\n"
                                "  \"share\": \"disabled\",\n"
                                "  \"model\": \"sluice/"
            + model.toUtf8()
            + "\",\n"
              "  \"small_model\": \"sluice/"
            + model.toUtf8()
            + "\",\n"
              "  \"provider\": {\n"
              "    \"sluice\": {\n"
              "      \"npm\": \"@ai-sdk/openai-compatible\",\n"
              "      \"name\": \"Sluice\",\n"
              "      \"options\": { \"baseURL\": \""
            + gateway.toUtf8() + "/v1\", \"apiKey\": \"" + token.toUtf8()
            + "\" },\n"
              "      \"models\": { \""
            + model.toUtf8() + "\": { \"name\": \"" + model.toUtf8()
            + "\" } }\n"
              "    }\n"
              "  },\n"
              "  \"permission\": { \"bash\": \"allow\", \"edit\": \"allow\", \"webfetch\": \"deny\" }\n"
              "}\n";
        writeFile(home + QStringLiteral("/.config/opencode/opencode.json"), json);
        for (const auto off : {"OPENCODE_DISABLE_AUTOUPDATE", "OPENCODE_DISABLE_MODELS_FETCH", "OPENCODE_DISABLE_SHARE",
                               "OPENCODE_DISABLE_LSP_DOWNLOAD", "OPENCODE_DISABLE_DEFAULT_PLUGINS"})
            env.insert(QLatin1String(off), QStringLiteral("1"));
        break;
    }
    case Agent::GeminiCli: {
        // docs/providers.md, "Gemini CLI".
        QDir(home).mkpath(QStringLiteral(".gemini"));
        const QByteArray json = "{\n"
                                "  \"general\": { \"enableAutoUpdate\": false, \"enableAutoUpdateNotification\": "
                                "false, \"disableAutoUpdate\": true, \"disableUpdateNag\": true },\n"
                                "  \"privacy\": { \"usageStatisticsEnabled\": false },\n"
                                "  \"telemetry\": { \"enabled\": false },\n"
                                "  \"security\": { \"folderTrust\": { \"enabled\": false }, \"auth\": { "
                                "\"selectedType\": \"gemini-api-key\" } },\n"
                                "  \"model\": { \"name\": \""
            + model.toUtf8()
            + "\" }\n"
              "}\n";
        writeFile(home + QStringLiteral("/.gemini/settings.json"), json);
        env.insert(QStringLiteral("GOOGLE_GEMINI_BASE_URL"), gateway);
        env.insert(QStringLiteral("GEMINI_API_KEY"), token);
        env.insert(QStringLiteral("GEMINI_CLI_NO_RELAUNCH"), QStringLiteral("true"));
        break;
    }
    }
    return env;
}

QStringList TestE2eAgents::argumentsFor(Agent agent, const QString &model, bool tool) const
{
    const QString prompt = tool ? ToolPrompt : TextPrompt;
    switch (agent) {
    case Agent::ClaudeCode:
        return tool
            ? QStringList {QStringLiteral("-p"), prompt, QStringLiteral("--allowedTools"), QStringLiteral("Bash")}
            : QStringList {QStringLiteral("-p"), prompt};
    case Agent::Codex:
        return {QStringLiteral("exec"), QStringLiteral("--skip-git-repo-check"),
                QStringLiteral("--dangerously-bypass-approvals-and-sandbox"), prompt};
    case Agent::OpenCode:
        return {QStringLiteral("run"), prompt};
    case Agent::GeminiCli:
        return tool ? QStringList {QStringLiteral("-m"), model, QStringLiteral("--yolo"), QStringLiteral("-p"), prompt}
                    : QStringList {QStringLiteral("-m"), model, QStringLiteral("-p"), prompt};
    }
    return {};
}

void TestE2eAgents::agent_data()
{
    QTest::addColumn<Agent>("agent");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("provider");
    QTest::addColumn<bool>("tool");
    QTest::addColumn<Expected>("expected");

    const Expected anthropic {AnthropicStreamText, AnthropicStreamLength};
    const Expected openai {OpenAiStreamText, OpenAiStreamLength};
    const Expected google {GoogleStreamText, GoogleStreamLength};
    const QString openaiProvider = QStringLiteral("recorded-openai");
    const QString anthropicProvider = QStringLiteral("recorded-anthropic");
    const QString geminiProvider = QStringLiteral("recorded-gemini");
    struct Route
    {
        const char *row;
        Agent agent;
        const char *model;
        QString provider;
        Expected expected;
    };
    const Route routes[] = {
        {"claude-code same-format anthropic", Agent::ClaudeCode, "work", anthropicProvider, anthropic},
        {"claude-code translated openai", Agent::ClaudeCode, "deepseek", openaiProvider, openai},
        {"codex same-format openai-responses", Agent::Codex, "codex-local", openaiProvider, openai},
        {"codex translated anthropic", Agent::Codex, "team", anthropicProvider, anthropic},
        {"opencode same-format openai", Agent::OpenCode, "house", openaiProvider, openai},
        {"opencode translated anthropic", Agent::OpenCode, "office", anthropicProvider, anthropic},
        {"gemini-cli same-format gemini", Agent::GeminiCli, "studio", geminiProvider, google},
        {"gemini-cli translated openai", Agent::GeminiCli, "cheap", openaiProvider, openai},
    };
    for (const Route &route : routes) {
        for (const bool tool : {false, true}) {
            const QString model = QLatin1String(route.model) + (tool ? QStringLiteral("-agent") : QString());
            QTest::newRow(
                qPrintable(QLatin1String(route.row) + (tool ? QStringLiteral(" tool") : QStringLiteral(" text"))))
                << route.agent << model << route.provider << tool << route.expected;
        }
    }
}

void TestE2eAgents::agent()
{
    QFETCH(Agent, agent);
    QFETCH(QString, model);
    QFETCH(QString, provider);
    QFETCH(bool, tool);
    QFETCH(Expected, expected);

    const QString binary = binaryOf(agent);
    if (!QFile::exists(binary))
        QSKIP(qPrintable(binary + QStringLiteral(" is missing: run `npm ci` in tests/e2e (scripts/test.sh does)")));

    const QString home
        = m_dir->filePath(QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')));
    const QProcessEnvironment env = prepareHome(agent, home, model);
    const ProgramRun run
        = runProgram(binary, argumentsFor(agent, model, tool), env, home + QStringLiteral("/work"), AgentTimeoutS);
    const QString out = QString::fromUtf8(run.out).trimmed();
    const QString report = QStringLiteral("exit %1 after %2 ms%3\n--- stdout:\n%4\n--- stderr (end):\n%5")
                               .arg(run.exitCode)
                               .arg(run.elapsedMs)
                               .arg(run.timedOut ? QStringLiteral(" (timed out)") : QString())
                               .arg(out.left(2000), QString::fromUtf8(run.err.right(3000)));
    qInfo("%s: %s ran in %lld ms", QTest::currentDataTag(), qPrintable(QFileInfo(binary).fileName()),
          qlonglong(run.elapsedMs));
    QVERIFY2(run.exitCode == 0, qPrintable(report));

    // The agent printed the recording's answer, whole.
    QVERIFY2(isRecordedText(out, expected.text, expected.length), qPrintable(report));

    // The request log: every request for the model answered 200 by the expected provider, with tokens; with the
    // tool, a later request carries the command's output back.
    // (opencode asks for a session title first.)
    const int requestCount = (tool ? 2 : 1) + (agent == Agent::OpenCode ? 1 : 0);
    const RequestRecords records = loggedRequests(*m_log, model, requestCount);
    QVERIFY2(records.size() >= requestCount,
             qPrintable(QStringLiteral("%1 requests logged, %2 expected").arg(records.size()).arg(requestCount)));
    int withToolOutput = 0;
    for (const RequestRecord &record : records) {
        const QString what
            = record.endpoint + QLatin1Char(' ') + record.requestedModel + QStringLiteral(": ") + record.errorMessage;
        QCOMPARE(record.requestedModel, model);
        QVERIFY2(record.httpStatus == 200, qPrintable(what));
        QVERIFY2(record.endpoint.startsWith(endpointOf(agent)), qPrintable(what));
        QCOMPARE(record.tokenName, QStringLiteral("e2e-agents"));
        QCOMPARE(record.client, clientOf(agent)); // recognised from what the agent sends
        QCOMPARE(record.provider, provider);
        QVERIFY2(record.inputTokens > 0, qPrintable(what));
        QVERIFY2(record.outputTokens > 0, qPrintable(what));
        // Priced: the upstream names are recordings' names, which no catalog knows, so the price comes from the
        // model the answer says served it (the recording's, on the mock's tool-call turns too).
        QVERIFY2(record.costStatus == QLatin1String(CostStatus::Exact) && record.costUsd > 0,
                 qPrintable(what
                            + QStringLiteral(" cost %1 (%2), served by '%3'")
                                  .arg(record.costUsd)
                                  .arg(record.costStatus, record.servedModel)));
        if (record.requestBody.contains(AgentScript::Output))
            ++withToolOutput;
    }
    if (tool) {
        QVERIFY2(!records.constFirst().requestBody.contains(AgentScript::Output),
                 "the first request already carries the tool's output");
        QVERIFY2(withToolOutput >= 1,
                 qPrintable(QStringLiteral("no request carried the tool's output (sluice-tool-42) back; %1 "
                                           "requests, the last one's body (%2 bytes%3):\n%4")
                                .arg(records.size())
                                .arg(records.constLast().requestBody.size())
                                .arg(records.constLast().bodiesTruncated ? QStringLiteral(", truncated") : QString())
                                .arg(QString::fromUtf8(records.constLast().requestBody.right(2000)))));
    } else {
        QCOMPARE(withToolOutput, 0);
    }
}

// Each agent ran several times above, in its own format and translated, each run with another HOME (so other paths),
// another model name (which Claude Code and opencode paste into their prompts) and another date-free moment. The
// gateway fingerprints each request's system prompt and tool list: per agent and mode, all those runs must be one
// observed prompt version (per-call noise normalised away), kept with the client's name and its requests.
void TestE2eAgents::observedPrompts()
{
    struct Pair
    {
        Agent agent;
        const char *client; // the User-Agent's product name, as the observed prompt names the client
        QString a; // two runs that differ only in per-call noise
        QString b;
    };
    const QList<Pair> pairs = {
        {Agent::ClaudeCode, "claude-cli", QStringLiteral("work"), QStringLiteral("deepseek")},
        {Agent::ClaudeCode, "claude-cli", QStringLiteral("work-agent"), QStringLiteral("deepseek-agent")},
        {Agent::Codex, "codex", QStringLiteral("codex-local"), QStringLiteral("team")},
        {Agent::Codex, "codex", QStringLiteral("codex-local-agent"), QStringLiteral("team-agent")},
        {Agent::OpenCode, "opencode", QStringLiteral("house"), QStringLiteral("office")},
        {Agent::OpenCode, "opencode", QStringLiteral("house-agent"), QStringLiteral("office-agent")},
        {Agent::GeminiCli, "GeminiCLI", QStringLiteral("studio"), QStringLiteral("cheap")},
        {Agent::GeminiCli, "GeminiCLI", QStringLiteral("studio-agent"), QStringLiteral("cheap-agent")},
    };
    PromptStore store;
    QVERIFY(store.open(m_dataDir + QStringLiteral("/sluice.db"), SqliteConnection::Mode::ReadOnly).ok());
    const Result<QList<ObservedPromptVersion>> observed = store.observed();
    QVERIFY2(observed.ok(), qPrintable(observed.errorMessage()));
    QHash<QString, ObservedPromptVersion> byFingerprint;
    for (const ObservedPromptVersion &version : observed.value())
        byFingerprint.insert(version.fingerprint, version);
    int checked = 0;
    for (const Pair &pair : pairs) {
        if (!QFile::exists(binaryOf(pair.agent)))
            continue;
        QHash<QString, qsizetype> requestCount; // per model, how many requests were logged when last read
        const auto fingerprints = [&](const QString &model) {
            QSet<QString> found;
            const RequestRecords records = loggedRequests(*m_log, model, int(requestCount.value(model)) + 1);
            requestCount.insert(model, records.size());
            for (const RequestRecord &record : records)
                found.insert(record.observedPrompt);
            return found;
        };
        QSet<QString> a = fingerprints(pair.a);
        QSet<QString> b = fingerprints(pair.b);
        QVERIFY2(!a.isEmpty() && !a.contains(QString()), qPrintable(pair.a + QStringLiteral(": no observed prompt")));
        if (a != b) {
            // What the agent changed between the two runs, for the log: the lines only one version has.
            const auto lines = [&byFingerprint](const QSet<QString> &versions) {
                QSet<QString> all;
                for (const QString &fingerprint : versions) {
                    const QStringList text = byFingerprint.value(fingerprint).systemText.split(QLatin1Char('\n'))
                        + byFingerprint.value(fingerprint).tools;
                    all.unite(QSet<QString>(text.begin(), text.end()));
                }
                return all;
            };
            const QSet<QString> linesA = lines(a);
            const QSet<QString> linesB = lines(b);
            for (const QString &line : linesA - linesB)
                qWarning().noquote() << pair.a << "only:" << line.left(300);
            for (const QString &line : linesB - linesA)
                qWarning().noquote() << pair.b << "only:" << line.left(300);
            // An agent may itself send another prompt now and then (Gemini CLI's first run on a loaded machine
            // once listed what it had finished loading differently). Both run once more, each with a new HOME:
            // if Sluice's normalisation works, the runs share a version; if per-call noise leaked into the
            // fingerprint, every run is a version of its own and this still fails.
            const bool tool = pair.a.endsWith(QLatin1String("-agent"));
            for (const QString &model : {pair.a, pair.b}) {
                const QString home = m_dir->filePath(model + QStringLiteral("-again"));
                const ProgramRun run
                    = runProgram(binaryOf(pair.agent), argumentsFor(pair.agent, model, tool),
                                 prepareHome(pair.agent, home, model), home + QStringLiteral("/work"), AgentTimeoutS);
                QVERIFY2(run.exitCode == 0,
                         qPrintable(model + QStringLiteral(": ") + QString::fromUtf8(run.err.right(2000))));
            }
            const Result<QList<ObservedPromptVersion>> again = store.observed();
            QVERIFY2(again.ok(), qPrintable(again.errorMessage()));
            for (const ObservedPromptVersion &version : again.value())
                byFingerprint.insert(version.fingerprint, version);
            a = fingerprints(pair.a);
            b = fingerprints(pair.b);
        }
        const QSet<QString> shared = a & b;
        QVERIFY2(!shared.isEmpty(),
                 qPrintable(QStringLiteral("%1 and %2 were seen as different prompt versions (%3 / %4)")
                                .arg(pair.a, pair.b, QStringList(a.begin(), a.end()).join(QLatin1Char(',')),
                                     QStringList(b.begin(), b.end()).join(QLatin1Char(',')))));
        for (const QString &fingerprint : shared) {
            QVERIFY2(byFingerprint.contains(fingerprint), qPrintable(fingerprint + QStringLiteral(" was not kept")));
            const ObservedPromptVersion &version = byFingerprint.value(fingerprint);
            QVERIFY2(version.client.startsWith(QLatin1String(pair.client)), qPrintable(version.client));
            QVERIFY2(version.systemText.size() > 200 || !version.tools.isEmpty(), qPrintable(version.promptKey));
            QVERIFY(!version.systemText.contains(m_dir->path())); // paths are normalised away
            QVERIFY2(version.stats.requests >= 2, qPrintable(version.promptKey)); // both runs count
            QVERIFY(version.stats.costUsd > 0);
        }
        ++checked;
    }
    if (checked == 0)
        QSKIP("no agent is installed: run `npm ci` in tests/e2e (scripts/test.sh does)");
}

QTEST_GUILESS_MAIN(TestE2eAgents)
#include "tst_e2e_agents.moc"
