#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include "cost/SpendBreakdown.h"

namespace sluice {

// A breakdown as a file (`sluice spend --format csv|json`, the Spend page's export). Costs are USD; a line
// with nothing priced has no cost (empty in CSV, null in JSON), never $0. Values are written as logged (''
// for none), so the exported rows add up to the logged requests.
class SpendExport
{
public:
    // Header: DIMENSION,requests,input_tokens,cached_tokens,cache_write_tokens,output_tokens,reasoning_tokens,
    // cost_usd,estimated_usd,estimated,unpriced,free,cache_hits,saved_usd; one row per line, no total row.
    static QByteArray csv(SpendDimension by, const QList<SpendLine> &lines);
    // {"by","from","to","currency":"USD","rows":[{DIMENSION: value, ...}],"total":{...}}
    static QByteArray json(SpendDimension by, const QDateTime &from, const QDateTime &to, const QList<SpendLine> &lines,
                           const SpendLine &total);
    // One CSV field, quoted when it holds a comma, a quote or a line break.
    static QString csvField(const QString &value);
    // "$1,234.56" from a dollar up, "$0.0123" below: money with the precision it needs.
    static QString money(double usd);
    // A line's cost in words: "$1.20", "~$1.20" (partly estimated), "$1.20 + 3 unpriced", "unpriced", "free".
    static QString costText(const SpendLine &line);
    // What a '' value means in tables and charts: "(untagged)", "(unknown client)", ...
    static QString displayName(SpendDimension by, const QString &value);
};

} // namespace sluice
