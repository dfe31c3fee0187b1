-- The exact-match response cache (docs/costs.md, docs/configuration.md), what its hits saved, and the usage of
-- billed failed attempts.
ALTER TABLE requests ADD COLUMN saved_usd REAL; -- cache hits: the cached usage priced now (what the hit saved); else NULL

-- One row per cached answer. key is the SHA-256 of the normalized request; answer is the provider-neutral answer
-- (JSON, zlib-compressed), so a hit is replayed in any client format, streamed or not.
CREATE TABLE response_cache (
    key BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL, -- ms since the Unix epoch
    expires_at INTEGER NOT NULL, -- ms since the Unix epoch
    requested_model TEXT NOT NULL,
    size INTEGER NOT NULL, -- bytes of answer, for the size bound
    answer BLOB NOT NULL
);
-- Covers eviction (oldest first) and the size total without reading answers.
CREATE INDEX response_cache_created ON response_cache(created_at, size);
CREATE INDEX response_cache_expires ON response_cache(expires_at);

-- What a failed attempt was billed when its provider reported usage and another attempt followed (docs/costs.md):
-- counted in the request's cost. NULL when the attempt reported none.
ALTER TABLE request_attempts ADD COLUMN input_tokens INTEGER;
ALTER TABLE request_attempts ADD COLUMN output_tokens INTEGER;
ALTER TABLE request_attempts ADD COLUMN cached_tokens INTEGER;
ALTER TABLE request_attempts ADD COLUMN reasoning_tokens INTEGER;
ALTER TABLE request_attempts ADD COLUMN cache_write_tokens INTEGER;
