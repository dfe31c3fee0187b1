#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "compare/CompareRunner.h"
#include "compare/CompareSource.h"
#include "cost/PriceCatalog.h"
#include "store/RequestLogWriter.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// Models whose answers take a known time: the mock holds the headers back for that long.
const QByteArray DelayedModels = "  - name: fast\n"
                                 "    provider: mock\n"
                                 "    upstream_model: \"openai-text~slow-headers;delay=300\"\n"
                                 "  - name: medium\n"
                                 "    provider: mock\n"
                                 "    upstream_model: \"openai-text~slow-headers;delay=700\"\n"
                                 "  - name: slow\n"
                                 "    provider: mock\n"
                                 "    upstream_model: \"openai-text~slow-headers;delay=1100\"\n"
                                 "  - name: broken\n"
                                 "    provider: mock\n"
                                 "    upstream_model: \"openai-text~status;code=400\"\n"
                                 "    retry: {attempts: 1}\n"
                                 "  - name: stalled\n"
                                 "    provider: mock\n"
                                 "    upstream_model: \"openai-text~stall\"\n"
                                 "  - name: tool-caller\n"
                                 "    provider: mock-gemini\n"
                                 "    upstream_model: google-tool-call\n";

QList<CompareModel> modelsNamed(const QStringList &names)
{
    QList<CompareModel> models;
    for (const QString &name : names)
        models.append({name, {}});
    return models;
}

// Runs the comparison to its end (or timeoutMs); the run's result.
CompareRunResult runToEnd(CompareRunner &runner, const CompareRequest &request, int timeoutMs = 10000)
{
    QSignalSpy finished(&runner, &CompareRunner::finished);
    const Result<void> started = runner.start(request);
    if (!started) {
        qWarning("%s", qPrintable(started.errorMessage()));
        return {};
    }
    if (runner.isRunning())
        finished.wait(timeoutMs);
    return runner.result();
}

const CompareColumn *columnOf(const CompareRunResult &run, const QString &model)
{
    for (const CompareColumn &column : run.columns) {
        if (column.model.model == model)
            return &column;
    }
    return nullptr;
}

} // namespace

// The comparison runner against a real gateway in front of the mock upstream: the columns run at once through
// the gateway's pipeline, are logged and marked, fail alone, and can be cancelled.
class TestCompare : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void columnsRunInParallelThroughTheGateway();
    void failingColumnsStayInTheirColumn();
    void budgetRefusalStaysInItsColumn();
    void loggedRequestsOfEachFormatReplay_data();
    void loggedRequestsOfEachFormatReplay();
    void toolCallsArriveAsStructuredCalls();
    void cancelStopsEveryUpstreamCall();
    void theLocalCallerTokenIsNoGatewayToken();
};

void TestCompare::columnsRunInParallelThroughTheGateway()
{
    GatewayFixture gateway({}, DelayedModels);
    CompareRunner runner;
    runner.setGateway(gateway.url(QStringLiteral("/")));
    CompareRequest request = CompareSource::fromText(QStringLiteral("Invent a holiday."));
    request.models = modelsNamed({QStringLiteral("fast"), QStringLiteral("medium"), QStringLiteral("slow")});
    QElapsedTimer clock;
    clock.start();
    const CompareRunResult run = runToEnd(runner, request);
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(run.columns.size(), 3);
    // In parallel: the whole run takes about as long as the slowest model (1.1 s), not the sum (2.1 s).
    QVERIFY2(elapsed >= 1100 && elapsed < 1800, qPrintable(QString::number(elapsed)));
    QStringList requestIds;
    for (const CompareColumn &column : run.columns) {
        QCOMPARE(column.state, CompareColumn::State::Done);
        QCOMPARE(column.httpStatus, 200);
        QVERIFY2(column.text.startsWith(QLatin1String("**Holiday Name:**")), qPrintable(column.text));
        QCOMPARE(column.finishReason, QStringLiteral("stop"));
        QVERIFY(column.ttftMs > 0 && column.ttftMs <= column.latencyMs);
        QVERIFY(column.inputTokens > 0 && column.outputTokens > 0);
        QVERIFY(!column.requestId.isEmpty());
        requestIds.append(column.requestId);
    }
    QVERIFY(columnOf(run, QStringLiteral("fast"))->latencyMs < columnOf(run, QStringLiteral("slow"))->latencyMs);
    QVERIFY(columnOf(run, QStringLiteral("slow"))->ttftMs >= 1100);
    // Logged like any request, marked with the run, under the local caller's name.
    QVERIFY(gateway.waitForRecords(3));
    for (const RequestRecord &record : std::as_const(gateway.records)) {
        QCOMPARE(record.compareRun, run.id);
        QCOMPARE(record.tokenName, QStringLiteral("compare"));
        QVERIFY(requestIds.contains(record.id));
        QVERIFY(record.stream);
    }
}

