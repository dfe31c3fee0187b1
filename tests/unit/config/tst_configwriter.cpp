#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "config/ConfigLoader.h"
#include "config/ConfigWriter.h"
#include "config/DefaultConfig.h"
#include "config/YamlText.h"

using namespace sluice;

namespace {

struct DocConfig
{
    QString name;
    QByteArray text;
};

// The example config and every ```yaml block of the docs that is a whole config (it loads).
QList<DocConfig> docConfigs()
{
    QList<DocConfig> configs;
    QFile example(QStringLiteral(SLUICE_DOCS_DIR "/sluice.example.yaml"));
    if (example.open(QIODevice::ReadOnly))
        configs.append({QStringLiteral("sluice.example.yaml"), example.readAll()});
    const QDir docs(QStringLiteral(SLUICE_DOCS_DIR));
    for (const QString &name : docs.entryList({QStringLiteral("*.md")}, QDir::Files, QDir::Name)) {
        QFile file(docs.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = file.readAll();
        int block = 0;
        for (qsizetype start = text.indexOf("```yaml\n"); start >= 0; start = text.indexOf("```yaml\n", start + 1)) {
            const qsizetype end = text.indexOf("```", start + 8);
            const QByteArray yaml = text.mid(start + 8, end - start - 8);
            ++block;
            if (ConfigLoader::loadString(yaml, name).ok())
                configs.append({name + QStringLiteral(" block ") + QString::number(block), yaml});
        }
    }
    return configs;
}

QStringList commentLines(const QByteArray &text)
{
    QStringList comments;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype hash = line.indexOf('#');
        if (hash >= 0)
            comments.append(QString::fromUtf8(line.mid(hash)));
    }
    return comments;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

ProviderEntry addedProvider()
{
    return {QStringLiteral("added"), QStringLiteral("openai"), QStringLiteral("https://api.example.com/v1"),
            SecretRef::parse(QStringLiteral("keychain:added"))};
}

} // namespace

class TestConfigWriter : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void docConfigsAreFound();
    void parseAndTextRoundTripByteForByte_data();
    void parseAndTextRoundTripByteForByte();
    void addThenRemoveRestoresTheFile_data();
    void addThenRemoveRestoresTheFile();
    void changingAFieldKeepsItsComment();
    void removingAnEntryTakesItsCommentAlong();
    void invalidChangeIsNotWritten();
    void fileChangedMeanwhileIsNotOverwritten();
    void missingFileStartsFromTheDefaultConfig();
    void emptyAndIndentlessLists();
    void flowStyleIsReportedNotMangled();
    void providerInUseIsNotRemoved();
    void duplicateAndUnknownAreRefused();
    void scalarsReadBackAsTheSameText_data();
    void scalarsReadBackAsTheSameText();
    void setValueAddsAndReplaces();
    void deploymentsAreAddedToAModel();
    void guardrailRulesAreAddedEditedAndRemoved();
    void guardrailRuleProblemsAreTheLoadersAtTheField();
    void guardrailRuleGoesWhereverTheSectionStands_data();
    void guardrailRuleGoesWhereverTheSectionStands();
};

