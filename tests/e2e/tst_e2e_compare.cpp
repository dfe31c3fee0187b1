#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;
using namespace sluice::test::recorded;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-compare-not-a-real-token";
constexpr auto ProviderKey = "sk-provider-e2e-compare-fake";

const QJsonObject *modelNamed(const QJsonArray &models, const QString &name, QJsonObject &holder)
{
    for (const QJsonValue &value : models) {
        if (value.toObject().value(QLatin1String("model")).toString() == name) {
            holder = value.toObject();
            return &holder;
        }
    }
    return nullptr;
}
} // namespace

// "Done when" of model comparison, from the command line: `sluice compare` runs one prompt, a registry prompt or a
// logged request on several models through its own in-process gateway, prints each model's figures, and they are
// the figures of the rows it logged.
class TestE2eCompare : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void promptFileOnThreeModelsMatchesTheLog();
    void loggedRequestReplaysInItsOwnFormat();
    void registryPromptWithVariables();
    void badInputIsExplained();

private:
    ProgramRun compare(const QStringList &arguments);
    QJsonObject compareJson(const QStringList &arguments);

    QTemporaryDir m_dir;
    ListeningProcess m_mock;
    QString m_configPath;
    QString m_dataDir;
    QProcessEnvironment m_env;
};

void TestE2eCompare::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_env = e2eEnvironment(GatewayToken, ProviderKey);
    const QUrl upstream = m_mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, m_env);
    QVERIFY2(upstream.isValid(), qPrintable(m_mock.output()));
    const QByteArray base = upstream.toString().toUtf8();
    const QByteArray config = "providers:\n" + recordedProvider("openai", base) + recordedProvider("anthropic", base)
        + "models:\n"
          "  - name: gpt-e2e\n"
          "    provider: recorded-openai\n"
          "    upstream_model: openai-text\n"
          "  - name: claude-e2e\n"
          "    provider: recorded-anthropic\n"
          "    upstream_model: anthropic-text\n"
          "prices:\n"
          "  overrides:\n"
          "    - {model: openai-text, input_mtok: 2, output_mtok: 8}\n"
          "    - {model: anthropic-text, input_mtok: 3, output_mtok: 15}\n"
          "tokens:\n"
          "  - name: e2e\n"
          "    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n";
    m_configPath = m_dir.filePath(QStringLiteral("sluice.yaml"));
    m_dataDir = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(writeFile(m_configPath, config));
}

ProgramRun TestE2eCompare::compare(const QStringList &arguments)
{
    return runProgram(
        QStringLiteral(SLUICE_BINARY),
        QStringList {QStringLiteral("compare")} + arguments
            + QStringList {QStringLiteral("--config"), m_configPath, QStringLiteral("--data-dir"), m_dataDir},
        m_env, m_dir.path(), 60);
}

QJsonObject TestE2eCompare::compareJson(const QStringList &arguments)
{
    const ProgramRun run = compare(arguments + QStringList {QStringLiteral("--format"), QStringLiteral("json")});
    if (run.exitCode != 0)
        qWarning("sluice compare exited %d: %s", run.exitCode, run.err.constData());
    QJsonParseError error {};
    const QJsonObject object = QJsonDocument::fromJson(run.out, &error).object();
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()), run.out.constData());
    return object;
}

