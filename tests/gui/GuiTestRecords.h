#pragma once

#include <QPalette>

#include "common/RequestRecord.h"

namespace sluice::test {

// Realistic request records for widget tests: OpenAI-style chat requests whose bodies are the recorded provider
// traffic, streamed and not, plus the failures a user meets (an upstream 502, an unknown token's 401).
class GuiTestRecords
{
public:
    // ~20 records, oldest first, one second apart. Fails the calling test if the recordings cannot be read.
    static RequestRecords sample();
    // A minimal successful record.
    static RequestRecord record(const QString &id, const QDateTime &startedAt);
    static QByteArray chatRequest(const QString &model, bool stream);
    // A recording's events in its provider's SSE framing (OpenAI-style streams end with [DONE]).
    static QByteArray stream(const QString &recording);
    static QByteArray body(const QString &recording);
    static QDateTime baseTime();
    // A typical dark desktop palette.
    static QPalette darkPalette();
};

} // namespace sluice::test
