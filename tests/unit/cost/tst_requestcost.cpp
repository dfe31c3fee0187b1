#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "cost/RequestCost.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"

using namespace sluice;

namespace {

// The config of docs/costs.md's examples.
const QByteArray ExampleConfig = "providers:\n"
                                 "  - name: openai\n"
                                 "    type: openai\n"
                                 "    base_url: https://api.openai.com/v1\n"
                                 "  - name: ollama\n"
                                 "    type: openai\n"
                                 "    base_url: http://127.0.0.1:11434/v1\n"
                                 "    free: true\n"
                                 "  - name: proxy\n"
                                 "    type: openai\n"
                                 "    base_url: http://127.0.0.1:4000/v1\n"
                                 "prices:\n"
                                 "  overrides:\n"
                                 "    - model: gpt-4o-mini\n"
                                 "      provider: openai\n"
                                 "      input_mtok: 0.2\n"
                                 "      output_mtok: 0.8\n"
                                 "      cache_read_mtok: 0.1\n"
                                 "    - model: ft:my-org-*\n"
                                 "      input_mtok: 0.3\n"
                                 "      output_mtok: 1.2\n";

RequestRecord request(const QString &provider, const QString &model, qint64 input, qint64 output)
{
    RequestRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.startedAt = QDateTime(QDate(2026, 1, 15), QTime(10, 0), Qt::UTC);
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.provider = provider;
    record.requestedModel = model;
    record.upstreamModel = model;
    record.httpStatus = 200;
    record.inputTokens = input;
    record.outputTokens = output;
    return record;
}

// A streamed OpenAI answer carrying `chars` characters of content, cut before its usage chunk.
QByteArray openAiStream(int chars)
{
    QByteArray body;
    for (int sent = 0; sent < chars; sent += 10) {
        const QByteArray piece(qMin(10, chars - sent), 'x');
        body += "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + piece + "\"}}]}\n\n";
    }
    return body;
}

// The record as the request log gives it back: written to a fresh database, then read by its id.
Result<RequestRecord> throughTheLog(const RequestRecord &record)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.db"));
    RequestLogWriter writer;
    if (Result<void> opened = writer.open(path); !opened.ok())
        return opened.error();
    writer.append(RequestRecord(record));
    writer.flush();
    RequestLogReader reader(path);
    if (Result<void> opened = reader.open(); !opened.ok())
        return opened.error();
    return reader.byId(record.id);
}

} // namespace

class TestRequestCost : public QObject
{
    Q_OBJECT

private:
    PriceCatalog m_catalog;
    Config m_config;
    QString m_doc;

