#pragma once

#include <QJsonValue>

#include "api/StreamEncoder.h"
#include "api/TokenUsage.h"

namespace sluice {

// Canonical events as the legacy Completions stream: text_completion chunks with choices[0].text, a last chunk
// with the finish_reason, the usage chunk (choices: []) when the client asked for it, then [DONE]. Reasoning is
// not part of this format and is left out; errors end the stream with an {"error": ...} chunk.
class OpenAiCompletionsStreamEncoder : public StreamEncoder
{
public:
    explicit OpenAiCompletionsStreamEncoder(StreamEncoderOptions options);

protected:
    QByteArray onEvent(const CanonicalEvent &event) override;

private:
    QByteArray chunk(const QString &text, const QJsonValue &finishReason) const;
    void ensureStarted();

    bool m_started = false;
    QString m_id;
    qint64 m_created = 0;
    TokenUsage m_usage;
};

} // namespace sluice