void TestConfigWriter::deploymentsAreAddedToAModel()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
    const QByteArray start = "providers:\n"
                             "  - {name: openai, type: openai}\n"
                             "  - {name: azure, type: openai, base_url: https://azure.example.com/v1}\n"
                             "  - {name: router, type: openrouter}\n"
                             "models:\n"
                             "  - name: smart   # the one I use\n"
                             "    provider: openai\n"
                             "    upstream_model: gpt-4.1\n"
                             "    fallbacks: [cheap]   # when it fails\n"
                             "  - name: cheap\n"
                             "    deployments:\n"
                             "      # the usual one\n"
                             "      - provider: openai\n"
                             "        model: gpt-4.1-mini\n"
                             "        weight: 3\n"
                             "    balance: weighted\n";
    QVERIFY(writeAll(path, start));
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    QVERIFY(writer.ok());
    // The short form becomes a list; a block list gets one more item at its items' indentation.
    QVERIFY(
        writer.value().addDeployment(QStringLiteral("smart"), QStringLiteral("azure"), QStringLiteral("gpt-4.1")).ok());
    QVERIFY(writer.value()
                .addDeployment(QStringLiteral("cheap"), QStringLiteral("router"), QStringLiteral("openai/gpt-4.1-mini"))
                .ok());
    // And a one-line list gets it before its bracket; a name with a comma is quoted.
    QVERIFY(
        writer.value().addDeployment(QStringLiteral("smart"), QStringLiteral("router"), QStringLiteral("a,b")).ok());
    const Result<Config> saved = writer.value().save();
    QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));
    QCOMPARE(readAll(path),
             QByteArray("providers:\n"
                        "  - {name: openai, type: openai}\n"
                        "  - {name: azure, type: openai, base_url: https://azure.example.com/v1}\n"
                        "  - {name: router, type: openrouter}\n"
                        "models:\n"
                        "  - name: smart   # the one I use\n"
                        "    fallbacks: [cheap]   # when it fails\n"
                        "    deployments: [{provider: openai, model: gpt-4.1}, {provider: azure, model: gpt-4.1}, "
                        "{provider: router, model: \"a,b\"}]\n"
                        "  - name: cheap\n"
                        "    deployments:\n"
                        "      # the usual one\n"
                        "      - provider: openai\n"
                        "        model: gpt-4.1-mini\n"
                        "        weight: 3\n"
                        "      - {provider: router, model: openai/gpt-4.1-mini}\n"
                        "    balance: weighted\n"));
    const ModelRoute *smart = saved->model(QStringLiteral("smart"));
    QCOMPARE(smart->deployments.size(), 3);
    QCOMPARE(smart->deployments.at(2).upstreamModel, QStringLiteral("a,b"));
    QCOMPARE(smart->fallbacks, QStringList {QStringLiteral("cheap")});
    QCOMPARE(saved->model(QStringLiteral("cheap"))->deployments.size(), 2);

    // Refused, with what to do: an unknown provider or model, and the same deployment twice.
    Result<ConfigWriter> again = ConfigWriter::open(path);
    QVERIFY(again.ok());
    QVERIFY(again.value()
                .addDeployment(QStringLiteral("smart"), QStringLiteral("nope"), {})
                .errorMessage()
                .contains(QLatin1String("sluice provider add")));
    QVERIFY(!again.value().addDeployment(QStringLiteral("nope"), QStringLiteral("openai"), {}).ok());
    Result<ConfigWriter> shortForm = ConfigWriter::open(path);
    QVERIFY(
        writeAll(path, "providers:\n  - {name: openai, type: openai}\nmodels:\n  - name: m\n    provider: openai\n"));
    shortForm = ConfigWriter::open(path);
    QVERIFY(shortForm.value()
                .addDeployment(QStringLiteral("m"), QStringLiteral("openai"), {})
                .errorMessage()
                .contains(QLatin1String("already served")));
}

void TestConfigWriter::docConfigsAreFound()
{
    // The example and at least one whole config in configuration.md and routing.md.
    const QList<DocConfig> configs = docConfigs();
    QVERIFY(configs.size() >= 3);
    QCOMPARE(configs.first().name, QStringLiteral("sluice.example.yaml"));
}

void TestConfigWriter::parseAndTextRoundTripByteForByte_data()
{
    QTest::addColumn<QByteArray>("text");
    for (const DocConfig &config : docConfigs())
        QTest::newRow(qPrintable(config.name)) << config.text;
    QTest::newRow("default config") << DefaultConfig::text();
    QTest::newRow("crlf, no final newline") << QByteArray("gateway:\r\n  port: 7341 # here\r\nproviders: []");
    QTest::newRow("empty") << QByteArray();
}

void TestConfigWriter::parseAndTextRoundTripByteForByte()
{
    QFETCH(QByteArray, text);
    const Result<YamlText> yaml = YamlText::parse(text, QStringLiteral("sluice.yaml"));
    QVERIFY2(yaml.ok(), qPrintable(yaml.errorMessage()));
    QCOMPARE(yaml->text(), text);
}

void TestConfigWriter::addThenRemoveRestoresTheFile_data()
{
    QTest::addColumn<QByteArray>("text");
    for (const DocConfig &config : docConfigs())
        QTest::newRow(qPrintable(config.name)) << config.text;
}

