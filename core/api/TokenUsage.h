#pragma once

#include <QtGlobal>

class QJsonObject;

namespace sluice {

// Token counts as a provider reported them; -1 means "not reported". One convention for every format (OpenAI's):
// input counts every prompt token, cached and cache-write ones included; output counts every generated token,
// reasoning included.
struct TokenUsage
{
    qint64 input = -1;
    qint64 output = -1;
    qint64 cached = -1; // input tokens read from the prompt cache
    qint64 reasoning = -1; // output tokens spent on reasoning
    qint64 cacheWrite = -1; // input tokens written to the prompt cache (Anthropic cache_creation_input_tokens)
    bool reported() const { return input >= 0 || output >= 0; }

    // Input tokens neither read from nor written to the cache (Anthropic's input_tokens).
    qint64 uncachedInput() const;
    // Takes every count `newer` reports; keeps the others (streams report usage piecemeal).
    void mergeFrom(const TokenUsage &newer);

    // OpenAI chat/completions "usage" object (prompt_tokens, completion_tokens and their *_details).
    static TokenUsage fromOpenAiChat(const QJsonObject &usage);
    // Anthropic Messages "usage" (input_tokens excludes cache reads and writes; they are added to input here).
    static TokenUsage fromAnthropic(const QJsonObject &usage);
    // Gemini "usageMetadata" (candidatesTokenCount excludes thoughtsTokenCount; it is added to output here).
    static TokenUsage fromGemini(const QJsonObject &usageMetadata);
    // OpenAI Responses "usage" (input_tokens, output_tokens and their *_details).
    static TokenUsage fromOpenAiResponses(const QJsonObject &usage);
};

} // namespace sluice
