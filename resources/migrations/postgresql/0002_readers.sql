-- The readers on a team database (docs/team.md, "Reading the team's log"): `sluice spend`, `sluice compare
-- --reprice` and the window's Spend page run the same SQL on both stores. These functions give PostgreSQL the few
-- SQLite built-ins that SQL uses, with SQLite's meaning, so a query is written once.

-- SQLite's two-argument MAX(): the larger value, NULL when either is NULL. Plain SQL, so the planner inlines it.
CREATE FUNCTION max(bigint, bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS 'SELECT CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL WHEN $1 >= $2 THEN $1 ELSE $2 END';
CREATE FUNCTION max(double precision, double precision) RETURNS double precision LANGUAGE sql IMMUTABLE
    AS 'SELECT CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL WHEN $1 >= $2 THEN $1 ELSE $2 END';

-- SQLite's json_valid(text): whether the text is JSON.
CREATE FUNCTION json_valid(text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    PERFORM CAST($1 AS jsonb);
    RETURN true;
EXCEPTION WHEN others THEN
    RETURN false;
END;
$$;

-- SQLite's json_each(text) as the readers use it (a request's tags, a JSON array of strings): one row per element,
-- column `value` its text; no rows for NULL. A scalar is one element, as in SQLite.
CREATE FUNCTION json_each(text) RETURNS TABLE (value text) LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT e.value FROM jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(CAST($1 AS jsonb)) = 'array' THEN CAST($1 AS jsonb)
             WHEN jsonb_typeof(CAST($1 AS jsonb)) = 'object' THEN CAST('[]' AS jsonb)
             ELSE jsonb_build_array(CAST($1 AS jsonb) #>> '{}') END) AS e (value)
$$;

-- The what-if cost's hourly rollup (as SQLite's 0012_whatif_rollup.sql; docs/spend.md#what-if-cost), so `sluice
-- compare --reprice` reads a month from a few thousand rows here too.
CREATE TABLE whatif_hourly_by (
    dimension text NOT NULL, -- model | client | tag
    hour bigint NOT NULL, -- ms since the epoch, UTC, a multiple of 3,600,000
    value text NOT NULL, -- '' when none (no client recognised, no tags)
    kind integer NOT NULL,
    input_class integer NOT NULL, -- 0 to 4
    requests bigint NOT NULL,
    input_tokens bigint NOT NULL,
    cached_tokens bigint NOT NULL,
    cache_write_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    reasoning_tokens bigint NOT NULL,
    uncached_tokens bigint NOT NULL,
    cost_usd double precision NOT NULL,
    estimated bigint NOT NULL,
    PRIMARY KEY (dimension, hour, value, kind, input_class)
);

-- The upsert of the rows of `source` (a requests-shaped table) into whatif_hourly_by: the same sums as
-- WhatIfRollup::rollUpSql() (SQLite's writer), upserted in key order (no deadlocks between gateways). Tags are read
-- as the writer's spend_hourly_by reads them (the writer stores a JSON array): json_valid() here, a subtransaction
-- per row, made the trigger cost 5 times the insert itself.
CREATE FUNCTION sluice_whatif_rollup_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT format($q$
    WITH batch AS (
        SELECT started_at - started_at %% 3600000 AS hour,
               COALESCE(NULLIF(upstream_model, ''), requested_model) AS model, COALESCE(client, '') AS client, tags,
               (CASE WHEN cost_status = 'cached' THEN 2
                     WHEN input_tokens IS NULL AND output_tokens IS NULL AND cost_usd = 0 AND cost_status = 'exact'
                         THEN 1
                     WHEN input_tokens IS NULL AND output_tokens IS NULL THEN 3
                     WHEN cost_usd IS NULL THEN 5 ELSE 0 END) AS kind,
               ((CASE WHEN COALESCE(input_tokens, 0) > 128000 THEN 1 ELSE 0 END)
                + (CASE WHEN COALESCE(input_tokens, 0) > 200000 THEN 1 ELSE 0 END)
                + (CASE WHEN COALESCE(input_tokens, 0) > 272000 THEN 1 ELSE 0 END)
                + (CASE WHEN COALESCE(input_tokens, 0) > 512000 THEN 1 ELSE 0 END)) AS input_class,
               GREATEST(0, COALESCE(input_tokens, 0)) AS input, GREATEST(0, COALESCE(cached_tokens, 0)) AS cached,
               GREATEST(0, COALESCE(cache_write_tokens, 0)) AS written,
               GREATEST(0, COALESCE(output_tokens, 0)) AS output,
               GREATEST(0, COALESCE(reasoning_tokens, 0)) AS reasoning, cost_usd, cost_status
        FROM %I)
    INSERT INTO whatif_hourly_by
    SELECT dimension, hour, value, kind, input_class, COUNT(*), SUM(input), SUM(cached), SUM(written), SUM(output),
           SUM(reasoning), SUM(GREATEST(0, input - cached - written)), TOTAL(cost_usd),
           TOTAL(cost_status = 'estimated')
    FROM (SELECT 'model' AS dimension, b.model AS value, b.* FROM batch b
          UNION ALL SELECT 'client', b.client, b.* FROM batch b
          UNION ALL SELECT 'tag', COALESCE(t.value, ''), b.* FROM batch b
              LEFT JOIN LATERAL jsonb_array_elements_text(CAST(b.tags AS jsonb)) AS t (value) ON true) AS d
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (dimension, hour, value, kind, input_class) DO UPDATE SET
        requests = whatif_hourly_by.requests + excluded.requests,
        input_tokens = whatif_hourly_by.input_tokens + excluded.input_tokens,
        cached_tokens = whatif_hourly_by.cached_tokens + excluded.cached_tokens,
        cache_write_tokens = whatif_hourly_by.cache_write_tokens + excluded.cache_write_tokens,
        output_tokens = whatif_hourly_by.output_tokens + excluded.output_tokens,
        reasoning_tokens = whatif_hourly_by.reasoning_tokens + excluded.reasoning_tokens,
        uncached_tokens = whatif_hourly_by.uncached_tokens + excluded.uncached_tokens,
        cost_usd = whatif_hourly_by.cost_usd + excluded.cost_usd,
        estimated = whatif_hourly_by.estimated + excluded.estimated
$q$, source)
$$;

-- Kept by a statement-level trigger over the inserted rows, so every writer of the database keeps it, in the
-- inserting transaction, whatever statement it inserts with.
CREATE FUNCTION sluice_roll_up_whatif() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sluice_whatif_rollup_sql('new_requests');
    RETURN NULL;
END;
$$;
CREATE TRIGGER requests_roll_up_whatif AFTER INSERT ON requests REFERENCING NEW TABLE AS new_requests
    FOR EACH STATEMENT EXECUTE FUNCTION sluice_roll_up_whatif();

-- The requests logged before this migration.
DO $$
BEGIN
    EXECUTE sluice_whatif_rollup_sql('requests');
END;
$$;