    void verifyUsd(const RequestRecord &record, double usd, const char *status)
    {
        QCOMPARE(record.costStatus, QString::fromLatin1(status));
        QVERIFY2(qAbs(record.costUsd - usd) < 1e-12,
                 qPrintable(QStringLiteral("%1 instead of %2: %3")
                                .arg(record.costUsd, 0, 'g', 15)
                                .arg(usd, 0, 'g', 15)
                                .arg(costOfRecord(record, m_catalog, m_config).detail)));
        // priceRecord skips the sum in words; costOfRecord, which explains it, reaches the same figure.
        if (!record.cacheHit) {
            const Cost explained = costOfRecord(record, m_catalog, m_config);
            QCOMPARE(explained.status, record.costStatus);
            QCOMPARE(explained.usd, record.costUsd);
            QVERIFY(!explained.detail.isEmpty());
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        Result<PriceCatalog> catalog = PriceCatalog::builtIn();
        QVERIFY2(catalog.ok(), qPrintable(catalog.errorMessage()));
        m_catalog = std::move(catalog).value();
        Result<Config> config = ConfigLoader::loadString(ExampleConfig, QStringLiteral("sluice.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        m_config = std::move(config).value();
        QFile doc(QStringLiteral(SLUICE_COSTS_DOC));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        m_doc = QString::fromUtf8(doc.readAll());
    }

    void configReadsFreeProvidersAndOverrides()
    {
        QVERIFY(!m_config.provider(QStringLiteral("openai"))->free);
        QVERIFY(m_config.provider(QStringLiteral("ollama"))->free);
        QCOMPARE(m_config.prices.overrides.size(), 2);
        const PriceOverride &mini = m_config.prices.overrides.first();
        QCOMPARE(mini.model, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(mini.provider, QStringLiteral("openai"));
        QCOMPARE(mini.inputMtok, 0.2);
        QCOMPARE(mini.outputMtok, 0.8);
        QCOMPARE(mini.cacheReadMtok, 0.1);
        QCOMPARE(mini.cacheWriteMtok, -1.0);
        QCOMPARE(mini.configLine, 14);
        QVERIFY(m_config.prices.overrides.last().provider.isEmpty());
    }

    void documentedConfigLoads()
    {
        const qsizetype start = m_doc.indexOf(QLatin1String("```yaml\n"));
        QVERIFY(start >= 0);
        const qsizetype end = m_doc.indexOf(QLatin1String("```"), start + 8);
        const Result<Config> config
            = ConfigLoader::loadString(m_doc.mid(start + 8, end - start - 8).toUtf8(), QStringLiteral("costs.md"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        QVERIFY(config->provider(QStringLiteral("ollama"))->free);
        QCOMPARE(config->prices.overrides.size(), 2);
        QCOMPARE(config->prices.overrides.first().model, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(config->prices.overrides.first().inputMtok, 0.2);
        QCOMPARE(config->prices.overrides.first().outputMtok, 0.8);
        QCOMPARE(config->prices.overrides.first().cacheWriteMtok, 0.25);
        QCOMPARE(config->prices.overrides.last().model, QStringLiteral("ft:my-org-*"));
    }

    void configMistakesAreNamed_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("message");
        const QByteArray providers
            = "providers:\n  - name: openai\n    type: openai\n    base_url: https://x.test/v1\n";
        QTest::newRow("missing output price")
            << QByteArray(providers + "prices:\n  overrides:\n    - model: m\n      input_mtok: 1\n")
            << QStringLiteral("sluice.yaml:7: prices.overrides[0]: 'output_mtok' is missing; add the output price");
        QTest::newRow("price not a number")
            << QByteArray(providers + "prices:\n  overrides:\n    - {model: m, input_mtok: cheap, output_mtok: 1}\n")
            << QStringLiteral("prices.overrides[0].input_mtok: 'cheap' is not a price in USD per million tokens");
        QTest::newRow("negative price") << QByteArray(
            providers + "prices:\n  overrides:\n    - {model: m, input_mtok: 1, output_mtok: -2}\n")
                                        << QStringLiteral("prices.overrides[0].output_mtok: '-2' is not a price");
        QTest::newRow("unknown provider")
            << QByteArray(
                   providers
                   + "prices:\n  overrides:\n    - {model: m, provider: opneai, input_mtok: 1, output_mtok: 1}\n")
            << QStringLiteral("prices.overrides[0].provider: 'opneai' is not a configured provider; did you mean "
                              "'openai'?");
        QTest::newRow("star inside the name")
            << QByteArray(providers + "prices:\n  overrides:\n    - {model: 'a*b', input_mtok: 1, output_mtok: 1}\n")
            << QStringLiteral("'a*b' is not a model name; write the upstream model name, or a prefix ending in *");
        QTest::newRow("typo")
            << QByteArray(providers
                          + "prices:\n  overrides:\n    - {model: m, input_mtk: 1, input_mtok: 1, output_mtok: 1}\n")
            << QStringLiteral("prices.overrides[0].input_mtk: unknown field 'input_mtk'; did you mean 'input_mtok'?");
        QTest::newRow("twice")
            << QByteArray(providers
                          + "prices:\n  overrides:\n    - {model: M, input_mtok: 1, output_mtok: 1}\n"
                            "    - {model: m, input_mtok: 2, output_mtok: 2}\n")
            << QStringLiteral("sluice.yaml:8: prices.overrides[1]: 'm' already has a price on line 7");
        QTest::newRow("free not a boolean") << QByteArray(providers + "    free: sometimes\n")
                                            << QStringLiteral("providers[0].free: expected true or false, found "
                                                              "'sometimes'");
    }

    void configMistakesAreNamed()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, message);
        const Result<Config> config = ConfigLoader::loadString(yaml, QStringLiteral("sluice.yaml"));
        QVERIFY(!config.ok());
        QVERIFY2(config.errorMessage().contains(message), qPrintable(config.errorMessage()));
    }

    void example7UnknownModelIsUnpricedNeverZero()
    {
        RequestRecord record = request(QStringLiteral("openai"), QStringLiteral("my-finetune-v2"), 120, 40);
        priceRecord(record, m_catalog, m_config);
        QCOMPARE(record.costStatus, QString::fromLatin1(CostStatus::Unpriced));
        QCOMPARE(record.costUsd, -1.0);
        QVERIFY(m_doc.contains(QLatin1String("`my-finetune-v2`")));
        const Cost cost = costOfRecord(record, m_catalog, m_config);
        QVERIFY2(cost.detail.contains(QLatin1String("no price for model 'my-finetune-v2' (provider 'openai')")),
                 qPrintable(cost.detail));
        QVERIFY(cost.detail.contains(QLatin1String("prices.overrides")));
        // Also when its usage is missing and would otherwise be estimated.
        record.inputTokens = record.outputTokens = -1;
        record.errorClass = QLatin1String(ErrorClass::ClientDisconnected);
        priceRecord(record, m_catalog, m_config);
        QCOMPARE(record.costUsd, -1.0);
        QCOMPARE(record.costStatus, QString::fromLatin1(CostStatus::Unpriced));
    }

    void deploymentNamesArePricedByTheServedModel()
    {
        // An Azure deployment (or a router alias) has no price; the answer names the model that served it.
        RequestRecord record = request(QStringLiteral("openai"), QStringLiteral("prod-chat"), 120, 40);
        record.servedModel = QStringLiteral("gpt-4o-mini");
        priceRecord(record, m_catalog, m_config);
        verifyUsd(record, 120 * 0.2 / 1e6 + 40 * 0.8 / 1e6, CostStatus::Exact);
        const Result<RequestRecord> read = throughTheLog(record);
        QVERIFY2(read.ok(), qPrintable(read.errorMessage()));
        QCOMPARE(read->servedModel, QStringLiteral("gpt-4o-mini"));
        verifyUsd(*read, 120 * 0.2 / 1e6 + 40 * 0.8 / 1e6, CostStatus::Exact);

        // Neither name known: unpriced, and the detail names both.
        RequestRecord unknown = request(QStringLiteral("openai"), QStringLiteral("prod-chat"), 120, 40);
        unknown.servedModel = QStringLiteral("house-model-7");
        priceRecord(unknown, m_catalog, m_config);
        QCOMPARE(unknown.costStatus, QString::fromLatin1(CostStatus::Unpriced));
        const QString detail = costOfRecord(unknown, m_catalog, m_config).detail;
        QVERIFY2(detail.contains(QLatin1String("'prod-chat' (served as 'house-model-7')")), qPrintable(detail));
    }

    void example8FreeProvidersCostNothing()
    {
        RequestRecord record = request(QStringLiteral("ollama"), QStringLiteral("llama3.1:8b"), 1200, 300);
        priceRecord(record, m_catalog, m_config);
        verifyUsd(record, 0, CostStatus::Free);
        // A free provider serving a model the catalog knows is still free.
        RequestRecord known = request(QStringLiteral("ollama"), QStringLiteral("gpt-oss-20b"), 1200, 300);
        priceRecord(known, m_catalog, m_config);
        verifyUsd(known, 0, CostStatus::Free);
    }

    void example9CutStreamIsEstimatedFromWhatWasRelayed()
    {
        RequestRecord record = request(QStringLiteral("openai-direct"), QStringLiteral("gpt-4o-mini"), -1, -1);
        record.provider = QStringLiteral("proxy"); // priced by model name: the catalog's gpt-4o-mini
        record.stream = true;
        record.errorClass = QLatin1String(ErrorClass::ClientDisconnected);
        record.timeToFirstTokenUs = 250'000;
        record.requestBytes = 2000;
        record.relayedTextChars = 1000;
        priceRecord(record, m_catalog, m_config);
        // 500 x 0.15 + 250 x 0.60 = 225 $/M
        verifyUsd(record, 0.000225, CostStatus::Estimated);
        QVERIFY(m_doc.contains(QLatin1String("= $0.000225")));
        QVERIFY(costOfRecord(record, m_catalog, m_config).detail.contains(QLatin1String("estimated")));

        // Without the measured sizes, the logged bodies give the same estimate.
        record.requestBytes = -1;
        record.relayedTextChars = -1;
        record.requestBody = QByteArray(2000, ' ');
        record.responseBody = openAiStream(1000);
        QCOMPARE(generatedTextChars(record.responseBody), qint64(1000));
        priceRecord(record, m_catalog, m_config);
        verifyUsd(record, 0.000225, CostStatus::Estimated);
    }

    void cutStreamWithEarlyUsageTakesTheLargerOutput()
    {
        // Anthropic reports input and a first output count in message_start; the final count never came.
        ProviderConfig anthropic;
        anthropic.name = QStringLiteral("anthropic");
        anthropic.baseUrl = QUrl(QStringLiteral("https://api.anthropic.com/v1"));
        Config config = m_config;
        config.providers.append(anthropic);
        RequestRecord record = request(QStringLiteral("anthropic"), QStringLiteral("claude-haiku-4-5"), 43, 1);
        record.stream = true;
        record.errorClass = QLatin1String(ErrorClass::UpstreamTimeout);
        record.relayedTextChars = 400;
        priceRecord(record, m_catalog, config);
        // 43 x 1 + max(1, 400 / 4) x 5 = 543 $/M
        QCOMPARE(record.costStatus, QString::fromLatin1(CostStatus::Estimated));
        QVERIFY(qAbs(record.costUsd - 0.000543) < 1e-12);
        // The same usage on a stream that finished is exact.
        record.errorClass.clear();
        priceRecord(record, m_catalog, config);
        QCOMPARE(record.costStatus, QString::fromLatin1(CostStatus::Exact));
        QVERIFY(qAbs(record.costUsd - 0.000048) < 1e-12);
    }

    void answersWithoutUsageAreEstimated()
    {
        // Some OpenAI-compatible servers report no usage at all.
        RequestRecord record = request(QStringLiteral("proxy"), QStringLiteral("gpt-4o-mini"), -1, -1);
        record.requestBytes = 400;
        record.responseBody = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Hello there, how can "
                              "I help?\"}}]}";
        priceRecord(record, m_catalog, m_config);
        // 100 x 0.15 + ceil(28 / 4) = 7 x 0.60 = 19.2 $/M
        verifyUsd(record, 0.0000192, CostStatus::Estimated);
    }

    void requestsTheProviderDidNotBillCostNothing()
    {
        RequestRecord refused = request(QString(), QStringLiteral("gpt-4o-mini"), -1, -1);
        refused.errorClass = QLatin1String(ErrorClass::Authentication);
        refused.httpStatus = 401;
        refused.requestBytes = 5000;
        priceRecord(refused, m_catalog, m_config);
        verifyUsd(refused, 0, CostStatus::Exact);

        RequestRecord upstreamError = request(QStringLiteral("openai"), QStringLiteral("gpt-4o-mini"), -1, -1);
        upstreamError.errorClass = QLatin1String(ErrorClass::UpstreamError);
        upstreamError.httpStatus = 429;
        upstreamError.requestBytes = 5000;
        priceRecord(upstreamError, m_catalog, m_config);
        verifyUsd(upstreamError, 0, CostStatus::Exact);

        RequestRecord unreachable = request(QStringLiteral("proxy"), QStringLiteral("gpt-4o-mini"), -1, -1);
        unreachable.errorClass = QLatin1String(ErrorClass::UpstreamConnection);
        unreachable.httpStatus = 502;
        unreachable.requestBytes = 5000;
        priceRecord(unreachable, m_catalog, m_config);
        verifyUsd(unreachable, 0, CostStatus::Exact);
        // The connection broke after content was relayed: the provider billed something.
        unreachable.stream = true;
        unreachable.timeToFirstTokenUs = 1000;
        unreachable.relayedTextChars = 40;
        priceRecord(unreachable, m_catalog, m_config);
        // 1,250 x 0.15 + 10 x 0.60 = 193.5 $/M
        verifyUsd(unreachable, 0.0001935, CostStatus::Estimated);
    }

    void example10OverridesWin()
    {
        RequestRecord record = request(QStringLiteral("openai"), QStringLiteral("gpt-4o-mini"), 1000, 1000);
        priceRecord(record, m_catalog, m_config);
        // 1,000 x 0.2 + 1,000 x 0.8 = 1,000 $/M
        verifyUsd(record, 0.001, CostStatus::Exact);
        QVERIFY(m_doc.contains(QLatin1String("= $0.001**")));
        QVERIFY(costOfRecord(record, m_catalog, m_config).detail.contains(QLatin1String(":14 (prices.overrides)")));
        // The override is for provider openai only: through the proxy the catalog's price applies,
        // 1,000 x 0.15 + 1,000 x 0.6 = 750 $/M.
        record.provider = QStringLiteral("proxy");
        priceRecord(record, m_catalog, m_config);
        verifyUsd(record, 0.00075, CostStatus::Exact);
        QVERIFY(m_doc.contains(QLatin1String("$0.00075")));
        // A prefix override prices fine-tuned models the catalog cannot know: 1,000 x 0.3 + 1,000 x 1.2.
        RequestRecord tuned = request(QStringLiteral("openai"), QStringLiteral("ft:my-org-support-v3"), 1000, 1000);
        priceRecord(tuned, m_catalog, m_config);
        verifyUsd(tuned, 0.0015, CostStatus::Exact);
    }

    void generatedTextIsCountedInEveryFormat()
    {
        const QByteArray anthropic
            = "event: content_block_delta\n"
              "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":"
              "\"abcd\"}}\n\n"
              "event: content_block_delta\n"
              "data: "
              "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"hello\"}}"
              "\n\n"
              "event: content_block_delta\n"
              "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
              "\"partial_json\":\"{\\\"a\\\":1}\"}}\n\n";
        QCOMPARE(generatedTextChars(anthropic), qint64(4 + 5 + 7));
        const QByteArray gemini = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"There "
                                  "are\"}],\"role\":\"model\"}}]}\r\n\r\n";
        QCOMPARE(generatedTextChars(gemini), qint64(9));
        const QByteArray openAi = "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"name\":\"f\","
                                  "\"arguments\":\"{}\"}}]}}]}\n\ndata: [DONE]\n\n";
        QCOMPARE(generatedTextChars(openAi), qint64(2));
        // Responses: the deltas count; the .done events and response.completed repeat them.
        const QByteArray responses
            = "event: response.output_item.added\n"
              "data: {\"type\":\"response.output_item.added\",\"item\":{\"type\":\"message\",\"content\":[]}}\n\n"
              "event: response.output_text.delta\n"
              "data: {\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}\n\n"
              "event: response.output_text.delta\n"
              "data: {\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}\n\n"
              "event: response.output_text.done\n"
              "data: {\"type\":\"response.output_text.done\",\"text\":\"Hello\"}\n\n"
              "event: response.content_part.done\n"
              "data: "
              "{\"type\":\"response.content_part.done\",\"part\":{\"type\":\"output_text\",\"text\":\"Hello\"}}\n\n"
              "event: response.function_call_arguments.delta\n"
              "data: {\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{}\"}\n\n"
              "event: response.function_call_arguments.done\n"
              "data: {\"type\":\"response.function_call_arguments.done\",\"arguments\":\"{}\"}\n\n"
              "event: response.completed\n"
              "data: {\"type\":\"response.completed\",\"response\":{\"output\":[{\"type\":\"message\",\"content\":"
              "[{\"type\":\"output_text\",\"text\":\"Hello\"}]}]}}\n\n";
        QCOMPARE(generatedTextChars(responses), qint64(5 + 2));
        QCOMPARE(generatedTextChars(QByteArray()), qint64(0));
    }

    void costsRoundTripThroughTheRequestLog()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("sluice.db"));
        RequestRecord priced = request(QStringLiteral("openai"), QStringLiteral("gpt-4o-mini"), 1000, 1000);
        priced.cacheWriteTokens = 12;
        priceRecord(priced, m_catalog, m_config);
        RequestRecord unpriced = request(QStringLiteral("openai"), QStringLiteral("my-finetune-v2"), 10, 10);
        priceRecord(unpriced, m_catalog, m_config);
        RequestRecord free = request(QStringLiteral("ollama"), QStringLiteral("llama3.1:8b"), 10, 10);
        priceRecord(free, m_catalog, m_config);
        RequestRecord notPriced = request(QStringLiteral("openai"), QStringLiteral("gpt-4o-mini"), 10, 10);
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(path).ok());
            for (const RequestRecord &record : {priced, unpriced, free, notPriced})
                writer.append(record);
            writer.flush();
        }
        RequestLogReader reader(path);
        for (const RequestRecord &expected : {priced, unpriced, free, notPriced}) {
            const Result<RequestRecord> read = reader.byId(expected.id);
            QVERIFY2(read.ok(), qPrintable(read.errorMessage()));
            QCOMPARE(read->costUsd, expected.costUsd);
            QCOMPARE(read->costStatus, expected.costStatus);
            QCOMPARE(read->cacheWriteTokens, expected.cacheWriteTokens);
        }
        // Unknown costs are NULL in the log, never 0.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM requests WHERE cost_usd IS NULL")));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toInt(), 2);
            QVERIFY(query.exec(QStringLiteral("SELECT cost_status FROM requests WHERE id = '%1'").arg(notPriced.id)));
            QVERIFY(query.next());
            QVERIFY(query.value(0).isNull());
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }

