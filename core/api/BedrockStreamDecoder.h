#pragma once

#include <optional>

#include <QHash>

#include "api/AwsEventStreamParser.h"
#include "api/FinishReason.h"
#include "api/StreamDecoder.h"

namespace sluice {

// Bedrock ConverseStream (AWS event-stream framing) to canonical events: messageStart, contentBlockStart
// (toolUse), contentBlockDelta (text, toolUse.input, reasoningContent text/signature/redactedContent),
// contentBlockStop, messageStop (stopReason), metadata (usage) and exception messages. metadata follows
// messageStop, so the Finish goes out after it, or when the body ends.
class BedrockStreamDecoder : public StreamDecoder
{
protected:
    void onBytes(const QByteArray &bytes) override;
    void onFlush() override;
    void onEvent(const SseEvent &event) override;
    void onEnd() override;

private:
    void onMessage(const AwsEventStreamMessage &message);

    struct Block
    {
        int tool = -1; // tool ordinal for toolUse blocks
        bool gotArguments = false;
    };

    AwsEventStreamParser m_frames;
    QList<AwsEventStreamMessage> m_messages;
    QHash<int, Block> m_blocks; // by contentBlockIndex
    int m_toolCount = 0;
    std::optional<FinishReason> m_finish;
    QString m_stopReason;
    bool m_gotMetadata = false;
};

} // namespace sluice
