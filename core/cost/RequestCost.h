#pragma once

#include <QByteArray>

#include "api/TokenUsage.h"
#include "common/RequestRecord.h"
#include "cost/CostCalculator.h"

namespace sluice {

class PriceCatalog;
struct Config;

// The cost stage: sets record.costUsd and record.costStatus from the usage the provider reported, the price of the
// upstream model (config overrides first, then the catalog) and the provider's `free` flag. Call it once per
// finished record, before it goes to the store. A cache hit costs 0 and records what it saved in savedUsd.
void priceRecord(RequestRecord &record, const PriceCatalog &catalog, const Config &config);

// What priceRecord decides, with how it got there (for `sluice prices` and the request detail).
Cost costOfRecord(const RequestRecord &record, const PriceCatalog &catalog, const Config &config);

// Tokens of a request whose usage never came, at about 4 characters per token: input from the request body's
// size, output from the generated text relayed to the client.
TokenUsage estimateUsage(const RequestRecord &record);

// Characters of generated content (text, reasoning, refusals, tool-call arguments) in a logged response body:
// Server-Sent Events of any supported format, or one JSON body.
qint64 generatedTextChars(const QByteArray &responseBody);

inline constexpr qint64 EstimatedCharsPerToken = 4;

} // namespace sluice
