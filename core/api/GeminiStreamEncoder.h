#pragma once

#include <QJsonArray>
#include <QList>

#include "api/StreamEncoder.h"

namespace sluice {

// Canonical events as Gemini SSE chunks (GenerateContentResponse objects): text and thought parts as they come,
// each function call as one whole functionCall part once its arguments are complete, and a last chunk with
// finishReason and usageMetadata. Errors go out as an {"error": ...} chunk. With options.jsonArray the chunks form
// one JSON array (streamGenerateContent without alt=sse), closed by the terminal chunk.
class GeminiStreamEncoder : public StreamEncoder
{
public:
    explicit GeminiStreamEncoder(StreamEncoderOptions options);

protected:
    QByteArray onEvent(const CanonicalEvent &event) override;

private:
    struct PendingCall
    {
        int index = 0;
        QString id;
        QString name;
        QString arguments;
    };

    QByteArray chunk(const QJsonArray &parts, const QString &finishReason = {}, const QString &finishMessage = {});
    QByteArray flushCalls();
    // One chunk as an SSE event, or as the next element of the JSON array.
    QByteArray frame(const QByteArray &json);
    bool m_arrayOpen = false;

    QString m_id;
    TokenUsage m_usage;
    QList<PendingCall> m_calls;
};

} // namespace sluice
