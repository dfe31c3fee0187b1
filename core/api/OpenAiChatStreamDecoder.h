#pragma once

#include <optional>

#include <QHash>

#include "api/FinishReason.h"
#include "api/OpenAiChatChunkReader.h"
#include "api/StreamDecoder.h"

class QJsonObject;

namespace sluice {

// chat.completion.chunk events (and legacy text_completion chunks) to canonical events: content, reasoning_content
// / reasoning, tool-call deltas by index (or by id where a provider sends none), finish_reason, the usage chunk,
// error chunks, [DONE]. The Finish goes out at [DONE] or the body's end, after the usage chunk.
// Chunks are read by OpenAiChatChunkReader (simdjson) where it can; anything else by QJsonDocument, with the
// same events either way.
class OpenAiChatStreamDecoder : public StreamDecoder
{
public:
    // Off: every chunk through QJsonDocument (the differential tests compare the two readings).
    void setFastReader(bool enabled) { m_fastReader = enabled; }
    // How many chunks the fast reader took (the rest went through QJsonDocument).
    int fastChunks() const { return m_fastChunks; }

protected:
    void onEvent(const SseEvent &event) override;
    void onEnd() override;

private:
    void onChunk(const QJsonObject &chunk);
    void onChunk(const OpenAiChatChunkReader::Chunk &chunk);
    int toolOrdinal(const QJsonObject &call, qsizetype position);
    int toolOrdinal(const QString &id, std::optional<int> index, qsizetype position, const QString &name);
    void emitFinish();

    std::optional<FinishReason> m_finish;
    QHash<int, int> m_toolByIndex; // provider index -> canonical ordinal
    QHash<QString, int> m_toolById;
    int m_lastTool = -1;
    int m_toolCount = 0;
    bool m_fastReader = true;
    int m_fastChunks = 0;
    OpenAiChatChunkReader m_reader;
};

} // namespace sluice
