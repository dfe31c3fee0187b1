#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "api/TokenUsage.h"
#include "common/RequestRecord.h"
#include "cost/CostCalculator.h"
#include "cost/PriceCatalog.h"

using namespace sluice;

namespace {

// JSON written with ' for ", to keep the test data readable.
QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text).replace('\'', '"')).object();
}

QDateTime utc(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate).toUTC();
}

TokenUsage tokens(qint64 input, qint64 output)
{
    TokenUsage usage;
    usage.input = input;
    usage.output = output;
    return usage;
}

} // namespace

// The worked examples of docs/costs.md (1 to 6), with the built-in catalog's prices, and the calculator's rules.
class TestCostCalculator : public QObject
{
    Q_OBJECT

private:
    PriceCatalog m_catalog;
    QString m_doc;
    QStringList m_figures; // every "= $X" the examples below check

    ModelPrice price(const char *provider, const char *model, const QDateTime &when = utc("2026-09-15T10:00:00Z"))
    {
        const auto match = m_catalog.find(QString::fromLatin1(provider), QUrl(), QString::fromLatin1(model), when);
        if (!match)
            qFatal("no price for %s in the built-in catalog", model);
        return match->price;
    }

    void verifyCost(const Cost &cost, double expectedUsd)
    {
        QCOMPARE(cost.status, QString::fromLatin1(CostStatus::Exact));
        QVERIFY2(
            qAbs(cost.usd - expectedUsd) < 1e-12,
            qPrintable(QStringLiteral("%1 != %2 (%3)").arg(cost.usd, 0, 'g', 15).arg(expectedUsd).arg(cost.detail)));
        // The figure is the one docs/costs.md shows.
        const QString figure = QStringLiteral("= $") + QString::number(expectedUsd, 'g', 12);
        m_figures.append(figure);
        QVERIFY2(m_doc.contains(figure), qPrintable(QStringLiteral("docs/costs.md does not show ") + figure));
    }

private Q_SLOTS:
    void initTestCase()
    {
        Result<PriceCatalog> catalog = PriceCatalog::builtIn();
        QVERIFY2(catalog.ok(), qPrintable(catalog.errorMessage()));
        m_catalog = std::move(catalog).value();
        QFile doc(QStringLiteral(SLUICE_COSTS_DOC));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        m_doc = QString::fromUtf8(doc.readAll());
    }

    void example1OpenAiCachedTokensArePartOfThePrompt()
    {
        const TokenUsage usage = TokenUsage::fromOpenAiChat(json(
            "{'prompt_tokens': 2000, 'prompt_tokens_details': {'cached_tokens': 1500}, 'completion_tokens': 300}"));
        // gpt-4o-mini: 500 uncached x 0.15 + 1,500 cached x 0.075 + 300 x 0.60 = 367.5 $/M
        const Cost cost = CostCalculator::compute(price("openai", "gpt-4o-mini"), usage);
        verifyCost(cost, 0.0003675);
        QVERIFY2(cost.detail.contains(QStringLiteral("500 input × $0.15/M + 1,500 cache read × $0.075/M + 300 "
                                                     "output × $0.6/M = $0.0003675")),
                 qPrintable(cost.detail));
    }

    void example2OpenAiReasoningIsPartOfTheOutput()
    {
        const TokenUsage usage
            = TokenUsage::fromOpenAiChat(json("{'prompt_tokens': 1000, 'completion_tokens': 5000, "
                                              "'completion_tokens_details': {'reasoning_tokens': 4200}}"));
        // o3 from 2025-06-10: 1,000 x 2 + 5,000 x 8 = 42,000 $/M; before: 1,000 x 10 + 5,000 x 40 = 210,000 $/M.
        verifyCost(CostCalculator::compute(price("openai", "o3", utc("2025-06-10T08:00:00Z")), usage), 0.042);
        verifyCost(CostCalculator::compute(price("openai", "o3", utc("2025-06-01T08:00:00Z")), usage), 0.21);
    }

