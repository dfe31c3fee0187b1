#include "PostgresLogBackend.h"

#include <algorithm>
#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <libpq-fe.h>

#include "PostgresMigrations.h"
#include "RecordColumns.h"
#include "StoreLogging.h"

namespace sluice {

namespace {

// The summed columns of both rollups, in table order after the key, and the sums over the batch that fill them
// (the same sums as the SQLite writer's RecordColumns::rollUpSpendSql and rollUpAttributionSql).
const QStringList SpendSums
    = {QStringLiteral("requests"),           QStringLiteral("input_tokens"),  QStringLiteral("cached_tokens"),
       QStringLiteral("cache_write_tokens"), QStringLiteral("output_tokens"), QStringLiteral("reasoning_tokens"),
       QStringLiteral("cost_usd"),           QStringLiteral("estimated_usd"), QStringLiteral("estimated"),
       QStringLiteral("unpriced"),           QStringLiteral("free")};
const QString SpendAggregates = QStringLiteral(
    "COUNT(*), TOTAL(input_tokens), TOTAL(cached_tokens), TOTAL(cache_write_tokens), TOTAL(output_tokens), "
    "TOTAL(reasoning_tokens), TOTAL(cost_usd), TOTAL(CASE WHEN cost_status = 'estimated' THEN cost_usd END), "
    "TOTAL(cost_status = 'estimated' AND cost_usd IS NOT NULL), TOTAL(cost_usd IS NULL), TOTAL(cost_status = 'free')");
// The same sums with the flags counted by the built-in COUNT(*) FILTER: TOTAL(boolean) calls a SQL function per row,
// which was a tenth of the COPY writer's server time.
const QString SpendAggregatesCounted = QStringLiteral(
    "COUNT(*), TOTAL(input_tokens), TOTAL(cached_tokens), TOTAL(cache_write_tokens), TOTAL(output_tokens), "
    "TOTAL(reasoning_tokens), TOTAL(cost_usd), TOTAL(CASE WHEN cost_status = 'estimated' THEN cost_usd END), "
    "COUNT(*) FILTER (WHERE cost_status = 'estimated' AND cost_usd IS NOT NULL), COUNT(*) FILTER (WHERE cost_usd IS "
    "NULL), COUNT(*) FILTER (WHERE cost_status = 'free')");

QString addTo(const QString &table, const QStringList &columns)
{
    QStringList sets;
    for (const QString &column : columns)
        sets.append(column + QStringLiteral(" = ") + table + QLatin1Char('.') + column + QStringLiteral(" + excluded.")
                    + column);
    return sets.join(QStringLiteral(", "));
}

QString row(const QVariantList &values, const QString &first = QString())
{
    QString text = QStringLiteral("(");
    if (!first.isEmpty())
        text += first + QStringLiteral(", ");
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            text += QStringLiteral(", ");
        text += PostgresConnection::literal(values.at(i));
    }
    return text + QLatin1Char(')');
}

// The request row's values for PostgreSQL. Tags are JSON in a text column that the attribution rollup reads as jsonb,
// which refuses an escaped NUL (\u0000): a tag with a NUL would fail its batch on every retry, so the NUL is left out,
// as it is from every text column.
QVariantList requestValuesOf(const RequestRecord &record)
{
    QVariantList values = RecordColumns::requestValues(record);
    static const qsizetype tagsColumn = RecordColumns::requestColumns().indexOf(QStringLiteral("tags"));
    if (std::any_of(record.tags.cbegin(), record.tags.cend(),
                    [](const QString &tag) { return tag.contains(QChar(0)); })) {
        QStringList tags = record.tags;
        for (QString &tag : tags)
            tag.remove(QChar(0));
        values[tagsColumn]
            = QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(tags)).toJson(QJsonDocument::Compact));
    }
    return values;
}