void TestE2eCompare::promptFileOnThreeModelsMatchesTheLog()
{
    const QString promptFile = m_dir.filePath(QStringLiteral("prompt.txt"));
    QVERIFY(writeFile(promptFile, "Invent a holiday.\n"));
    const QJsonObject result = compareJson({QStringLiteral("--models"), QStringLiteral("gpt-e2e,claude-e2e,nope"),
                                            QStringLiteral("--prompt-file"), promptFile});
    const QString runId = result.value(QLatin1String("run_id")).toString();
    QVERIFY(!runId.isEmpty());
    const QJsonArray models = result.value(QLatin1String("models")).toArray();
    QCOMPARE(models.size(), 3);

    QJsonObject gpt;
    QJsonObject claude;
    QJsonObject nope;
    QVERIFY(modelNamed(models, QStringLiteral("gpt-e2e"), gpt));
    QVERIFY(modelNamed(models, QStringLiteral("claude-e2e"), claude));
    QVERIFY(modelNamed(models, QStringLiteral("nope"), nope));
    QVERIFY(isRecordedText(stringAt(gpt, "output"), OpenAiStreamText, OpenAiStreamLength));
    QVERIFY(isRecordedText(stringAt(claude, "output"), AnthropicStreamText, AnthropicStreamLength));
    QCOMPARE(stringAt(nope, "status"), QStringLiteral("failed"));
    QCOMPARE(nope.value(QLatin1String("http_status")).toInt(), 404);
    QVERIFY(stringAt(nope, "error").contains(QLatin1String("nope")));

    // Every figure printed is the logged row's: the rows are marked with the run.
    RequestLogReader log(m_dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(log.open().ok());
    for (const QJsonObject &column : {gpt, claude}) {
        QCOMPARE(stringAt(column, "status"), QStringLiteral("ok"));
        QCOMPARE(stringAt(column, "finish_reason"), QStringLiteral("stop"));
        const Result<RequestRecord> row = log.byId(stringAt(column, "request_id"));
        QVERIFY2(row.ok(), qPrintable(row.errorMessage()));
        QCOMPARE(row->compareRun, runId);
        QCOMPARE(row->requestedModel, stringAt(column, "model"));
        const QJsonObject tokens = column.value(QLatin1String("tokens")).toObject();
        QCOMPARE(tokens.value(QLatin1String("input")).toInteger(), row->inputTokens);
        QCOMPARE(tokens.value(QLatin1String("output")).toInteger(), row->outputTokens);
        QVERIFY(row->costUsd > 0);
        QCOMPARE(column.value(QLatin1String("cost_usd")).toDouble(), row->costUsd);
        QCOMPARE(stringAt(column, "cost_status"), QStringLiteral("exact"));
        const qint64 ttft = column.value(QLatin1String("ttft_ms")).toInteger();
        const qint64 latency = column.value(QLatin1String("latency_ms")).toInteger();
        QVERIFY(ttft > 0 && ttft <= latency);
    }
    // The failed column's refusal is logged too, in the same run.
    const Result<RequestRecord> refused = log.byId(stringAt(nope, "request_id"));
    QVERIFY(refused.ok());
    QCOMPARE(refused->compareRun, runId);

    // The table format prints the same run for people.
    const ProgramRun table = compare({QStringLiteral("--models"), QStringLiteral("gpt-e2e,claude-e2e"),
                                      QStringLiteral("--prompt-file"), promptFile});
    QCOMPARE(table.exitCode, 0);
    QVERIFY(table.out.contains("== gpt-e2e =="));
    QVERIFY(table.out.contains("== claude-e2e =="));
    QVERIFY(table.out.contains("ttft_ms: "));
    QVERIFY(table.out.contains("cost_usd: $"));
}

void TestE2eCompare::loggedRequestReplaysInItsOwnFormat()
{
    // A client's Anthropic request through a running gateway, logged with its body...
    ListeningProcess sluice;
    const QUrl gateway = startHeadlessSluice(sluice, m_configPath, m_dataDir, m_env);
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));
    QNetworkAccessManager network;
    QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/messages"))));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("x-api-key", GatewayToken);
    const QByteArray body = R"({"model":"claude-e2e","max_tokens":200,"system":"Answer kindly.",)"
                            R"("messages":[{"role":"user","content":"Hello, how are you?"}]})";
    QNetworkReply *reply = network.post(request, body);
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QString originalId = QString::fromLatin1(reply->rawHeader("x-sluice-request-id"));
    reply->deleteLater();
    QCOMPARE(sluice.stop(), 0);

    // ... replayed by id on two models, in Anthropic's format, the body as it was.
    const QJsonObject result = compareJson(
        {QStringLiteral("--models"), QStringLiteral("claude-e2e,gpt-e2e"), QStringLiteral("--request"), originalId});
    QCOMPARE(stringAt(result, "format"), QStringLiteral("anthropic"));
    QCOMPARE(stringAt(result, "source"), QStringLiteral("request"));
    const QJsonArray models = result.value(QLatin1String("models")).toArray();
    QCOMPARE(models.size(), 2);
    RequestLogReader log(m_dataDir + QStringLiteral("/sluice.db"));
    for (const QJsonValue &value : models) {
        const QJsonObject column = value.toObject();
        QCOMPARE(stringAt(column, "status"), QStringLiteral("ok"));
        QVERIFY(!stringAt(column, "output").isEmpty());
        const Result<RequestRecord> row = log.byId(stringAt(column, "request_id"));
        QVERIFY(row.ok());
        QCOMPARE(row->endpoint, QStringLiteral("/v1/messages"));
        const QJsonObject sent = QJsonDocument::fromJson(row->requestBody).object();
        QCOMPARE(sent.value(QLatin1String("system")).toString(), QStringLiteral("Answer kindly."));
        QCOMPARE(sent.value(QLatin1String("max_tokens")).toInt(), 200);
        QCOMPARE(sent.value(QLatin1String("messages")),
                 QJsonDocument::fromJson(body).object().value(QLatin1String("messages")));
    }
}