    void example3AnthropicCacheReadsAndWritesHaveTheirOwnPrices()
    {
        const TokenUsage usage
            = TokenUsage::fromAnthropic(json("{'input_tokens': 100, 'cache_creation_input_tokens': "
                                             "2000, 'cache_read_input_tokens': 10000, 'output_tokens': 500}"));
        QCOMPARE(usage.input, qint64(12'100));
        // claude-haiku-4-5: 100 x 1 + 2,000 x 1.25 + 10,000 x 0.10 + 500 x 5 = 6,100 $/M
        verifyCost(CostCalculator::compute(price("anthropic", "claude-haiku-4-5"), usage), 0.0061);
    }

    void example4TiersApplyToEveryTokenAboveTheThreshold()
    {
        const ModelPrice sonnet = price("anthropic", "claude-sonnet-4-5");
        // 150,000 x 3 + 1,000 x 15 = 465,000 $/M
        verifyCost(CostCalculator::compute(sonnet, tokens(150'000, 1'000)), 0.465);
        // 250,000 x 6 + 1,000 x 22.5 = 1,522,500 $/M
        const Cost high = CostCalculator::compute(sonnet, tokens(250'000, 1'000));
        verifyCost(high, 1.5225);
        QVERIFY2(high.detail.contains(QStringLiteral("long-context rates: 250,000 input tokens")),
                 qPrintable(high.detail));
        // The boundary: 200,000 input tokens are not above the tier.
        QVERIFY(qAbs(CostCalculator::compute(sonnet, tokens(200'000, 0)).usd - 0.6) < 1e-12);
        QVERIFY(qAbs(CostCalculator::compute(sonnet, tokens(200'001, 0)).usd - 1.200006) < 1e-12);
        // Cache reads count toward the tier: 10,000 + 195,000 = 205,000 input tokens.
        // 10,000 x 6 + 195,000 x 0.6 + 2,000 x 22.5 = 222,000 $/M
        const TokenUsage cached = TokenUsage::fromAnthropic(
            json("{'input_tokens': 10000, 'cache_read_input_tokens': 195000, 'output_tokens': 2000}"));
        verifyCost(CostCalculator::compute(sonnet, cached), 0.222);
    }

    void example5GeminiThoughtsAreOutput()
    {
        const TokenUsage usage = TokenUsage::fromGemini(
            json("{'promptTokenCount': 9, 'candidatesTokenCount': 28, 'thoughtsTokenCount': 244}"));
        QCOMPARE(usage.output, qint64(272));
        // gemini-3-pro-preview: 9 x 2 + 272 x 12 = 3,282 $/M
        verifyCost(CostCalculator::compute(price("google", "gemini-3-pro-preview"), usage), 0.003282);
    }

    void example6PricesByTimeOfDay()
    {
        // deepseek-chat: 13 x 0.27 + 300 x 1.10 = 333.51 $/M at 10:00 UTC; 13 x 0.135 + 300 x 0.55 = 166.755 $/M at
        // 20:00.
        verifyCost(
            CostCalculator::compute(price("deepseek", "deepseek-chat", utc("2026-01-15T10:00:00Z")), tokens(13, 300)),
            0.00033351);
        verifyCost(
            CostCalculator::compute(price("deepseek", "deepseek-chat", utc("2026-01-15T20:00:00Z")), tokens(13, 300)),
            0.000166755);
    }

    void missingPricesMakeARequestUnpricedNotFree()
    {
        ModelPrice inputOnly;
        inputOnly.input = TieredPrice::flat(1);
        const Cost cost = CostCalculator::compute(inputOnly, tokens(1000, 10));
        QCOMPARE(cost.status, QString::fromLatin1(CostStatus::Unpriced));
        QCOMPARE(cost.usd, -1.0);
        QVERIFY2(cost.detail.contains(QLatin1String("no output price")), qPrintable(cost.detail));
        // No output tokens: the input price is all it takes (an embedding model).
        QCOMPARE(CostCalculator::compute(inputOnly, tokens(1000, 0)).usd, 0.001);
        QCOMPARE(CostCalculator::compute(ModelPrice(), tokens(1, 0)).status, QString::fromLatin1(CostStatus::Unpriced));
    }

    void cacheTokensWithoutTheirOwnPriceCostTheInputPrice()
    {
        ModelPrice flat;
        flat.input = TieredPrice::flat(2);
        flat.output = TieredPrice::flat(4);
        TokenUsage usage = tokens(1000, 100);
        usage.cached = 600;
        usage.cacheWrite = 300;
        // 100 uncached x 2 + 600 x 2 + 300 x 2 + 100 x 4 = 2,400 $/M
        QVERIFY(qAbs(CostCalculator::compute(flat, usage).usd - 0.0024) < 1e-12);
    }

    void inconsistentCountsNeverChargeNegativeInput()
    {
        ModelPrice flat;
        flat.input = TieredPrice::flat(2);
        flat.cacheRead = TieredPrice::flat(1);
        flat.output = TieredPrice::flat(4);
        TokenUsage usage = tokens(10, 0);
        usage.cached = 50;
        // 0 uncached + 50 cached x 1 = 50 $/M
        QVERIFY(qAbs(CostCalculator::compute(flat, usage).usd - 0.00005) < 1e-15);
    }

    void perRequestFeesAreAdded()
    {
        ModelPrice search;
        search.input = TieredPrice::flat(1);
        search.output = TieredPrice::flat(1);
        search.requestsKcount = 5;
        // 1,000 x 1 + 1,000 x 1 = 2,000 $/M = $0.002, plus $5 / 1,000 requests = $0.005
        QVERIFY(qAbs(CostCalculator::compute(search, tokens(1000, 1000)).usd - 0.007) < 1e-12);
    }

    void formatting()
    {
        QCOMPARE(formatUsd(0), QStringLiteral("$0.00"));
        QCOMPARE(formatUsd(0.0003675), QStringLiteral("$0.0003675"));
        QCOMPARE(formatUsd(0.000166755), QStringLiteral("$0.00016676"));
        QCOMPARE(formatUsd(0.21), QStringLiteral("$0.21"));
        QCOMPARE(formatUsd(0.465), QStringLiteral("$0.465"));
        QCOMPARE(formatUsd(1.5225), QStringLiteral("$1.5225"));
        QCOMPARE(formatUsd(12.3456789), QStringLiteral("$12.3457"));
        QCOMPARE(formatUsd(3), QStringLiteral("$3.00"));
        QCOMPARE(formatUsd(0.000000001), QStringLiteral("<$0.00000001"));
        QCOMPARE(formatRate(0.075), QStringLiteral("0.075"));
        QCOMPARE(formatRate(3), QStringLiteral("3"));
        QCOMPARE(formatCount(1234567), QStringLiteral("1,234,567"));
        QCOMPARE(formatCount(999), QStringLiteral("999"));
    }

    void cleanupTestCase()
    {
        // The doc's examples 1 to 6 are all checked here (7 to 10 in tst_requestcost).
        QCOMPARE(m_figures.size(), 10);
    }
};

QTEST_GUILESS_MAIN(TestCostCalculator)
#include "tst_costcalculator.moc"
