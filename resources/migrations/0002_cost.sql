-- Cost per request (docs/costs.md). Rows logged before this migration keep NULL cost and status.
ALTER TABLE requests ADD COLUMN cache_write_tokens INTEGER; -- NULL when the provider did not report it
ALTER TABLE requests ADD COLUMN cost_usd REAL; -- NULL when unknown: an unpriced model is never logged as 0
ALTER TABLE requests ADD COLUMN cost_status TEXT; -- exact | estimated | unpriced | free; NULL when not priced