void TestE2eCompare::registryPromptWithVariables()
{
    const QString file = m_dir.filePath(QStringLiteral("greet.yaml"));
    QVERIFY(writeFile(file,
                      "type: chat\n"
                      "messages:\n"
                      "  - {role: system, content: \"You are terse.\"}\n"
                      "  - {role: user, content: \"Hi {{name}}\"}\n"
                      "config: {model: gpt-e2e, temperature: 0.2}\n"));
    for (const QStringList &arguments :
         {QStringList {QStringLiteral("create"), QStringLiteral("greet"), QStringLiteral("--file"), file},
          QStringList {QStringLiteral("label"), QStringLiteral("greet"), QStringLiteral("1"),
                       QStringLiteral("production")}}) {
        const ProgramRun run = runProgram(QStringLiteral(SLUICE_BINARY),
                                          QStringList {QStringLiteral("prompt")} + arguments
                                              + QStringList {QStringLiteral("--data-dir"), m_dataDir},
                                          m_env, m_dir.path(), 30);
        QVERIFY2(run.exitCode == 0, run.err.constData());
    }
    const QJsonObject result
        = compareJson({QStringLiteral("--models"), QStringLiteral("gpt-e2e,claude-e2e"), QStringLiteral("--prompt"),
                       QStringLiteral("greet@production"), QStringLiteral("--var"), QStringLiteral("name=Ada")});
    QCOMPARE(stringAt(result, "title"), QStringLiteral("greet v1"));
    RequestLogReader log(m_dataDir + QStringLiteral("/sluice.db"));
    for (const QJsonValue &value : result.value(QLatin1String("models")).toArray()) {
        QCOMPARE(stringAt(value.toObject(), "status"), QStringLiteral("ok"));
        const Result<RequestRecord> row = log.byId(stringAt(value.toObject(), "request_id"));
        QVERIFY(row.ok());
        QVERIFY(row->requestBody.contains("Hi Ada"));
        QVERIFY(row->requestBody.contains("You are terse."));
    }
    // A missing variable is the prompt's own error.
    const ProgramRun missing = compare({QStringLiteral("--models"), QStringLiteral("gpt-e2e,claude-e2e"),
                                        QStringLiteral("--prompt"), QStringLiteral("greet@production")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains("name"), missing.err.constData());
}

void TestE2eCompare::badInputIsExplained()
{
    const ProgramRun one = compare(
        {QStringLiteral("--models"), QStringLiteral("gpt-e2e"), QStringLiteral("--request"), QStringLiteral("x")});
    QCOMPARE(one.exitCode, 2);
    QVERIFY(one.err.contains("2 to 6"));
    const ProgramRun both = compare({QStringLiteral("--models"), QStringLiteral("a,b"), QStringLiteral("--request"),
                                     QStringLiteral("x"), QStringLiteral("--prompt"), QStringLiteral("p")});
    QCOMPARE(both.exitCode, 2);
    const ProgramRun unknownRequest = compare({QStringLiteral("--models"), QStringLiteral("gpt-e2e,claude-e2e"),
                                               QStringLiteral("--request"), QStringLiteral("no-such-id")});
    QCOMPARE(unknownRequest.exitCode, 1);
    QVERIFY2(unknownRequest.err.contains("no-such-id"), unknownRequest.err.constData());
    const ProgramRun neither = compare({QStringLiteral("--prompt-file"), QStringLiteral("p.txt")});
    QCOMPARE(neither.exitCode, 2);
    QVERIFY2(neither.err.contains("--models A,B[,...] is needed (or --reprice MODEL"), neither.err.constData());
    // --reprice is the what-if cost (docs/spend.md), priced from the rows this test logged.
    const ProgramRun reprice = compare(
        {QStringLiteral("--reprice"), QStringLiteral("gpt-e2e"), QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(reprice.exitCode == 0, reprice.err.constData());
    QCOMPARE(QJsonDocument::fromJson(reprice.out).object().value(QLatin1String("estimate")).toBool(), true);
}

QTEST_GUILESS_MAIN(TestE2eCompare)
#include "tst_e2e_compare.moc"
