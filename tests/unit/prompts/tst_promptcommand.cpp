#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QUuid>

#include "PromptCommand.h"
#include "store/RequestLogWriter.h"

using namespace sluice;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
    QJsonObject json() const { return QJsonDocument::fromJson(out.toUtf8()).object(); }
};

// The shape the issue promises to accept.
const QByteArray GreetV1 = "type: chat\n"
                           "messages:\n"
                           "  - {role: system, content: \"You are terse.\"}\n"
                           "  - {role: user, content: \"Hi {{name}}\"}\n"
                           "config: {model: gpt-test, temperature: 0.2}\n";
const QByteArray GreetV2 = R"({"type": "chat", "messages": [{"role": "system", "content": "You are warm."},
    {"role": "user", "content": "Hello {{name}}, from {{place=Paris}}"}], "config": {"model": "gpt-test",
    "temperature": 0.7}})";

} // namespace

class PromptCommandTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    Run run(QStringList args)
    {
        args << QStringLiteral("--data-dir") << m_dir.path();
        Run result;
        QTextStream out(&result.out);
        QTextStream err(&result.err);
        result.code = runPromptCommand(args, out, err);
        return result;
    }

    QString file(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
            return {};
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void createUpdateLabelShow()
    {
        Run r = run({QStringLiteral("create"), QStringLiteral("greet"), QStringLiteral("--file"),
                     file(QStringLiteral("greet.yaml"), GreetV1), QStringLiteral("--author"), QStringLiteral("ada")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("Saved greet version 1 (variables: name)")), qPrintable(r.out));
        r = run({QStringLiteral("update"), QStringLiteral("greet"), QStringLiteral("--file"),
                 file(QStringLiteral("greet.json"), GreetV2)});
        QCOMPARE(r.code, 2); // -m is required
        QVERIFY(r.err.contains(QLatin1String("-m MESSAGE")));
        r = run({QStringLiteral("update"), QStringLiteral("greet"), QStringLiteral("--file"),
                 m_dir.filePath(QStringLiteral("greet.json")), QStringLiteral("-m"),
                 QStringLiteral("warmer, with a place")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QLatin1String("version 2")));

        r = run({QStringLiteral("label"), QStringLiteral("greet"), QStringLiteral("1"), QStringLiteral("production"),
                 QStringLiteral("--author"), QStringLiteral("ada")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = run({QStringLiteral("label"), QStringLiteral("greet"), QStringLiteral("2"), QStringLiteral("production"),
                 QStringLiteral("--author"), QStringLiteral("bob")});
        QVERIFY2(r.out.contains(QLatin1String("v1 -> v2")), qPrintable(r.out));
        r = run({QStringLiteral("label"), QStringLiteral("greet"), QStringLiteral("9"), QStringLiteral("production")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QLatin1String("no version 9")));

        r = run({QStringLiteral("show"), QStringLiteral("greet@production"), QStringLiteral("--format"),
                 QStringLiteral("json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject shown = r.json();
        QCOMPARE(shown.value(QLatin1String("version")).toInt(), 2);
        QCOMPARE(shown.value(QLatin1String("labels")).toArray().size(), 2); // latest, production
        QCOMPARE(shown.value(QLatin1String("config")).toObject().value(QLatin1String("temperature")).toDouble(), 0.7);
        QCOMPARE(shown.value(QLatin1String("variables"))
                     .toArray()
                     .at(1)
                     .toObject()
                     .value(QLatin1String("default"))
                     .toString(),
                 QStringLiteral("Paris"));
        const QJsonArray history = shown.value(QLatin1String("label_history")).toArray();
        QCOMPARE(history.size(), 2);
        QCOMPARE(history.at(1).toObject().value(QLatin1String("from_version")).toInt(), 1);
        QCOMPARE(history.at(1).toObject().value(QLatin1String("author")).toString(), QStringLiteral("bob"));

        r = run({QStringLiteral("show"), QStringLiteral("greet@v1")});
        QVERIFY2(r.out.contains(QLatin1String("[user]\nHi {{name}}")), qPrintable(r.out));
        QVERIFY(r.out.contains(QLatin1String("production: new -> v1")));

        r = run({QStringLiteral("list")});
        QVERIFY2(r.out.contains(QLatin1String("greet")) && r.out.contains(QLatin1String("production=v2")),
                 qPrintable(r.out));
    }

    void diffShowsTemplateAndConfigChanges()
    {
        const Run r
            = run({QStringLiteral("diff"), QStringLiteral("greet"), QStringLiteral("1"), QStringLiteral("production")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("--- greet v1\n+++ greet v2\n")), qPrintable(r.out));
        QVERIFY(r.out.contains(QLatin1String("-You are terse.\n+You are warm.\n")));
        QVERIFY(r.out.contains(QLatin1String(" [user]\n"))); // context
        QVERIFY(r.out.contains(QLatin1String("-    \"temperature\": 0.2")));
        QVERIFY(r.out.contains(QLatin1String("+    \"temperature\": 0.7")));
        const Run same
            = run({QStringLiteral("diff"), QStringLiteral("greet"), QStringLiteral("v2"), QStringLiteral("latest")});
        QVERIFY2(same.out.contains(QLatin1String("have the same template and config")), qPrintable(same.out));
    }

    void renderFillsVariablesAndNamesMissingOnes()
    {
        Run r = run({QStringLiteral("render"), QStringLiteral("greet@production"), QStringLiteral("--var"),
                     QStringLiteral("name=Ada")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("Hello Ada, from Paris")), qPrintable(r.out));
        r = run({QStringLiteral("render"), QStringLiteral("greet@v1")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QLatin1String("Missing variable 'name'")), qPrintable(r.err));
        r = run({QStringLiteral("render"), QStringLiteral("greet@v1"), QStringLiteral("--var"),
                 QStringLiteral("name=A"), QStringLiteral("--var"), QStringLiteral("tone=x")});
        QVERIFY2(r.err.contains(QLatin1String("Unknown variable 'tone'")), qPrintable(r.err));
    }

    void badFilesAndUsageSayWhatToFix()
    {
        Run r = run(
            {QStringLiteral("create"), QStringLiteral("broken"), QStringLiteral("--file"),
             file(QStringLiteral("broken.yaml"), "type: chat\nmessages: [{role: user, content: \"Hi {{name\"}]\n")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QLatin1String("broken.yaml")) && r.err.contains(QLatin1String("not closed")),
                 qPrintable(r.err));
        r = run({QStringLiteral("create"), QStringLiteral("greet"), QStringLiteral("--file"),
                 m_dir.filePath(QStringLiteral("greet.yaml"))});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QLatin1String("exists already")));
        r = run({QStringLiteral("show")});
        QCOMPARE(r.code, 2);
        r = run({QStringLiteral("frobnicate")});
        QCOMPARE(r.code, 2);
        r = run({QStringLiteral("create"), QStringLiteral("with-partial"), QStringLiteral("--file"),
                 file(QStringLiteral("partial.yaml"), "type: text\nprompt: \"{{> nowhere@production}}\"\n")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QLatin1String("nowhere@production")), qPrintable(r.err));
    }

    void statsEqualTheLoggedRows()
    {
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_dir.filePath(QStringLiteral("sluice.db"))).ok());
            for (int n = 0; n < 3; ++n) {
                RequestRecord record;
                record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
                record.startedAt = QDateTime::currentDateTimeUtc();
                record.httpStatus = 200;
                record.latencyUs = 1000 * (n + 1);
                record.inputTokens = 100;
                record.outputTokens = 10;
                record.costUsd = 0.25;
                record.costStatus = QStringLiteral("exact");
                record.promptName = QStringLiteral("greet");
                record.promptVersion = n == 0 ? 1 : 2;
                writer.append(record);
            }
            writer.flush();
        }
        const Run r = run(
            {QStringLiteral("stats"), QStringLiteral("greet"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonArray versions = r.json().value(QLatin1String("versions")).toArray();
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions.at(0).toObject().value(QLatin1String("requests")).toInt(), 1);
        QCOMPARE(versions.at(1).toObject().value(QLatin1String("requests")).toInt(), 2);
        QCOMPARE(versions.at(1).toObject().value(QLatin1String("cost_usd")).toDouble(), 0.5);
        QCOMPARE(versions.at(1).toObject().value(QLatin1String("input_tokens")).toInt(), 200);
        QCOMPARE(versions.at(1).toObject().value(QLatin1String("p50_latency_ms")).toDouble(), 3.0);
        const Run text = run({QStringLiteral("stats"), QStringLiteral("greet")});
        QVERIFY2(text.out.contains(QLatin1String("$0.50")), qPrintable(text.out));
    }

    void observedPromptsAreListedAndSaved()
    {
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_dir.filePath(QStringLiteral("sluice.db"))).ok());
            RequestRecord record;
            record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
            record.startedAt = QDateTime::currentDateTimeUtc();
            record.httpStatus = 200;
            record.costUsd = 0.125;
            record.costStatus = QStringLiteral("exact");
            record.observedPrompt = QStringLiteral("feedface00112233");
            record.observedPromptSample
                = R"({"prompt_key":"claude-cli: You are Claude Code","client":"claude-cli","system_text":"You are Claude Code.","tools":["Bash"]})";
            writer.append(record);
            writer.flush();
        }
        Run r = run({QStringLiteral("observed"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonArray observed = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(observed.size(), 1);
        QCOMPARE(observed.first().toObject().value(QLatin1String("client")).toString(), QStringLiteral("claude-cli"));
        QCOMPARE(observed.first().toObject().value(QLatin1String("requests")).toInt(), 1);
        QCOMPARE(observed.first().toObject().value(QLatin1String("cost_usd")).toDouble(), 0.125);
        r = run({QStringLiteral("save-observed"), QStringLiteral("feedface"), QStringLiteral("claude-code-system")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = run({QStringLiteral("show"), QStringLiteral("claude-code-system")});
        QVERIFY2(r.out.contains(QLatin1String("You are Claude Code.")), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(PromptCommandTest)
#include "tst_promptcommand.moc"
