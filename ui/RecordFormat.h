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
    // The guardrail rules that fired: "no-keys: masked 2 in the request · pii: logged 1 in the answer"; empty when
    // none.
    static QString guardrailHits(const RequestRecord &record);

    // US dollars with 4 decimals, up to 6 for fractions of a tenth of a cent: "$0.0012", "$0.000368".
    static QString usd(double usd);
    // The cost cell: "$0.0012", "≈$0.0012" (estimated), "unpriced" (never $0), "free", "cached", or unknown().
    static QString cost(const RequestRecord &record);
    // The cost with what its status means, for the detail pane.
    static QString costDetail(const RequestRecord &record);
    // Attempts sent upstream, or unknown() when the log did not record them.
    static QString attempts(const RequestRecord &record);
    // A routing failure class ("rate_limit") as a person reads it ("Rate limited").
    static QString failureClassLabel(const QString &failureClass);
    // A router decision ("give_up") as a person reads it ("Give up").
    static QString decisionLabel(const QString &decision);
    // Milliseconds as the router's reasons write them: "250 ms", "1.2 s", "34 s".
    static QString milliseconds(qint64 ms);

    enum class Tone { Neutral, Success, Warning, Failure };
    static Tone tone(const RequestRecord &record);
    static Tone costTone(const RequestRecord &record);
    static Tone decisionTone(const QString &decision);
    static Tone httpStatusTone(int httpStatus);
    // A colour for the tone that stays readable on the palette's base colour, light or dark.
    static QColor color(Tone tone, const QPalette &palette);
    static bool isDark(const QPalette &palette);
};

} // namespace sluice
