#pragma once

#include <QJsonObject>
#include <QSet>

#include "api/StreamEncoder.h"

namespace sluice {

// Canonical events as chat.completion.chunk SSE, the sequence the openai SDKs accumulate: a role chunk, content /
// reasoning_content / tool_calls deltas (id, type and name on a call's first delta), a finish_reason chunk, the
// usage chunk (choices: []) when the client asked for it, then [DONE]. Errors end the stream with an
// {"error": ...} chunk, which the SDKs raise.
class OpenAiChatStreamEncoder : public StreamEncoder
{
public:
    explicit OpenAiChatStreamEncoder(StreamEncoderOptions options);

protected:
    QByteArray onEvent(const CanonicalEvent &event) override;

private:
    QByteArray chunk(const QJsonObject &delta, const QJsonValue &finishReason = QJsonValue()) const;
    QByteArray frame(const QJsonObject &object) const;
    QByteArray ensureStarted();

    bool m_started = false;
    QString m_id;
    qint64 m_created = 0;
    TokenUsage m_usage;
    QSet<int> m_toolsWithArguments;
    QSet<int> m_tools;
};

} // namespace sluice
