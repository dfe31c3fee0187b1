-- Model comparison (docs/compare.md): the rows a comparison run sent through the gateway name the run, and saved
-- runs keep the request, the models and what each model answered.
ALTER TABLE requests ADD COLUMN compare_run TEXT; -- the run id (x-sluice-compare); NULL: an ordinary request
CREATE INDEX requests_by_compare_run ON requests (compare_run) WHERE compare_run IS NOT NULL;

CREATE TABLE compare_runs (
    id TEXT PRIMARY KEY, -- the run id, as in requests.compare_run
    created_at INTEGER NOT NULL, -- ms since the epoch, UTC
    title TEXT NOT NULL, -- what was compared: the prompt's first words, NAME@LABEL, or "request ID"
    source TEXT NOT NULL, -- typed | prompt | request | file
    format TEXT NOT NULL, -- the client format of request_body: openai-chat | responses | anthropic | gemini
    request_body BLOB NOT NULL, -- the body every model was sent (its model member replaced per column)
    result TEXT NOT NULL -- JSON: the columns (model, overrides, output, tool calls, status, timings, tokens, cost)
) WITHOUT ROWID;
CREATE INDEX compare_runs_by_time ON compare_runs (created_at);
