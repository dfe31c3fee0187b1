-- Budgets and RPM/TPM limits shared by every gateway on this database (docs/team.md). A gateway calls one function
-- per decision, so a reservation, a settlement or a rate check is one round trip and one transaction; the row locks
-- it takes are held only inside the server, never across the network.

-- The spend of one budget in one period, and what requests in flight have reserved against it.
CREATE TABLE budget_periods (
    budget_key text NOT NULL, -- scope/period/name, e.g. token/daily/alice
    period_start bigint NOT NULL, -- ms since the epoch, UTC
    limit_usd double precision NOT NULL, -- as the last gateway that reserved saw it (for reading; each checks its own)
    spent_usd double precision NOT NULL,
    reserved_usd double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (budget_key, period_start)
);

-- One row per request in flight and budget it reserved against. A gateway renews the leases of its requests in
-- flight; the rows of a gateway that died are released by the next reservation against the budget once expired.
CREATE TABLE budget_reservations (
    request_id text NOT NULL,
    budget_key text NOT NULL,
    period_start bigint NOT NULL,
    usd double precision NOT NULL,
    gateway text NOT NULL, -- a random id per gateway process
    expires_at bigint NOT NULL, -- ms since the epoch, on the database server's clock
    PRIMARY KEY (request_id, budget_key, period_start)
);
CREATE INDEX budget_reservations_by_period ON budget_reservations (budget_key, period_start, expires_at);
CREATE INDEX budget_reservations_by_gateway ON budget_reservations (gateway);

CREATE FUNCTION sluice_now_ms() RETURNS bigint LANGUAGE sql VOLATILE AS
    'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint';

