#include "WhatIfExport.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QStringList>

#include "cost/SpendExport.h"

namespace sluice {

namespace {

// USD rounded to a hundred-millionth of a dollar, as the request log's costs are shown.
double rounded(double usd)
{
    return std::round(usd * 1e8) / 1e8;
}

QJsonObject lineObject(const WhatIfLine &line)
{
    QJsonObject object {
        {QStringLiteral("requests"), line.requests},
        {QStringLiteral("compared"), line.compared},
        {QStringLiteral("input_tokens"), line.inputTokens},
        {QStringLiteral("cached_tokens"), line.cachedTokens},
        {QStringLiteral("cache_write_tokens"), line.cacheWriteTokens},
        {QStringLiteral("output_tokens"), line.outputTokens},
        {QStringLiteral("reasoning_tokens"), line.reasoningTokens},
        {QStringLiteral("actual_usd"), rounded(line.actualUsd)},
        {QStringLiteral("what_if_usd"), rounded(line.whatIfUsd)},
        {QStringLiteral("difference_usd"), rounded(line.differenceUsd())},
        {QStringLiteral("ratio"), line.ratio() ? QJsonValue(std::round(*line.ratio() * 10000) / 10000) : QJsonValue()},
        {QStringLiteral("estimated"), line.estimated},
        {QStringLiteral("unpriced_actual"), line.unpricedActual},
        {QStringLiteral("unpriced_actual_what_if_usd"), rounded(line.unpricedActualWhatIfUsd)},
        {QStringLiteral("no_token_counts"), line.noTokenCounts},
        {QStringLiteral("missing_target_price"), line.missingTargetPrice},
        {QStringLiteral("cache_hits"), line.cacheHits},
    };
    if (line.sameTokenizerFamily)
        object.insert(QStringLiteral("same_tokenizer_family"), *line.sameTokenizerFamily);
    return object;
}

QString fixed(double value, int decimals)
{
    return QString::number(value, 'f', decimals);
}

} // namespace

QByteArray WhatIfExport::json(const WhatIfReport &report)
{
    const QString by = WhatIfCost::nameOf(report.by);
    QJsonArray rows;
    for (const WhatIfLine &line : report.lines) {
        QJsonObject row = lineObject(line);
        row.insert(by, line.name);
        rows.append(row);
    }
    QJsonObject filter;
    const auto add = [&filter](const char *name, const std::optional<QString> &value) {
        if (value)
            filter.insert(QLatin1String(name), *value);
    };
    add("client", report.filter.client);
    add("tag", report.filter.tag);
    add("model", report.filter.model);
    add("token", report.filter.token);
    add("project", report.filter.project);
    const QJsonObject target {
        {QStringLiteral("model"), report.target.model},
        {QStringLiteral("label"), report.target.label},
        {QStringLiteral("family"), report.target.family.isEmpty() ? QJsonValue() : QJsonValue(report.target.family)},
        {QStringLiteral("free"), report.target.free},
    };
    const QJsonObject document {
        {QStringLiteral("estimate"), true},
        {QStringLiteral("note"), report.tokenizerNote()},
        {QStringLiteral("target"), target},
        {QStringLiteral("by"), by.isEmpty() ? QJsonValue() : QJsonValue(by)},
        {QStringLiteral("from"), report.from.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("to"), report.to.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("filter"), filter},
        {QStringLiteral("currency"), QStringLiteral("USD")},
        {QStringLiteral("rows"), rows},
        {QStringLiteral("total"), lineObject(report.total)},
    };
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

QByteArray WhatIfExport::csv(const WhatIfReport &report)
{
    const QString by = WhatIfCost::nameOf(report.by);
    QStringList out;
    out.append((by.isEmpty() ? QStringLiteral("group") : by)
               + QStringLiteral(",requests,compared,input_tokens,cached_tokens,cache_write_tokens,output_tokens,"
                                "reasoning_tokens,actual_usd,what_if_usd,difference_usd,ratio,estimated,"
                                "unpriced_actual,unpriced_actual_what_if_usd,no_token_counts,missing_target_price,"
                                "cache_hits"));
    const QList<WhatIfLine> lines = report.lines.isEmpty() ? QList<WhatIfLine> {report.total} : report.lines;
    for (const WhatIfLine &line : lines) {
        const QStringList cells = {
            SpendExport::csvField(report.lines.isEmpty() ? QStringLiteral("total") : line.name),
            QString::number(line.requests),
            QString::number(line.compared),
            QString::number(line.inputTokens),
            QString::number(line.cachedTokens),
            QString::number(line.cacheWriteTokens),
            QString::number(line.outputTokens),
            QString::number(line.reasoningTokens),
            fixed(line.actualUsd, 8),
            fixed(line.whatIfUsd, 8),
            fixed(line.differenceUsd(), 8),
            line.ratio() ? fixed(*line.ratio(), 4) : QString(),
            QString::number(line.estimated),
            QString::number(line.unpricedActual),
            fixed(line.unpricedActualWhatIfUsd, 8),
            QString::number(line.noTokenCounts),
            QString::number(line.missingTargetPrice),
            QString::number(line.cacheHits),
        };
        out.append(cells.join(QLatin1Char(',')));
    }
    return (out.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QString WhatIfExport::ratioText(const WhatIfLine &line)
{
    const std::optional<double> ratio = line.ratio();
    if (!ratio)
        return QStringLiteral("-");
    return QChar(0x00D7) + QLocale(QLocale::English).toString(*ratio, 'f', *ratio >= 10 ? 1 : 2);
}

QString WhatIfExport::displayName(WhatIfGrouping by, const QString &value)
{
    switch (by) {
    case WhatIfGrouping::Client:
        return SpendExport::displayName(SpendDimension::Client, value);
    case WhatIfGrouping::Model:
        return SpendExport::displayName(SpendDimension::Model, value);
    case WhatIfGrouping::Tag:
        return SpendExport::displayName(SpendDimension::Tag, value);
    case WhatIfGrouping::None:
        break;
    }
    return value;
}

} // namespace sluice
