-- The guardrail rules that fired on a request (docs/guardrails.md), as a JSON array of
-- {"rule", "action", "side", "count"}; NULL when none did. The values they found are never stored.
ALTER TABLE requests ADD COLUMN guardrails TEXT;
