#pragma once

#include <QHash>

#include "api/CanonicalEvent.h"
#include "api/CanonicalResponse.h"

namespace sluice {

// Folds a canonical event stream into the non-streamed answer it amounts to, and turns an answer back into the
// events a client stream encoder writes: a streamed answer can be replayed as one JSON body and vice versa.
class ResponseAssembler
{
public:
    void feed(const CanonicalEvent &event);
    void feed(const CanonicalEvents &events);

    // A Finish arrived (not an Error, nor a Finish with FinishReason::Error): the answer is whole.
    bool isComplete() const { return m_complete && !m_failed; }
    const CanonicalResponse &response() const { return m_response; }

    // Start, the content in order, Usage and Finish.
    static CanonicalEvents toEvents(const CanonicalResponse &response);
    // True when toEvents() carries all of the answer: text, thinking and tool calls only, no refusal.
    static bool isReplayable(const CanonicalResponse &response);

private:
    CanonicalResponse m_response;
    QHash<int, qsizetype> m_toolParts; // tool call index -> position in content
    bool m_complete = false;
    bool m_failed = false;
};

} // namespace sluice