    void example11BilledFailedAttemptCounts()
    {
        // claude-haiku-4-5 reported 12,000 input tokens, then the connection broke before any content; the
        // fallback gpt-4o-mini (openai, overridden to $0.2/M and $0.8/M) answered with 2,000 input, 500 output.
        RequestRecord record = request(QStringLiteral("openai"), QStringLiteral("gpt-4o-mini"), 2000, 500);
        AttemptRecord failed;
        failed.provider = QStringLiteral("anthropic");
        failed.upstreamModel = QStringLiteral("claude-haiku-4-5");
        failed.deployment = QStringLiteral("anthropic/claude-haiku-4-5");
        failed.decision = QStringLiteral("fallback");
        failed.inputTokens = 12000;
        AttemptRecord answered;
        answered.provider = QStringLiteral("openai");
        answered.upstreamModel = QStringLiteral("gpt-4o-mini");
        answered.deployment = QStringLiteral("openai/gpt-4o-mini");
        answered.decision = QStringLiteral("done");
        record.attempts = {failed, answered};
        priceRecord(record, m_catalog, m_config);
        // 12,000 x 1 = 12,000 $/M, plus 2,000 x 0.2 + 500 x 0.8 = 800 $/M: 12,800 $/M
        verifyUsd(record, 0.0128, CostStatus::Exact);
        QVERIFY(m_doc.contains(QLatin1String("**= $0.0128**")));
        {
            // The failed attempt's usage is logged with it, so the cost can be explained later.
            const Result<RequestRecord> read = throughTheLog(record);
            QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.errorMessage()));
            QCOMPARE(read->attempts.size(), 2);
            QCOMPARE(read->attempts.first().inputTokens, 12000);
            QCOMPARE(read->attempts.first().outputTokens, -1);
            QCOMPARE(read->attempts.last().inputTokens, -1);
            QVERIFY(qAbs(costOfRecord(read.value(), m_catalog, m_config).usd - 0.0128) < 1e-12);
        }
        QVERIFY(costOfRecord(record, m_catalog, m_config)
                    .detail.contains(QLatin1String("plus failed attempt 1 (anthropic/claude-haiku-4-5) billed")));

        // Without its usage (a failure before the provider reported any), the failed attempt adds nothing.
        record.attempts.first().inputTokens = -1;
        priceRecord(record, m_catalog, m_config);
        verifyUsd(record, 0.0008, CostStatus::Exact);

        // A billed attempt on a model without a price makes the request unpriced, never cheaper.
        record.attempts.first().inputTokens = 12000;
        record.attempts.first().upstreamModel = QStringLiteral("my-finetune-v2");
        record.attempts.first().provider = QStringLiteral("openai");
        priceRecord(record, m_catalog, m_config);
        QCOMPARE(record.costStatus, QString::fromLatin1(CostStatus::Unpriced));
        QCOMPARE(record.costUsd, -1.0);
    }

    void example12CacheHitCostsNothingAndRecordsTheSaving()
    {
        RequestRecord record = request(QStringLiteral("openai"), QStringLiteral("gpt-4o-mini"), 1000, 1000);
        record.cacheHit = true;
        priceRecord(record, m_catalog, m_config);
        QCOMPARE(record.costStatus, QString::fromLatin1(CostStatus::Cached));
        QCOMPARE(record.costUsd, 0.0);
        // What the cached usage costs now: 1,000 x 0.2 + 1,000 x 0.8 = 1,000 $/M
        QVERIFY(qAbs(record.savedUsd - 0.001) < 1e-12);
        QVERIFY(m_doc.contains(QLatin1String("`saved_usd` = $0.001")));

        RequestRecord unknown = request(QStringLiteral("openai"), QStringLiteral("my-finetune-v2"), 1000, 1000);
        unknown.cacheHit = true;
        priceRecord(unknown, m_catalog, m_config);
        QCOMPARE(unknown.costUsd, 0.0);
        QCOMPARE(unknown.savedUsd, -1.0);

        // The log keeps both.
        const Result<RequestRecord> read = throughTheLog(record);
        QVERIFY2(read.ok(), qPrintable(read.errorMessage()));
        QCOMPARE(read->costStatus, QString::fromLatin1(CostStatus::Cached));
        QVERIFY(read->cacheHit);
        QVERIFY(qAbs(read->savedUsd - 0.001) < 1e-12);
    }
};

QTEST_GUILESS_MAIN(TestRequestCost)
#include "tst_requestcost.moc"
