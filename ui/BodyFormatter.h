#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "api/SseParser.h"

namespace sluice {

// Turns logged request and response bodies into text a person can read.
class BodyFormatter
{
public:
    // The JSON indented two spaces per level, keys in their original order; nullopt when not valid JSON.
    static std::optional<QString> prettyJson(const QByteArray &body);
    // Pretty JSON when it is JSON, otherwise the body as text.
    static QString readable(const QByteArray &body);

    static bool isEventStream(const QByteArray &body);
    static QList<SseEvent> events(const QByteArray &body);
    // One line per event: "event-name data" (the data's line breaks folded).
    static QString eventLines(const QList<SseEvent> &events);
    // The text a client would have shown: content deltas of OpenAI chat/completions/responses, Anthropic
    // messages and Gemini streams, concatenated. Reasoning and tool-call deltas are left out.
    static QString assembledText(const QList<SseEvent> &events);
};

} // namespace sluice