void TestConfigWriter::addThenRemoveRestoresTheFile()
{
    QFETCH(QByteArray, text);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeAll(path, text));

    Result<ConfigWriter> writer = ConfigWriter::open(path);
    QVERIFY2(writer.ok(), qPrintable(writer.errorMessage()));
    QVERIFY2(writer.value().addProvider(addedProvider()).ok(), writer.value().text().constData());
    const Result<void> model = writer.value().addModel(
        {QStringLiteral("added-model"), QStringLiteral("added"), QStringLiteral("gpt-4.1-mini"), {}});
    QVERIFY2(model.ok(), qPrintable(model.errorMessage()));
    const Result<Config> saved = writer.value().save();
    QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));

    // What the loader reads back, and every comment still there in the same order.
    const Result<Config> reread = ConfigLoader::loadFile(path);
    QVERIFY2(reread.ok(), qPrintable(reread.errorMessage()));
    QVERIFY(reread->provider(QStringLiteral("added")));
    QCOMPARE(reread->provider(QStringLiteral("added"))->apiKey.toString(), QStringLiteral("keychain:added"));
    QCOMPARE(reread->model(QStringLiteral("added-model"))->upstreamModel, QStringLiteral("gpt-4.1-mini"));
    const Result<Config> before = ConfigLoader::loadString(text, QStringLiteral("before"));
    QCOMPARE(reread->providers.size(), before->providers.size() + 1);
    QCOMPARE(reread->models.size(), before->models.size() + 1);
    QCOMPARE(commentLines(readAll(path)), commentLines(text));

    // Removing both gives the original bytes back when the sections existed.
    Result<ConfigWriter> again = ConfigWriter::open(path);
    QVERIFY(again.ok());
    QVERIFY(again.value().removeModel(QStringLiteral("added-model")).ok());
    QVERIFY(again.value().removeProvider(QStringLiteral("added")).ok());
    QVERIFY(again.value().save().ok());
    if (text.contains("\nproviders:\n") && text.contains("\nmodels:\n") && !before->models.isEmpty())
        QCOMPARE(readAll(path), text);
    else
        QCOMPARE(commentLines(readAll(path)), commentLines(text));
}

void TestConfigWriter::changingAFieldKeepsItsComment()
{
    const QByteArray text = "providers:\n"
                            "  - name: local   # my box\n"
                            "    type: ollama\n"
                            "    base_url: http://127.0.0.1:11434/v1   # the default port\n"
                            "    timeouts:\n"
                            "      first_byte_ms: 300000   # slow to load\n"
                            "models:\n"
                            "  - name: llama\n"
                            "    provider: local\n";
    Result<YamlText> yaml = YamlText::parse(text, QStringLiteral("sluice.yaml"));
    QVERIFY(yaml.ok());
    QVERIFY(yaml.value()
                .setItemField(QStringLiteral("providers"), QStringLiteral("local"), QStringLiteral("base_url"),
                              "http://10.0.0.2:11434/v1")
                .ok());
    QVERIFY(yaml.value()
                .setItemField(QStringLiteral("providers"), QStringLiteral("local"), QStringLiteral("timeouts"),
                              "{first_byte_ms: 5000}")
                .ok());
    QVERIFY(yaml.value()
                .setItemField(QStringLiteral("models"), QStringLiteral("llama"), QStringLiteral("upstream_model"),
                              "llama3.1:8b")
                .ok());
    QCOMPARE(yaml->text(),
             QByteArray("providers:\n"
                        "  - name: local   # my box\n"
                        "    type: ollama\n"
                        "    base_url: http://10.0.0.2:11434/v1   # the default port\n"
                        "    timeouts: {first_byte_ms: 5000}\n"
                        "models:\n"
                        "  - name: llama\n"
                        "    provider: local\n"
                        "    upstream_model: llama3.1:8b\n"));
    QVERIFY(yaml.value()
                .removeItemField(QStringLiteral("models"), QStringLiteral("llama"), QStringLiteral("upstream_model"))
                .ok());
    QVERIFY(yaml->text().endsWith("    provider: local\n"));
    const Result<Config> config = ConfigLoader::loadString(yaml->text(), QStringLiteral("edited"));
    QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
    QCOMPARE(config->provider(QStringLiteral("local"))->firstByteTimeoutMs, 5000);
}

