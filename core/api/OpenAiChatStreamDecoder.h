#pragma once

#include <optional>

#include <QHash>

#include "api/FinishReason.h"
#include "api/StreamDecoder.h"

class QJsonObject;

namespace sluice {

// chat.completion.chunk events (and legacy text_completion chunks) to canonical events: content, reasoning_content
// / reasoning, tool-call deltas by index (or by id where a provider sends none), finish_reason, the usage chunk,
// error chunks, [DONE]. The Finish goes out at [DONE] or the body's end, after the usage chunk.
class OpenAiChatStreamDecoder : public StreamDecoder
{
protected:
    void onEvent(const SseEvent &event) override;
    void onEnd() override;

private:
    void onChunk(const QJsonObject &chunk);
    int toolOrdinal(const QJsonObject &call, qsizetype position);
    void emitFinish();

    std::optional<FinishReason> m_finish;
    QHash<int, int> m_toolByIndex; // provider index -> canonical ordinal
    QHash<QString, int> m_toolById;
    int m_lastTool = -1;
    int m_toolCount = 0;
};

} // namespace sluice
