#include "GenAiConventions.h"

#include <QHash>

namespace sluice {

QString GenAiConventions::operationName(const QString &endpoint)
{
    if (endpoint.contains(QLatin1String(":countTokens")) || endpoint.endsWith(QLatin1String("/count_tokens")))
        return QStringLiteral("count_tokens");
    if (endpoint.contains(QLatin1String(":generateContent")) || endpoint.contains(QLatin1String(":streamGenerate")))
        return QStringLiteral("generate_content");
    if (endpoint.contains(QLatin1String("/chat/completions")) || endpoint.contains(QLatin1String("/messages"))
        || endpoint.contains(QLatin1String("/responses")))
        return QStringLiteral("chat");
    if (endpoint.contains(QLatin1String("/completions")))
        return QStringLiteral("text_completion");
    if (endpoint.contains(QLatin1String("/embeddings")))
        return QStringLiteral("embeddings");
    if (endpoint.contains(QLatin1String("/models")))
        return QStringLiteral("list_models");
    return QStringLiteral("other");
}

bool GenAiConventions::callsModel(const QString &operation)
{
    return operation == QLatin1String("chat") || operation == QLatin1String("generate_content")
        || operation == QLatin1String("text_completion") || operation == QLatin1String("embeddings");
}

QString GenAiConventions::providerName(const QString &providerType)
{
    static const QHash<QString, QString> names {
        {QStringLiteral("openai"), QStringLiteral("openai")},
        {QStringLiteral("anthropic"), QStringLiteral("anthropic")},
        {QStringLiteral("gemini"), QStringLiteral("gcp.gemini")},
        {QStringLiteral("azure"), QStringLiteral("azure.ai.openai")},
        {QStringLiteral("bedrock"), QStringLiteral("aws.bedrock")},
        {QStringLiteral("groq"), QStringLiteral("groq")},
        {QStringLiteral("mistral"), QStringLiteral("mistral_ai")},
        {QStringLiteral("deepseek"), QStringLiteral("deepseek")},
        {QStringLiteral("xai"), QStringLiteral("x_ai")},
        {QStringLiteral("perplexity"), QStringLiteral("perplexity")},
    };
    return names.value(providerType, providerType);
}

QString GenAiConventions::legacySystemName(const QString &providerType)
{
    static const QHash<QString, QString> names {
        {QStringLiteral("gemini"), QStringLiteral("gemini")},
        {QStringLiteral("azure"), QStringLiteral("az.ai.openai")},
        {QStringLiteral("bedrock"), QStringLiteral("aws.bedrock")},
        {QStringLiteral("mistral"), QStringLiteral("mistral_ai")},
        {QStringLiteral("xai"), QStringLiteral("xai")},
    };
    return names.value(providerType, providerType);
}

} // namespace sluice
