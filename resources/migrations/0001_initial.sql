-- The request log. Bodies live in their own table so listing and spend aggregations read compact rows.
CREATE TABLE requests (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    started_at INTEGER NOT NULL, -- ms since the epoch, UTC
    token_name TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    requested_model TEXT NOT NULL,
    provider TEXT NOT NULL,
    upstream_model TEXT NOT NULL,
    stream INTEGER NOT NULL,
    http_status INTEGER NOT NULL,
    error_class TEXT, -- NULL on success
    error_message TEXT,
    latency_us INTEGER NOT NULL,
    time_to_first_token_us INTEGER, -- NULL when not a stream or no content was sent
    input_tokens INTEGER, -- token counts are NULL when the provider did not report them
    output_tokens INTEGER,
    cached_tokens INTEGER,
    reasoning_tokens INTEGER,
    bodies_truncated INTEGER NOT NULL DEFAULT 0
);

-- Bodies are JSON and SSE text: large ones are stored zlib-compressed (encoding 1, Qt's qCompress framing).
CREATE TABLE request_bodies (
    request_seq INTEGER PRIMARY KEY REFERENCES requests(seq) ON DELETE CASCADE,
    encoding INTEGER NOT NULL DEFAULT 0, -- 0: stored as sent, 1: both bodies zlib-compressed
    request_body BLOB,
    response_body BLOB
);

CREATE INDEX requests_started_at ON requests(started_at);
CREATE INDEX requests_model_started_at ON requests(requested_model, started_at);
CREATE INDEX requests_provider_started_at ON requests(provider, started_at);
CREATE INDEX requests_token_started_at ON requests(token_name, started_at);
