#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "common/Result.h"

namespace sluice {

// What the gateway needs to know of an OpenAI chat/completions request body, and the edits it makes before
// forwarding it to an OpenAI-compatible upstream (same-format path: everything else passes through untouched).
class OpenAiChatRequest
{
public:
    // Validates the body; the error message names the field and what to send instead. Only the top-level members
    // it reads are decoded (a large prompt is skipped over); a malformed body gets the full parser's diagnosis.
    static Result<OpenAiChatRequest> parse(const QByteArray &body);

    QString model() const { return m_model; }
    bool stream() const { return m_stream; }
    // The client asked for the final usage chunk (stream_options.include_usage).
    bool clientWantsUsage() const { return m_clientWantsUsage; }

    // The body for the upstream: the client's own bytes when nothing needs changing; otherwise re-encoded with
    // the upstream model name and, for streams, stream_options.include_usage forced on so usage is always known.
    QByteArray upstreamBody(const QByteArray &original, const QString &upstreamModel) const;

    // The original bytes with only the model value and stream_options replaced (or added), so a large prompt is
    // not re-encoded; empty when the body's shape calls for the full re-encoding. Any JSON object body (the
    // Responses pass-through renames its model with it).
    static std::optional<QByteArray> spliceBody(const QByteArray &original, const QString &upstreamModel,
                                                bool addUsage);

private:
    QString m_model;
    bool m_stream = false;
    bool m_clientWantsUsage = false;
};

} // namespace sluice
