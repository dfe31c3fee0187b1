#pragma once

#include <QPalette>

#include "common/RequestRecord.h"

namespace sluice::test {

// Realistic request records for widget tests: OpenAI-style chat requests whose bodies are the recorded provider
// traffic, streamed and not, plus the failures a user meets (an upstream 502, an unknown token's 401).
class GuiTestRecords
{
public:
    // ~20 records, oldest first, one second apart, with their attempts and costs (one is fallback()). Fails the
    // calling test if the recordings cannot be read.
    static RequestRecords sample();
    // A minimal successful record (no attempts, not priced).
    static RequestRecord record(const QString &id, const QDateTime &startedAt);
    // gpt-4.1-mini on openai answers 429, is retried after 1.2 s, answers 500, and the request falls back to
    // claude-sonnet-4 on anthropic, which answers 200.
    static RequestRecord fallback();
    // One attempt that answered, as the router records it.
    static AttemptRecord answered(const RequestRecord &record);
    static QByteArray chatRequest(const QString &model, bool stream);
    // A recording's events in its provider's SSE framing (OpenAI-style streams end with [DONE]).
    static QByteArray stream(const QString &recording);
    static QByteArray body(const QString &recording);
    static QDateTime baseTime();
    // A typical dark desktop palette.
    static QPalette darkPalette();
};

} // namespace sluice::test