void TestCompare::failingColumnsStayInTheirColumn()
{
    GatewayFixture gateway({}, DelayedModels);
    CompareRunner runner;
    runner.setGateway(gateway.url(QStringLiteral("/")));
    CompareRequest request = CompareSource::fromText(QStringLiteral("Invent a holiday."));
    request.models = modelsNamed({QStringLiteral("gpt-test"), QStringLiteral("no-such-model"), QStringLiteral("broken"),
                                  QStringLiteral("claude-test")});
    const CompareRunResult run = runToEnd(runner, request);
    QCOMPARE(run.columns.size(), 4);
    const CompareColumn *unknown = columnOf(run, QStringLiteral("no-such-model"));
    QCOMPARE(unknown->state, CompareColumn::State::Failed);
    QCOMPARE(unknown->httpStatus, 404);
    QVERIFY2(unknown->error.contains(QLatin1String("no-such-model")), qPrintable(unknown->error));
    const CompareColumn *broken = columnOf(run, QStringLiteral("broken"));
    QCOMPARE(broken->state, CompareColumn::State::Failed);
    QCOMPARE(broken->httpStatus, 400);
    QVERIFY(!broken->error.isEmpty());
    QVERIFY(broken->text.isEmpty());
    QCOMPARE(columnOf(run, QStringLiteral("gpt-test"))->state, CompareColumn::State::Done);
    QVERIFY(columnOf(run, QStringLiteral("gpt-test"))->text.startsWith(QLatin1String("**Holiday Name:**")));
    const CompareColumn *claude = columnOf(run, QStringLiteral("claude-test"));
    QCOMPARE(claude->state, CompareColumn::State::Done);
    QVERIFY2(claude->text.startsWith(QLatin1String("Hello!")), qPrintable(claude->text));
}

void TestCompare::budgetRefusalStaysInItsColumn()
{
    QTemporaryDir dir;
    const QString database = dir.filePath(QStringLiteral("sluice.db"));
    {
        RequestLogWriter migrate; // budgets read their spend from the log
        QVERIFY(migrate.open(database).ok());
        migrate.stop();
    }
    FixtureExtras extras;
    extras.models = DelayedModels
        + "  - name: pricey\n"
          "    provider: mock\n"
          "    upstream_model: openai-text\n";
    const auto catalog = std::make_shared<const PriceCatalog>(PriceCatalog::builtIn().value());
    extras.beforeStart = [database, catalog](GatewayService &service) {
        service.setDatabasePath(database);
        service.setPriceCatalog(catalog);
    };
    GatewayFixture gateway("prices:\n"
                           "  overrides:\n"
                           "    - {model: openai-text, input_mtok: 1000, output_mtok: 1000}\n"
                           "budgets:\n"
                           "  limits:\n"
                           "    - {model: pricey, period: daily, usd: 0.01}\n",
                           extras);
    // A client spends the day's budget of "pricey" (a budget admits requests until its spend reaches the limit).
    QCOMPARE(
        gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chatBody(QStringLiteral("pricey"), false))
            .status,
        200);
    CompareRunner runner;
    runner.setGateway(gateway.url(QStringLiteral("/")));
    CompareRequest request = CompareSource::fromText(QStringLiteral("Invent a holiday."));
    request.models = modelsNamed({QStringLiteral("pricey"), QStringLiteral("claude-test")});
    const CompareRunResult run = runToEnd(runner, request);
    const CompareColumn *pricey = columnOf(run, QStringLiteral("pricey"));
    QCOMPARE(pricey->state, CompareColumn::State::Failed);
    QCOMPARE(pricey->httpStatus, 402);
    QVERIFY2(pricey->error.contains(QLatin1String("budget")), qPrintable(pricey->error));
    QCOMPARE(columnOf(run, QStringLiteral("claude-test"))->state, CompareColumn::State::Done);
    QCOMPARE(gateway.upstream().requests().size(), 2); // the client's and claude-test's: the refused one never left
}

void TestCompare::loggedRequestsOfEachFormatReplay_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("openai chat") << QStringLiteral("/v1/chat/completions")
                                 << chatBody(QStringLiteral("gpt-test"), false, {{QStringLiteral("temperature"), 0.3}});
    QTest::newRow("anthropic messages") << QStringLiteral("/v1/messages")
                                        << anthropicBody(QStringLiteral("claude-test"), true,
                                                         {{QStringLiteral("system"), QStringLiteral("Be kind.")}});
    QTest::newRow("openai responses")
        << QStringLiteral("/v1/responses")
        << QByteArray(R"({"model":"gpt-test","input":"Invent a holiday.","instructions":"Be brief."})");
    QTest::newRow("gemini") << QStringLiteral("/v1beta/models/gemini-test:generateContent")
                            << QByteArray(R"({"contents":[{"role":"user","parts":[{"text":"How many r?"}]}],)"
                                          R"("generationConfig":{"temperature":0.1}})");
}

