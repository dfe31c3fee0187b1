#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace sluice::test {

// Bedrock Converse answers derived from the recorded Anthropic traffic: there are no Bedrock recordings, and
// Bedrock serves the same Claude models, so a recording's output (text, thinking with signatures, tool calls,
// stop reason, usage with cache tokens) is transcribed field by field into Converse shapes (documented in
// AWS's Converse / ConverseStream API reference). The transcription is derived data, not recorded traffic.
class BedrockTranscript
{
public:
    // An Anthropic Messages body to a Converse response body.
    static QJsonObject converseBody(const QJsonObject &anthropicMessage);
    // Anthropic SSE data payloads (one per event, in order) to ConverseStream events, each one framed
    // event-stream message.
    static QList<QByteArray> converseStream(const QList<QByteArray> &anthropicEvents);
    // The Converse stopReason for an Anthropic stop_reason.
    static QString stopReason(const QString &anthropicStopReason);
    // The exception Bedrock names for an HTTP status (ThrottlingException for 429, ...).
    static QByteArray exceptionFor(int status);
};

} // namespace sluice::test