-- Creates a budget's row for a period the first time a gateway meets it, starting from the spend the log holds.
CREATE FUNCTION sluice_budget_period(p_key text, p_start bigint, p_limit double precision, p_scope text,
                                     p_name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    seed double precision;
BEGIN
    IF EXISTS (SELECT 1 FROM budget_periods b WHERE b.budget_key = p_key AND b.period_start = p_start) THEN
        RETURN;
    END IF;
    IF p_scope = 'token' THEN
        SELECT total(cost_usd) INTO seed FROM requests
        WHERE token_name = p_name AND started_at >= p_start AND cost_usd > 0;
    ELSIF p_scope = 'provider' THEN
        SELECT total(cost_usd) INTO seed FROM requests
        WHERE provider = p_name AND started_at >= p_start AND cost_usd > 0;
    ELSIF p_scope = 'model' THEN
        SELECT total(cost_usd) INTO seed FROM requests
        WHERE requested_model = p_name AND started_at >= p_start AND cost_usd > 0;
    ELSE
        SELECT total(cost_usd) INTO seed FROM requests WHERE started_at >= p_start AND cost_usd > 0;
    END IF;
    INSERT INTO budget_periods (budget_key, period_start, limit_usd, spent_usd)
    VALUES (p_key, p_start, p_limit, coalesce(seed, 0)) ON CONFLICT DO NOTHING;
END $$;

-- Reserves p_usd against every budget given (arrays of one element per budget), or against none: a budget refuses
-- when its spend plus its reservations reach the limit given for it. Returns each budget's spend and reservations
-- as they were when it decided, and whether it had room.
CREATE FUNCTION sluice_budget_reserve(p_request text, p_gateway text, p_keys text[], p_starts bigint[],
                                      p_limits double precision[], p_scopes text[], p_names text[],
                                      p_usd double precision, p_lease_ms bigint)
    RETURNS TABLE (r_key text, r_spent double precision, r_reserved double precision, r_room boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    now_ms bigint := sluice_now_ms();
    refused boolean;
BEGIN
    -- Not waiting for the WAL flush (docs/team.md): only a server crash, not a restart, can lose the last moments.
    PERFORM set_config('synchronous_commit', 'off', true);
    -- Callers give the budgets in key order: rows are created, then locked, in one order by every gateway.
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
        PERFORM sluice_budget_period(p_keys[i], p_starts[i], p_limits[i], p_scopes[i], p_names[i]);
    END LOOP;
    -- Row locks in key order, so two gateways reserving against the same budgets never deadlock.
    PERFORM 1 FROM budget_periods b JOIN unnest(p_keys, p_starts) AS w(k, s)
        ON b.budget_key = w.k AND b.period_start = w.s
        ORDER BY b.budget_key, b.period_start FOR UPDATE OF b;
    -- The reservations of gateways that stopped renewing them (they died) are released.
    WITH expired AS (
        DELETE FROM budget_reservations r USING unnest(p_keys, p_starts) AS w(k, s)
        WHERE r.budget_key = w.k AND r.period_start = w.s AND r.expires_at < now_ms
        RETURNING r.budget_key, r.period_start, r.usd
    ), freed AS (
        SELECT e.budget_key, e.period_start, sum(e.usd) AS usd FROM expired e GROUP BY 1, 2
    )
    UPDATE budget_periods b SET reserved_usd = greatest(0, b.reserved_usd - f.usd) FROM freed f
    WHERE b.budget_key = f.budget_key AND b.period_start = f.period_start;

    RETURN QUERY SELECT b.budget_key, b.spent_usd, b.reserved_usd, b.spent_usd + b.reserved_usd < w.l
        FROM budget_periods b JOIN unnest(p_keys, p_starts, p_limits) AS w(k, s, l)
        ON b.budget_key = w.k AND b.period_start = w.s ORDER BY b.budget_key;
    SELECT bool_or(b.spent_usd + b.reserved_usd >= w.l) INTO refused
        FROM budget_periods b JOIN unnest(p_keys, p_starts, p_limits) AS w(k, s, l)
        ON b.budget_key = w.k AND b.period_start = w.s;
    IF refused THEN
        RETURN;
    END IF;
    UPDATE budget_periods b SET reserved_usd = b.reserved_usd + p_usd, limit_usd = w.l
        FROM unnest(p_keys, p_starts, p_limits) AS w(k, s, l)
        WHERE b.budget_key = w.k AND b.period_start = w.s;
    INSERT INTO budget_reservations (request_id, budget_key, period_start, usd, gateway, expires_at)
        SELECT p_request, w.k, w.s, p_usd, p_gateway, now_ms + p_lease_ms FROM unnest(p_keys, p_starts) AS w(k, s)
        ON CONFLICT DO NOTHING;
END $$;

-- Releases what the request reserved (if anything is left: settling twice releases once) and books p_usd against
-- the budgets given (those the finished request falls under). Returns each booked budget's spend before and after.
CREATE FUNCTION sluice_budget_settle(p_request text, p_keys text[], p_starts bigint[], p_limits double precision[],
                                     p_scopes text[], p_names text[], p_usd double precision)
    RETURNS TABLE (r_key text, r_before double precision, r_after double precision)
    LANGUAGE plpgsql AS $$
DECLARE
    i integer;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    IF p_usd > 0 THEN
        FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
            PERFORM sluice_budget_period(p_keys[i], p_starts[i], p_limits[i], p_scopes[i], p_names[i]);
        END LOOP;
    END IF;
    PERFORM 1 FROM budget_periods b
        WHERE (b.budget_key, b.period_start) IN (
            SELECT r.budget_key, r.period_start FROM budget_reservations r WHERE r.request_id = p_request
            UNION SELECT w.k, w.s FROM unnest(p_keys, p_starts) AS w(k, s) WHERE p_usd > 0)
        ORDER BY b.budget_key, b.period_start FOR UPDATE OF b;
    WITH released AS (
        DELETE FROM budget_reservations r WHERE r.request_id = p_request
        RETURNING r.budget_key, r.period_start, r.usd
    )
    UPDATE budget_periods b SET reserved_usd = greatest(0, b.reserved_usd - d.usd) FROM released d
    WHERE b.budget_key = d.budget_key AND b.period_start = d.period_start;
    IF p_usd > 0 THEN
        RETURN QUERY WITH booked AS (
            UPDATE budget_periods b SET spent_usd = b.spent_usd + p_usd
            FROM unnest(p_keys, p_starts) AS w(k, s)
            WHERE b.budget_key = w.k AND b.period_start = w.s
            RETURNING b.budget_key, b.spent_usd - p_usd AS before, b.spent_usd AS after
        ) SELECT booked.budget_key, booked.before, booked.after FROM booked;
    END IF;
END $$;

-- RPM/TPM of gateway tokens over every gateway: a sliding window of the last minute on the database server's clock.
-- A token's row is locked while its window is checked, so admissions of one token are counted one after another;
-- it holds the window's sums, so a check costs the same at any rate.
CREATE TABLE rate_tokens (
    token_name text PRIMARY KEY,
    requests bigint NOT NULL DEFAULT 0, -- sums of the token's rate_events
    tokens bigint NOT NULL DEFAULT 0
);
CREATE TABLE rate_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_name text NOT NULL,
    at_ms bigint NOT NULL, -- ms since the epoch, on the database server's clock
    requests integer NOT NULL, -- 1: an admitted request (RPM)
    tokens bigint NOT NULL -- the tokens of a completed request (TPM)
);
CREATE INDEX rate_events_by_token ON rate_events (token_name, at_ms);

-- Locks the token's row and drops the events that left the window from it; returns the server's time.
CREATE FUNCTION sluice_rate_window(p_token text, p_window_ms bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint;
BEGIN
    INSERT INTO rate_tokens (token_name) VALUES (p_token) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM rate_tokens k WHERE k.token_name = p_token FOR UPDATE;
    now_ms := sluice_now_ms(); -- after the lock: a request waiting for it counts from when it is decided
    WITH gone AS (
        DELETE FROM rate_events e WHERE e.token_name = p_token AND e.at_ms <= now_ms - p_window_ms
        RETURNING e.requests, e.tokens
    )
    UPDATE rate_tokens k SET requests = k.requests - g.requests, tokens = k.tokens - g.tokens
        FROM (SELECT coalesce(sum(gone.requests), 0) AS requests, coalesce(sum(gone.tokens), 0) AS tokens FROM gone) g
        WHERE k.token_name = p_token AND (g.requests > 0 OR g.tokens > 0);
    RETURN now_ms;
END $$;

-- Admits a request of p_token (counting it) or refuses it with the milliseconds until the window has room.
CREATE FUNCTION sluice_rate_admit(p_token text, p_rpm integer, p_tpm bigint, p_window_ms bigint)
    RETURNS TABLE (r_admitted boolean, r_requests bigint, r_tokens bigint, r_retry_after_ms bigint, r_event bigint)
    LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := sluice_rate_window(p_token, p_window_ms);
    n bigint;
    t bigint;
    free_at bigint;
    event bigint;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true); -- a window lost in a server crash refills in a minute
    SELECT k.requests, k.tokens INTO n, t FROM rate_tokens k WHERE k.token_name = p_token;
    IF p_rpm > 0 AND n >= p_rpm THEN
        -- Room comes back when enough of the oldest requests leave the window.
        SELECT e.at_ms INTO free_at FROM rate_events e WHERE e.token_name = p_token AND e.requests > 0
            ORDER BY e.at_ms DESC OFFSET p_rpm - 1 LIMIT 1;
        RETURN QUERY SELECT false, n, t, greatest(1, coalesce(free_at + p_window_ms - now_ms, p_window_ms)), 0::bigint;
        RETURN;
    END IF;
    IF p_tpm > 0 AND t >= p_tpm THEN
        SELECT x.at_ms INTO free_at FROM (
            SELECT e.at_ms, t - sum(e.tokens) OVER (ORDER BY e.at_ms, e.id) AS left_after
            FROM rate_events e WHERE e.token_name = p_token AND e.tokens > 0) x
            WHERE x.left_after < p_tpm ORDER BY x.at_ms LIMIT 1;
        RETURN QUERY SELECT false, n, t, greatest(1, coalesce(free_at + p_window_ms - now_ms, p_window_ms)), 0::bigint;
        RETURN;
    END IF;
    event := 0;
    IF p_rpm > 0 THEN
        INSERT INTO rate_events (token_name, at_ms, requests, tokens) VALUES (p_token, now_ms, 1, 0)
            RETURNING id INTO event;
        UPDATE rate_tokens k SET requests = k.requests + 1 WHERE k.token_name = p_token;
    END IF;
    RETURN QUERY SELECT true, n, t, 0::bigint, event;
END $$;

-- Books the tokens of a completed request (TPM).
CREATE FUNCTION sluice_rate_tokens(p_token text, p_tokens bigint, p_window_ms bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := sluice_rate_window(p_token, p_window_ms);
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO rate_events (token_name, at_ms, requests, tokens) VALUES (p_token, now_ms, 0, p_tokens);
    UPDATE rate_tokens k SET tokens = k.tokens + p_tokens WHERE k.token_name = p_token;
END $$;

-- Takes back an admitted request that another check refused after all.
CREATE FUNCTION sluice_rate_uncount(p_event bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    token text;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    SELECT e.token_name INTO token FROM rate_events e WHERE e.id = p_event;
    IF token IS NULL THEN
        RETURN;
    END IF;
    PERFORM sluice_rate_window(token, 60000);
    WITH gone AS (DELETE FROM rate_events e WHERE e.id = p_event RETURNING e.requests)
    UPDATE rate_tokens k SET requests = k.requests - gone.requests FROM gone WHERE k.token_name = token;
END $$;
