#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "clients/AiderWriter.h"
#include "clients/ClaudeCodeWriter.h"
#include "clients/ClientSetup.h"
#include "clients/CodexWriter.h"
#include "clients/ContinueWriter.h"
#include "clients/GeminiCliWriter.h"
#include "clients/JsoncText.h"
#include "clients/OpencodeWriter.h"
#include "clients/ZedWriter.h"

using namespace sluice;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

ClientEndpoint endpoint()
{
    ClientEndpoint e;
    e.port = 7555;
    e.token = QStringLiteral("sk-sluice-test");
    e.models = {QStringLiteral("work"), QStringLiteral("cheap")};
    return e;
}

const QByteArray claudeSample
    = "{\n"
      "  \"permissions\": { \"allow\": [\"Bash(npm run test:*)\"], \"deny\": [\"Read(./.env)\"]\n"
      "}\n"
      ", \"hooks\" : {\"PostToolUse\" : [ {\"matcher\" : \"Edit\", \"hooks\" : [ {\"type\" : \"command\", \"command\" "
      ": \"prettier -w\"} ]} ]},\n"
      "            \"env\" : {\"BASH_DEFAULT_TIMEOUT_MS\" : \"60000\"},\n"
      "                    \"mcpServers\":\n"
      "{\n"
      "    \"docs\":\n"
      "    {\n"
      "        \"command\" : \"npx\", \"args\" : [ \"-y\", \"docs-mcp\" ]\n"
      "    }\n"
      "}\n"
      "}\n";

const QByteArray codexSample
    = "# Codex settings\r\nmodel = \"o3\"  # the default\r\nmodel_provider = \"openai\"\r\n"
      "notify = [\r\n  \"notify-send\",\r\n  \"[codex]\",\r\n]\r\n\r\n"
      "[mcp_servers.docs]\r\ncommand = \"npx\"\r\nargs = [\"-y\", \"docs-mcp\"]\r\n\r\n"
      "[model_providers.ollama]\r\nname = \"Ollama\"\r\nbase_url = \"http://localhost:11434/v1\"\r\n"
      "\r\n[profiles.fast]\r\nmodel_provider = \"ollama\"\r\ninstructions = \"\"\"\r\n[not a table]\r\n\"\"\"\r\n";

const QByteArray opencodeSample
    = "{\n"
      "  \"$schema\": \"https://opencode.ai/config.json\",\n"
      "  \"theme\": \"tokyonight\",\n"
      "  \"mcp\": { \"docs\": { \"type\": \"local\", \"command\": [\"npx\", \"-y\", \"docs-mcp\"] } },\n"
      "  \"provider\": { \"ollama\": { \"npm\": \"@ai-sdk/openai-compatible\", \"options\": { \"baseURL\": "
      "\"http://localhost:11434/v1\" },\n"
      "                            \"models\": { \"llama3\": {} } } }\n"
      "}\n";

const QByteArray geminiSample
    = "{ \"mcpServers\": { \"docs\": { \"command\": \"npx\" } }, \"ui\": { \"theme\": \"GitHub\" },\n"
      "  \"security\": { \"folderTrust\": { \"enabled\": true }, \"auth\": { \"selectedType\": \"oauth-personal\" } } "
      "}";

// Shaped like the files Continue's docs and users show: other models (one of them Ollama), context providers,
// rules, an MCP server, comments.
const QByteArray continueSample = "name: My Config   # shown in the IDE\n"
                                  "version: 0.0.1\n"
                                  "schema: v1\n"
                                  "\n"
                                  "models:\n"
                                  "  # the local one for autocomplete\n"
                                  "  - name: Qwen Coder\n"
                                  "    provider: ollama\n"
                                  "    model: qwen2.5-coder:1.5b\n"
                                  "    roles:\n"
                                  "      - autocomplete\n"
                                  "  - name: Claude\n"
                                  "    provider: anthropic\n"
                                  "    model: claude-sonnet-4\n"
                                  "    apiKey: ${{ secrets.ANTHROPIC_API_KEY }}\n"
                                  "\n"
                                  "context:\n"
                                  "  - provider: code\n"
                                  "  - provider: diff\n"
                                  "rules:\n"
                                  "  - Always write tests\n"
                                  "mcpServers:\n"
                                  "  - name: docs\n"
                                  "    command: npx\n"
                                  "    args: [\"-y\", \"docs-mcp\"]\n";

