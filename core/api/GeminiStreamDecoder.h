#pragma once

#include <optional>

#include "api/FinishReason.h"
#include "api/StreamDecoder.h"

namespace sluice {

// streamGenerateContent?alt=sse chunks to canonical events: text and thought parts, whole functionCall parts
// (one start plus one arguments delta each), usageMetadata snapshots, finishReason and promptFeedback blocks,
// error objects. Gemini sends no end marker: the Finish goes out when the body ends after a finishReason.
class GeminiStreamDecoder : public StreamDecoder
{
protected:
    void onEvent(const SseEvent &event) override;
    void onEnd() override;

private:
    std::optional<FinishReason> m_finish;
    QString m_finishMessage;
    int m_toolCount = 0;
};

} // namespace sluice
