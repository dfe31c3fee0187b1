#include "RecordFormat.h"

#include <cmath>

#include <QCoreApplication>
#include <QLocale>
#include <QPalette>

#include "routing/DurationText.h"

namespace sluice {

QString RecordFormat::unknown()
{
    return QStringLiteral("—");
}

QString RecordFormat::localTime(const QDateTime &utc)
{
    if (!utc.isValid())
        return unknown();
    return utc.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

QString RecordFormat::localDateTime(const QDateTime &utc)
{
    if (!utc.isValid())
        return unknown();
    return utc.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString RecordFormat::duration(qint64 us)
{
    if (us < 0)
        return unknown();
    return QLocale().toString(double(us) / 1000.0, 'f', 1) + QStringLiteral(" ms");
}

QString RecordFormat::tokens(qint64 count)
{
    if (count < 0)
        return unknown();
    return QLocale().toString(count);
}

QString RecordFormat::count(qint64 count, const QString &singular, const QString &plural)
{
    return QLocale().toString(count) + QLatin1Char(' ') + (count == 1 ? singular : plural);
}

QString RecordFormat::status(const RequestRecord &record)
{
    const QString code = record.httpStatus > 0 ? QString::number(record.httpStatus) : unknown();
    if (record.errorClass.isEmpty())
        return code;
    return code + QLatin1Char(' ') + errorClassLabel(record.errorClass);
}

QString RecordFormat::errorClassLabel(const QString &errorClass)
{
    struct Label
    {
        const char *errorClass;
        const char *text;
    };
    static constexpr Label labels[] = {
        {ErrorClass::InvalidRequest, QT_TRANSLATE_NOOP("RecordFormat", "Invalid request")},
        {ErrorClass::Authentication, QT_TRANSLATE_NOOP("RecordFormat", "Authentication")},
        {ErrorClass::Forbidden, QT_TRANSLATE_NOOP("RecordFormat", "Forbidden")},
        {ErrorClass::NotFound, QT_TRANSLATE_NOOP("RecordFormat", "Not found")},
        {ErrorClass::UpstreamError, QT_TRANSLATE_NOOP("RecordFormat", "Upstream error")},
        {ErrorClass::UpstreamConnection, QT_TRANSLATE_NOOP("RecordFormat", "Upstream connection")},
        {ErrorClass::UpstreamTimeout, QT_TRANSLATE_NOOP("RecordFormat", "Upstream timeout")},
        {ErrorClass::UpstreamProtocol, QT_TRANSLATE_NOOP("RecordFormat", "Upstream protocol")},
        {ErrorClass::ClientDisconnected, QT_TRANSLATE_NOOP("RecordFormat", "Client disconnected")},
        {ErrorClass::Paused, QT_TRANSLATE_NOOP("RecordFormat", "Paused")},
        {ErrorClass::Internal, QT_TRANSLATE_NOOP("RecordFormat", "Internal error")},
        {ErrorClass::GuardrailBlocked, QT_TRANSLATE_NOOP("RecordFormat", "Blocked by a guardrail")},
    };
    for (const Label &label : labels) {
        if (errorClass == QLatin1String(label.errorClass))
            return QCoreApplication::translate("RecordFormat", label.text);
    }
    return errorClass;
}

QString RecordFormat::guardrailHits(const RequestRecord &record)
{
    QStringList parts;
    for (const GuardrailHit &hit : record.guardrailHits) {
        const QString did = hit.action == QLatin1String("block")
            ? QCoreApplication::translate("RecordFormat", "blocked")
            : hit.action == QLatin1String("mask") ? QCoreApplication::translate("RecordFormat", "masked")
                                                  : QCoreApplication::translate("RecordFormat", "logged");
        const QString where = hit.side == QLatin1String("response")
            ? QCoreApplication::translate("RecordFormat", "in the answer")
            : QCoreApplication::translate("RecordFormat", "in the request");
        parts << QStringLiteral("%1: %2 %3 %4").arg(hit.rule, did).arg(hit.count).arg(where);
    }
    return parts.join(QStringLiteral(" · "));
}

bool RecordFormat::isFailure(const RequestRecord &record)
{
    return !record.errorClass.isEmpty() || record.httpStatus >= 400;
}

QString RecordFormat::usd(double usd)
{
    const double magnitude = std::abs(usd);
    if (magnitude > 0 && magnitude < 0.0000005)
        return QStringLiteral("<$0.000001");
    int decimals = 4;
    if (magnitude > 0 && magnitude < 0.0001)
        decimals = 6;
    else if (magnitude > 0 && magnitude < 0.001)
        decimals = 5;
    return (usd < 0 ? QStringLiteral("-$") : QStringLiteral("$")) + QLocale().toString(magnitude, 'f', decimals);
}

QString RecordFormat::cost(const RequestRecord &record)
{
    const QString &status = record.costStatus;
    if (status == QLatin1String(CostStatus::Unpriced))
        return QCoreApplication::translate("RecordFormat", "unpriced");
    if (status == QLatin1String(CostStatus::Free))
        return QCoreApplication::translate("RecordFormat", "free");
    if (status == QLatin1String(CostStatus::Cached))
        return QCoreApplication::translate("RecordFormat", "cached");
    if (status.isEmpty() || record.costUsd < 0)
        return unknown();
    if (status == QLatin1String(CostStatus::Estimated))
        return QStringLiteral("≈") + usd(record.costUsd);
    return usd(record.costUsd);
}

QString RecordFormat::costDetail(const RequestRecord &record)
{
    const QString &status = record.costStatus;
    const QString model = record.upstreamModel.isEmpty() ? record.requestedModel : record.upstreamModel;
    if (status == QLatin1String(CostStatus::Unpriced)) {
        return QCoreApplication::translate("RecordFormat",
                                           "Unpriced: no price is known for %1, so spend totals leave it out. Add "
                                           "one under prices.overrides in the config.")
            .arg(model);
    }
    if (status == QLatin1String(CostStatus::Free))
        return QCoreApplication::translate("RecordFormat", "Free: %1 is configured as a free provider.")
            .arg(record.provider);
    if (status == QLatin1String(CostStatus::Cached)) {
        if (record.savedUsd < 0) {
            return QCoreApplication::translate("RecordFormat",
                                               "$0, cached: answered from Sluice's response cache. What it saved is "
                                               "unknown: no price is known for %1.")
                .arg(model);
        }
        return QCoreApplication::translate("RecordFormat",
                                           "$0, cached: answered from Sluice's response cache; saved %1 (the cached "
                                           "answer's usage at the current price).")
            .arg(usd(record.savedUsd));
    }
    if (status.isEmpty() || record.costUsd < 0)
        return QCoreApplication::translate("RecordFormat", "Not priced (logged before costs were recorded).");
    if (status == QLatin1String(CostStatus::Estimated)) {
        return QCoreApplication::translate("RecordFormat",
                                           "≈%1, estimated: the provider reported no usage, so tokens were counted "
                                           "from the request and response sizes.")
            .arg(usd(record.costUsd));
    }
    return QCoreApplication::translate("RecordFormat", "%1, exact: from the usage the provider reported.")
        .arg(usd(record.costUsd));
}

QString RecordFormat::attempts(const RequestRecord &record)
{
    return record.attemptCount < 0 ? unknown() : QLocale().toString(record.attemptCount);
}

QString RecordFormat::failureClassLabel(const QString &failureClass)
{
    struct Label
    {
        const char *failureClass;
        const char *text;
    };
    static constexpr Label labels[] = {
        {"rate_limit", QT_TRANSLATE_NOOP("RecordFormat", "Rate limited")},
        {"server_error", QT_TRANSLATE_NOOP("RecordFormat", "Server error")},
        {"timeout", QT_TRANSLATE_NOOP("RecordFormat", "Timeout")},
        {"connection", QT_TRANSLATE_NOOP("RecordFormat", "Connection")},
        {"context_window_exceeded", QT_TRANSLATE_NOOP("RecordFormat", "Context window")},
        {"content_policy", QT_TRANSLATE_NOOP("RecordFormat", "Content policy")},
        {"client_error", QT_TRANSLATE_NOOP("RecordFormat", "Client error")},
        {"cancelled", QT_TRANSLATE_NOOP("RecordFormat", "Cancelled")},
    };
    for (const Label &label : labels) {
        if (failureClass == QLatin1String(label.failureClass))
            return QCoreApplication::translate("RecordFormat", label.text);
    }
    return failureClass;
}

QString RecordFormat::decisionLabel(const QString &decision)
{
    struct Label
    {
        const char *decision;
        const char *text;
    };
    static constexpr Label labels[] = {
        {"done", QT_TRANSLATE_NOOP("RecordFormat", "Done")},
        {"retry", QT_TRANSLATE_NOOP("RecordFormat", "Retry")},
        {"next", QT_TRANSLATE_NOOP("RecordFormat", "Next deployment")},
        {"fallback", QT_TRANSLATE_NOOP("RecordFormat", "Fallback")},
        {"give_up", QT_TRANSLATE_NOOP("RecordFormat", "Give up")},
        {"skipped", QT_TRANSLATE_NOOP("RecordFormat", "Skipped")},
    };
    for (const Label &label : labels) {
        if (decision == QLatin1String(label.decision))
            return QCoreApplication::translate("RecordFormat", label.text);
    }
    return decision;
}

QString RecordFormat::milliseconds(qint64 ms)
{
    if (ms < 0)
        return unknown();
    return durationText(ms);
}

RecordFormat::Tone RecordFormat::costTone(const RequestRecord &record)
{
    return record.costStatus == QLatin1String(CostStatus::Unpriced) ? Tone::Warning : Tone::Neutral;
}

RecordFormat::Tone RecordFormat::decisionTone(const QString &decision)
{
    if (decision == QLatin1String("done"))
        return Tone::Success;
    if (decision == QLatin1String("give_up"))
        return Tone::Failure;
    if (decision == QLatin1String("skipped"))
        return Tone::Neutral;
    return Tone::Warning;
}

RecordFormat::Tone RecordFormat::httpStatusTone(int httpStatus)
{
    if (httpStatus >= 200 && httpStatus < 300)
        return Tone::Success;
    if (httpStatus >= 400 && httpStatus < 500)
        return Tone::Warning;
    if (httpStatus >= 500)
        return Tone::Failure;
    return Tone::Neutral;
}

RecordFormat::Tone RecordFormat::tone(const RequestRecord &record)
{
    if (record.errorClass == QLatin1String(ErrorClass::ClientDisconnected)
        || record.errorClass == QLatin1String(ErrorClass::Paused))
        return Tone::Warning;
    if (record.httpStatus >= 500 || record.errorClass.startsWith(QLatin1String("upstream"))
        || record.errorClass == QLatin1String(ErrorClass::Internal))
        return Tone::Failure;
    if (record.httpStatus >= 400 || !record.errorClass.isEmpty())
        return Tone::Warning;
    if (record.httpStatus >= 200 && record.httpStatus < 300)
        return Tone::Success;
    return Tone::Neutral;
}

bool RecordFormat::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

QColor RecordFormat::color(Tone tone, const QPalette &palette)
{
    const bool dark = isDark(palette);
    switch (tone) {
    case Tone::Success:
        return dark ? QColor(0x6f, 0xcf, 0x8e) : QColor(0x1a, 0x7f, 0x37);
    case Tone::Warning:
        return dark ? QColor(0xf2, 0xb8, 0x4b) : QColor(0x9a, 0x5b, 0x00);
    case Tone::Failure:
        return dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc4, 0x2b, 0x1c);
    case Tone::Neutral:
        break;
    }
    return palette.color(QPalette::Text);
}

} // namespace sluice
