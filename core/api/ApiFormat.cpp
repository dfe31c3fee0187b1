#include "ApiFormat.h"

namespace sluice {

QString apiFormatName(ApiFormat format)
{
    switch (format) {
    case ApiFormat::OpenAiChat:
        return QStringLiteral("OpenAI Chat Completions");
    case ApiFormat::AnthropicMessages:
        return QStringLiteral("Anthropic Messages");
    case ApiFormat::Gemini:
        return QStringLiteral("Google Gemini");
    case ApiFormat::OpenAiResponses:
        return QStringLiteral("OpenAI Responses");
    case ApiFormat::BedrockConverse:
        return QStringLiteral("Amazon Bedrock Converse");
    case ApiFormat::OpenAiCompletions:
        return QStringLiteral("OpenAI Completions (legacy)");
    case ApiFormat::OpenAiEmbeddings:
        return QStringLiteral("OpenAI Embeddings");
    }
    return QStringLiteral("unknown");
}

} // namespace sluice
