-- Attribution (docs/spend.md): the client that sent each request, its free tags and its project, and spend per hour
-- by each of them. Rows logged before this migration keep NULL: an unknown client, no tags, the token as project.
ALTER TABLE requests ADD COLUMN client TEXT; -- the recognised client ("Claude Code", "curl", ...); NULL: unknown
ALTER TABLE requests ADD COLUMN tags TEXT; -- a JSON array of strings; NULL: none
ALTER TABLE requests ADD COLUMN project TEXT; -- x-sluice-project, else the gateway token's name

-- Spend per hour by one dimension at a time, so a breakdown or a stacked chart over a month reads a few hundred rows
-- per value whatever the number of requests. A request counts once in every dimension except tag, where it counts
-- under each of its tags (or under '' when it has none). Kept up to date by the request log writer in the
-- transaction that inserts the rows; a period that does not start or end on a whole hour reads its partial hours
-- from requests.
CREATE TABLE spend_hourly_by (
    dimension TEXT NOT NULL, -- model | provider | token | client | project | tag | requested_model (for budgets)
    hour INTEGER NOT NULL, -- ms since the epoch, UTC, a multiple of 3,600,000
    value TEXT NOT NULL, -- '' when none (no client recognised, no tags)
    requests INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL, -- sums of the known counts (NULL counts add nothing)
    cached_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL, -- known costs only
    estimated_usd REAL NOT NULL, -- the part of cost_usd that is estimated
    estimated INTEGER NOT NULL, -- requests with an estimated cost
    unpriced INTEGER NOT NULL, -- requests with no known cost
    free INTEGER NOT NULL, -- requests to free (local) providers
    cache_hits INTEGER NOT NULL, -- requests answered from the response cache
    saved_usd REAL NOT NULL, -- what the cache hits saved
    PRIMARY KEY (dimension, hour, value)
) WITHOUT ROWID;

-- The requests logged before this migration (the same sums as RecordColumns::rollUpAttributionSql()).
WITH batch AS (
    SELECT started_at - started_at % 3600000 AS hour, COALESCE(NULLIF(upstream_model, ''), requested_model) AS model,
           requested_model, provider, token_name, COALESCE(client, '') AS client,
           COALESCE(project, token_name) AS project, tags,
           input_tokens, cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, cost_status,
           saved_usd
    FROM requests)
INSERT INTO spend_hourly_by
SELECT dimension, hour, value, COUNT(*), TOTAL(input_tokens), TOTAL(cached_tokens), TOTAL(cache_write_tokens),
       TOTAL(output_tokens), TOTAL(reasoning_tokens), TOTAL(cost_usd),
       TOTAL(CASE WHEN cost_status = 'estimated' THEN cost_usd END),
       TOTAL(cost_status = 'estimated' AND cost_usd IS NOT NULL), TOTAL(cost_usd IS NULL), TOTAL(cost_status = 'free'),
       TOTAL(cost_status = 'cached'), TOTAL(saved_usd)
FROM (SELECT 'model' AS dimension, model AS value, * FROM batch
      UNION ALL SELECT 'provider', provider, * FROM batch
      UNION ALL SELECT 'token', token_name, * FROM batch
      UNION ALL SELECT 'client', client, * FROM batch
      UNION ALL SELECT 'project', project, * FROM batch
      UNION ALL SELECT 'requested_model', requested_model, * FROM batch
      UNION ALL SELECT 'tag', COALESCE(t.value, ''), b.* FROM batch b
                LEFT JOIN json_each(CASE WHEN json_valid(b.tags) THEN b.tags END) t)
GROUP BY 1, 2, 3;
