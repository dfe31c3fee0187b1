#pragma once

#include "api/StreamEncoder.h"

namespace sluice {

class JsonWriter;

// Canonical events as Anthropic SSE, the sequence the Anthropic SDKs accumulate: message_start, ping, then per
// content block content_block_start / content_block_delta... / content_block_stop with indexes 0, 1, 2...,
// message_delta (stop_reason, usage), message_stop. Errors go out as an `error` event.
// Each event's JSON is written directly (JsonWriter), in the bytes QJsonDocument would give for the
// same object: one event per token, so no QJsonObject is built per event.
class AnthropicStreamEncoder : public StreamEncoder
{
public:
    explicit AnthropicStreamEncoder(StreamEncoderOptions options);

protected:
    QByteArray onEvent(const CanonicalEvent &event) override;

private:
    enum class Block { None, Text, Thinking, Tool };
    enum class Delta { Text, Thinking, Signature, InputJson };

    void write(JsonWriter &out, const CanonicalEvent &event);
    void ensureStarted(JsonWriter &out);
    // content_block_start up to its content block's object, which the caller writes; closes the open block first.
    void beginBlock(JsonWriter &out, Block block, int tool = -1);
    void endBlock(JsonWriter &out) const;
    void closeBlock(JsonWriter &out);
    void delta(JsonWriter &out, Delta kind, const QString &text) const;
    void errorEvent(JsonWriter &out, const CanonicalError &error) const;

    bool m_started = false;
    QString m_id;
    TokenUsage m_usage;
    Block m_open = Block::None;
    int m_openTool = -1;
    int m_nextIndex = 0;
};

} // namespace sluice