void TestCompare::loggedRequestsOfEachFormatReplay()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    GatewayFixture gateway({}, DelayedModels);
    const GatewayFixture::Reply original = gateway.post(gateway.request(path), body);
    QCOMPARE(original.status, 200);
    QVERIFY(gateway.waitForRecords(1));
    const RequestRecord logged = gateway.records.takeFirst();

    const Result<CompareRequest> replay = CompareSource::fromRecord(logged);
    QVERIFY2(replay.ok(), qPrintable(replay.errorMessage()));
    CompareRequest request = replay.value();
    request.models
        = modelsNamed({QStringLiteral("gpt-test"), QStringLiteral("claude-test"), QStringLiteral("gemini-test")});
    CompareRunner runner;
    runner.setGateway(gateway.url(QStringLiteral("/")));
    const CompareRunResult run = runToEnd(runner, request);
    QCOMPARE(run.columns.size(), 3);
    for (const CompareColumn &column : run.columns) {
        QVERIFY2(column.state == CompareColumn::State::Done,
                 qPrintable(column.model.model + QStringLiteral(": ") + column.error));
        QVERIFY2(!column.text.isEmpty(), qPrintable(column.model.model));
        QVERIFY(column.outputTokens > 0);
    }
    // Each replay went to the original's endpoint with the original's body: only the model and streaming differ.
    QVERIFY(gateway.waitForRecords(3));
    const QJsonObject originalBody = jsonOf(body);
    for (const RequestRecord &record : std::as_const(gateway.records)) {
        QCOMPARE(record.compareRun, run.id);
        QCOMPARE(record.endpoint.section(QLatin1Char(':'), 0, 0).section(QLatin1Char('/'), 0, 2),
                 path.section(QLatin1Char(':'), 0, 0).section(QLatin1Char('/'), 0, 2));
        QJsonObject sent = jsonOf(record.requestBody);
        for (const QString &member : originalBody.keys()) {
            if (member != QLatin1String("model") && member != QLatin1String("stream"))
                QCOMPARE(sent.value(member), originalBody.value(member));
        }
    }
}

void TestCompare::toolCallsArriveAsStructuredCalls()
{
    GatewayFixture gateway({}, DelayedModels);
    CompareRunner runner;
    runner.setGateway(gateway.url(QStringLiteral("/")));
    CompareRequest request = CompareSource::fromText(QStringLiteral("What is the weather in Paris?"));
    request.models = modelsNamed({QStringLiteral("tool-caller"), QStringLiteral("gpt-test")});
    const CompareRunResult run = runToEnd(runner, request);
    const CompareColumn *caller = columnOf(run, QStringLiteral("tool-caller"));
    QVERIFY2(caller->state == CompareColumn::State::Done, qPrintable(caller->error));
    QCOMPARE(caller->toolCalls.size(), 1);
    QVERIFY(!caller->toolCalls.at(0).name.isEmpty());
    QVERIFY(QJsonDocument::fromJson(caller->toolCalls.at(0).arguments.toUtf8()).isObject());
    QCOMPARE(caller->finishReason, QStringLiteral("tool_calls"));
    QVERIFY(columnOf(run, QStringLiteral("gpt-test"))->toolCalls.isEmpty());
}

void TestCompare::cancelStopsEveryUpstreamCall()
{
    GatewayFixture gateway({}, DelayedModels);
    CompareRunner runner;
    runner.setGateway(gateway.url(QStringLiteral("/")));
    CompareRequest request = CompareSource::fromText(QStringLiteral("Invent a holiday."));
    request.models = modelsNamed({QStringLiteral("stalled"), QStringLiteral("slow")});
    QSignalSpy finished(&runner, &CompareRunner::finished);
    QVERIFY(runner.start(request).ok());
    // Both calls reach the upstream, then Cancel.
    QVERIFY(QTest::qWaitFor([&] { return gateway.upstream().requests().size() >= 2; }, 3000));
    runner.cancel();
    QCOMPARE(finished.size(), 1);
    for (const CompareColumn &column : runner.result().columns)
        QCOMPARE(column.state, CompareColumn::State::Cancelled);
    // The gateway saw its client go and gave up both upstream calls.
    QVERIFY(QTest::qWaitFor([&] { return gateway.upstream().clientDisconnectsDuringResponse() >= 2; }, 3000));
    QVERIFY(gateway.waitForRecords(2));
    for (const RequestRecord &record : std::as_const(gateway.records))
        QCOMPARE(record.errorClass, QString::fromLatin1(ErrorClass::ClientDisconnected));
}

void TestCompare::theLocalCallerTokenIsNoGatewayToken()
{
    GatewayFixture gateway({}, DelayedModels);
    // Without Sluice's in-process secret, x-sluice-compare alone opens nothing...
    QNetworkRequest request = gateway.request(QStringLiteral("/v1/chat/completions"), QByteArrayLiteral("compare"));
    request.setRawHeader("x-sluice-compare", "run");
    QCOMPARE(gateway.post(request, chatBody(QStringLiteral("gpt-test"), false)).status, 401);
    // ... and a client's own x-sluice-compare does not make its request a comparison row.
    QNetworkRequest client = gateway.request(QStringLiteral("/v1/chat/completions"));
    client.setRawHeader("x-sluice-compare", "not-a-run");
    QCOMPARE(gateway.post(client, chatBody(QStringLiteral("gpt-test"), false)).status, 200);
    QVERIFY(gateway.waitForRecords(2));
    for (const RequestRecord &record : std::as_const(gateway.records))
        QVERIFY(record.compareRun.isEmpty());
}

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