void TestConfigWriter::removingAnEntryTakesItsCommentAlong()
{
    const QByteArray text = "providers:\n"
                            "  # the first one\n"
                            "  - name: a\n"
                            "    type: ollama\n"
                            "\n"
                            "  # the second one\n"
                            "  - name: b\n"
                            "    type: ollama\n"
                            "\n"
                            "  - name: c\n"
                            "    type: ollama\n"
                            "# tail\n";
    Result<YamlText> yaml = YamlText::parse(text, QStringLiteral("sluice.yaml"));
    QVERIFY(yaml.value().removeItem(QStringLiteral("providers"), QStringLiteral("b")).ok());
    QCOMPARE(yaml->text(),
             QByteArray("providers:\n"
                        "  # the first one\n"
                        "  - name: a\n"
                        "    type: ollama\n"
                        "\n"
                        "  - name: c\n"
                        "    type: ollama\n"
                        "# tail\n"));
    QVERIFY(yaml.value().removeItem(QStringLiteral("providers"), QStringLiteral("c")).ok());
    QCOMPARE(yaml->itemNames(QStringLiteral("providers")), QStringList {QStringLiteral("a")});
    QVERIFY(yaml->text().endsWith("    type: ollama\n\n# tail\n"));
}

void TestConfigWriter::invalidChangeIsNotWritten()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
    const QByteArray text = "gateway:\n  port: 7341   # the port\n";
    QVERIFY(writeAll(path, text));
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    QVERIFY(writer.value().yaml().setValue(QStringLiteral("gateway"), QStringLiteral("port"), "99999999").ok());
    const Result<Config> saved = writer.value().save();
    QVERIFY(!saved.ok());
    // The loader's own message, naming the field and the line.
    QVERIFY2(saved.errorMessage().contains(QLatin1String(":2: gateway.port")), qPrintable(saved.errorMessage()));
    QVERIFY(saved.errorMessage().contains(QLatin1String("was not written")));
    QCOMPARE(readAll(path), text);
}

void TestConfigWriter::fileChangedMeanwhileIsNotOverwritten()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeAll(path, "gateway:\n  port: 7341\n"));
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    QVERIFY(writer.value().addProvider(addedProvider()).ok());
    const QByteArray handEdit = "gateway:\n  port: 7342   # edited by hand meanwhile\n";
    QVERIFY(writeAll(path, handEdit));
    const Result<Config> saved = writer.value().save();
    QVERIFY(!saved.ok());
    QVERIFY2(saved.errorMessage().contains(QLatin1String("changed since it was read")),
             qPrintable(saved.errorMessage()));
    QCOMPARE(readAll(path), handEdit);
}

void TestConfigWriter::missingFileStartsFromTheDefaultConfig()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/sluice.yaml"));
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    QVERIFY2(writer.ok(), qPrintable(writer.errorMessage()));
    QCOMPARE(writer->text(), DefaultConfig::text());
    QVERIFY(writer.value().addProvider({QStringLiteral("ollama"), QStringLiteral("ollama"), {}, {}}).ok());
    QVERIFY(writer.value()
                .addModel({QStringLiteral("llama"), QStringLiteral("ollama"), QStringLiteral("llama3.1:8b"), {}})
                .ok());
    const Result<Config> saved = writer.value().save();
    QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));
    QCOMPARE(saved->providers.size(), 1);
    QCOMPARE(saved->model(QStringLiteral("llama"))->provider, QStringLiteral("ollama"));
    const QByteArray written = readAll(path);
    QVERIFY(written.startsWith(DefaultConfig::text()));
    QVERIFY(written.contains("\nproviders:\n  - name: ollama\n    type: ollama\n"));
}

void TestConfigWriter::emptyAndIndentlessLists()
{
    Result<YamlText> empty = YamlText::parse("providers: []   # none yet\nmodels:\n", QStringLiteral("sluice.yaml"));
    QVERIFY(empty.value()
                .appendItem(QStringLiteral("providers"),
                            {{QStringLiteral("name"), "a"}, {QStringLiteral("type"), "ollama"}})
                .ok());
    QVERIFY(
        empty.value()
            .appendItem(QStringLiteral("models"), {{QStringLiteral("name"), "m"}, {QStringLiteral("provider"), "a"}})
            .ok());
    QCOMPARE(empty->text(),
             QByteArray("providers:   # none yet\n"
                        "  - name: a\n"
                        "    type: ollama\n"
                        "models:\n"
                        "  - name: m\n"
                        "    provider: a\n"));

    Result<YamlText> indentless
        = YamlText::parse("providers:\n- name: a\n  type: ollama\nmodels: []\n", QStringLiteral("sluice.yaml"));
    QVERIFY(indentless.value()
                .appendItem(QStringLiteral("providers"),
                            {{QStringLiteral("name"), "b"}, {QStringLiteral("type"), "ollama"}})
                .ok());
    QCOMPARE(indentless->text(),
             QByteArray("providers:\n- name: a\n  type: ollama\n- name: b\n  type: ollama\nmodels: []\n"));
    QVERIFY(indentless.value().removeItem(QStringLiteral("providers"), QStringLiteral("a")).ok());
    QCOMPARE(indentless->text(), QByteArray("providers:\n- name: b\n  type: ollama\nmodels: []\n"));
}