// The CTEs that add the rows of the CTE "ins" (the requests a batch inserted) to both spend rollups. counted: the
// flags summed with COUNT(*) FILTER (the COPY writer), else with TOTAL(boolean) as the earlier writer did.
QString rollupsFromInserted(bool counted)
{
    const QString &aggregates = counted ? SpendAggregatesCounted : SpendAggregates;
    const QString cacheHits = counted ? QStringLiteral(", COUNT(*) FILTER (WHERE cost_status = 'cached')")
                                      : QStringLiteral(", TOTAL(cost_status = 'cached')");
    QString sql = QStringLiteral(", spend AS (INSERT INTO spend_hourly SELECT started_at - started_at % 3600000, "
                                 "COALESCE(NULLIF(upstream_model, ''), requested_model), provider, token_name, ")
        + aggregates
        + QStringLiteral(" FROM ins GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 ON CONFLICT (hour, model, provider, "
                         "token_name) DO UPDATE SET ")
        + addTo(QStringLiteral("spend_hourly"), SpendSums) + QLatin1Char(')');
    sql += QStringLiteral(
               ", batch AS (SELECT started_at - started_at % 3600000 AS hour, "
               "COALESCE(NULLIF(upstream_model, ''), requested_model) AS model, requested_model, provider, token_name, "
               "COALESCE(client, '') AS client, COALESCE(project, token_name) AS project, tags, input_tokens, "
               "cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, cost_status, saved_usd "
               "FROM ins), attribution AS (INSERT INTO spend_hourly_by SELECT dimension, hour, value, ")
        + aggregates + cacheHits
        + QStringLiteral(
               ", TOTAL(saved_usd) FROM (SELECT 'model' AS dimension, b.model AS value, "
               "b.* FROM batch b UNION ALL SELECT 'provider', b.provider, b.* FROM batch b "
               "UNION ALL SELECT 'token', b.token_name, b.* FROM batch b UNION ALL SELECT 'client', b.client, b.* FROM "
               "batch b UNION ALL SELECT 'project', b.project, b.* FROM batch b "
               "UNION ALL SELECT 'requested_model', b.requested_model, b.* FROM batch b "
               "UNION ALL SELECT 'tag', COALESCE(t.value, ''), b.* FROM batch b LEFT JOIN LATERAL "
               "jsonb_array_elements_text(CAST(b.tags AS jsonb)) AS t (value) ON true) AS d "
               "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 ON CONFLICT (dimension, hour, value) DO UPDATE SET ")
        + addTo(QStringLiteral("spend_hourly_by"),
                SpendSums + QStringList {QStringLiteral("cache_hits"), QStringLiteral("saved_usd")})
        + QLatin1Char(')');
    return sql;
}

// Moves the staged request rows into the log: those not logged yet, in the order they were appended, the observed
// prompts not seen yet, and both rollups from the rows inserted; returns the id and seq of each inserted row, for
// their bodies and attempts. Planned afresh each time (it is short: the rows are not in it), so the planner sees the
// staging tables' real sizes.
QString stagedBatchSql()
{
    const QString requestColumns = RecordColumns::requestColumns().join(QStringLiteral(", "));
    return QStringLiteral("WITH ins AS (INSERT INTO requests (") + requestColumns + QStringLiteral(") SELECT ")
        + requestColumns
        + QStringLiteral(" FROM sluice_batch_requests ORDER BY ord ON CONFLICT (id) DO NOTHING RETURNING *), "
                         "observed AS (INSERT INTO observed_prompt_versions (fingerprint, prompt_key, client, "
                         "system_text, tools, first_seen) SELECT fingerprint, prompt_key, client, system_text, tools, "
                         "first_seen FROM sluice_batch_observed ORDER BY fingerprint ON CONFLICT (fingerprint) DO "
                         "NOTHING)")
        + rollupsFromInserted(true) + QStringLiteral(" SELECT id, seq FROM ins");
}

} // namespace