// Shaped like Aider's sample .aider.conf.yml: commented-out options, a few set ones, a list.
const QByteArray aiderSample = "##########################################################\n"
                               "# Sample .aider.conf.yml\n"
                               "##########################################################\n"
                               "\n"
                               "## Specify the model to use for the main chat\n"
                               "#model: xxx\n"
                               "\n"
                               "## Use dark mode colors\n"
                               "dark-mode: true\n"
                               "\n"
                               "## Specify a file to edit (can be used multiple times)\n"
                               "read:\n"
                               "  - CONVENTIONS.md\n"
                               "  - docs/style.md\n"
                               "auto-commits: false   # I commit myself\n"
                               "openai-api-base: https://api.openai.com/v1\n";

// Zed's settings as Zed writes them: comments (its own header, the user's), trailing commas, other providers.
const QByteArray zedSample
    = "// Zed settings\n"
      "//\n"
      "// For information on how to configure Zed, see the Zed\n"
      "// documentation: https://zed.dev/docs/configuring-zed\n"
      "{\n"
      "  \"theme\": \"One Dark\", // my theme\n"
      "  \"vim_mode\": true,\n"
      "  \"language_models\": {\n"
      "    \"ollama\": { \"api_url\": \"http://localhost:11434\" },\n"
      "  },\n"
      "  /* the agent */\n"
      "  \"agent\": { \"default_model\": { \"provider\": \"zed.dev\", \"model\": \"claude-sonnet-4\" } },\n"
      "}\n";

} // namespace

class TstClientSetup : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;

