-- Gateway tokens made with `sluice token create` (virtual keys): only the secret's SHA-256 is kept, never the secret.
CREATE TABLE gateway_tokens (
    name TEXT PRIMARY KEY,
    secret_sha256 BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL, -- ms since the epoch, UTC
    models TEXT, -- client-facing model names it may use, comma-separated; NULL: every model
    rpm INTEGER, -- requests per minute; NULL: no limit
    tpm INTEGER, -- tokens of completed requests per minute; NULL: no limit
    budget_daily_usd REAL, -- spend budgets (hard limits, UTC periods); NULL: none
    budget_weekly_usd REAL,
    budget_monthly_usd REAL
);