PostgresLogBackend::PostgresLogBackend(PostgresSettings settings, Method method)
    : m_settings(std::move(settings))
    , m_method(method)
{ }

PostgresLogBackend::~PostgresLogBackend()
{
    close();
}

PostgresLogBackend::Method PostgresLogBackend::defaultMethod()
{
    return qEnvironmentVariable("SLUICE_POSTGRES_LOG_WRITE") == QLatin1String("statement") ? Method::Statement
                                                                                           : Method::Copy;
}

Result<void> PostgresLogBackend::open(const QString &connectionName)
{
    m_connectionName = connectionName;
    m_staging.reset();
    Result<void> opened = m_connection.open(m_settings, connectionName, PostgresConnection::Mode::ReadWrite);
    if (opened) {
        QSqlDatabase db = m_connection.database();
        opened = PostgresMigrations::apply(db, m_settings.describe());
    }
    if (!opened)
        m_connection.close();
    return opened;
}

void PostgresLogBackend::close()
{
    m_staging.reset();
    m_connection.close();
}

Result<void> PostgresLogBackend::write(const RequestRecord *records, qsizetype count)
{
    if (!m_connection.isOpen()) {
        if (Result<void> opened = m_connection.open(m_settings, m_connectionName, PostgresConnection::Mode::ReadWrite);
            !opened)
            return opened;
        qCInfo(lcStore).noquote() << "reconnected to the PostgreSQL store" << m_settings.describe();
    }
    qint64 inserted = 0;
    Result<void> written
        = m_method == Method::Copy ? writeCopy(records, count, &inserted) : writeStatement(records, count, &inserted);
    if (written) {
        if (inserted < count)
            qCWarning(lcStore) << count - inserted
                               << "requests were already in the log; the duplicates were not written";
        return written;
    }
    // Whatever failed (a restarted server, a dropped connection, a deadlock), a new connection starts clean.
    close();
    return makeError(QStringLiteral("Writing the request log to the PostgreSQL store %1 failed (%2): check that the "
                                    "server runs and is reachable.")
                         .arg(m_settings.describe(), written.errorMessage()));
}

Result<void> PostgresLogBackend::writeStatement(const RequestRecord *records, qsizetype count, qint64 *inserted)
{
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    // Autocommit: the one statement is its own transaction.
    if (query.exec(batchSql(records, count)) && query.next()) {
        *inserted = query.value(0).toLongLong();
        return {};
    }
    return makeError(query.lastError().text().trimmed());
}

PGconn *PostgresLogBackend::connectionHandle() const
{
    const QSqlDatabase db = m_connection.database();
    if (!db.isValid() || !db.driver())
        return nullptr;
    const QVariant handle = db.driver()->handle();
    // Qt 6 names the type after the struct behind libpq's typedef; Qt 5 named it PGconn*.
    if (!handle.isValid()
        || (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0))
        return nullptr;
    return *static_cast<PGconn *const *>(handle.constData());
}