void TestConfigWriter::flowStyleIsReportedNotMangled()
{
    const QByteArray text = "providers: [{name: a, type: ollama}]\n"
                            "models:\n"
                            "  - {name: m, provider: a}\n";
    Result<YamlText> yaml = YamlText::parse(text, QStringLiteral("sluice.yaml"));
    QVERIFY(yaml.ok());
    const Result<void> added = yaml.value().appendItem(QStringLiteral("providers"), {{QStringLiteral("name"), "b"}});
    QVERIFY(!added.ok());
    QVERIFY2(added.errorMessage().contains(QLatin1String("one line")), qPrintable(added.errorMessage()));
    const Result<void> set = yaml.value().setItemField(QStringLiteral("models"), QStringLiteral("m"),
                                                       QStringLiteral("upstream_model"), "x");
    QVERIFY(!set.ok());
    QVERIFY(set.errorMessage().contains(QLatin1String("line 3")));
    QCOMPARE(yaml->text(), text);
    // A one-line entry can still be removed or followed by a new one.
    QVERIFY(
        yaml.value()
            .appendItem(QStringLiteral("models"), {{QStringLiteral("name"), "n"}, {QStringLiteral("provider"), "a"}})
            .ok());
    QVERIFY(yaml.value().removeItem(QStringLiteral("models"), QStringLiteral("m")).ok());
    QCOMPARE(yaml->text(),
             QByteArray("providers: [{name: a, type: ollama}]\n"
                        "models:\n"
                        "  - name: n\n"
                        "    provider: a\n"));
}

void TestConfigWriter::providerInUseIsNotRemoved()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeAll(path, "providers:\n  - name: a\n    type: ollama\nmodels:\n  - name: m\n    provider: a\n"));
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    const Result<void> removed = writer.value().removeProvider(QStringLiteral("a"));
    QVERIFY(!removed.ok());
    QVERIFY2(removed.errorMessage().contains(QLatin1String("serves the models m")), qPrintable(removed.errorMessage()));
    QVERIFY(!writer->isChanged());
}

void TestConfigWriter::duplicateAndUnknownAreRefused()
{
    QTemporaryDir dir;
    Result<ConfigWriter> writer = ConfigWriter::open(dir.filePath(QStringLiteral("sluice.yaml")));
    QVERIFY(writer.value().addProvider(addedProvider()).ok());
    QVERIFY(writer.value().addProvider(addedProvider()).errorMessage().contains(QLatin1String("already")));
    QVERIFY(writer.value()
                .addProvider({QStringLiteral("x"), QStringLiteral("openia"), {}, {}})
                .errorMessage()
                .contains(QLatin1String("unknown provider type 'openia'")));
    QVERIFY(writer.value()
                .addModel({QStringLiteral("m"), QStringLiteral("nope"), {}, {}})
                .errorMessage()
                .contains(QLatin1String("no provider named 'nope'")));
    QVERIFY(writer.value().removeModel(QStringLiteral("m")).errorMessage().contains(QLatin1String("no model")));
}

void TestConfigWriter::scalarsReadBackAsTheSameText_data()
{
    QTest::addColumn<QString>("value");
    for (const char *value : {"gpt-4.1-mini",
                              "llama3.1:8b",
                              "https://api.openai.com/v1",
                              "keychain:openai",
                              "true",
                              "null",
                              "123",
                              "1e3",
                              "a: b",
                              "a #b",
                              "-x",
                              "@scope/x",
                              "*",
                              "with \"quotes\"",
                              "x:",
                              "",
                              " leading",
                              "ünïcode",
                              "[x]",
                              "{y}",
                              "a,b",
                              "it's"})
        QTest::newRow(value) << QString::fromUtf8(value);
}

