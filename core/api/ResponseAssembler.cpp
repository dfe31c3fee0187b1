#include "ResponseAssembler.h"

namespace sluice {

void ResponseAssembler::feed(const CanonicalEvents &events)
{
    for (const CanonicalEvent &event : events)
        feed(event);
}

void ResponseAssembler::feed(const CanonicalEvent &event)
{
    using Type = CanonicalEvent::Type;
    ContentParts &content = m_response.content;
    switch (event.type) {
    case Type::Start:
        m_response.id = event.id;
        m_response.model = event.model;
        m_response.created = event.created;
        m_response.usage.mergeFrom(event.usage);
        break;
    case Type::TextDelta:
        if (content.isEmpty() || content.last().kind != ContentPart::Kind::Text)
            content.append(ContentPart::makeText(QString()));
        content.last().text += event.text;
        break;
    case Type::ThinkingDelta:
        if (event.redacted) {
            ContentPart part = ContentPart::makeThinking(event.text);
            part.redacted = true;
            content.append(part);
            break;
        }
        if (content.isEmpty() || content.last().kind != ContentPart::Kind::Thinking || content.last().redacted)
            content.append(ContentPart::makeThinking(QString()));
        content.last().text += event.text;
        content.last().signature += event.signature;
        break;
    case Type::ToolCallStart:
        m_toolParts.insert(event.index, content.size());
        content.append(ContentPart::makeToolCall(event.toolCallId, event.toolName, QString()));
        break;
    case Type::ToolArgumentsDelta:
        if (const auto part = m_toolParts.constFind(event.index); part != m_toolParts.constEnd())
            content[*part].arguments += event.text;
        else
            m_failed = true; // arguments of a call that never started: the answer cannot be rebuilt
        break;
    case Type::Usage:
        m_response.usage.mergeFrom(event.usage);
        break;
    case Type::Finish:
        m_response.finishReason = event.finishReason;
        m_response.stopSequence = event.stopSequence;
        m_response.finishMessage = event.finishMessage;
        m_complete = true;
        m_failed = m_failed || event.finishReason == FinishReason::Error;
        break;
    case Type::Error:
        m_failed = true;
        break;
    }
}

CanonicalEvents ResponseAssembler::toEvents(const CanonicalResponse &response)
{
    CanonicalEvents events;
    CanonicalEvent start = CanonicalEvent::start(response.id, response.model, response.created);
    start.usage = response.usage;
    events.append(start);
    int toolIndex = 0;
    for (const ContentPart &part : response.content) {
        switch (part.kind) {
        case ContentPart::Kind::Text:
            events.append(CanonicalEvent::textDelta(part.text));
            break;
        case ContentPart::Kind::Thinking: {
            CanonicalEvent thinking = CanonicalEvent::thinkingDelta(part.text, part.signature);
            thinking.redacted = part.redacted;
            events.append(thinking);
            break;
        }
        case ContentPart::Kind::ToolCall:
            events.append(CanonicalEvent::toolCallStart(toolIndex, part.toolCallId, part.toolName));
            events.append(CanonicalEvent::toolArgumentsDelta(toolIndex, part.arguments));
            ++toolIndex;
            break;
        default:
            break;
        }
    }
    events.append(CanonicalEvent::usageEvent(response.usage));
    CanonicalEvent finish = CanonicalEvent::finish(response.finishReason);
    finish.stopSequence = response.stopSequence;
    finish.finishMessage = response.finishMessage;
    events.append(finish);
    return events;
}

bool ResponseAssembler::isReplayable(const CanonicalResponse &response)
{
    if (!response.refusal.isEmpty() || response.finishReason == FinishReason::Error)
        return false;
    for (const ContentPart &part : response.content) {
        if (part.kind != ContentPart::Kind::Text && part.kind != ContentPart::Kind::Thinking
            && part.kind != ContentPart::Kind::ToolCall)
            return false;
        // Gemini's thought signatures ride on text parts; a stream encoder has no place for them.
        if (part.kind == ContentPart::Kind::Text && !part.signature.isEmpty())
            return false;
    }
    return true;
}

} // namespace sluice
