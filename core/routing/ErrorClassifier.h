#pragma once

#include <QByteArray>
#include <QString>

#include "routing/AttemptOutcome.h"
#include "routing/FailureClass.h"

namespace sluice {

struct Classification
{
    FailureClass failureClass = FailureClass::None;
    bool retryable = true; // false when the same deployment cannot succeed later either (e.g. quota used up)
    QString reason; // e.g. "HTTP 529: the provider is overloaded"; never quotes the provider's message
};

// Turns an upstream status, error body and transport error into a FailureClass. Knows the error shapes of
// OpenAI (and compatible servers), Anthropic and Gemini; anything else falls back on the status code.
class ErrorClassifier
{
public:
    static Classification classify(const AttemptOutcome &outcome);
    static Classification classifyHttp(int status, const QByteArray &body);

    // Error bodies saying the prompt does not fit the model's context window.
    static bool isContextWindowError(const QByteArray &body);
    // Error bodies saying the provider refused on policy grounds.
    static bool isContentPolicyError(const QByteArray &body);
    // Successful answers that are in fact refusals (Anthropic stop_reason "refusal", finish_reason
    // "content_filter", Gemini blocked prompts and SAFETY stops).
    static bool isRefusalAnswer(const QByteArray &body);
};

} // namespace sluice