private slots:
    void init()
    {
        QVERIFY(m_home.isValid());
        // Never the real home: every client path is under the temporary folder.
        qputenv("HOME", m_home.path().toUtf8());
        qputenv("XDG_CONFIG_HOME", (m_home.path() + QStringLiteral("/.config")).toUtf8());
        qunsetenv("CODEX_HOME");
        QDir(m_home.path()).removeRecursively();
        QDir().mkpath(m_home.path());
    }

    void paths()
    {
        QCOMPARE(ClaudeCodeWriter().configPath(), m_home.path() + QStringLiteral("/.claude/settings.json"));
        QCOMPARE(OpencodeWriter().configPath(), m_home.path() + QStringLiteral("/.config/opencode/opencode.json"));
        qputenv("CODEX_HOME", (m_home.path() + QStringLiteral("/cx")).toUtf8());
        QCOMPARE(CodexWriter().configPath(), m_home.path() + QStringLiteral("/cx/config.toml"));
        qunsetenv("CODEX_HOME");
    }

    void claudeMergeKeepsSettings()
    {
        ClaudeCodeWriter writer;
        ClientEndpoint e = endpoint();
        e.model = QStringLiteral("work");
        const Result<QByteArray> merged = writer.merge(claudeSample, e);
        QVERIFY2(merged, qPrintable(merged.errorMessage()));
        const QJsonObject settings = QJsonDocument::fromJson(*merged).object();
        const QJsonObject env = settings.value(QStringLiteral("env")).toObject();
        QCOMPARE(env.value(QStringLiteral("ANTHROPIC_BASE_URL")).toString(), QStringLiteral("http://127.0.0.1:7555"));
        QCOMPARE(env.value(QStringLiteral("ANTHROPIC_AUTH_TOKEN")).toString(), QStringLiteral("sk-sluice-test"));
        QCOMPARE(env.value(QStringLiteral("ANTHROPIC_MODEL")).toString(), QStringLiteral("work"));
        QCOMPARE(env.value(QStringLiteral("BASH_DEFAULT_TIMEOUT_MS")).toString(), QStringLiteral("60000"));
        const QJsonObject original = QJsonDocument::fromJson(claudeSample).object();
        for (const QString &key :
             {QStringLiteral("permissions"), QStringLiteral("hooks"), QStringLiteral("mcpServers")})
            QCOMPARE(settings.value(key), original.value(key));
        QCOMPARE(writer.existingSecret(*merged), QStringLiteral("sk-sluice-test"));
    }

    void codexEditsOnlyItsLines()
    {
        CodexWriter writer;
        const Result<QByteArray> merged = writer.merge(codexSample, endpoint());
        QVERIFY2(merged, qPrintable(merged.errorMessage()));
        QByteArray expected = codexSample;
        expected.replace("model_provider = \"openai\"\r\n", "model_provider = \"sluice\"\r\n");
        expected.append(
            "\r\n[model_providers.sluice]\r\nname = \"Sluice\"\r\nbase_url = \"http://127.0.0.1:7555/v1\"\r\n"
            "wire_api = \"responses\"\r\nenv_key = \"SLUICE_API_KEY\"\r\n");
        QCOMPARE(*merged, expected);
        QVERIFY(!merged->contains("sk-sluice-test")); // Codex reads the token from the environment
        // Merging again changes nothing; a present table has its keys replaced in place, others kept.
        QCOMPARE(*writer.merge(*merged, endpoint()), *merged);
        const QByteArray partial
            = "[model_providers.sluice]\nbase_url = \"http://old:1/v1\" # old\nquery_params = {}\n";
        const QByteArray edited = *writer.merge(partial, endpoint());
        QCOMPARE(edited,
                 QByteArray("model_provider = \"sluice\"\n[model_providers.sluice]\nbase_url = "
                            "\"http://127.0.0.1:7555/v1\"\nquery_params = {}\nname = \"Sluice\"\nwire_api = "
                            "\"responses\"\nenv_key = \"SLUICE_API_KEY\"\n"));
    }

    void codexRefusesWhatItCannotEdit_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("unclosed string") << QByteArray("model = \"o3\n") << QStringLiteral("line 1");
        QTest::newRow("unclosed array") << QByteArray("a = [\n1,\n") << QStringLiteral("not closed");
        QTest::newRow("garbage") << QByteArray("model = 1\nthis is not toml\n") << QStringLiteral("line 2");
        QTest::newRow("dotted") << QByteArray("model_providers.sluice.base_url = \"x\"\n")
                                << QStringLiteral("dotted key");
        QTest::newRow("inline") << QByteArray("[model_providers]\nsluice = { base_url = \"x\" }\n")
                                << QStringLiteral("inline table");
    }

    void codexRefusesWhatItCannotEdit()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        const Result<QByteArray> merged = CodexWriter().merge(text, endpoint());
        QVERIFY(!merged);
        QVERIFY2(merged.errorMessage().contains(message), qPrintable(merged.errorMessage()));
        QVERIFY(merged.errorMessage().contains(QStringLiteral("left as it is")));
    }

    void opencodeMergeKeepsProviders()
    {
        OpencodeWriter writer;
        const Result<QByteArray> merged = writer.merge(opencodeSample, endpoint());
        QVERIFY2(merged, qPrintable(merged.errorMessage()));
        const QJsonObject settings = QJsonDocument::fromJson(*merged).object();
        const QJsonObject original = QJsonDocument::fromJson(opencodeSample).object();
        QCOMPARE(settings.value(QStringLiteral("mcp")), original.value(QStringLiteral("mcp")));
        QCOMPARE(settings.value(QStringLiteral("theme")), original.value(QStringLiteral("theme")));
        const QJsonObject providers = settings.value(QStringLiteral("provider")).toObject();
        QCOMPARE(providers.value(QStringLiteral("ollama")),
                 original.value(QStringLiteral("provider")).toObject().value(QStringLiteral("ollama")));
        const QJsonObject sluice = providers.value(QStringLiteral("sluice")).toObject();
        QCOMPARE(sluice.value(QStringLiteral("npm")).toString(), QStringLiteral("@ai-sdk/openai-compatible"));
        QCOMPARE(sluice.value(QStringLiteral("options")).toObject().value(QStringLiteral("baseURL")).toString(),
                 QStringLiteral("http://127.0.0.1:7555/v1"));
        QCOMPARE(sluice.value(QStringLiteral("models")).toObject().keys(),
                 QStringList({QStringLiteral("cheap"), QStringLiteral("work")}));
        QCOMPARE(writer.existingSecret(*merged), QStringLiteral("sk-sluice-test"));
        QVERIFY(!settings.contains(QStringLiteral("model")));
    }

    void geminiMergeKeepsSettings()
    {
        const Result<QByteArray> merged = GeminiCliWriter().merge(geminiSample, endpoint());
        QVERIFY2(merged, qPrintable(merged.errorMessage()));
        const QJsonObject settings = QJsonDocument::fromJson(*merged).object();
        const QJsonObject security = settings.value(QStringLiteral("security")).toObject();
        QCOMPARE(security.value(QStringLiteral("auth")).toObject().value(QStringLiteral("selectedType")).toString(),
                 QStringLiteral("gemini-api-key"));
        QCOMPARE(security.value(QStringLiteral("folderTrust")).toObject().value(QStringLiteral("enabled")).toBool(),
                 true);
        QVERIFY(settings.contains(QStringLiteral("mcpServers")));
        QVERIFY(!merged->contains("sk-sluice-test"));
        QVERIFY(GeminiCliWriter()
                    .environmentLines(endpoint())
                    .contains(QStringLiteral("export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:7555")));
    }

    void malformedJsonIsRefusedAndLeftAlone()
    {
        const QString path = ClaudeCodeWriter().configPath();
        const QByteArray broken = "{\n  \"env\": { \"A\": 1 },\n  // a comment\n}\n";
        writeFile(path, broken);
        const Result<ClientFileChange> change = ClientSetup::plan(ClaudeCodeWriter(), endpoint());
        QVERIFY(!change);
        QVERIFY2(change.errorMessage().contains(QStringLiteral("not valid JSON (line 3")),
                 qPrintable(change.errorMessage()));
        QCOMPARE(readAll(path), broken);
        const Result<QByteArray> notObject = OpencodeWriter().merge(QByteArray("{\"provider\": []}"), endpoint());
        QVERIFY(!notObject);
        QVERIFY(notObject.errorMessage().contains(QStringLiteral("\"provider\" is not an object")));
    }

    void continueMergeKeepsTheUsersModels()
    {
        const ContinueWriter writer;
        QCOMPARE(writer.configPath(), m_home.path() + QStringLiteral("/.continue/config.yaml"));
        ClientEndpoint e = endpoint();
        e.model = QStringLiteral("cheap");
        const Result<QByteArray> merged = writer.merge(continueSample, e);
        QVERIFY2(merged, qPrintable(merged.errorMessage()));
        // Every line of the user's file is still there, in order, with Sluice's entries added to models:.
        QVERIFY(merged->startsWith(continueSample.left(continueSample.indexOf("\ncontext:"))));
        QVERIFY(merged->contains(continueSample.mid(continueSample.indexOf("\ncontext:"))));
        QVERIFY(merged->contains("  - name: cheap (Sluice)\n    provider: openai\n    model: cheap\n"
                                 "    apiBase: http://127.0.0.1:7555/v1\n    apiKey: sk-sluice-test\n"
                                 "  - name: work (Sluice)\n"));
        QCOMPARE(writer.existingSecret(*merged), QStringLiteral("sk-sluice-test"));
        // A second set-up updates the same entries instead of adding more.
        ClientEndpoint moved = e;
        moved.port = 9999;
        const Result<QByteArray> again = writer.merge(*merged, moved);
        QVERIFY(again);
        QCOMPARE(again->count("(Sluice)"), 2);
        QCOMPARE(again->count("http://127.0.0.1:9999/v1"), 2);
        QVERIFY(!again->contains("7555"));
        // A new file gets Continue's header.
        const Result<QByteArray> fresh = writer.merge(std::nullopt, e);
        QVERIFY(fresh && fresh->startsWith("name: Local Config\nversion: 1.0.0\nschema: v1\n"));
        // A file that is not YAML is refused and left alone.
        QVERIFY(!writer.merge(QByteArray("models: [\n"), e));
    }

    void aiderMergeKeepsOptions()
    {
        const AiderWriter writer;
        QCOMPARE(writer.configPath(), m_home.path() + QStringLiteral("/.aider.conf.yml"));
        const Result<QByteArray> merged = writer.merge(aiderSample, endpoint());
        QVERIFY2(merged, qPrintable(merged.errorMessage()));
        QByteArray expected = aiderSample;
        expected.replace("openai-api-base: https://api.openai.com/v1\n",
                         "openai-api-base: http://127.0.0.1:7555/v1\nopenai-api-key: sk-sluice-test\n"
                         "model: openai/work\n");
        QCOMPARE(*merged, expected);
        QCOMPARE(writer.existingSecret(*merged), QStringLiteral("sk-sluice-test"));
        // A model the user chose for another provider stays, with a warning; --model replaces it.
        const QByteArray own = "model: sonnet\n";
        QVERIFY(writer.merge(own, endpoint())->startsWith("model: sonnet\n"));
        QVERIFY(!writer.warnings(own).isEmpty());
        ClientEndpoint chosen = endpoint();
        chosen.model = QStringLiteral("cheap");
        QVERIFY(writer.merge(own, chosen)->startsWith("model: openai/cheap\n"));
    }

    void zedMergeKeepsCommentsAndSettings()
    {
        const ZedWriter writer;
        QCOMPARE(writer.configPath(), m_home.path() + QStringLiteral("/.config/zed/settings.json"));
        ClientEndpoint e = endpoint();
        e.model = QStringLiteral("work");
        const Result<QByteArray> merged = writer.merge(zedSample, e);
        QVERIFY2(merged, qPrintable(merged.errorMessage()));
        // Every comment and setting is still there, byte for byte, in order.
        for (const char *kept : {"// Zed settings\n//\n// For information", "\"theme\": \"One Dark\", // my theme\n",
                                 "\"vim_mode\": true,\n", "\"ollama\": { \"api_url\": \"http://localhost:11434\" },\n",
                                 "/* the agent */\n"})
            QVERIFY2(merged->contains(kept), kept);
        const Result<JsoncText> parsed = JsoncText::parse(*merged, QStringLiteral("settings.json"));
        QVERIFY2(parsed, merged->constData());
        const QJsonObject sluice = parsed->json()
                                       .value(QStringLiteral("language_models"))
                                       .toObject()
                                       .value(QStringLiteral("openai_compatible"))
                                       .toObject()
                                       .value(QStringLiteral("Sluice"))
                                       .toObject();
        QCOMPARE(sluice.value(QStringLiteral("api_url")).toString(), QStringLiteral("http://127.0.0.1:7555/v1"));
        QCOMPARE(sluice.value(QStringLiteral("available_models")).toArray().size(), 2);
        QVERIFY(parsed->json().value(QStringLiteral("language_models")).toObject().contains(QStringLiteral("ollama")));
        QCOMPARE(parsed->json()
                     .value(QStringLiteral("agent"))
                     .toObject()
                     .value(QStringLiteral("default_model"))
                     .toObject()
                     .value(QStringLiteral("provider"))
                     .toString(),
                 QStringLiteral("Sluice"));
        QVERIFY(!merged->contains("sk-sluice-test")); // the token stays in the environment
        QCOMPARE(writer.environmentLines(e), QStringList {QStringLiteral("export SLUICE_API_KEY=sk-sluice-test")});
        // Setting up again changes nothing; a file that is not JSON is refused and left alone.
        QCOMPARE(writer.merge(*merged, e).value(), *merged);
        QVERIFY(!writer.merge(QByteArray("{ \"theme\": }"), e));
        // No file yet: one with just Sluice.
        const Result<QByteArray> fresh = writer.merge(std::nullopt, endpoint());
        QVERIFY(fresh && JsoncText::parse(*fresh, QStringLiteral("s")).ok());
        QVERIFY(fresh->contains("\"openai_compatible\""));
    }

    void applyAndUndoAreByteIdentical_data()
    {
        QTest::addColumn<QString>("client");
        QTest::addColumn<QByteArray>("original");
        QTest::newRow("claude-code") << QStringLiteral("claude-code") << claudeSample;
        QTest::newRow("codex") << QStringLiteral("codex") << codexSample;
        QTest::newRow("gemini-cli") << QStringLiteral("gemini-cli") << geminiSample;
        QTest::newRow("opencode") << QStringLiteral("opencode") << opencodeSample;
        QTest::newRow("continue") << QStringLiteral("continue") << continueSample;
        QTest::newRow("aider") << QStringLiteral("aider") << aiderSample;
        QTest::newRow("zed") << QStringLiteral("zed") << zedSample;
    }

    void applyAndUndoAreByteIdentical()
    {
        QFETCH(QString, client);
        QFETCH(QByteArray, original);
        const auto writer = ClientConfigWriter::find(client);
        QVERIFY(writer);
        const QString path = writer->configPath();
        writeFile(path, original);

        // Planning (what --dry-run prints) writes nothing.
        const Result<ClientFileChange> change = ClientSetup::plan(*writer, endpoint());
        QVERIFY2(change, qPrintable(change.errorMessage()));
        QVERIFY(change->changes());
        QCOMPARE(readAll(path), original);
        QVERIFY(!QFile::exists(ClientSetup::backupPath(path)));
        const QString diff = ClientSetup::diff(*change, endpoint().token, QStringLiteral("<token>"));
        QVERIFY(diff.startsWith(QStringLiteral("--- ") + path));
        QVERIFY(!diff.contains(endpoint().token));

        QVERIFY(ClientSetup::apply(*change));
        QCOMPARE(readAll(path), *change->after);
        QCOMPARE(readAll(ClientSetup::backupPath(path)), original);
        // A second set-up keeps the first backup.
        ClientEndpoint other = endpoint();
        other.port = 9999;
        const Result<ClientFileChange> again = ClientSetup::plan(*writer, other);
        QVERIFY(again && ClientSetup::apply(*again));
        QCOMPARE(readAll(ClientSetup::backupPath(path)), original);

        const Result<ClientFileChange> undo = ClientSetup::planUndo(path);
        QVERIFY2(undo, qPrintable(undo.errorMessage()));
        QVERIFY(readAll(path) != original); // planning the undo changes nothing
        QVERIFY(ClientSetup::applyUndo(*undo));
        QCOMPARE(readAll(path), original);
        QVERIFY(!QFile::exists(ClientSetup::backupPath(path)));
        QVERIFY(!ClientSetup::planUndo(path));
    }

    void missingFileIsCreatedAndUndoRemovesIt()
    {
        for (const auto &writer : ClientConfigWriter::all()) {
            const QString path = writer->configPath();
            QVERIFY(!QFile::exists(path));
            const Result<ClientFileChange> change = ClientSetup::plan(*writer, endpoint());
            QVERIFY2(change, qPrintable(change.errorMessage()));
            QVERIFY(!change->before);
            QVERIFY(ClientSetup::apply(*change));
            QVERIFY(QFile::exists(path));
            QCOMPARE(QFile::permissions(path) & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());
            const Result<ClientFileChange> undo = ClientSetup::planUndo(path);
            QVERIFY(undo && !undo->after);
            QVERIFY(ClientSetup::applyUndo(*undo));
            QVERIFY(!QFile::exists(path));
            QVERIFY(!QFile::exists(ClientSetup::createdMarkerPath(path)));
        }
    }
};

QTEST_GUILESS_MAIN(TstClientSetup)
#include "tst_clientsetup.moc"
