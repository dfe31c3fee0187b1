#include "TokenUsage.h"

#include <QJsonObject>

namespace sluice {

namespace {
qint64 count(const QJsonObject &object, QLatin1String key)
{
    const QJsonValue value = object.value(key);
    return value.isDouble() ? qint64(value.toDouble()) : -1;
}
} // namespace

TokenUsage TokenUsage::fromOpenAiChat(const QJsonObject &usage)
{
    TokenUsage result;
    result.input = count(usage, QLatin1String("prompt_tokens"));
    result.output = count(usage, QLatin1String("completion_tokens"));
    result.cached = count(usage.value(QLatin1String("prompt_tokens_details")).toObject(),
                          QLatin1String("cached_tokens"));
    result.reasoning = count(usage.value(QLatin1String("completion_tokens_details")).toObject(),
                             QLatin1String("reasoning_tokens"));
    return result;
}

} // namespace sluice
