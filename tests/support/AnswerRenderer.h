#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include "RecordingLibrary.h"
#include "api/ApiFormat.h"
#include "api/CanonicalEvent.h"
#include "api/CanonicalResponse.h"
#include "api/StreamEncoder.h"
#include "common/Result.h"

namespace sluice::test {

// Answers the mock upstream has no recording of in the endpoint's format: a recording of another format (the
// OpenAI Responses endpoint answers from OpenAI chat recordings), or a scripted tool call (AgentScript). The
// recording is decoded to Sluice's canonical model and encoded again with Sluice's own codecs (core/api), so
// these answers are only as faithful as those codecs; same-format recordings are still replayed byte for byte.
class AnswerRenderer
{
public:
    // The wire format a recording family's answers are in: OpenAiChat, AnthropicMessages or Gemini.
    static ApiFormat formatOf(RecordingLibrary::Family family);

    // The recording's non-streamed answer (NAME.json, else NAME.chunks.txt folded into one answer).
    static Result<CanonicalResponse> response(const RecordingLibrary::Recording &recording);
    // The recording's streamed answer as canonical events (NAME.chunks.txt, else NAME.json as one event each for
    // its start, content, usage and finish).
    static Result<CanonicalEvents> events(const RecordingLibrary::Recording &recording);

    // The model the recording's answer names (what a provider says served it); empty when it names none.
    static QString modelOf(const RecordingLibrary::Recording &recording);

    // An answer that only calls one tool, as `model` would name it.
    static CanonicalResponse toolCall(const QString &callId, const QString &name, const QString &arguments,
                                      const TokenUsage &usage, const QString &model);

    // The non-streamed body in `format`, naming `model`.
    static QByteArray body(ApiFormat format, const CanonicalResponse &response, const QString &model);
    // The streamed answer in `format`: one element per event that wrote bytes (SSE framing, or pieces of one
    // JSON array for Gemini with options.jsonArray).
    static QList<QByteArray> stream(ApiFormat format, const CanonicalEvents &events,
                                    const StreamEncoderOptions &options);
};

} // namespace sluice::test
