#pragma once

#include <optional>

#include "store/LogBackend.h"
#include "store/PostgresConnection.h"
#include "store/PostgresCopyEncoder.h"

typedef struct pg_conn PGconn;

namespace sluice {

// The request log in a PostgreSQL store shared by several gateways. A batch is one transaction: the request rows and
// observed prompts are streamed with binary COPY into temporary staging tables of the writer's session; one
// INSERT ... SELECT ... ON CONFLICT (id) DO NOTHING RETURNING moves them into the log, fills both spend rollups from
// the rows it inserted (upserts in key order, so concurrent gateways take the rollup rows' locks in the same order)
// and returns their seq; then the bodies and attempts of exactly those rows are streamed with COPY straight into
// their tables. A request already logged (a batch written again after a commit whose answer was lost) is skipped
// with everything that hangs off it, so nothing is doubled. A failed write drops the connection; the next write
// connects again, so a restarted server is found again by the writer's retries while its queue holds the records.
//
// Method::Statement is the earlier writer (one multi-row INSERT with every value as a literal): four to five times
// slower, since the server parses and plans megabytes of SQL per batch; kept to compare in bench/store
// (SLUICE_POSTGRES_LOG_WRITE=statement).
class PostgresLogBackend : public LogBackend
{
public:
    enum class Method { Copy, Statement };

    explicit PostgresLogBackend(PostgresSettings settings, Method method = defaultMethod());
    ~PostgresLogBackend() override;

    Result<void> open(const QString &connectionName) override;
    Result<void> write(const RequestRecord *records, qsizetype count) override;
    void close() override;

    // Copy, unless the environment variable SLUICE_POSTGRES_LOG_WRITE is "statement".
    static Method defaultMethod();
    // The statement Method::Statement runs for records [0, count): public for tests and the benchmark.
    static QString batchSql(const RequestRecord *records, qsizetype count);

private:
    struct Staging
    {
        PostgresCopyEncoder requests; // sluice_batch_requests: ord, then the request columns
        PostgresCopyEncoder observed; // sluice_batch_observed
        PostgresCopyEncoder bodies; // request_bodies itself
        PostgresCopyEncoder attempts; // request_attempts itself
    };

    Result<void> writeStatement(const RequestRecord *records, qsizetype count, qint64 *inserted);
    Result<void> writeCopy(const RequestRecord *records, qsizetype count, qint64 *inserted);
    Result<void> createStaging(PGconn *connection);
    PGconn *connectionHandle() const;

    PostgresSettings m_settings;
    Method m_method;
    PostgresConnection m_connection;
    QString m_connectionName;
    std::optional<Staging> m_staging; // created once per session (temporary tables live as long as it)
};

} // namespace sluice
