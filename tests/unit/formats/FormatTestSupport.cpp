#include "FormatTestSupport.h"

#include <QJsonDocument>

namespace sluice::test {

StreamSummary summarize(const CanonicalEvents &events)
{
    StreamSummary summary;
    bool started = false;
    bool terminated = false;
    for (const CanonicalEvent &event : events) {
        if (terminated)
            summary.violations.append(QStringLiteral("event after the terminal event"));
        if (!started && event.type != CanonicalEvent::Type::Start)
            summary.violations.append(QStringLiteral("first event is not Start"));
        switch (event.type) {
        case CanonicalEvent::Type::Start:
            if (started)
                summary.violations.append(QStringLiteral("second Start"));
            started = true;
            summary.id = event.id;
            summary.model = event.model;
            break;
        case CanonicalEvent::Type::TextDelta:
            summary.text += event.text;
            break;
        case CanonicalEvent::Type::ThinkingDelta:
            summary.thinking += event.text;
            summary.signature += event.signature;
            break;
        case CanonicalEvent::Type::ToolCallStart:
            if (event.index != summary.calls.size())
                summary.violations.append(QStringLiteral("tool call index %1 out of order").arg(event.index));
            summary.calls.append({event.toolCallId, event.toolName, {}});
            break;
        case CanonicalEvent::Type::ToolArgumentsDelta:
            if (event.index < 0 || event.index >= summary.calls.size())
                summary.violations.append(QStringLiteral("arguments for unknown tool call %1").arg(event.index));
            else
                summary.calls[event.index].arguments += event.text;
            break;
        case CanonicalEvent::Type::Usage:
            summary.usage = event.usage;
            break;
        case CanonicalEvent::Type::Finish:
            terminated = true;
            summary.finished = true;
            summary.finish = event.finishReason;
            summary.finishMessage = event.finishMessage;
            break;
        case CanonicalEvent::Type::Error:
            terminated = true;
            summary.failed = true;
            summary.error = event.error;
            break;
        }
    }
    if (!terminated)
        summary.violations.append(QStringLiteral("no terminal event"));
    return summary;
}

CanonicalEvents decodeInPieces(StreamDecoder &decoder, const QByteArray &bytes, int pieceSize)
{
    CanonicalEvents events;
    for (qsizetype at = 0; at < bytes.size(); at += pieceSize)
        events += decoder.feed(bytes.mid(at, pieceSize));
    events += decoder.finish();
    return events;
}

const Result<RecordingLibrary> &recordings()
{
    static const Result<RecordingLibrary> library = RecordingLibrary::load(RecordingLibrary::defaultDirectory());
    return library;
}

QByteArray recordedStream(const RecordingLibrary::Recording &recording)
{
    QByteArray bytes;
    for (const QByteArray &payload : recording.events)
        bytes += RecordingLibrary::frameEvent(recording.family, payload);
    if (recording.family == RecordingLibrary::Family::OpenAi)
        bytes += RecordingLibrary::frameEvent(recording.family, QByteArrayLiteral("[DONE]"));
    return bytes;
}

QList<SseEvent> parseSse(const QByteArray &bytes)
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed(bytes, events);
    return events;
}

QJsonObject parseObject(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QJsonObject parseObject(const QString &json)
{
    return parseObject(json.toUtf8());
}

} // namespace sluice::test
