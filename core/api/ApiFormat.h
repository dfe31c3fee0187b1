#pragma once

#include <QString>

namespace sluice {

// The wire formats Sluice translates between, as a client speaks them or a provider answers in them.
enum class ApiFormat {
    OpenAiChat, // POST /v1/chat/completions
    AnthropicMessages, // POST /v1/messages
    Gemini, // POST /v1beta/models/{model}:generateContent | :streamGenerateContent?alt=sse
    OpenAiResponses, // POST /v1/responses
    BedrockConverse, // POST /model/{modelId}/converse | /converse-stream (AWS event-stream); outbound only
    OpenAiCompletions, // POST /v1/completions (legacy text completions)
    OpenAiEmbeddings, // POST /v1/embeddings (not a chat format: errors in OpenAI's envelope)
};

// The name a user reads in error messages, e.g. "Anthropic Messages".
QString apiFormatName(ApiFormat format);

} // namespace sluice