void TestConfigWriter::scalarsReadBackAsTheSameText()
{
    QFETCH(QString, value);
    const QByteArray yaml = "models:\n  - name: " + YamlText::scalar(value)
        + "\n    fallbacks: " + YamlText::flowList({value, QStringLiteral("other")}) + "\n";
    Result<YamlText> parsed = YamlText::parse(yaml, QStringLiteral("t"));
    QVERIFY2(parsed.ok(), yaml.constData());
    QCOMPARE(parsed->itemNames(QStringLiteral("models")), QStringList {value});
}

void TestConfigWriter::setValueAddsAndReplaces()
{
    Result<YamlText> yaml = YamlText::parse("gateway:\n  listen: 127.0.0.1   # here only\n\nproviders: []\n",
                                            QStringLiteral("sluice.yaml"));
    QVERIFY(yaml.value().setValue(QStringLiteral("gateway"), QStringLiteral("listen"), "0.0.0.0").ok());
    QVERIFY(yaml.value().setValue(QStringLiteral("gateway"), QStringLiteral("port"), "8000").ok());
    QVERIFY(yaml.value().setValue(QStringLiteral("logging"), QStringLiteral("store_bodies"), "false").ok());
    QCOMPARE(yaml->text(),
             QByteArray("gateway:\n  listen: 0.0.0.0   # here only\n  port: 8000\n\nproviders: []\n"
                        "\nlogging:\n  store_bodies: false\n"));
}

void TestConfigWriter::guardrailRulesAreAddedEditedAndRemoved()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
    const QByteArray original = "gateway:\n  port: 7341\n";
    QVERIFY(writeAll(path, original));
    GuardrailRule tickets;
    tickets.name = QStringLiteral("tickets");
    tickets.detect = QStringLiteral("regex");
    tickets.pattern = QStringLiteral("ACME-[0-9]{4,8}");
    tickets.action = GuardrailRule::Action::Block;
    {
        // No guardrails section yet: it is added with the rule.
        Result<ConfigWriter> writer = ConfigWriter::open(path);
        QVERIFY(writer.value().setGuardrailRule({}, tickets).ok());
        const Result<Config> saved = writer.value().save();
        QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));
        QCOMPARE(saved->guardrails.rules.size(), 1);
        QCOMPARE(saved->guardrails.rules.at(0).pattern, tickets.pattern);
        QCOMPARE(saved->guardrails.rules.at(0).action, GuardrailRule::Action::Block);
    }
    QCOMPARE(readAll(path),
             original
                 + "\nguardrails:\n  rules:\n    - name: tickets\n      detect: regex\n      pattern: "
                   "\"ACME-[0-9]{4,8}\"\n      action: block\n      on: request\n");
    // A hand-written comment inside the rule, and a one-line rule after it.
    QVERIFY(writeAll(path,
                     readAll(path).replace("      action: block\n", "      action: block   # refuse outright\n")
                         + "    - {name: mail, detect: email, action: mask}\n"));
    {
        Result<ConfigWriter> writer = ConfigWriter::open(path);
        QCOMPARE(writer->guardrailRuleIndex(QStringLiteral("mail")), 1);
        GuardrailRule edited = tickets;
        edited.name = QStringLiteral("acme-tickets");
        edited.on = GuardrailRule::Side::Both;
        edited.models = {QStringLiteral("gpt-4.1")};
        edited.enabled = false;
        QVERIFY(writer.value().setGuardrailRule(QStringLiteral("tickets"), edited).ok());
        GuardrailRule mail;
        mail.name = QStringLiteral("mail");
        mail.detect = QStringLiteral("words");
        mail.words = {QStringLiteral("project falcon"), QStringLiteral("a, b")};
        mail.action = GuardrailRule::Action::Log;
        mail.clients = {QStringLiteral("claude-cli")};
        QVERIFY(writer.value().setGuardrailRule(QStringLiteral("mail"), mail).ok());
        QVERIFY(writer.value()
                    .yaml()
                    .appendItem(QStringLiteral("models"),
                                {{QStringLiteral("name"), "gpt-4.1"}, {QStringLiteral("provider"), "p"}})
                    .ok());
        QVERIFY(writer.value()
                    .addProvider(
                        {QStringLiteral("p"), QStringLiteral("openai"), {}, SecretRef::parse(QStringLiteral("env:X"))})
                    .ok());
        const Result<Config> saved = writer.value().save();
        QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));
        const QList<GuardrailRule> &rules = saved->guardrails.rules;
        QCOMPARE(rules.size(), 2);
        QCOMPARE(rules.at(0).name, QStringLiteral("acme-tickets"));
        QCOMPARE(rules.at(0).on, GuardrailRule::Side::Both);
        QCOMPARE(rules.at(0).models, QStringList {QStringLiteral("gpt-4.1")});
        QCOMPARE(rules.at(0).enabled, false);
        QCOMPARE(rules.at(1).words, mail.words);
        QCOMPARE(rules.at(1).clients, mail.clients);
        QCOMPARE(rules.at(1).action, GuardrailRule::Action::Log);
    }
    const QByteArray written = readAll(path);
    QVERIFY2(written.contains("      action: block   # refuse outright\n"), written.constData());
    // The one-line rule stays one line.
    QVERIFY2(written.contains("    - {name: mail, detect: words, words: [project falcon, \"a, b\"], action: log, on: "
                              "request, clients: [claude-cli]}\n"),
             written.constData());
    {
        Result<ConfigWriter> writer = ConfigWriter::open(path);
        QVERIFY(writer.value().removeGuardrailRule(QStringLiteral("acme-tickets")).ok());
        QVERIFY(!writer.value().removeGuardrailRule(QStringLiteral("nothing")).ok());
        const Result<Config> saved = writer.value().save();
        QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));
        QCOMPARE(saved->guardrails.rules.size(), 1);
        QCOMPARE(saved->guardrails.rules.at(0).name, QStringLiteral("mail"));
    }
}

