#pragma once

#include <QJsonObject>

#include "api/StreamEncoder.h"

namespace sluice {

// Canonical events as Anthropic SSE, the sequence the Anthropic SDKs accumulate: message_start, ping, then per
// content block content_block_start / content_block_delta... / content_block_stop with indexes 0, 1, 2...,
// message_delta (stop_reason, usage), message_stop. Errors go out as an `error` event.
class AnthropicStreamEncoder : public StreamEncoder
{
public:
    explicit AnthropicStreamEncoder(StreamEncoderOptions options);

protected:
    QByteArray onEvent(const CanonicalEvent &event) override;

private:
    enum class Block { None, Text, Thinking, Tool };

    QByteArray send(const char *type, QJsonObject data) const;
    QByteArray ensureStarted();
    QByteArray openBlock(Block block, const QJsonObject &contentBlock, int tool = -1);
    QByteArray closeBlock();
    QByteArray errorEvent(const CanonicalError &error) const;

    bool m_started = false;
    QString m_id;
    TokenUsage m_usage;
    Block m_open = Block::None;
    int m_openTool = -1;
    int m_nextIndex = 0;
};

} // namespace sluice
