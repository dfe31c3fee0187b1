-- The what-if cost (docs/spend.md#what-if-cost): what logged requests would have cost on another model, from their
-- token counts. Per hour, dimension (model | client | tag) and value, the sums repricing needs, split by
-- kind (0 priced, 1 nothing billed, 2 response-cache hit, 3 billed without token counts, 5 no logged price) and by
-- input class (how many of the catalog's long-context tier starts, 128,000, 200,000, 272,000 and 512,000 input
-- tokens, the request's input exceeds), so a month is repriced from a few thousand rows, tiers included. Kept by the
-- request log writer (core/store/WhatIfRollup.cpp) in the transaction that inserts the rows.
CREATE TABLE whatif_hourly_by (
    dimension TEXT NOT NULL, -- model | client | tag
    hour INTEGER NOT NULL, -- ms since the epoch, UTC, a multiple of 3,600,000
    value TEXT NOT NULL, -- '' when none (no client recognised, no tags)
    kind INTEGER NOT NULL,
    input_class INTEGER NOT NULL, -- 0 to 4
    requests INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL, -- sums of the known counts, each at least 0
    cached_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    uncached_tokens INTEGER NOT NULL, -- sum of each request's MAX(0, input - cached - cache write)
    cost_usd REAL NOT NULL, -- known costs only
    estimated INTEGER NOT NULL, -- requests with an estimated cost
    PRIMARY KEY (dimension, hour, value, kind, input_class)
) WITHOUT ROWID;

-- The requests logged before this migration (the same sums as WhatIfRollup::rollUpSql()).
WITH batch AS (
    SELECT started_at - started_at % 3600000 AS hour, COALESCE(NULLIF(upstream_model, ''), requested_model) AS model,
           COALESCE(client, '') AS client, tags,
           (CASE WHEN cost_status = 'cached' THEN 2
                 WHEN input_tokens IS NULL AND output_tokens IS NULL AND cost_usd = 0 AND cost_status = 'exact' THEN 1
                 WHEN input_tokens IS NULL AND output_tokens IS NULL THEN 3
                 WHEN cost_usd IS NULL THEN 5 ELSE 0 END) AS kind,
           ((IFNULL(input_tokens, 0) > 128000) + (IFNULL(input_tokens, 0) > 200000) + (IFNULL(input_tokens, 0) > 272000)
            + (IFNULL(input_tokens, 0) > 512000)) AS input_class,
           MAX(0, IFNULL(input_tokens, 0)) AS input, MAX(0, IFNULL(cached_tokens, 0)) AS cached,
           MAX(0, IFNULL(cache_write_tokens, 0)) AS written, MAX(0, IFNULL(output_tokens, 0)) AS output,
           MAX(0, IFNULL(reasoning_tokens, 0)) AS reasoning, cost_usd, cost_status
    FROM requests)
INSERT INTO whatif_hourly_by
SELECT dimension, hour, value, kind, input_class, COUNT(*), TOTAL(input), TOTAL(cached), TOTAL(written), TOTAL(output),
       TOTAL(reasoning), TOTAL(MAX(0, input - cached - written)), TOTAL(cost_usd), TOTAL(cost_status = 'estimated')
FROM (SELECT 'model' AS dimension, model AS value, * FROM batch
      UNION ALL SELECT 'client', client, * FROM batch
      UNION ALL SELECT 'tag', COALESCE(t.value, ''), b.* FROM batch b
                LEFT JOIN json_each(CASE WHEN json_valid(b.tags) THEN b.tags END) t)
GROUP BY 1, 2, 3, 4, 5;
