#include "CanonicalRequest.h"

namespace sluice {

qint64 ReasoningConfig::effectiveBudget(qint64 fallback) const
{
    if (budgetTokens)
        return *budgetTokens;
    if (effort == QLatin1String("minimal"))
        return 1024;
    if (effort == QLatin1String("low"))
        return 2048;
    if (effort == QLatin1String("medium"))
        return 8192;
    if (effort == QLatin1String("high"))
        return 24576;
    if (effort == QLatin1String("max") || effort == QLatin1String("xhigh"))
        return 32768;
    return fallback;
}

QString ReasoningConfig::effectiveEffort() const
{
    if (effort == QLatin1String("max"))
        return QStringLiteral("high"); // Anthropic's top effort; OpenAI's and Gemini's top is "high"
    if (!effort.isEmpty())
        return effort;
    if (!budgetTokens)
        return {};
    if (*budgetTokens <= 1024)
        return QStringLiteral("minimal");
    if (*budgetTokens <= 4096)
        return QStringLiteral("low");
    if (*budgetTokens <= 16384)
        return QStringLiteral("medium");
    return QStringLiteral("high");
}

std::pair<QString, QString> CanonicalRequest::splitToolName(const QString &name) const
{
    const QString space = toolNamespaces.value(name);
    if (space.isEmpty())
        return {QString(), name};
    return {space, name.mid(space.size() + 2)};
}

} // namespace sluice
