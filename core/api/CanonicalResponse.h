#pragma once

#include <QString>

#include "api/ContentPart.h"
#include "api/FinishReason.h"
#include "api/TokenUsage.h"

namespace sluice {

// A provider-neutral, non-streamed answer (the first choice only).
struct CanonicalResponse
{
    QString id;
    QString model; // as the provider reported it
    qint64 created = 0; // Unix seconds; 0 when the provider did not say
    ContentParts content; // Text, Thinking, ToolCall (and Image, Raw) parts in the order produced
    FinishReason finishReason = FinishReason::Stop;
    QString stopSequence; // the stop sequence that ended it, when the provider says
    QString refusal; // a refusal's explanation (OpenAI message.refusal, Anthropic stop_details)
    QString finishMessage; // the provider's words on why it stopped (Gemini block reason, finishMessage)
    TokenUsage usage;

    QString text() const { return joinedText(content); }
    QString thinkingText() const;
    ContentParts toolCalls() const;
};

} // namespace sluice
