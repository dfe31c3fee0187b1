#include "SpendExport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QStringList>

#include "cost/ModelPrice.h"

namespace sluice {

namespace {

QJsonObject valuesOf(const SpendLine &line)
{
    QJsonObject values {
        {QStringLiteral("requests"), line.requests},
        {QStringLiteral("input_tokens"), line.inputTokens},
        {QStringLiteral("cached_tokens"), line.cachedTokens},
        {QStringLiteral("cache_write_tokens"), line.cacheWriteTokens},
        {QStringLiteral("output_tokens"), line.outputTokens},
        {QStringLiteral("reasoning_tokens"), line.reasoningTokens},
        {QStringLiteral("cost_usd"), line.priced() > 0 ? QJsonValue(line.costUsd) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("estimated_usd"), line.estimatedUsd},
        {QStringLiteral("estimated"), line.estimated},
        {QStringLiteral("unpriced"), line.unpriced},
        {QStringLiteral("free"), line.free},
        {QStringLiteral("cache_hits"), line.cacheHits},
        {QStringLiteral("saved_usd"), line.savedUsd},
    };
    return values;
}

QString usd(double value)
{
    return QString::number(value, 'g', 15);
}

} // namespace

QString SpendExport::csvField(const QString &value)
{
    if (!value.contains(QLatin1Char(',')) && !value.contains(QLatin1Char('"')) && !value.contains(QLatin1Char('\n'))
        && !value.contains(QLatin1Char('\r')))
        return value;
    QString quoted = value;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QByteArray SpendExport::csv(SpendDimension by, const QList<SpendLine> &lines)
{
    QString text = SpendBreakdown::nameOf(by)
        + QStringLiteral(",requests,input_tokens,cached_tokens,cache_write_tokens,output_tokens,reasoning_tokens,"
                         "cost_usd,estimated_usd,estimated,unpriced,free,cache_hits,saved_usd\n");
    for (const SpendLine &line : lines) {
        const QStringList cells {
            csvField(line.name),
            QString::number(line.requests),
            QString::number(line.inputTokens),
            QString::number(line.cachedTokens),
            QString::number(line.cacheWriteTokens),
            QString::number(line.outputTokens),
            QString::number(line.reasoningTokens),
            line.priced() > 0 ? usd(line.costUsd) : QString(),
            usd(line.estimatedUsd),
            QString::number(line.estimated),
            QString::number(line.unpriced),
            QString::number(line.free),
            QString::number(line.cacheHits),
            usd(line.savedUsd),
        };
        text += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return text.toUtf8();
}

QByteArray SpendExport::json(SpendDimension by, const QDateTime &from, const QDateTime &to,
                             const QList<SpendLine> &lines, const SpendLine &total)
{
    const QString key = SpendBreakdown::nameOf(by);
    QJsonArray rows;
    for (const SpendLine &line : lines) {
        QJsonObject row = valuesOf(line);
        row.insert(key, line.name);
        if (line.startMs >= 0)
            row.insert(QStringLiteral("start"),
                       QDateTime::fromMSecsSinceEpoch(line.startMs, Qt::UTC).toString(Qt::ISODate));
        rows.append(row);
    }
    const QJsonObject root {
        {QStringLiteral("by"), key},
        {QStringLiteral("from"), from.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("to"), to.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("currency"), QStringLiteral("USD")},
        {QStringLiteral("rows"), rows},
        {QStringLiteral("total"), valuesOf(total)},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString SpendExport::money(double usd)
{
    if (qAbs(usd) >= 1)
        return QStringLiteral("$") + QLocale(QLocale::English).toString(usd, 'f', 2);
    return formatUsd(usd);
}

QString SpendExport::costText(const SpendLine &line)
{
    const qint64 priced = line.priced();
    if (line.requests > 0 && priced == 0)
        return QStringLiteral("unpriced");
    if (priced > 0 && priced == line.free)
        return QStringLiteral("free");
    QString text = (line.estimated > 0 ? QStringLiteral("~") : QString()) + money(line.costUsd);
    if (line.unpriced > 0)
        text += QStringLiteral(" + %1 unpriced").arg(formatCount(line.unpriced));
    return text;
}

QString SpendExport::displayName(SpendDimension by, const QString &value)
{
    if (!value.isEmpty())
        return value;
    switch (by) {
    case SpendDimension::Tag:
        return QStringLiteral("(untagged)");
    case SpendDimension::Client:
        return QStringLiteral("(unknown client)");
    case SpendDimension::Token:
        return QStringLiteral("(no token)");
    case SpendDimension::Provider:
        return QStringLiteral("(no provider)");
    default:
        return QStringLiteral("(none)");
    }
}

} // namespace sluice
