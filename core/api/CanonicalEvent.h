#pragma once

#include <QList>
#include <QString>

#include "api/CanonicalError.h"
#include "api/FinishReason.h"
#include "api/TokenUsage.h"

namespace sluice {

// One step of a streamed answer, provider-neutral. A stream decoder emits, in order: Start once; any number of
// text, thinking and tool deltas and Usage snapshots; then exactly one terminal event, Finish or Error, and
// nothing after it. Usage always precedes Finish.
struct CanonicalEvent
{
    enum class Type {
        Start, // id, model, created; usage when the provider reports it up front
        TextDelta, // text
        ThinkingDelta, // text and/or signature; redacted: text holds the opaque data of a whole redacted block
        ToolCallStart, // index, toolCallId, toolName
        ToolArgumentsDelta, // index, text: the next piece of the arguments JSON
        Usage, // usage: everything known so far (cumulative, the latest wins)
        Finish, // finishReason, stopSequence, finishMessage
        Error, // error
    };

    Type type = Type::TextDelta;
    QString id;
    QString model;
    qint64 created = 0;
    QString text;
    QString signature;
    bool redacted = false;
    int index = 0; // tool call ordinal within the answer: 0, 1, 2... in order of first appearance
    QString toolCallId;
    QString toolName;
    QString toolNamespace; // ToolCallStart to a Responses client: the namespace tool the called function belongs to
    TokenUsage usage;
    FinishReason finishReason = FinishReason::Stop;
    QString stopSequence;
    QString finishMessage;
    CanonicalError error;

    bool isTerminal() const { return type == Type::Finish || type == Type::Error; }

    static CanonicalEvent start(const QString &id, const QString &model, qint64 created = 0);
    static CanonicalEvent textDelta(const QString &text);
    static CanonicalEvent thinkingDelta(const QString &text, const QString &signature = {});
    static CanonicalEvent toolCallStart(int index, const QString &id, const QString &name);
    static CanonicalEvent toolArgumentsDelta(int index, const QString &json);
    static CanonicalEvent usageEvent(const TokenUsage &usage);
    static CanonicalEvent finish(FinishReason reason);
    static CanonicalEvent failure(const CanonicalError &error);
};

using CanonicalEvents = QList<CanonicalEvent>;

} // namespace sluice
