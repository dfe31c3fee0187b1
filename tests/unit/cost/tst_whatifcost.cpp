#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "common/RequestRecord.h"
#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "cost/WhatIfCost.h"
#include "store/RequestLogWriter.h"
#include "store/SqliteConnection.h"

using namespace sluice;

namespace {

QDateTime utc(const char *iso)
{
    QDateTime time = QDateTime::fromString(QLatin1String(iso), Qt::ISODateWithMs);
    time.setTimeSpec(Qt::UTC);
    return time;
}

const QDateTime From = utc("2026-03-10T00:00:00.000");
const QDateTime To = utc("2026-03-11T00:00:00.000");

struct Tokens
{
    qint64 input = -1;
    qint64 cached = -1;
    qint64 written = -1;
    qint64 output = -1;
    qint64 reasoning = -1;
};

RequestRecord record(const char *at, const char *client, const char *model, QStringList tags, Tokens tokens,
                     double costUsd, const char *status)
{
    static int n = 0;
    RequestRecord r;
    r.id = QStringLiteral("00000000-0000-4000-8000-%1").arg(++n, 12, 10, QLatin1Char('0'));
    r.startedAt = utc(at);
    r.tokenName = QStringLiteral("laptop");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.requestedModel = QLatin1String(model);
    r.upstreamModel = QLatin1String(model);
    r.provider = QStringLiteral("openai");
    r.httpStatus = 200;
    r.client = QLatin1String(client);
    r.tags = tags;
    r.inputTokens = tokens.input;
    r.cachedTokens = tokens.cached;
    r.cacheWriteTokens = tokens.written;
    r.outputTokens = tokens.output;
    r.reasoningTokens = tokens.reasoning;
    r.costUsd = costUsd;
    r.costStatus = QLatin1String(status);
    r.cacheHit = r.costStatus == QLatin1String(CostStatus::Cached);
    return r;
}

// The target of most checks, by hand: input $2/M ($4/M for a request of more than 200,000 input tokens), cache
// reads $0.50/M, cache writes $2.50/M, output $8/M ($12/M above 200,000 input tokens).
WhatIfTarget tieredTarget()
{
    WhatIfTarget target;
    target.model = QStringLiteral("target-model");
    target.label = target.model;
    target.price.input = TieredPrice::flat(2);
    target.price.input.tiers = {{200000, 4}};
    target.price.cacheRead = TieredPrice::flat(0.5);
    target.price.cacheWrite = TieredPrice::flat(2.5);
    target.price.output = TieredPrice::flat(8);
    target.price.output.tiers = {{200000, 12}};
    return target;
}

const WhatIfLine *lineNamed(const WhatIfReport &report, const QString &name)
{
    for (const WhatIfLine &line : report.lines) {
        if (line.name == name)
            return &line;
    }
    return nullptr;
}

// Three days of varied requests: every kind, input sizes on both sides of each long-context start, tags.
RequestRecords spread(int count)
{
    static const char *const clients[] = {"Claude Code", "Codex CLI", "", "curl"};
    static const char *const models[] = {"claude-x", "gpt-x", "gemini-x"};
    static const qint64 sizes[] = {900, 128000, 128001, 200000, 200001, 272001, 512000, 512001, 700000};
    QRandomGenerator random(11);
    RequestRecords records;
    for (int n = 0; n < count; ++n) {
        const QDateTime at = From.addMSecs(qint64(random.bounded(3 * 24 * 3600)) * 1000 + random.bounded(1000));
        QStringList tags;
        if (n % 3 == 1)
            tags = {QStringLiteral("a")};
        else if (n % 5 == 2)
            tags = {QStringLiteral("a"), QStringLiteral("b")};
        const qint64 input = sizes[random.bounded(int(std::size(sizes)))] + random.bounded(50);
        Tokens tokens {input, input / 3, n % 4 == 0 ? input / 10 : 0, 10 + random.bounded(4000), n % 2 ? 0 : 50};
        double cost = 0.001 * (n % 17 + 1);
        const char *status = CostStatus::Exact;
        switch (n % 11) {
        case 1:
            status = CostStatus::Estimated;
            break;
        case 2:
            status = CostStatus::Unpriced;
            cost = -1;
            break;
        case 3:
            status = CostStatus::Cached;
            cost = 0;
            break;
        case 4:
            tokens = {};
            cost = 0;
            break;
        case 5:
            tokens = {};
            status = CostStatus::Estimated;
            break;
        case 6:
            status = CostStatus::Free;
            cost = 0;
            break;
        default:
            break;
        }
        records.append(record(qPrintable(at.toString(Qt::ISODateWithMs)), clients[n % 4], models[n % 3], tags, tokens,
                              cost, status));
    }
    return records;
}

void compareLines(const WhatIfLine &a, const WhatIfLine &b, const QString &where)
{
    const QString name = where + QStringLiteral(" / '") + a.name + QLatin1Char('\'');
    QVERIFY2(a.name == b.name, qPrintable(name + QStringLiteral(" vs '") + b.name + QLatin1Char('\'')));
    const std::pair<qint64, qint64> counts[] = {{a.requests, b.requests},
                                                {a.compared, b.compared},
                                                {a.inputTokens, b.inputTokens},
                                                {a.cachedTokens, b.cachedTokens},
                                                {a.cacheWriteTokens, b.cacheWriteTokens},
                                                {a.outputTokens, b.outputTokens},
                                                {a.reasoningTokens, b.reasoningTokens},
                                                {a.estimated, b.estimated},
                                                {a.unpricedActual, b.unpricedActual},
                                                {a.noTokenCounts, b.noTokenCounts},
                                                {a.missingTargetPrice, b.missingTargetPrice},
                                                {a.cacheHits, b.cacheHits}};
    for (const auto &[x, y] : counts)
        QVERIFY2(x == y, qPrintable(name + QStringLiteral(": %1 vs %2").arg(x).arg(y)));
    const std::pair<double, double> money[] = {
        {a.actualUsd, b.actualUsd}, {a.whatIfUsd, b.whatIfUsd}, {a.unpricedActualWhatIfUsd, b.unpricedActualWhatIfUsd}};
    for (const auto &[x, y] : money)
        QVERIFY2(qAbs(x - y) <= 1e-9 * qMax(1.0, qAbs(x)),
                 qPrintable(name + QStringLiteral(": %1 vs %2").arg(x).arg(y)));
}

} // namespace

