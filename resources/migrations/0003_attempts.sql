-- Every upstream attempt of a request (retries, fallbacks, deployments skipped with an open circuit breaker):
-- the timeline of why each happened. The requests row keeps a summary, so listing never reads the attempts.
ALTER TABLE requests ADD COLUMN attempt_count INTEGER; -- attempts sent upstream; NULL for rows logged before 0003
ALTER TABLE requests ADD COLUMN deployment TEXT; -- the deployment that answered (or was tried last); NULL: none

-- One row per attempt, clustered by request so a request's timeline is one range read.
CREATE TABLE request_attempts (
    request_seq INTEGER NOT NULL REFERENCES requests(seq) ON DELETE CASCADE,
    attempt INTEGER NOT NULL, -- position in the request's timeline, from 1 (skipped deployments included)
    model TEXT NOT NULL, -- configured model served: the requested one or a fallback
    deployment TEXT NOT NULL,
    provider TEXT NOT NULL,
    upstream_model TEXT NOT NULL,
    key_ref TEXT, -- the key reference used (e.g. keychain:openai-2), never a key; NULL when none
    started_at_ms INTEGER NOT NULL, -- since the request arrived
    latency_ms INTEGER NOT NULL,
    http_status INTEGER, -- NULL when no HTTP answer arrived (not sent, connection failure, timeout)
    error_class TEXT, -- routing failure class (rate_limit, server_error, ...); NULL on success
    decision TEXT NOT NULL, -- done | retry | next | fallback | give_up | skipped
    wait_before_next_ms INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    PRIMARY KEY (request_seq, attempt)
) WITHOUT ROWID;
