#include "RecordFormat.h"

#include <QCoreApplication>
#include <QLocale>
#include <QPalette>

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
    };
    for (const Label &label : labels) {
        if (errorClass == QLatin1String(label.errorClass))
            return QCoreApplication::translate("RecordFormat", label.text);
    }
    return errorClass;
}

bool RecordFormat::isFailure(const RequestRecord &record)
{
    return !record.errorClass.isEmpty() || record.httpStatus >= 400;
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
