#pragma once

#include <optional>

#include "api/FinishReason.h"
#include "api/GeminiPartialCall.h"
#include "api/StreamDecoder.h"

namespace sluice {

// streamGenerateContent?alt=sse chunks to canonical events: text and thought parts, whole functionCall parts
// (one start plus one arguments delta each), usageMetadata snapshots, finishReason and promptFeedback blocks,
// error objects. Gemini sends no end marker: the Finish goes out when the body ends after a finishReason.
// A call whose arguments are streamed (functionCall.partialArgs, willContinue) starts once, with its name, and
// gets its assembled arguments as one delta when the last piece arrives.
class GeminiStreamDecoder : public StreamDecoder
{
protected:
    void onEvent(const SseEvent &event) override;
    void onEnd() override;

private:
    // One part of a functionCall chunk that belongs to a streamed call; false when the part is a whole call.
    bool takePartialCall(const QJsonObject &part);
    void flushPartialCall();

    struct PartialCall
    {
        int index = 0;
        GeminiPartialCall arguments;
    };
    std::optional<PartialCall> m_partial;
    std::optional<FinishReason> m_finish;
    QString m_finishMessage;
    int m_toolCount = 0;
};

} // namespace sluice