class TestWhatIfCost : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_database;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_database = m_dir.filePath(QStringLiteral("sluice.db"));
        RequestLogWriter writer;
        QVERIFY(writer.open(m_database).ok());
        const QString a = QStringLiteral("a");
        const QString b = QStringLiteral("b");
        // R1, on the period's first millisecond (included).
        writer.append(record("2026-03-10T00:00:00.000", "Claude Code", "claude-x", {a}, {10000, 4000, 1000, 2000, 500},
                             0.05, CostStatus::Exact));
        // R2, over 200,000 input tokens: the long-context rates for input and output, cache reads flat.
        writer.append(record("2026-03-10T12:30:00.000", "Codex CLI", "gpt-x", {a, b}, {300000, 100000, 0, 1000, 0},
                             1.20, CostStatus::Exact));
        // R3, on the period's last millisecond; its logged cost is an estimate.
        writer.append(record("2026-03-10T23:59:59.999", "Codex CLI", "gpt-x", {}, {1000, 0, 0, 100, 0}, 0.004,
                             CostStatus::Estimated));
        // Outside the period at either end: never counted.
        writer.append(record("2026-03-11T00:00:00.000", "Codex CLI", "gpt-x", {}, {1000000, 0, 0, 1000, 0}, 9.0,
                             CostStatus::Exact));
        writer.append(record("2026-03-09T23:59:59.999", "Codex CLI", "gpt-x", {}, {1000000, 0, 0, 1000, 0}, 9.0,
                             CostStatus::Exact));
        // R6: no logged price (repriced, not compared); R7: no token counts (cannot be repriced).
        writer.append(record("2026-03-10T08:00:00.000", "Claude Code", "my-finetune", {}, {2000, 0, 0, 500, 0}, -1,
                             CostStatus::Unpriced));
        writer.append(
            record("2026-03-10T09:00:00.000", "Claude Code", "claude-x", {}, {}, 0.01, CostStatus::Estimated));
        // R8: a response-cache hit; R9: refused before any provider, nothing billed; R10: a free local model.
        writer.append(
            record("2026-03-10T10:00:00.000", "Codex CLI", "gpt-x", {}, {5000, 0, 0, 100, 0}, 0, CostStatus::Cached));
        RequestRecord refused = record("2026-03-10T11:00:00.000", "", "gpt-x", {}, {}, 0, CostStatus::Exact);
        refused.provider.clear();
        refused.httpStatus = 402;
        writer.append(refused);
        writer.append(
            record("2026-03-10T14:00:00.000", "Aider", "llama3", {}, {4000, 0, 0, 1000, 0}, 0, CostStatus::Free));
        writer.flush();
        writer.stop();
    }

    void totalsCompareOnlyWhatIsPricedBothWays()
    {
        WhatIfCost whatIf(m_database);
        const Result<WhatIfReport> report = whatIf.compute(tieredTarget(), WhatIfGrouping::None, From, To);
        QVERIFY2(report.ok(), qPrintable(report.errorMessage()));
        const WhatIfLine &total = report->total;
        QCOMPARE(total.requests, 8); // R1-R3, R6-R10: the two outside the period are not read
        QCOMPARE(total.compared, 5); // R1, R2, R3, R9 (nothing billed: $0 both ways), R10 (free)
        // R1: (10,000 - 4,000 - 1,000) × $2 + 4,000 × $0.5 + 1,000 × $2.5 + 2,000 × $8 = $30,500 /M = $0.0305
        // R2: input 300,000 > 200,000: (300,000 - 100,000) × $4 + 100,000 × $0.5 + 1,000 × $12 = $862,000 /M
        //     = $0.862
        // R3: 1,000 × $2 + 100 × $8 = $2,800 /M = $0.0028
        // R9: no tokens, $0; R10: 4,000 × $2 + 1,000 × $8 = $16,000 /M = $0.016
        QCOMPARE(qRound64(total.whatIfUsd * 1e7), qRound64((0.0305 + 0.862 + 0.0028 + 0 + 0.016) * 1e7)); // $0.9113
        QCOMPARE(qRound64(total.actualUsd * 1e7), qRound64((0.05 + 1.20 + 0.004 + 0 + 0) * 1e7)); // $1.254
        QCOMPARE(qRound64(total.differenceUsd() * 1e7), qRound64((0.9113 - 1.254) * 1e7));
        QVERIFY(total.ratio());
        QCOMPARE(qRound64(*total.ratio() * 1e6), qRound64(0.9113 / 1.254 * 1e6));
        // The compared requests' tokens: 10,000 + 300,000 + 1,000 + 4,000 input, ...
        QCOMPARE(total.inputTokens, 315000);
        QCOMPARE(total.cachedTokens, 104000);
        QCOMPARE(total.cacheWriteTokens, 1000);
        QCOMPARE(total.outputTokens, 4100);
        QCOMPARE(total.reasoningTokens, 500);
        QCOMPARE(total.estimated, 1); // R3
        // Counted apart, never as $0: R6 (2,000 × $2 + 500 × $8 = $8,000 /M = $0.008), R7, R8.
        QCOMPARE(total.unpricedActual, 1);
        QCOMPARE(qRound64(total.unpricedActualWhatIfUsd * 1e7), qRound64(0.008 * 1e7));
        QCOMPARE(total.noTokenCounts, 1);
        QCOMPARE(total.cacheHits, 1);
        QCOMPARE(total.missingTargetPrice, 0);
        QVERIFY(report->tokenizerNote().contains(QLatin1String("tokenizer")));
    }

    void groupsByClientModelAndTag()
    {
        WhatIfCost whatIf(m_database);
        const Result<WhatIfReport> byClient = whatIf.compute(tieredTarget(), WhatIfGrouping::Client, From, To);
        QVERIFY2(byClient.ok(), qPrintable(byClient.errorMessage()));
        QCOMPARE(byClient->lines.size(), 4); // Claude Code, Codex CLI, Aider, '' (R9)
        // Most expensive first: Codex CLI paid $1.204.
        QCOMPARE(byClient->lines.constFirst().name, QStringLiteral("Codex CLI"));
        const WhatIfLine *codex = lineNamed(*byClient, QStringLiteral("Codex CLI"));
        QVERIFY(codex);
        QCOMPARE(codex->requests, 3); // R2, R3, R8 (the cache hit, not compared)
        QCOMPARE(codex->compared, 2);
        QCOMPARE(qRound64(codex->actualUsd * 1e7), qRound64(1.204 * 1e7)); // $1.20 + $0.004
        QCOMPARE(qRound64(codex->whatIfUsd * 1e7), qRound64(0.8648 * 1e7)); // $0.862 + $0.0028
        QCOMPARE(codex->cacheHits, 1);
        const WhatIfLine *claude = lineNamed(*byClient, QStringLiteral("Claude Code"));
        QVERIFY(claude);
        QCOMPARE(claude->requests, 3); // R1, R6, R7
        QCOMPARE(claude->compared, 1);
        QCOMPARE(qRound64(claude->whatIfUsd * 1e7), qRound64(0.0305 * 1e7));
        QCOMPARE(claude->unpricedActual, 1);
        QCOMPARE(claude->noTokenCounts, 1);
        const WhatIfLine *aider = lineNamed(*byClient, QStringLiteral("Aider"));
        QVERIFY(aider);
        QCOMPARE(aider->actualUsd, 0.0);
        QCOMPARE(qRound64(aider->whatIfUsd * 1e7), qRound64(0.016 * 1e7));
        QVERIFY(!aider->ratio()); // nothing was paid: no ratio, not infinity
        QVERIFY(lineNamed(*byClient, QString()));

        const Result<WhatIfReport> byTag = whatIf.compute(tieredTarget(), WhatIfGrouping::Tag, From, To);
        QVERIFY(byTag.ok());
        QCOMPARE(byTag->lines.size(), 3); // a, b, untagged
        const WhatIfLine *a = lineNamed(*byTag, QStringLiteral("a"));
        const WhatIfLine *b = lineNamed(*byTag, QStringLiteral("b"));
        const WhatIfLine *untagged = lineNamed(*byTag, QString());
        QVERIFY(a && b && untagged);
        // R2 carries both tags: it counts under each, once in the total.
        QCOMPARE(qRound64(a->whatIfUsd * 1e7), qRound64((0.0305 + 0.862) * 1e7));
        QCOMPARE(qRound64(b->whatIfUsd * 1e7), qRound64(0.862 * 1e7));
        QCOMPARE(qRound64(untagged->whatIfUsd * 1e7), qRound64((0.0028 + 0.016) * 1e7)); // R3, R10
        QCOMPARE(qRound64(byTag->total.whatIfUsd * 1e7), qRound64(0.9113 * 1e7));

        const Result<WhatIfReport> byModel = whatIf.compute(tieredTarget(), WhatIfGrouping::Model, From, To);
        QVERIFY(byModel.ok());
        const WhatIfLine *gpt = lineNamed(*byModel, QStringLiteral("gpt-x"));
        QVERIFY(gpt);
        QCOMPARE(gpt->requests, 4); // R2, R3, R8, R9
        QCOMPARE(qRound64(gpt->whatIfUsd * 1e7), qRound64(0.8648 * 1e7));
    }

    void periodEdgesAndFilters()
    {
        WhatIfCost whatIf(m_database);
        // From 12:30 (included: R2) to 23:59:59.999 (excluded: R3).
        const Result<WhatIfReport> middle = whatIf.compute(
            tieredTarget(), WhatIfGrouping::None, utc("2026-03-10T12:30:00.000"), utc("2026-03-10T23:59:59.999"));
        QVERIFY(middle.ok());
        QCOMPARE(middle->total.requests, 2); // R2 and R10 (14:00)
        QCOMPARE(qRound64(middle->total.whatIfUsd * 1e7), qRound64((0.862 + 0.016) * 1e7));

        WhatIfFilter codex;
        codex.client = QStringLiteral("Codex CLI");
        codex.tag = QStringLiteral("b");
        const Result<WhatIfReport> filtered = whatIf.compute(tieredTarget(), WhatIfGrouping::Model, From, To, codex);
        QVERIFY(filtered.ok());
        QCOMPARE(filtered->total.requests, 1); // R2 only
        QCOMPARE(qRound64(filtered->total.whatIfUsd * 1e7), qRound64(0.862 * 1e7));
        QCOMPARE(filtered->lines.size(), 1);

        WhatIfFilter untagged;
        untagged.tag = QString();
        untagged.model = QStringLiteral("gpt-x");
        const Result<WhatIfReport> none = whatIf.compute(tieredTarget(), WhatIfGrouping::None, From, To, untagged);
        QVERIFY(none.ok());
        QCOMPARE(none->total.requests, 3); // R3, R8, R9
        QCOMPARE(qRound64(none->total.whatIfUsd * 1e7), qRound64(0.0028 * 1e7));

        WhatIfFilter project;
        project.project = QStringLiteral("laptop"); // no project given: the token's name
        const Result<WhatIfReport> all = whatIf.compute(tieredTarget(), WhatIfGrouping::None, From, To, project);
        QVERIFY(all.ok());
        QCOMPARE(all->total.requests, 8);
    }

    void aTargetWithoutAPriceForSomeTokensCountsThemApart()
    {
        // An embeddings-like model: input only. Every request with output tokens cannot be priced on it.
        WhatIfTarget inputOnly;
        inputOnly.model = QStringLiteral("embedder");
        inputOnly.price.input = TieredPrice::flat(0.1);
        WhatIfCost whatIf(m_database);
        const Result<WhatIfReport> report = whatIf.compute(inputOnly, WhatIfGrouping::None, From, To);
        QVERIFY(report.ok());
        QCOMPARE(report->total.missingTargetPrice, 5); // R1, R2, R3, R6, R10 have output tokens
        QCOMPARE(report->total.compared, 1); // R9, nothing billed
        QCOMPARE(report->total.whatIfUsd, 0.0);
        QCOMPARE(report->total.actualUsd, 0.0);
    }

    void perRequestPricesAndFreeTargets()
    {
        // $1/M for every token kind plus $5 per thousand requests: R1 is 10,000 × $1 + 2,000 × $1 = $0.012, plus
        // $0.005 = $0.017. R6 (no logged price) is repriced apart, R7 (no counts) not at all.
        WhatIfTarget perRequest;
        perRequest.model = QStringLiteral("per-request");
        perRequest.price.input = TieredPrice::flat(1);
        perRequest.price.output = TieredPrice::flat(1);
        perRequest.price.requestsKcount = 5;
        WhatIfFilter claude;
        claude.client = QStringLiteral("Claude Code");
        WhatIfCost whatIf(m_database);
        const Result<WhatIfReport> report = whatIf.compute(perRequest, WhatIfGrouping::None, From, To, claude);
        QVERIFY(report.ok());
        QCOMPARE(qRound64(report->total.whatIfUsd * 1e7), qRound64(0.017 * 1e7));
        // R6: 2,000 + 500 tokens × $1/M + $0.005 = $0.0075
        QCOMPARE(qRound64(report->total.unpricedActualWhatIfUsd * 1e7), qRound64(0.0075 * 1e7));

        WhatIfTarget local;
        local.model = QStringLiteral("llama3");
        local.free = true;
        const Result<WhatIfReport> free = whatIf.compute(local, WhatIfGrouping::None, From, To);
        QVERIFY(free.ok());
        QCOMPARE(free->total.whatIfUsd, 0.0);
        QCOMPARE(free->total.compared, 5);
        QCOMPARE(qRound64(free->total.differenceUsd() * 1e7), qRound64(-1.254 * 1e7));
    }

    void resolvesConfiguredAndCatalogModels()
    {
        const Result<Config> config = ConfigLoader::loadString(QByteArrayLiteral(R"(
providers:
  - name: openai
    type: openai
    api_key: env:SLUICE_TEST_NO_SUCH_KEY
  - name: local
    type: ollama
    base_url: http://127.0.0.1:11434
    free: true
models:
  - name: house-model
    provider: openai
    upstream_model: gpt-4o-mini
  - name: local-llama
    provider: local
    upstream_model: llama3.1:8b
prices:
  overrides:
    - model: gpt-4o-mini
      input_mtok: 0.2
      output_mtok: 0.8
)"),
                                                               QStringLiteral("test.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        const Result<PriceCatalog> catalog = PriceCatalog::builtIn();
        QVERIFY(catalog.ok());
        const QDateTime now = utc("2026-03-11T00:00:00.000");

        // A configured name is priced as its deployment's upstream model, overrides first.
        const Result<WhatIfTarget> house = WhatIfTarget::resolve(*config, *catalog, QStringLiteral("house-model"), now);
        QVERIFY2(house.ok(), qPrintable(house.errorMessage()));
        QCOMPARE(house->price.input.base, 0.2);
        QCOMPARE(house->price.output.base, 0.8);
        QCOMPARE(house->family, QStringLiteral("openai"));

        const Result<WhatIfTarget> local = WhatIfTarget::resolve(*config, *catalog, QStringLiteral("local-llama"), now);
        QVERIFY(local.ok());
        QVERIFY(local->free);

        // A catalog model by its id.
        const Result<WhatIfTarget> sonnet
            = WhatIfTarget::resolve(*config, *catalog, QStringLiteral("claude-sonnet-4-5"), now);
        QVERIFY2(sonnet.ok(), qPrintable(sonnet.errorMessage()));
        QCOMPARE(sonnet->family, QStringLiteral("anthropic"));
        QVERIFY(sonnet->price.input.isSet() && sonnet->price.output.isSet());

        const Result<WhatIfTarget> unknown
            = WhatIfTarget::resolve(*config, *catalog, QStringLiteral("no-such-model-xyz"), now);
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.errorMessage().contains(QLatin1String("prices.overrides")));

        const QStringList choices = WhatIfTarget::choices(*config, *catalog);
        QCOMPARE(choices.value(0), QStringLiteral("house-model"));
        QCOMPARE(choices.value(1), QStringLiteral("local-llama"));
        QVERIFY(choices.contains(QStringLiteral("claude-sonnet-4-5")));
    }

    // The hourly rollup gives what the request rows give: every grouping, a filter on the grouping, whole and
    // partial hours, targets with tiers at the rollup's input classes, flat, free and per-request prices.
    void theRollupAgreesWithTheRequestRows()
    {
        QTemporaryDir dir;
        const QString database = dir.filePath(QStringLiteral("sluice.db"));
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(database).ok());
            for (const RequestRecord &r : spread(3000))
                writer.append(r);
            writer.flush();
        }
        WhatIfTarget flat;
        flat.model = QStringLiteral("flat");
        flat.price.input = TieredPrice::flat(0.4);
        flat.price.output = TieredPrice::flat(1.6);
        flat.price.requestsKcount = 2;
        WhatIfTarget tiered = tieredTarget();
        tiered.price.input.tiers = {{128000, 3}, {272000, 5}};
        tiered.price.cacheRead.tiers = {{512000, 1}};
        WhatIfTarget free;
        free.model = QStringLiteral("local");
        free.free = true;
        const std::pair<QDateTime, QDateTime> periods[] = {
            {From, From.addDays(3)},
            {From.addSecs(5400).addMSecs(7), From.addDays(2).addSecs(1234)}, // off the hour at both ends
            {From.addSecs(3600 * 30), From.addSecs(3600 * 31)}, // one whole hour
            {From.addSecs(100), From.addSecs(200)}, // inside one hour
        };
        WhatIfFilter byClient;
        byClient.client = QStringLiteral("Codex CLI");
        WhatIfFilter byTag;
        byTag.tag = QStringLiteral("a");
        WhatIfFilter untagged;
        untagged.tag = QString();
        WhatIfFilter byModel;
        byModel.model = QStringLiteral("gpt-x");
        const std::pair<WhatIfGrouping, WhatIfFilter> queries[] = {
            {WhatIfGrouping::None, {}},         {WhatIfGrouping::Client, {}},     {WhatIfGrouping::Model, {}},
            {WhatIfGrouping::Tag, {}},          {WhatIfGrouping::None, byTag},    {WhatIfGrouping::None, untagged},
            {WhatIfGrouping::Client, byClient}, {WhatIfGrouping::Model, byModel},
        };
        WhatIfCost fromRollup(database);
        WhatIfCost fromRows(database);
        fromRows.setRollupEnabled(false);
        int checked = 0;
        for (const WhatIfTarget &target : {flat, tiered, free, tieredTarget()}) {
            for (const auto &[from, to] : periods) {
                for (const auto &[by, filter] : queries) {
                    const Result<WhatIfReport> a = fromRollup.compute(target, by, from, to, filter);
                    const Result<WhatIfReport> b = fromRows.compute(target, by, from, to, filter);
                    QVERIFY2(a.ok() && b.ok(), qPrintable(a.errorMessage() + b.errorMessage()));
                    const QString where = target.model + QLatin1Char(' ') + from.toString(Qt::ISODate)
                        + QLatin1Char(' ') + WhatIfCost::nameOf(by) + QLatin1Char(' ') + filter.describe();
                    compareLines(a->total, b->total, where);
                    QCOMPARE(a->lines.size(), b->lines.size());
                    for (qsizetype i = 0; i < a->lines.size(); ++i)
                        compareLines(a->lines.at(i), b->lines.at(i), where);
                    ++checked;
                }
            }
        }
        QCOMPARE(checked, 4 * 4 * 8);
        const Result<WhatIfReport> all
            = fromRollup.compute(tieredTarget(), WhatIfGrouping::None, From, From.addDays(3), {});
        QVERIFY(all->total.compared > 1000 && all->total.cacheHits > 0 && all->total.noTokenCounts > 0);

        // The migration's backfill of requests logged before it builds the same rollup as the writer.
        SqliteConnection connection;
        QVERIFY(connection.open(database, QStringLiteral("backfill"), SqliteConnection::Mode::ReadWrite).ok());
        const QStringList migrations
            = QDir(QStringLiteral(":/migrations")).entryList({QStringLiteral("*_whatif_rollup.sql")});
        QCOMPARE(migrations.size(), 1);
        QFile file(QStringLiteral(":/migrations/") + migrations.constFirst());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString sql = QString::fromUtf8(file.readAll());
        const QString backfill = sql.mid(sql.indexOf(QLatin1String("WITH batch AS")));
        QSqlQuery query(connection.database());
        QVERIFY(query.exec(QStringLiteral("CREATE TEMP TABLE written AS SELECT * FROM whatif_hourly_by")));
        QVERIFY(query.exec(QStringLiteral("DELETE FROM whatif_hourly_by")));
        QVERIFY2(query.exec(backfill), qPrintable(query.lastError().text()));
        // Costs are summed in another order (batch by batch), so they may differ in the last bits.
        QVERIFY(query.exec(QStringLiteral(
            "SELECT (SELECT COUNT(*) FROM written w JOIN whatif_hourly_by h USING (dimension, hour, value, kind, "
            "input_class) WHERE w.requests = h.requests AND w.input_tokens = h.input_tokens AND w.cached_tokens = "
            "h.cached_tokens AND w.cache_write_tokens = h.cache_write_tokens AND w.output_tokens = h.output_tokens "
            "AND w.reasoning_tokens = h.reasoning_tokens AND w.uncached_tokens = h.uncached_tokens AND w.estimated = "
            "h.estimated AND ABS(w.cost_usd - h.cost_usd) < 1e-9), (SELECT COUNT(*) FROM whatif_hourly_by), "
            "(SELECT COUNT(*) FROM written)")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), query.value(2).toInt());
        QCOMPARE(query.value(1).toInt(), query.value(2).toInt());
        QVERIFY(query.value(2).toInt() > 100);
    }

    void aMissingLogIsAnError()
    {
        WhatIfCost whatIf(m_dir.filePath(QStringLiteral("nothing-here.db")));
        const Result<WhatIfReport> report = whatIf.compute(tieredTarget(), WhatIfGrouping::None, From, To);
        QVERIFY(!report.ok());
        QVERIFY(!report.errorMessage().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestWhatIfCost)
#include "tst_whatifcost.moc"
