#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "api/CanonicalEvent.h"
#include "api/SseParser.h"
#include "api/StreamDecoder.h"
#include "support/RecordingLibrary.h"

namespace sluice::test {

// A canonical event stream folded into what a user would see, plus any breach of the event contract.
struct StreamSummary
{
    struct Call
    {
        QString id;
        QString name;
        QString arguments;
    };

    QString id;
    QString model;
    QString text;
    QString thinking;
    QString signature;
    QList<Call> calls;
    bool finished = false;
    FinishReason finish = FinishReason::Stop;
    QString finishMessage;
    bool failed = false;
    CanonicalError error;
    TokenUsage usage;
    QStringList violations; // contract breaches: empty when the stream was well formed
};

StreamSummary summarize(const CanonicalEvents &events);
// Feeds the bytes in awkward pieces (SSE events split mid-line), then ends the body.
CanonicalEvents decodeInPieces(StreamDecoder &decoder, const QByteArray &bytes, int pieceSize = 7);

// The recordings library, loaded once (QFAIL-friendly: check ok()).
const Result<RecordingLibrary> &recordings();
// A recorded stream as the provider sent it (framing per SOURCE.md, [DONE] for OpenAI-style providers).
QByteArray recordedStream(const RecordingLibrary::Recording &recording);

QList<SseEvent> parseSse(const QByteArray &bytes);
QJsonObject parseObject(const QByteArray &json);
QJsonObject parseObject(const QString &json);

} // namespace sluice::test
