#pragma once

#include <QLatin1String>

namespace sluice {

// Why generation stopped, normalized across formats.
enum class FinishReason {
    Stop, // natural end or a stop sequence
    Length, // the output token limit
    ToolCalls, // the model wants tool results
    ContentFilter, // a safety system or a refusal stopped it
    Error, // the provider stopped with an error (e.g. Gemini MALFORMED_FUNCTION_CALL)
};

// "stop" | "length" | "tool_calls" | "content_filter" | "error" (OpenAI's words, also used in logs).
QLatin1String finishReasonName(FinishReason reason);

} // namespace sluice
