#include "CostCalculator.h"

#include <QStringList>

#include "common/RequestRecord.h"

namespace sluice {

namespace {

constexpr double TokensPerMillion = 1'000'000;

Cost make(double usd, const char *status, const QString &detail)
{
    return Cost {usd, QString::fromLatin1(status), detail};
}

} // namespace

Cost CostCalculator::compute(const ModelPrice &price, const TokenUsage &usage, Detail detail)
{
    const bool explained = detail == Detail::Explained;
    const qint64 input = qMax<qint64>(0, usage.input);
    const qint64 cached = qMax<qint64>(0, usage.cached);
    const qint64 written = qMax<qint64>(0, usage.cacheWrite);
    const qint64 output = qMax<qint64>(0, usage.output);
    // A provider that reports more cached than prompt tokens would otherwise get a negative charge.
    const qint64 uncached = qMax<qint64>(0, input - cached - written);

    struct Part
    {
        qint64 tokens;
        QString label;
        const TieredPrice *price;
    };
    const TieredPrice &readPrice = price.cacheRead.isSet() ? price.cacheRead : price.input;
    const TieredPrice &writePrice = price.cacheWrite.isSet() ? price.cacheWrite : price.input;
    const Part parts[] = {
        {uncached, QStringLiteral("input"), &price.input},
        {cached, QStringLiteral("cache read"), &readPrice},
        {written, QStringLiteral("cache write"), &writePrice},
        {output, QStringLiteral("output"), &price.output},
    };

    double perMillion = 0;
    bool tiered = false;
    QStringList terms;
    for (const Part &part : parts) {
        if (part.tokens == 0)
            continue;
        if (!part.price->isSet()) {
            return unpriced(QStringLiteral("%1 %2 tokens, but the price list has no %2 price for this model")
                                .arg(formatCount(part.tokens), part.label));
        }
        const double rate = part.price->rateFor(input);
        tiered = tiered || rate != part.price->base;
        perMillion += double(part.tokens) * rate;
        if (explained)
            terms.append(QStringLiteral("%1 %2 × $%3/M").arg(formatCount(part.tokens), part.label, formatRate(rate)));
    }
    double usd = perMillion / TokensPerMillion;
    if (price.requestsKcount >= 0) {
        usd += price.requestsKcount / 1000;
        if (explained)
            terms.append(QStringLiteral("1 request × $%1/K").arg(formatRate(price.requestsKcount)));
    }
    if (!explained)
        return make(usd, CostStatus::Exact, QString());
    QString sum = terms.isEmpty() ? QStringLiteral("no tokens") : terms.join(QStringLiteral(" + "));
    sum += QStringLiteral(" = ") + formatUsd(usd);
    if (tiered)
        sum += QStringLiteral(" (long-context rates: %1 input tokens)").arg(formatCount(input));
    return make(usd, CostStatus::Exact, sum);
}

Cost CostCalculator::unpriced(const QString &detail)
{
    return make(-1, CostStatus::Unpriced, detail);
}

Cost CostCalculator::free(const QString &detail)
{
    return make(0, CostStatus::Free, detail);
}

Cost CostCalculator::nothingBilled(const QString &detail)
{
    return make(0, CostStatus::Exact, detail);
}

} // namespace sluice
