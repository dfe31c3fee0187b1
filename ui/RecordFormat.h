#pragma once

#include <QColor>
#include <QString>

#include "common/RequestRecord.h"

class QPalette;

namespace sluice {

// How request fields read on screen: the table, the detail pane and the tray say the same thing the same way.
class RecordFormat
{
public:
    // Shown where a value is unknown (token counts a provider did not report, no TTFT).
    static QString unknown();
    static QString localTime(const QDateTime &utc);
    static QString localDateTime(const QDateTime &utc);
    // Microseconds as milliseconds with one decimal ("12.3 ms"), or unknown() when negative.
    static QString duration(qint64 us);
    static QString tokens(qint64 count);
    static QString count(qint64 count, const QString &singular, const QString &plural);
    // "200", or the status and the error class ("502 Upstream error").
    static QString status(const RequestRecord &record);
    static QString errorClassLabel(const QString &errorClass);
    static bool isFailure(const RequestRecord &record);

    enum class Tone { Neutral, Success, Warning, Failure };
    static Tone tone(const RequestRecord &record);
    // A colour for the tone that stays readable on the palette's base colour, light or dark.
    static QColor color(Tone tone, const QPalette &palette);
    static bool isDark(const QPalette &palette);
};

} // namespace sluice
