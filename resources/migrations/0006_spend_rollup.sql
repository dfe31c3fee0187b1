-- Spend per hour, model, provider and gateway token, so spend over a month reads a few thousand rows instead of
-- every request. The request log writer adds each batch's rows in the transaction that inserts them; a period
-- that does not start or end on a whole hour reads its partial hours from requests.
CREATE TABLE spend_hourly (
    hour INTEGER NOT NULL, -- ms since the epoch, UTC, a multiple of 3,600,000
    model TEXT NOT NULL, -- the upstream model, or the requested one when none was chosen
    provider TEXT NOT NULL,
    token_name TEXT NOT NULL,
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
    PRIMARY KEY (hour, model, provider, token_name)
) WITHOUT ROWID;

-- The requests logged before this migration.
INSERT INTO spend_hourly
SELECT started_at - started_at % 3600000, COALESCE(NULLIF(upstream_model, ''), requested_model), provider,
       token_name, COUNT(*), TOTAL(input_tokens), TOTAL(cached_tokens), TOTAL(cache_write_tokens),
       TOTAL(output_tokens), TOTAL(reasoning_tokens), TOTAL(cost_usd),
       TOTAL(CASE WHEN cost_status = 'estimated' THEN cost_usd END),
       TOTAL(cost_status = 'estimated' AND cost_usd IS NOT NULL), TOTAL(cost_usd IS NULL), TOTAL(cost_status = 'free')
FROM requests
GROUP BY 1, 2, 3, 4;
