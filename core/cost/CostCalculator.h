#pragma once

#include <QString>

#include "api/TokenUsage.h"
#include "cost/ModelPrice.h"

namespace sluice {

// A request's cost and how far it can be trusted.
struct Cost
{
    double usd = -1; // -1: unknown (unpriced); never 0 for a model without a price
    QString status; // one of CostStatus (common/RequestRecord.h)
    QString detail; // how it was reached, e.g. "16 input × $0.1/M + 300 output × $0.4/M = $0.000122"
};

// Turns a price and a usage into a cost: a pure function, the same for every provider once usage is normalized.
class CostCalculator
{
public:
    // usage follows TokenUsage's convention: input counts every prompt token, cache reads and writes included
    // (Anthropic's input_tokens does not: TokenUsage::fromAnthropic adds them); output counts every generated
    // token, reasoning included. Uncached input pays the input rate, cache reads and writes their own rates (the
    // input rate when the model has none), output the output rate; tiers are chosen by the whole input. Status
    // "exact", or "unpriced" when tokens of a kind have no price at all.
    // Detail::None leaves Cost::detail empty on success: pricing a request for the log keeps only usd and status,
    // and the sum in words costs more than the sum.
    enum class Detail { Explained, None };
    static Cost compute(const ModelPrice &price, const TokenUsage &usage, Detail detail = Detail::Explained);

    static Cost unpriced(const QString &detail);
    static Cost free(const QString &detail);
    // Nothing was billed (the request never reached a provider, or the provider refused it): exact, $0.
    static Cost nothingBilled(const QString &detail);
};

} // namespace sluice
