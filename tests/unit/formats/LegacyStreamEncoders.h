#pragma once

#include <QJsonArray>
#include <QJsonObject>

#include "api/CanonicalResponse.h"
#include "api/StreamEncoder.h"

// The Anthropic and Responses stream encoders (and the Anthropic answer encoder) as they were before they wrote their
// JSON directly (each event a QJsonObject serialised by QJsonDocument), kept as the reference the differential tests
// compare the encoders with: the same events must give the same bytes.
namespace sluice::test::legacy {

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

// Canonical events as the Responses API event sequence the openai SDKs and Codex accumulate, every event with a
// sequence_number: response.created, response.in_progress; per output item response.output_item.added, then
// for a message content_part.added / output_text.delta... / output_text.done / content_part.done, for reasoning
// reasoning_summary_part.added / reasoning_summary_text.delta... / .done / part.done, for a function call
// function_call_arguments.delta... / .done; response.output_item.done; finally response.completed (or
// response.incomplete / response.failed) with the whole response and its usage.
class OpenAiResponsesStreamEncoder : public StreamEncoder
{
public:
    explicit OpenAiResponsesStreamEncoder(StreamEncoderOptions options);

protected:
    QByteArray onEvent(const CanonicalEvent &event) override;

private:
    enum class Item { None, Message, Reasoning, FunctionCall };

    QByteArray send(const char *type, QJsonObject data);
    QByteArray ensureStarted();
    QByteArray openItem(Item item, const QJsonObject &added);
    QByteArray closeItem();
    QJsonObject response(const QString &status) const;

    bool m_started = false;
    int m_sequence = 0;
    QString m_id;
    qint64 m_created = 0;
    TokenUsage m_usage;
    QJsonArray m_output; // finished items

    Item m_open = Item::None;
    QString m_itemId;
    QString m_text; // message text, reasoning summary or function arguments so far
    QString m_signature;
    bool m_summaryOpen = false;
    int m_tool = -1;
    QString m_callId;
    QString m_name;
    QString m_namespace;
};

// AnthropicMessagesCodec::encodeResponse as it was (a QJsonObject serialised by QJsonDocument).
QByteArray anthropicEncodeResponse(const CanonicalResponse &response, const QString &requestedModel);

} // namespace sluice::test::legacy
