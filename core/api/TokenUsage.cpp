#include "TokenUsage.h"

#include <QJsonObject>

#include "common/WholeNumber.h"

namespace sluice {

namespace {
qint64 count(const QJsonObject &object, QLatin1String key)
{
    const QJsonValue value = object.value(key);
    return value.isDouble() ? tokenCount(value.toDouble()).value_or(-1) : -1;
}

qint64 sumReported(std::initializer_list<qint64> values)
{
    qint64 sum = -1;
    for (const qint64 value : values) {
        if (value >= 0)
            sum = (sum < 0 ? 0 : sum) + value;
    }
    return sum;
}
} // namespace

qint64 TokenUsage::uncachedInput() const
{
    if (input < 0)
        return -1;
    return qMax<qint64>(0, input - qMax<qint64>(0, cached) - qMax<qint64>(0, cacheWrite));
}

void TokenUsage::mergeFrom(const TokenUsage &newer)
{
    for (auto [mine, theirs] :
         {std::pair {&input, newer.input}, std::pair {&output, newer.output}, std::pair {&cached, newer.cached},
          std::pair {&reasoning, newer.reasoning}, std::pair {&cacheWrite, newer.cacheWrite}}) {
        if (theirs >= 0)
            *mine = theirs;
    }
}

TokenUsage TokenUsage::fromOpenAiChat(const QJsonObject &usage)
{
    TokenUsage result;
    result.input = count(usage, QLatin1String("prompt_tokens"));
    result.output = count(usage, QLatin1String("completion_tokens"));
    result.cached
        = count(usage.value(QLatin1String("prompt_tokens_details")).toObject(), QLatin1String("cached_tokens"));
    if (result.cached < 0)
        result.cached = count(usage, QLatin1String("prompt_cache_hit_tokens")); // DeepSeek
    result.reasoning
        = count(usage.value(QLatin1String("completion_tokens_details")).toObject(), QLatin1String("reasoning_tokens"));
    // Some providers (xAI) leave reasoning out of completion_tokens; their total gives it away.
    const qint64 total = count(usage, QLatin1String("total_tokens"));
    if (result.reasoning > 0 && result.input >= 0 && result.output >= 0
        && total == result.input + result.output + result.reasoning)
        result.output += result.reasoning;
    return result;
}

TokenUsage TokenUsage::fromAnthropic(const QJsonObject &usage)
{
    TokenUsage result;
    result.cached = count(usage, QLatin1String("cache_read_input_tokens"));
    result.cacheWrite = count(usage, QLatin1String("cache_creation_input_tokens"));
    const qint64 uncached = count(usage, QLatin1String("input_tokens"));
    result.input = uncached < 0 ? -1 : sumReported({uncached, result.cached, result.cacheWrite});
    result.output = count(usage, QLatin1String("output_tokens"));
    return result;
}

TokenUsage TokenUsage::fromGemini(const QJsonObject &usageMetadata)
{
    TokenUsage result;
    const qint64 prompt = count(usageMetadata, QLatin1String("promptTokenCount"));
    const qint64 toolPrompt = count(usageMetadata, QLatin1String("toolUsePromptTokenCount"));
    result.input = prompt < 0 ? -1 : sumReported({prompt, toolPrompt});
    result.cached = count(usageMetadata, QLatin1String("cachedContentTokenCount"));
    result.reasoning = count(usageMetadata, QLatin1String("thoughtsTokenCount"));
    const qint64 candidates = count(usageMetadata, QLatin1String("candidatesTokenCount"));
    result.output = sumReported({candidates, result.reasoning});
    return result;
}

TokenUsage TokenUsage::fromOpenAiResponses(const QJsonObject &usage)
{
    TokenUsage result;
    result.input = count(usage, QLatin1String("input_tokens"));
    result.output = count(usage, QLatin1String("output_tokens"));
    result.cached
        = count(usage.value(QLatin1String("input_tokens_details")).toObject(), QLatin1String("cached_tokens"));
    result.reasoning
        = count(usage.value(QLatin1String("output_tokens_details")).toObject(), QLatin1String("reasoning_tokens"));
    return result;
}

} // namespace sluice
