#include <QFile>
#include <QTest>

#include "config/ConfigLoader.h"

using namespace sluice;

namespace {
// The models the examples scope rules to.
const QByteArray Models = "providers:\n  - {name: openai, type: openai, api_key: keychain:openai}\n"
                          "models:\n  - {name: gpt-4.1, provider: openai}\n"
                          "  - {name: claude-sonnet-4, provider: openai}\n";

QString errorOf(const QByteArray &yaml)
{
    const Result<Config> result = ConfigLoader::loadString(yaml, QStringLiteral("sluice.yaml"));
    return result.ok() ? QString() : result.errorMessage();
}
} // namespace

class TestGuardrailsConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyFieldIsRead()
    {
        const QByteArray yaml = Models
            + "guardrails:\n"
              "  rules:\n"
              "    - name: no-keys\n"
              "      detect: secrets\n"
              "      action: mask\n"
              "      on: both\n"
              "      restore: false\n"
              "      models: [gpt-4.1]\n"
              "      tokens: [editor]\n"
              "      clients: [claude-cli]\n"
              "      enabled: false\n"
              "    - {name: tickets, detect: regex, pattern: 'ACME-[0-9]{6}', action: block}\n"
              "    - {name: codenames, detect: words, words: [falcon, blue sky], action: log, on: response}\n";
        const Result<Config> config = ConfigLoader::loadString(yaml, QStringLiteral("sluice.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        const QList<GuardrailRule> &rules = config->guardrails.rules;
        QCOMPARE(rules.size(), 3);
        QCOMPARE(rules.at(0).name, QStringLiteral("no-keys"));
        QCOMPARE(rules.at(0).detect, QStringLiteral("secrets"));
        QCOMPARE(rules.at(0).action, GuardrailRule::Action::Mask);
        QCOMPARE(rules.at(0).on, GuardrailRule::Side::Both);
        QCOMPARE(rules.at(0).restore, false);
        QCOMPARE(rules.at(0).models, QStringList {QStringLiteral("gpt-4.1")});
        QCOMPARE(rules.at(0).tokens, QStringList {QStringLiteral("editor")});
        QCOMPARE(rules.at(0).clients, QStringList {QStringLiteral("claude-cli")});
        QCOMPARE(rules.at(0).configLine, 8);
        QCOMPARE(rules.at(0).enabled, false);
        QCOMPARE(rules.at(1).enabled, true);
        QCOMPARE(rules.at(1).pattern, QStringLiteral("ACME-[0-9]{6}"));
        QCOMPARE(rules.at(1).action, GuardrailRule::Action::Block);
        QCOMPARE(rules.at(1).on, GuardrailRule::Side::Request);
        QCOMPARE(rules.at(1).restore, true);
        QCOMPARE(rules.at(2).words, (QStringList {QStringLiteral("falcon"), QStringLiteral("blue sky")}));
        QCOMPARE(rules.at(2).action, GuardrailRule::Action::Log);
        QCOMPARE(rules.at(2).on, GuardrailRule::Side::Response);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown detector")
            << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: secretz, action: mask}\n")
            << QStringLiteral("sluice.yaml:3: guardrails.rules[0].detect: detect: 'secretz' is not known; use one of "
                              "secrets, pii");
        QTest::newRow("bad action") << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: pii, action: drop}\n")
                                    << QStringLiteral(
                                           "guardrails.rules[0].action: 'drop' is not one of block, mask, log");
        QTest::newRow("bad side")
            << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: pii, action: log, on: upstream}\n")
            << QStringLiteral("guardrails.rules[0].on: 'upstream' is not one of request, response, both");
        QTest::newRow("invalid regex")
            << QByteArray("guardrails:\n  rules:\n    - name: a\n      detect: regex\n      pattern: '(unclosed'\n     "
                          " action: block\n")
            << QStringLiteral(
                   "sluice.yaml:5: guardrails.rules[0].pattern: pattern is not a valid RE2 regular expression");
        QTest::newRow("regex matching nothing")
            << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: regex, pattern: 'x*', action: block}\n")
            << QStringLiteral("matches empty text");
        QTest::newRow("regex without pattern")
            << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: regex, action: block}\n")
            << QStringLiteral("detect: regex needs a pattern");
        QTest::newRow("words without words")
            << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: words, action: block}\n")
            << QStringLiteral("detect: words needs a list of words");
        QTest::newRow("pattern on a detector")
            << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: pii, pattern: x, action: block}\n")
            << QStringLiteral("pattern is only used with detect: regex");
        QTest::newRow("missing action") << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: pii}\n")
                                        << QStringLiteral("'action' is missing; add what it does");
        QTest::newRow("duplicate name") << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: pii, action: "
                                                      "log}\n    - {name: a, detect: secrets, action: log}\n")
                                        << QStringLiteral("'a' is already the name of the guardrail rule on line 3");
        QTest::newRow("typo") << QByteArray("guardrails:\n  rules:\n    - {name: a, detect: pii, actoin: log}\n")
                              << QStringLiteral("did you mean 'action'?");
        QTest::newRow("unknown model in the scope")
            << QByteArray("providers:\n  - {name: openai, type: openai, api_key: keychain:openai}\n"
                          "models:\n  - {name: gpt-4.1, provider: openai}\n"
                          "guardrails:\n  rules:\n    - {name: a, detect: pii, action: log, models: [gpt-4.l]}\n")
            << QStringLiteral(
                   "guardrails.rules[0].models[0]: 'gpt-4.l' is not a configured model; did you mean 'gpt-4.1'?");
        QTest::newRow("not a list") << QByteArray("guardrails:\n  rules: secrets\n")
                                    << QStringLiteral("guardrails.rules: expected a list of entries");
    }
    void errors()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, expected);
        const QString error = errorOf(yaml);
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    // Every YAML example of docs/guardrails.md loads.
    void documentedExamplesLoad()
    {
        QFile doc(QStringLiteral(SLUICE_GUARDRAILS_DOC));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        const QByteArray text = doc.readAll();
        int examples = 0;
        for (qsizetype start = text.indexOf("```yaml\n"); start >= 0; start = text.indexOf("```yaml\n", start + 1)) {
            const qsizetype end = text.indexOf("```", start + 8);
            QVERIFY(end > start);
            const Result<Config> result = ConfigLoader::loadString(Models + text.mid(start + 8, end - start - 8),
                                                                   QStringLiteral("guardrails.md"));
            QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
            QVERIFY(!result->guardrails.rules.isEmpty());
            ++examples;
        }
        QVERIFY(examples >= 2);
    }
};

QTEST_GUILESS_MAIN(TestGuardrailsConfig)
#include "tst_guardrailsconfig.moc"
