-- The prompt registry (docs/prompts.md): prompts with immutable numbered versions, labels pointing at a version and
-- an append-only history of every label move. "latest" is not stored: it is always the highest version.
CREATE TABLE prompts (
    name TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL -- ms since the epoch, UTC
);
CREATE TABLE prompt_versions (
    prompt_name TEXT NOT NULL REFERENCES prompts (name),
    version INTEGER NOT NULL, -- 1, 2, 3... per prompt
    type TEXT NOT NULL CHECK (type IN ('chat', 'text')),
    template TEXT NOT NULL, -- JSON: the messages array (chat) or a string (text)
    config TEXT NOT NULL, -- JSON object: model, parameters, tools, response_format
    message TEXT NOT NULL, -- the commit message
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (prompt_name, version)
) WITHOUT ROWID;
CREATE TRIGGER prompt_versions_immutable BEFORE UPDATE ON prompt_versions
BEGIN
    SELECT RAISE(ABORT, 'prompt versions are immutable: save a new version instead');
END;
CREATE TRIGGER prompt_versions_kept BEFORE DELETE ON prompt_versions
BEGIN
    SELECT RAISE(ABORT, 'prompt versions are kept: logged requests refer to them');
END;
CREATE TABLE prompt_labels (
    prompt_name TEXT NOT NULL REFERENCES prompts (name),
    label TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (prompt_name, label)
) WITHOUT ROWID;
CREATE TABLE prompt_label_history (
    id INTEGER PRIMARY KEY,
    prompt_name TEXT NOT NULL,
    label TEXT NOT NULL,
    from_version INTEGER, -- NULL: the label was new
    to_version INTEGER NOT NULL,
    author TEXT NOT NULL,
    moved_at INTEGER NOT NULL
);
CREATE INDEX prompt_label_history_by_prompt ON prompt_label_history (prompt_name, id);
CREATE TRIGGER prompt_label_history_append_only BEFORE UPDATE ON prompt_label_history
BEGIN
    SELECT RAISE(ABORT, 'the label history is append-only');
END;
CREATE TRIGGER prompt_label_history_kept BEFORE DELETE ON prompt_label_history
BEGIN
    SELECT RAISE(ABORT, 'the label history is append-only');
END;

-- Observed prompts: the system prompt and tool list of clients' requests, normalised and fingerprinted. One row per
-- version (fingerprint); prompt_key groups the versions of one observed prompt (client and the prompt's first line).
CREATE TABLE observed_prompt_versions (
    fingerprint TEXT PRIMARY KEY, -- hex SHA-256 of the normalised system prompt and tool names
    prompt_key TEXT NOT NULL,
    client TEXT NOT NULL,
    system_text TEXT NOT NULL, -- normalised: dates, paths and other per-call noise replaced by placeholders
    tools TEXT NOT NULL, -- JSON array of tool names, sorted
    first_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX observed_prompt_versions_by_key ON observed_prompt_versions (prompt_key, first_seen);

-- Which prompt version a request used (registry) and which observed prompt version it carried.
ALTER TABLE requests ADD COLUMN prompt_name TEXT;
ALTER TABLE requests ADD COLUMN prompt_version INTEGER;
ALTER TABLE requests ADD COLUMN observed_prompt TEXT;
CREATE INDEX requests_by_prompt ON requests (prompt_name, prompt_version) WHERE prompt_name IS NOT NULL;
CREATE INDEX requests_by_observed_prompt ON requests (observed_prompt) WHERE observed_prompt IS NOT NULL;
