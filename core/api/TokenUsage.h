#pragma once

#include <QtGlobal>

class QJsonObject;

namespace sluice {

// Token counts as a provider reported them; -1 means "not reported".
struct TokenUsage
{
    qint64 input = -1;
    qint64 output = -1;
    qint64 cached = -1; // input tokens read from the prompt cache
    qint64 reasoning = -1; // output tokens spent on reasoning
    bool reported() const { return input >= 0 || output >= 0; }

    // OpenAI chat/completions "usage" object (prompt_tokens, completion_tokens and their *_details).
    static TokenUsage fromOpenAiChat(const QJsonObject &usage);
};

} // namespace sluice
