#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTemporaryDir>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;
using namespace sluice::test::recorded;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-prompts-not-a-real-token";
constexpr auto ProviderKey = "sk-provider-e2e-prompts-fake";

QProcessEnvironment environment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLUICE_E2E_GATEWAY_TOKEN"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_PROVIDER_KEY"), QString::fromLatin1(ProviderKey));
    return env;
}
} // namespace

// "Done when" of prompt versions: a prompt made with `sluice prompt` is called by the unmodified openai SDK by
// label through a running `sluice --headless`; moving the label switches what the SDK gets without a restart, and
// `sluice prompt stats` counts each version's logged requests.
class TestE2ePrompts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void promptByLabelFromTheCommandLineToTheSdk();
    void cleanupTestCase();

private:
    ProgramRun prompt(const QStringList &arguments);

    QTemporaryDir m_dir;
    ListeningProcess m_mock;
    ListeningProcess m_sluice;
    QUrl m_upstream;
    QUrl m_gateway;
    QString m_dataDir;
};

void TestE2ePrompts::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/openai/package.json")),
             "The openai npm package is missing: run `npm ci` in tests/e2e (scripts/test.sh does).");
    m_upstream = m_mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(m_upstream.isValid(), qPrintable(m_mock.output()));
    const QByteArray config = "providers:\n" + recordedProvider("openai", m_upstream.toString().toUtf8())
        + "models:\n"
          "  - name: gpt-e2e\n"
          "    provider: recorded-openai\n"
          "    upstream_model: openai-text\n"
          "tokens:\n"
          "  - name: e2e-prompts\n"
          "    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n";
    const QString configPath = m_dir.filePath(QStringLiteral("sluice.yaml"));
    m_dataDir = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(writeFile(configPath, config));
    m_gateway = startHeadlessSluice(m_sluice, configPath, m_dataDir, environment());
    QVERIFY2(m_gateway.isValid(), qPrintable(m_sluice.output()));
}

void TestE2ePrompts::cleanupTestCase()
{
    QCOMPARE(m_sluice.stop(), 0);
}

ProgramRun TestE2ePrompts::prompt(const QStringList &arguments)
{
    return runProgram(QStringLiteral(SLUICE_BINARY),
                      QStringList {QStringLiteral("prompt")} + arguments
                          + QStringList {QStringLiteral("--data-dir"), m_dataDir},
                      QProcessEnvironment::systemEnvironment(), m_dir.path(), 30);
}

void TestE2ePrompts::promptByLabelFromTheCommandLineToTheSdk()
{
    const QString v1 = m_dir.filePath(QStringLiteral("greet.yaml"));
    QVERIFY(writeFile(v1,
                      "type: chat\n"
                      "messages:\n"
                      "  - {role: system, content: \"You are terse (first version).\"}\n"
                      "  - {role: user, content: \"Hi {{name}}\"}\n"
                      "config: {model: gpt-e2e, temperature: 0.2}\n"));
    const QString v2 = m_dir.filePath(QStringLiteral("greet-2.yaml"));
    QVERIFY(writeFile(v2,
                      "type: chat\n"
                      "messages:\n"
                      "  - {role: system, content: \"You are warm (second version).\"}\n"
                      "  - {role: user, content: \"Hello {{name}}!\"}\n"
                      "config: {model: gpt-e2e, temperature: 0.9}\n"));
    for (const QStringList &arguments :
         {QStringList {QStringLiteral("create"), QStringLiteral("greet"), QStringLiteral("--file"), v1},
          QStringList {QStringLiteral("update"), QStringLiteral("greet"), QStringLiteral("--file"), v2,
                       QStringLiteral("-m"), QStringLiteral("warmer")},
          QStringList {QStringLiteral("label"), QStringLiteral("greet"), QStringLiteral("1"),
                       QStringLiteral("production")}}) {
        const ProgramRun run = prompt(arguments);
        QVERIFY2(run.exitCode == 0, run.err.constData());
    }

    QProcessEnvironment env;
    env.insert(QStringLiteral("OPENAI_BASE_URL"), m_gateway.toString() + QStringLiteral("/v1"));
    env.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_PROMPT"), QStringLiteral("prompt:greet@production"));
    QJsonObject seen = runNode(QStringLiteral("prompts.mjs"), env);
    QVERIFY2(!seen.isEmpty(), "the SDK script failed (see the warning above)");
    QCOMPARE(stringAt(seen, "prompt"), QStringLiteral("greet"));
    QCOMPARE(stringAt(seen, "version"), QStringLiteral("1"));
    QVERIFY(isRecordedText(stringAt(seen, "text"), OpenAiPlainText, OpenAiPlainLength));
    const QJsonObject refusal = objectAt(seen, QStringLiteral("refusal"));
    QCOMPARE(refusal.value(QLatin1String("status")).toInt(), 400);
    QVERIFY2(stringAt(refusal, "message").contains(QLatin1String("Missing variable 'name'")),
             qPrintable(stringAt(refusal, "message")));

    // Move the label: the running gateway serves version 2 from the next request.
    QVERIFY(
        prompt({QStringLiteral("label"), QStringLiteral("greet"), QStringLiteral("2"), QStringLiteral("production")})
            .exitCode
        == 0);
    seen = runNode(QStringLiteral("prompts.mjs"), env);
    QCOMPARE(stringAt(seen, "version"), QStringLiteral("2"));

    // The log: the rendered bodies went upstream and each row names its version.
    RequestLogReader log(m_dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(log.open().ok());
    const RequestRecords rows = loggedRequests(log, QStringLiteral("gpt-e2e"), 2);
    QCOMPARE(rows.size(), 2);
    QMap<int, QByteArray> bodies;
    for (const RequestRecord &row : rows) {
        QCOMPARE(row.promptName, QStringLiteral("greet"));
        QCOMPARE(row.httpStatus, 200);
        bodies.insert(row.promptVersion, row.requestBody);
    }
    QVERIFY(bodies.value(1).contains("You are terse (first version).") && bodies.value(1).contains("Hi Ada"));
    QVERIFY(bodies.value(2).contains("You are warm (second version).") && bodies.value(2).contains("Hello Ada!"));
    QVERIFY(!bodies.value(2).contains("prompt_variables"));

    // The refusals are logged too (the writer commits in batches): wait for them before counting.
    QCOMPARE(loggedRequests(log, QStringLiteral("prompt:greet@production"), 2).size(), 2);
    const ProgramRun stats = prompt(
        {QStringLiteral("stats"), QStringLiteral("greet"), QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(stats.exitCode == 0, stats.err.constData());
    const QJsonArray versions = QJsonDocument::fromJson(stats.out).object().value(QLatin1String("versions")).toArray();
    QCOMPARE(versions.size(), 2);
    for (const QJsonValue &version : versions) {
        // One answered request and one refused for a missing variable, per version.
        QCOMPARE(version.toObject().value(QLatin1String("requests")).toInt(), 2);
        QCOMPARE(version.toObject().value(QLatin1String("errors")).toInt(), 1);
        QVERIFY(version.toObject().value(QLatin1String("input_tokens")).toInt() > 0);
    }
}

QTEST_GUILESS_MAIN(TestE2ePrompts)
#include "tst_e2e_prompts.moc"
