#pragma once

#include <QByteArray>
#include <QString>

#include "cost/WhatIfCost.h"

namespace sluice {

// A what-if report as a file (`sluice compare --reprice --format json|csv`). Costs in USD; a ratio with nothing
// paid is null (JSON) or empty (CSV), never 0 or infinity.
class WhatIfExport
{
public:
    // {"estimate": true, "note", "target": {...}, "by", "from", "to", "filter", "currency", "rows": [...],
    // "total": {...}}; each row names its group under the grouping's name ("model": "gpt-4.1").
    static QByteArray json(const WhatIfReport &report);
    // Header GROUPING,requests,compared,...,ratio,...; one line per group, no total line (the lines add up to the
    // requests of the period, except by tag where a request counts under each of its tags).
    static QByteArray csv(const WhatIfReport &report);
    // "×1.84", "×0.32"; "-" without a ratio.
    static QString ratioText(const WhatIfLine &line);
    // What a '' group means: "(untagged)", "(unknown client)".
    static QString displayName(WhatIfGrouping by, const QString &value);
};

} // namespace sluice
