#pragma once

#include <QByteArray>
#include <QJsonObject>

#include "compare/CompareRun.h"

namespace sluice {

// The HTTP request one column sends to the gateway: the comparison's body with the column's model and overrides,
// always streamed (live time to first token), in the body's own client format.
struct CompareCall
{
    QByteArray path; // with the query, e.g. "/v1/chat/completions" or "/v1beta/models/M:streamGenerateContent?alt=sse"
    QByteArray body;

    // A pure function. Overrides use the names of the body's format; temperature, top_p, max_tokens and stop are
    // also accepted in OpenAI's words for every format (mapped to max_output_tokens, Gemini's generationConfig...).
    // An override whose value is null removes the member.
    static Result<CompareCall> prepare(ApiFormat format, const QByteArray &body, const CompareModel &model);
};

} // namespace sluice
