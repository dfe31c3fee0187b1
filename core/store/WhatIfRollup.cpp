#include "WhatIfRollup.h"

#include <QStringList>

namespace sluice {

QList<qint64> WhatIfRollup::classStarts()
{
    // The tier starts in the shipped genai-prices data; a target with another start is repriced from the rows.
    return {128000, 200000, 272000, 512000};
}

QString WhatIfRollup::kindSql()
{
    // The same as 0012_whatif_rollup.sql and PostgreSQL's 0002_readers.sql.
    return QStringLiteral("(CASE WHEN cost_status = 'cached' THEN 2 "
                          "WHEN input_tokens IS NULL AND output_tokens IS NULL AND cost_usd = 0 AND cost_status = "
                          "'exact' THEN 1 WHEN input_tokens IS NULL AND output_tokens IS NULL THEN 3 "
                          "WHEN cost_usd IS NULL THEN 5 ELSE 0 END)");
}

QString WhatIfRollup::inputClassSql()
{
    QStringList terms;
    for (const qint64 start : classStarts())
        terms.append(QStringLiteral("(CASE WHEN COALESCE(input_tokens, 0) > %1 THEN 1 ELSE 0 END)").arg(start));
    return QLatin1Char('(') + terms.join(QStringLiteral(" + ")) + QLatin1Char(')');
}

QString WhatIfRollup::rollUpSql()
{
    // The same sums as the backfill in 0012_whatif_rollup.sql.
    return QStringLiteral("WITH batch AS (SELECT started_at - started_at % 3600000 AS hour, "
                          "COALESCE(NULLIF(upstream_model, ''), requested_model) AS model, COALESCE(client, '') AS "
                          "client, tags, ")
        + kindSql() + QStringLiteral(" AS kind, ") + inputClassSql()
        + QStringLiteral(
               " AS input_class, MAX(0, IFNULL(input_tokens, 0)) AS input, MAX(0, IFNULL(cached_tokens, 0)) AS cached, "
               "MAX(0, IFNULL(cache_write_tokens, 0)) AS written, MAX(0, IFNULL(output_tokens, 0)) AS output, "
               "MAX(0, IFNULL(reasoning_tokens, 0)) AS reasoning, cost_usd, cost_status FROM requests "
               "WHERE seq BETWEEN :first_seq AND :last_seq) "
               "INSERT INTO whatif_hourly_by SELECT dimension, hour, value, kind, input_class, COUNT(*), TOTAL(input), "
               "TOTAL(cached), TOTAL(written), TOTAL(output), TOTAL(reasoning), "
               "TOTAL(MAX(0, input - cached - written)), TOTAL(cost_usd), TOTAL(cost_status = 'estimated') "
               "FROM (SELECT 'model' AS dimension, model AS value, * FROM batch "
               "UNION ALL SELECT 'client', client, * FROM batch "
               "UNION ALL SELECT 'tag', COALESCE(t.value, ''), b.* FROM batch b "
               "LEFT JOIN json_each(CASE WHEN json_valid(b.tags) THEN b.tags END) t) GROUP BY 1, 2, 3, 4, 5 "
               "ON CONFLICT (dimension, hour, value, kind, input_class) DO UPDATE SET "
               "requests = requests + excluded.requests, input_tokens = input_tokens + excluded.input_tokens, "
               "cached_tokens = cached_tokens + excluded.cached_tokens, "
               "cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, "
               "output_tokens = output_tokens + excluded.output_tokens, "
               "reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, "
               "uncached_tokens = uncached_tokens + excluded.uncached_tokens, "
               "cost_usd = cost_usd + excluded.cost_usd, estimated = estimated + excluded.estimated");
}

} // namespace sluice