void TestConfigWriter::guardrailRuleProblemsAreTheLoadersAtTheField()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.yaml"));
    const QByteArray original = "guardrails:\n  rules:\n    - {name: keys, detect: secrets, action: mask}\n";
    QVERIFY(writeAll(path, original));
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    GuardrailRule broken;
    broken.name = QStringLiteral("tickets");
    broken.detect = QStringLiteral("regex");
    broken.pattern = QStringLiteral("(unclosed");
    QVERIFY(writer.value().setGuardrailRule({}, broken).ok());
    QCOMPARE(writer->guardrailRuleIndex(QStringLiteral("tickets")), 1);
    const Result<Config> saved = writer.value().save();
    QVERIFY(!saved.ok());
    QVERIFY2(saved.errorMessage().contains(
                 QLatin1String("guardrails.rules[1].pattern: pattern is not a valid RE2 regular expression")),
             qPrintable(saved.errorMessage()));
    QCOMPARE(readAll(path), original);
}

void TestConfigWriter::guardrailRuleGoesWhereverTheSectionStands_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("after");
    const QByteArray rule = "name: mail\n      detect: email\n      action: log\n      on: request\n";
    QTest::newRow("empty section") << QByteArray("guardrails:\n\ngateway:\n  port: 7341\n")
                                   << "guardrails:\n  rules:\n    - " + rule + "\ngateway:\n  port: 7341\n";
    QTest::newRow("section without rules")
        << QByteArray("guardrails:   # mine\n  other: 1\ngateway:\n  port: 7341\n")
        << "guardrails:   # mine\n  other: 1\n  rules:\n    - " + rule + "gateway:\n  port: 7341\n";
    QTest::newRow("empty list") << QByteArray("guardrails:\n  rules: []   # none yet\n")
                                << "guardrails:\n  rules:   # none yet\n    - " + rule;
}

void TestConfigWriter::guardrailRuleGoesWhereverTheSectionStands()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, after);
    Result<YamlText> yaml = YamlText::parse(before, QStringLiteral("sluice.yaml"));
    QVERIFY(yaml.ok());
    QVERIFY(yaml.value()
                .appendItem(QStringLiteral("guardrails.rules"),
                            {{QStringLiteral("name"), "mail"},
                             {QStringLiteral("detect"), "email"},
                             {QStringLiteral("action"), "log"},
                             {QStringLiteral("on"), "request"}})
                .ok());
    QCOMPARE(yaml->text(), after);
    QCOMPARE(yaml->itemNames(QStringLiteral("guardrails.rules")), QStringList {QStringLiteral("mail")});
}

QTEST_GUILESS_MAIN(TestConfigWriter)
#include "tst_configwriter.moc"
