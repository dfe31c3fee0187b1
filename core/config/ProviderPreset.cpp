#include "ProviderPreset.h"

#include <array>

namespace sluice {

namespace {
using Wire = ProviderPreset::Wire;
using Auth = ProviderPreset::Auth;

const std::array<ProviderPreset, 19> &presets()
{
    static const std::array<ProviderPreset, 19> table = {{
        {QStringLiteral("openai"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://api.openai.com/v1")},
        {QStringLiteral("azure"), Wire::OpenAiChat, Auth::AzureApiKey, {}, false, true},
        {QStringLiteral("groq"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://api.groq.com/openai/v1")},
        {QStringLiteral("mistral"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://api.mistral.ai/v1")},
        {QStringLiteral("deepseek"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://api.deepseek.com/v1")},
        {QStringLiteral("xai"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://api.x.ai/v1")},
        {QStringLiteral("openrouter"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://openrouter.ai/api/v1")},
        {QStringLiteral("together"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://api.together.xyz/v1")},
        {QStringLiteral("fireworks"), Wire::OpenAiChat, Auth::Bearer,
         QStringLiteral("https://api.fireworks.ai/inference/v1")},
        {QStringLiteral("cerebras"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://api.cerebras.ai/v1")},
        {QStringLiteral("perplexity"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("https://api.perplexity.ai")},
        {QStringLiteral("lmstudio"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("http://127.0.0.1:1234/v1"), true},
        {QStringLiteral("vllm"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("http://127.0.0.1:8000/v1"), true},
        {QStringLiteral("llamacpp"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("http://127.0.0.1:8080/v1"), true},
        {QStringLiteral("ollama"), Wire::OpenAiChat, Auth::Bearer, QStringLiteral("http://127.0.0.1:11434/v1"), true},
        {QStringLiteral("anthropic"), Wire::AnthropicMessages, Auth::XApiKey,
         QStringLiteral("https://api.anthropic.com")},
        {QStringLiteral("gemini"), Wire::Gemini, Auth::GoogApiKey,
         QStringLiteral("https://generativelanguage.googleapis.com")},
        {QStringLiteral("openai-compatible"), Wire::OpenAiChat, Auth::Bearer, {}},
        {QStringLiteral("bedrock"), Wire::BedrockConverse, Auth::AwsSigV4, {}},
    }};
    return table;
}
} // namespace

const ProviderPreset *ProviderPreset::find(const QString &type)
{
    for (const ProviderPreset &preset : presets()) {
        if (preset.type == type)
            return &preset;
    }
    return nullptr;
}

QStringList ProviderPreset::types()
{
    QStringList names;
    for (const ProviderPreset &preset : presets())
        names.append(preset.type);
    return names;
}

} // namespace sluice
