#pragma once

#include <QByteArray>
#include <QString>

#include "api/CanonicalEvent.h"

namespace sluice {

struct StreamEncoderOptions
{
    QString requestedModel; // the model name the client asked for: the one it sees back
    bool includeUsage = false; // OpenAI chat: the client asked for stream_options.include_usage
    bool jsonArray = false; // Gemini: one JSON array of chunks (streamGenerateContent without alt=sse), not SSE
};

// Writes canonical events as one client format's SSE bytes, in the exact sequence that format's SDKs expect.
// Stateful: one per client stream.
class StreamEncoder
{
public:
    explicit StreamEncoder(StreamEncoderOptions options);
    virtual ~StreamEncoder();

    // The bytes to send the client for this event (may be empty: some events only change state).
    QByteArray encode(const CanonicalEvent &event);
    QByteArray encode(const CanonicalEvents &events);
    // The stream is over: closes the client's event sequence; if no Finish or Error came, ends it with an
    // explicit error so the client never mistakes a cut answer for a complete one.
    QByteArray finish();

    bool terminated() const { return m_terminated; }

protected:
    virtual QByteArray onEvent(const CanonicalEvent &event) = 0;
    const StreamEncoderOptions &options() const { return m_options; }

private:
    StreamEncoderOptions m_options;
    bool m_terminated = false;
};

} // namespace sluice
