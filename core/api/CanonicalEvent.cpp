#include "CanonicalEvent.h"

namespace sluice {

CanonicalEvent CanonicalEvent::start(const QString &id, const QString &model, qint64 created)
{
    CanonicalEvent event;
    event.type = Type::Start;
    event.id = id;
    event.model = model;
    event.created = created;
    return event;
}

CanonicalEvent CanonicalEvent::textDelta(const QString &text)
{
    CanonicalEvent event;
    event.type = Type::TextDelta;
    event.text = text;
    return event;
}

CanonicalEvent CanonicalEvent::thinkingDelta(const QString &text, const QString &signature)
{
    CanonicalEvent event;
    event.type = Type::ThinkingDelta;
    event.text = text;
    event.signature = signature;
    return event;
}

CanonicalEvent CanonicalEvent::toolCallStart(int index, const QString &id, const QString &name)
{
    CanonicalEvent event;
    event.type = Type::ToolCallStart;
    event.index = index;
    event.toolCallId = id;
    event.toolName = name;
    return event;
}

CanonicalEvent CanonicalEvent::toolArgumentsDelta(int index, const QString &json)
{
    CanonicalEvent event;
    event.type = Type::ToolArgumentsDelta;
    event.index = index;
    event.text = json;
    return event;
}

CanonicalEvent CanonicalEvent::usageEvent(const TokenUsage &usage)
{
    CanonicalEvent event;
    event.type = Type::Usage;
    event.usage = usage;
    return event;
}

CanonicalEvent CanonicalEvent::finish(FinishReason reason)
{
    CanonicalEvent event;
    event.type = Type::Finish;
    event.finishReason = reason;
    return event;
}

CanonicalEvent CanonicalEvent::failure(const CanonicalError &error)
{
    CanonicalEvent event;
    event.type = Type::Error;
    event.error = error;
    return event;
}

} // namespace sluice
