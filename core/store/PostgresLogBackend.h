#pragma once

#include "store/LogBackend.h"
#include "store/PostgresConnection.h"

namespace sluice {

// The request log in a PostgreSQL store shared by several gateways. A batch is one statement (one round trip):
// the request rows as a multi-row INSERT ... ON CONFLICT (id) DO NOTHING, and, from the rows it inserted, the
// bodies, attempts, observed prompts and both spend rollups (upserts in key order, so concurrent gateways take the
// rollup rows' locks in the same order). A failed write drops the connection; the next write connects again, so a
// restarted server is found again by the writer's retries while its queue holds the records.
class PostgresLogBackend : public LogBackend
{
public:
    explicit PostgresLogBackend(PostgresSettings settings);
    ~PostgresLogBackend() override;

    Result<void> open(const QString &connectionName) override;
    Result<void> write(const RequestRecord *records, qsizetype count) override;
    void close() override;

    // The statement write() runs for records [0, count): public for tests and the benchmark.
    static QString batchSql(const RequestRecord *records, qsizetype count);

private:
    PostgresSettings m_settings;
    PostgresConnection m_connection;
    QString m_connectionName;
};

} // namespace sluice
