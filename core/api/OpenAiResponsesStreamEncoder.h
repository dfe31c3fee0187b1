#pragma once

#include <QJsonArray>
#include <QJsonObject>

#include "api/StreamEncoder.h"

namespace sluice {

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
    enum class DeltaKind { OutputText, ReasoningSummary, FunctionArguments };

    QByteArray send(const char *type, QJsonObject data);
    // The per-token delta events (output_text, reasoning_summary_text, function_call_arguments), written directly
    // in the bytes send() would give, without a QJsonObject per token.
    void sendDelta(QByteArray &out, DeltaKind kind, const QString &text);
    QByteArray ensureStarted();
    QByteArray openItem(Item item, const QJsonObject &added);
    QByteArray openMessage();
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

} // namespace sluice