namespace {

using ResultPointer = std::unique_ptr<PGresult, decltype(&PQclear)>;

QString errorOf(PGconn *connection, const PGresult *result = nullptr)
{
    const char *message = result ? PQresultErrorMessage(result) : nullptr;
    if (!message || !*message)
        message = PQerrorMessage(connection);
    const QString text = QString::fromUtf8(message).trimmed();
    return text.isEmpty() ? QStringLiteral("the connection was lost") : text;
}

Result<ResultPointer> run(PGconn *connection, const QByteArray &sql, ExecStatusType expected)
{
    ResultPointer result(PQexec(connection, sql.constData()), &PQclear);
    if (!result || PQresultStatus(result.get()) != expected)
        return makeError(errorOf(connection, result.get()));
    return Result<ResultPointer>(std::move(result));
}

// Streams payload (binary COPY data) into table through COPY ... FROM STDIN.
Result<void> copyIn(PGconn *connection, const QString &table, const QStringList &columns, const QByteArray &payload)
{
    const QByteArray sql = QStringLiteral("COPY %1 (%2) FROM STDIN (FORMAT binary)")
                               .arg(table, columns.join(QStringLiteral(", ")))
                               .toUtf8();
    if (Result<ResultPointer> started = run(connection, sql, PGRES_COPY_IN); !started)
        return makeError(started.errorMessage());
    constexpr qsizetype Chunk = 1 << 20;
    bool sent = true;
    for (qsizetype offset = 0; sent && offset < payload.size(); offset += Chunk) {
        const int size = int(std::min(Chunk, payload.size() - offset));
        sent = PQputCopyData(connection, payload.constData() + offset, size) == 1;
    }
    const bool ended
        = PQputCopyEnd(connection, sent ? nullptr : "the request log writer could not send the batch") == 1;
    // The COPY's own result, then the end of the command; anything but success is the error.
    QString error;
    while (PGresult *raw = PQgetResult(connection)) {
        const ResultPointer result(raw, &PQclear);
        const ExecStatusType status = PQresultStatus(raw);
        if (status != PGRES_COMMAND_OK && error.isEmpty())
            error = errorOf(connection, raw);
        // Still copying means the end could not be sent: asking again would answer the same forever. The caller
        // drops the connection.
        if (status == PGRES_COPY_IN)
            break;
    }
    if (error.isEmpty() && (!sent || !ended))
        error = errorOf(connection);
    if (!error.isEmpty())
        return makeError(error);
    return {};
}

} // namespace

Result<void> PostgresLogBackend::createStaging(PGconn *connection)
{
    const QString comma = QStringLiteral(", ");
    QStringList requestSelect = {QStringLiteral("0 AS ord")};
    requestSelect.append(RecordColumns::requestColumns());
    const QString observedColumns = QStringLiteral("fingerprint, prompt_key, client, system_text, tools, first_seen");
    // The staging tables take their column types from the log's own tables (CREATE ... AS ... WITH NO DATA: no
    // constraints, no indexes), are private to this session and emptied by every commit; temporary tables write no
    // WAL. Bodies and attempts need no staging: they are copied straight into their tables once the requests they
    // belong to are inserted.
    const QList<QPair<QString, QString>> staged = {
        {QStringLiteral("sluice_batch_requests"), requestSelect.join(comma) + QStringLiteral(" FROM requests")},
        {QStringLiteral("sluice_batch_observed"), observedColumns + QStringLiteral(" FROM observed_prompt_versions")}};
    for (const auto &[table, select] : staged) {
        const QByteArray create
            = QStringLiteral("CREATE TEMPORARY TABLE %1 ON COMMIT DELETE ROWS AS SELECT %2 WITH NO DATA")
                  .arg(table, select)
                  .toUtf8();
        if (Result<ResultPointer> created = run(connection, create, PGRES_COMMAND_OK); !created)
            return makeError(created.errorMessage());
    }
    // The encoders learn each target's column types from the server.
    const QString attemptColumns = RecordColumns::attemptColumns().join(comma);
    const QStringList targets
        = {QStringLiteral("SELECT * FROM sluice_batch_requests"), QStringLiteral("SELECT * FROM sluice_batch_observed"),
           QStringLiteral("SELECT request_seq, encoding, request_body, response_body FROM request_bodies"),
           QStringLiteral("SELECT request_seq, ") + attemptColumns + QStringLiteral(" FROM request_attempts")};
    QList<PostgresCopyEncoder> encoders;
    for (const QString &target : targets) {
        const Result<ResultPointer> described
            = run(connection, (target + QStringLiteral(" LIMIT 0")).toUtf8(), PGRES_TUPLES_OK);
        if (!described)
            return makeError(described.errorMessage());
        QStringList columns;
        QList<quint32> types;
        for (int i = 0; i < PQnfields(described->get()); ++i) {
            columns.append(QString::fromUtf8(PQfname(described->get(), i)));
            types.append(PQftype(described->get(), i));
        }
        PostgresCopyEncoder encoder(columns, types);
        if (Result<void> usable = encoder.check(); !usable)
            return usable;
        encoders.append(std::move(encoder));
    }
    m_staging.emplace(Staging {encoders.at(0), encoders.at(1), encoders.at(2), encoders.at(3)});
    return {};
}

