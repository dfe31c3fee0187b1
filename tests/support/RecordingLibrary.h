#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "common/Result.h"

namespace sluice::test {

// The recorded provider traffic (SOURCE.md in the recordings folder), indexed by recording name: NAME.json is
// one non-streamed body, NAME.chunks.txt one streamed response with one SSE data payload per line.
class RecordingLibrary
{
public:
    // Wire format family, from the provider folder: it decides the SSE framing and the endpoint.
    enum class Family { OpenAi, Anthropic, Gemini };

    struct Recording
    {
        QString name; // file name without .json / .chunks.txt, e.g. "openai-text"
        QString folder; // provider folder, e.g. "openai", "groq"
        Family family = Family::OpenAi;
        bool hasBody = false;
        bool hasEvents = false;
        QByteArray body; // NAME.json as recorded
        QList<QByteArray> events; // NAME.chunks.txt: one data payload per non-empty line, no line ending
    };

    // $SLUICE_RECORDINGS_DIR (set by sluice_add_test for every test).
    static QString defaultDirectory();
    static Result<RecordingLibrary> load(const QString &directory);

    QString directory() const { return m_directory; }
    QStringList names() const; // sorted
    const Recording *find(const QString &name) const;

    static Family familyOfFolder(const QString &folder);
    static QString familyName(Family family);
    // The SSE bytes one recorded payload was sent as, per the family's framing.
    static QByteArray frameEvent(Family family, const QByteArray &payload);
    // OpenAI's usage-only chunk (usage non-null, choices empty): sent only when stream_options.include_usage.
    static bool isUsageOnlyChunk(const QByteArray &payload);
    // The HTTP status a recorded error body was served with (error.code, else from error.type); 0 when the
    // body is not an error.
    static int errorStatus(const QByteArray &body);

private:
    QString m_directory;
    QHash<QString, Recording> m_recordings;
};

} // namespace sluice::test
