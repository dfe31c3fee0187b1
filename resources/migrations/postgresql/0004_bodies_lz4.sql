-- The server compresses request and response bodies as it stores them (TOAST). With its default method (pglz) that
-- compression was a quarter of the log writer's server time; lz4 costs a fraction of it (docs/performance.md).
-- Bodies already stored keep their compression and read back the same. A server built without lz4 (or older than
-- PostgreSQL 14) keeps pglz.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE request_bodies ALTER COLUMN request_body SET COMPRESSION lz4, '
        'ALTER COLUMN response_body SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available on this server: request bodies stay compressed with pglz';
END;
$$;
