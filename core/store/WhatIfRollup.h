#pragma once

#include <QList>
#include <QString>

namespace sluice {

// The what-if cost's hourly rollup (table whatif_hourly_by, docs/spend.md#what-if-cost): per hour, dimension
// (model, client, tag), value, kind and input class, the sums repricing needs. A request's kind says how it takes
// part in a comparison whatever the target (compared, nothing billed, cache hit, no token counts, no logged
// price); its input class places its input size among the long-context tier starts of the price catalog, so a
// target whose tiers start there is priced exactly from the sums. Kept by the request log writer in the batch's
// transaction; 0012_whatif_rollup.sql fills it for the requests logged before it.
class WhatIfRollup
{
public:
    enum Kind : int {
        Compared = 0, // priced both ways
        NotBilled = 1, // no tokens and nothing billed (refused, failed before a provider): $0 both ways
        CacheHit = 2,
        NoTokenCounts = 3,
        MissingTargetPrice = 4, // never stored: depends on the target
        UnpricedActual = 5,
    };

    // Input sizes (whole prompt tokens) at which the catalog's long-context prices start: a request of more
    // input tokens than the n-th is in class n + 1.
    static QList<qint64> classStarts();

    // SQL over a requests row (columns unqualified): its kind, and its input class.
    static QString kindSql();
    static QString inputClassSql();

    // The writer's upsert of the batch :first_seq..:last_seq into whatif_hourly_by.
    static QString rollUpSql();
};

} // namespace sluice