Result<void> PostgresLogBackend::writeCopy(const RequestRecord *records, qsizetype count, qint64 *inserted)
{
    PGconn *connection = connectionHandle();
    if (!connection)
        return makeError(QStringLiteral("the Qt PostgreSQL driver gave no libpq connection"));
    if (!m_staging) {
        if (Result<void> created = createStaging(connection); !created)
            return created;
    }
    QHash<QString, qsizetype> positions; // id -> the record written under it
    QSet<QString> observed;
    positions.reserve(count);
    QVariantList values;
    for (qsizetype i = 0; i < count; ++i) {
        const RequestRecord &record = records[i];
        // A request twice in one batch is written once: its bodies and attempts would collide with themselves.
        if (positions.contains(record.id))
            continue;
        positions.insert(record.id, i);
        values = requestValuesOf(record);
        values.prepend(qint64(i));
        m_staging->requests.addRow(values);
        if (const std::optional<QVariantList> sample = RecordColumns::observedPromptValues(record);
            sample && !observed.contains(record.observedPrompt)) {
            observed.insert(record.observedPrompt);
            m_staging->observed.addRow(*sample);
        }
    }
    const bool withObserved = m_staging->observed.rowCount() > 0;
    const QByteArray requestRows = m_staging->requests.finish();
    const QByteArray observedRows = m_staging->observed.finish();

    if (Result<ResultPointer> begun = run(connection, QByteArrayLiteral("BEGIN"), PGRES_COMMAND_OK); !begun)
        return makeError(begun.errorMessage());
    if (Result<void> copied
        = copyIn(connection, QStringLiteral("sluice_batch_requests"), m_staging->requests.columns(), requestRows);
        !copied)
        return copied;
    if (withObserved) {
        if (Result<void> copied
            = copyIn(connection, QStringLiteral("sluice_batch_observed"), m_staging->observed.columns(), observedRows);
            !copied)
            return copied;
    }
    static const QByteArray moveSql = stagedBatchSql().toUtf8();
    const Result<ResultPointer> moved = run(connection, moveSql, PGRES_TUPLES_OK);
    if (!moved)
        return makeError(moved.errorMessage());

    // The bodies and attempts of exactly the rows inserted: a request already logged keeps what it has.
    const int insertedRows = PQntuples(moved->get());
    for (int r = 0; r < insertedRows; ++r) {
        const QString id = QString::fromUtf8(PQgetvalue(moved->get(), r, 0));
        const qint64 seq = QByteArray(PQgetvalue(moved->get(), r, 1)).toLongLong();
        const qsizetype position = positions.value(id, -1);
        if (position < 0)
            return makeError(QStringLiteral("the server inserted a request the batch does not hold"));
        const RequestRecord &record = records[position];
        if (RecordColumns::hasBodies(record)) {
            values = RecordColumns::bodyValues(record);
            values.prepend(seq);
            m_staging->bodies.addRow(values);
        }
        for (qsizetype a = 0; a < record.attempts.size(); ++a) {
            values = RecordColumns::attemptValues(int(a + 1), record.attempts.at(a));
            values.prepend(seq);
            m_staging->attempts.addRow(values);
        }
    }
    const bool withBodies = m_staging->bodies.rowCount() > 0;
    const bool withAttempts = m_staging->attempts.rowCount() > 0;
    const QByteArray bodyRows = m_staging->bodies.finish();
    const QByteArray attemptRows = m_staging->attempts.finish();
    if (withBodies) {
        if (Result<void> copied
            = copyIn(connection, QStringLiteral("request_bodies"), m_staging->bodies.columns(), bodyRows);
            !copied)
            return copied;
    }
    if (withAttempts) {
        if (Result<void> copied
            = copyIn(connection, QStringLiteral("request_attempts"), m_staging->attempts.columns(), attemptRows);
            !copied)
            return copied;
    }
    if (Result<ResultPointer> committed = run(connection, QByteArrayLiteral("COMMIT"), PGRES_COMMAND_OK); !committed)
        return makeError(committed.errorMessage());
    *inserted = insertedRows;
    return {};
}

