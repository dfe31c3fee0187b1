#pragma once

#include <optional>

#include <QHash>

#include "api/FinishReason.h"
#include "api/StreamDecoder.h"

namespace sluice {

// Anthropic SSE (message_start, content_block_start/delta/stop with text, thinking, signature and input_json
// deltas, message_delta, message_stop, ping, error) to canonical events. Usage is merged from message_start and
// message_delta; the Finish goes out at message_stop.
class AnthropicStreamDecoder : public StreamDecoder
{
protected:
    void onEvent(const SseEvent &event) override;
    void onEnd() override;

private:
    struct Block
    {
        QString type;
        int tool = -1; // tool ordinal for tool_use blocks
        bool gotArguments = false;
    };

    QHash<int, Block> m_blocks; // by content block index
    int m_toolCount = 0;
    std::optional<FinishReason> m_finish;
    QString m_stopSequence;
    QString m_finishMessage;
};

} // namespace sluice
