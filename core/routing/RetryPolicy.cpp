#include "RetryPolicy.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "routing/DurationText.h"

namespace sluice {

namespace {
// Longer hints are taken as nonsense rather than waited for: a day.
constexpr double MaxHintMs = 24.0 * 60 * 60 * 1000;

std::optional<qint64> millisecondsFrom(double value, double scale)
{
    if (!std::isfinite(value) || value < 0 || value * scale > MaxHintMs)
        return std::nullopt;
    return qint64(std::llround(value * scale));
}

// The three date forms HTTP allows, always in GMT: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the
// obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov 6 08:49:37 1994").
// Read field by field so that the machine's time zone never takes part.
QDateTime httpDate(const QString &text)
{
    static const QRegularExpression imf(
        QStringLiteral("^[A-Za-z]{3}, (\\d{2}) ([A-Za-z]{3}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$"));
    static const QRegularExpression rfc850(
        QStringLiteral("^[A-Za-z]+, (\\d{2})-([A-Za-z]{3})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$"));
    static const QRegularExpression asctime(
        QStringLiteral("^[A-Za-z]{3} ([A-Za-z]{3}) (\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$"));
    static const QStringList months
        = {QStringLiteral("Jan"), QStringLiteral("Feb"), QStringLiteral("Mar"), QStringLiteral("Apr"),
           QStringLiteral("May"), QStringLiteral("Jun"), QStringLiteral("Jul"), QStringLiteral("Aug"),
           QStringLiteral("Sep"), QStringLiteral("Oct"), QStringLiteral("Nov"), QStringLiteral("Dec")};
    int day = 0;
    QString month;
    int year = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (const QRegularExpressionMatch m = imf.match(text); m.hasMatch()) {
        day = m.captured(1).toInt();
        month = m.captured(2);
        year = m.captured(3).toInt();
        hour = m.captured(4).toInt();
        minute = m.captured(5).toInt();
        second = m.captured(6).toInt();
    } else if (const QRegularExpressionMatch old = rfc850.match(text); old.hasMatch()) {
        day = old.captured(1).toInt();
        month = old.captured(2);
        year = 2000 + old.captured(3).toInt();
        hour = old.captured(4).toInt();
        minute = old.captured(5).toInt();
        second = old.captured(6).toInt();
    } else if (const QRegularExpressionMatch c = asctime.match(text); c.hasMatch()) {
        month = c.captured(1);
        day = c.captured(2).toInt();
        hour = c.captured(3).toInt();
        minute = c.captured(4).toInt();
        second = c.captured(5).toInt();
        year = c.captured(6).toInt();
    } else {
        return {};
    }
    const qsizetype monthIndex = months.indexOf(month);
    const QDate date(year, int(monthIndex) + 1, day);
    const QTime time(hour, minute, second);
    if (monthIndex < 0 || !date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, Qt::UTC);
}

std::optional<qint64> durationFromProtobufJson(const QJsonValue &value)
{
    // google.protobuf.Duration in JSON is "34.4s"; some clients print {seconds, nanos} instead.
    if (value.isString()) {
        QString text = value.toString().trimmed();
        if (!text.endsWith(QLatin1Char('s')))
            return std::nullopt;
        text.chop(1);
        bool ok = false;
        const double seconds = text.toDouble(&ok);
        return ok ? millisecondsFrom(seconds, 1000.0) : std::nullopt;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        const double seconds = object.value(QLatin1String("seconds")).toVariant().toDouble();
        const double nanos = object.value(QLatin1String("nanos")).toDouble();
        return millisecondsFrom(seconds + nanos / 1e9, 1000.0);
    }
    return std::nullopt;
}
} // namespace

RetryPolicy::RetryPolicy(RetrySettings settings)
    : m_settings(settings)
{ }

qint64 RetryPolicy::backoffCeilingMs(int retry) const
{
    const qint64 cap = qMax(0, m_settings.maxBackoffMs);
    qint64 ceiling = qMax(0, m_settings.backoffMs);
    for (int i = 1; i < retry && ceiling < cap; ++i)
        ceiling *= 2;
    return qMin(ceiling, cap);
}

qint64 RetryPolicy::backoffMs(int retry, QRandomGenerator &random) const
{
    return random.bounded(backoffCeilingMs(retry) + 1);
}

RetryVerdict RetryPolicy::decide(int triesSoFar, std::optional<qint64> serverDelayMs, qint64 remainingMs,
                                 QRandomGenerator &random) const
{
    if (triesSoFar >= m_settings.attempts) {
        return {false, 0,
                m_settings.attempts <= 1 ? QStringLiteral("retries are off (attempts: 1)")
                                         : QStringLiteral("no retries left (attempts: %1)").arg(m_settings.attempts)};
    }
    const int retry = triesSoFar;
    qint64 wait = backoffMs(retry, random);
    QString why = QStringLiteral("backoff");
    if (serverDelayMs) {
        if (*serverDelayMs > m_settings.maxBackoffMs) {
            return {false, 0,
                    QStringLiteral("the provider asks to wait %1, longer than max_backoff_ms (%2)")
                        .arg(durationText(*serverDelayMs), durationText(m_settings.maxBackoffMs))};
        }
        if (*serverDelayMs >= wait) {
            wait = *serverDelayMs;
            why = QStringLiteral("the provider asked to wait");
        }
    }
    if (wait >= remainingMs) {
        return {false, 0,
                QStringLiteral("waiting %1 would pass the request's deadline (%2 left)")
                    .arg(durationText(wait), durationText(qMax<qint64>(0, remainingMs)))};
    }
    return {true, wait,
            QStringLiteral("retry %1 of %2 after %3 (%4)")
                .arg(retry)
                .arg(m_settings.attempts - 1)
                .arg(durationText(wait), why)};
}

std::optional<qint64> RetryPolicy::serverDelayMs(const HttpHeaders &headers, const QByteArray &body,
                                                 const QDateTime &utcNow)
{
    if (headers.contains(QByteArrayLiteral("retry-after-ms"))) {
        if (const std::optional<qint64> ms = parseRetryAfterMs(headers.value(QByteArrayLiteral("retry-after-ms"))))
            return ms;
    }
    if (headers.contains(QByteArrayLiteral("retry-after"))) {
        if (const std::optional<qint64> ms = parseRetryAfter(headers.value(QByteArrayLiteral("retry-after")), utcNow))
            return ms;
    }
    return parseGeminiRetryDelay(body);
}

std::optional<qint64> RetryPolicy::parseRetryAfterMs(const QByteArray &value)
{
    bool ok = false;
    const double ms = value.trimmed().toDouble(&ok);
    return ok ? millisecondsFrom(ms, 1.0) : std::nullopt;
}

std::optional<qint64> RetryPolicy::parseRetryAfter(const QByteArray &value, const QDateTime &utcNow)
{
    const QString text = QString::fromLatin1(value).simplified();
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (ok)
        return millisecondsFrom(seconds, 1000.0);
    const QDateTime date = httpDate(text);
    if (!date.isValid())
        return std::nullopt;
    const qint64 ms = utcNow.msecsTo(date);
    if (ms > MaxHintMs)
        return std::nullopt;
    return qMax<qint64>(0, ms);
}

std::optional<qint64> RetryPolicy::parseGeminiRetryDelay(const QByteArray &body)
{
    if (!body.contains("RetryInfo"))
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(body);
    QJsonObject root = document.object();
    if (document.isArray() && !document.array().isEmpty())
        root = document.array().first().toObject();
    const QJsonArray details = root.value(QLatin1String("error")).toObject().value(QLatin1String("details")).toArray();
    for (const QJsonValue &detail : details) {
        const QJsonObject object = detail.toObject();
        if (object.value(QLatin1String("@type")).toString().endsWith(QLatin1String("google.rpc.RetryInfo")))
            return durationFromProtobufJson(object.value(QLatin1String("retryDelay")));
    }
    return std::nullopt;
}

} // namespace sluice