QString PostgresLogBackend::batchSql(const RequestRecord *records, qsizetype count)
{
    QStringList requestRows;
    QStringList bodyRows;
    QStringList attemptRows;
    QStringList observedRows;
    QSet<QString> observed;
    requestRows.reserve(count);
    QSet<QString> ids;
    for (qsizetype i = 0; i < count; ++i) {
        const RequestRecord &record = records[i];
        // A request twice in one batch is written once: its bodies and attempts would collide with themselves.
        if (ids.contains(record.id))
            continue;
        ids.insert(record.id);
        const QVariantList values = requestValuesOf(record);
        requestRows.append(row(values));
        const QString id = PostgresConnection::literal(values.at(0));
        if (RecordColumns::hasBodies(record))
            bodyRows.append(row(RecordColumns::bodyValues(record), id));
        for (qsizetype a = 0; a < record.attempts.size(); ++a)
            attemptRows.append(row(RecordColumns::attemptValues(int(a + 1), record.attempts.at(a)), id));
        if (const std::optional<QVariantList> sample = RecordColumns::observedPromptValues(record);
            sample && !observed.contains(record.observedPrompt)) {
            observed.insert(record.observedPrompt);
            observedRows.append(row(*sample));
        }
    }
    const QString comma = QStringLiteral(", ");
    QString sql = QStringLiteral("WITH ins AS (INSERT INTO requests (") + RecordColumns::requestColumns().join(comma)
        + QStringLiteral(") VALUES ") + requestRows.join(comma)
        + QStringLiteral(" ON CONFLICT (id) DO NOTHING RETURNING *)");
    if (!bodyRows.isEmpty()) {
        sql += QStringLiteral(
                   ", bodies AS (INSERT INTO request_bodies (request_seq, encoding, request_body, "
                   "response_body) SELECT ins.seq, v.encoding, v.request_body, v.response_body FROM (VALUES ")
            + bodyRows.join(comma)
            + QStringLiteral(") AS v (id, encoding, request_body, response_body) JOIN ins ON ins.id = v.id)");
    }
    if (!attemptRows.isEmpty()) {
        const QString columns = RecordColumns::attemptColumns().join(comma);
        QStringList fromValues;
        for (const QString &column : RecordColumns::attemptColumns())
            fromValues.append(QStringLiteral("v.") + column);
        sql += QStringLiteral(", attempts AS (INSERT INTO request_attempts (request_seq, ") + columns
            + QStringLiteral(") SELECT ins.seq, ") + fromValues.join(comma) + QStringLiteral(" FROM (VALUES ")
            + attemptRows.join(comma) + QStringLiteral(") AS v (id, ") + columns
            + QStringLiteral(") JOIN ins ON ins.id = v.id)");
    }
    if (!observedRows.isEmpty()) {
        sql += QStringLiteral(", observed AS (INSERT INTO observed_prompt_versions (fingerprint, prompt_key, client, "
                              "system_text, tools, first_seen) VALUES ")
            + observedRows.join(comma) + QStringLiteral(" ON CONFLICT (fingerprint) DO NOTHING)");
    }
    sql += rollupsFromInserted(false);
    sql += QStringLiteral(" SELECT COUNT(*) FROM ins");
    return sql;
}

} // namespace sluice
