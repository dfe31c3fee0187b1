#include "PostgresLogBackend.h"

#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

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

} // namespace

PostgresLogBackend::PostgresLogBackend(PostgresSettings settings)
    : m_settings(std::move(settings))
{ }

PostgresLogBackend::~PostgresLogBackend()
{
    close();
}

Result<void> PostgresLogBackend::open(const QString &connectionName)
{
    m_connectionName = connectionName;
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
    QString reason;
    {
        QSqlQuery query(m_connection.database());
        query.setForwardOnly(true);
        // Autocommit: the one statement is its own transaction.
        if (query.exec(batchSql(records, count)) && query.next()) {
            const qint64 inserted = query.value(0).toLongLong();
            if (inserted < count)
                qCWarning(lcStore) << count - inserted
                                   << "requests were already in the log; the duplicates were not written";
            return {};
        }
        reason = query.lastError().text().trimmed();
    }
    // Whatever failed (a restarted server, a dropped connection, a deadlock), a new connection starts clean.
    m_connection.close();
    return makeError(QStringLiteral("Writing the request log to the PostgreSQL store %1 failed (%2): check that the "
                                    "server runs and is reachable.")
                         .arg(m_settings.describe(), reason));
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
        const QVariantList values = RecordColumns::requestValues(record);
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
    sql += QStringLiteral(", spend AS (INSERT INTO spend_hourly SELECT started_at - started_at % 3600000, "
                          "COALESCE(NULLIF(upstream_model, ''), requested_model), provider, token_name, ")
        + SpendAggregates
        + QStringLiteral(" FROM ins GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 ON CONFLICT (hour, model, provider, "
                         "token_name) DO UPDATE SET ")
        + addTo(QStringLiteral("spend_hourly"), SpendSums) + QLatin1Char(')');
    sql += QStringLiteral(
               ", batch AS (SELECT started_at - started_at % 3600000 AS hour, "
               "COALESCE(NULLIF(upstream_model, ''), requested_model) AS model, requested_model, provider, token_name, "
               "COALESCE(client, '') AS client, COALESCE(project, token_name) AS project, tags, input_tokens, "
               "cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, cost_status, saved_usd "
               "FROM ins), attribution AS (INSERT INTO spend_hourly_by SELECT dimension, hour, value, ")
        + SpendAggregates
        + QStringLiteral(
               ", TOTAL(cost_status = 'cached'), TOTAL(saved_usd) FROM (SELECT 'model' AS dimension, b.model AS value, "
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
    sql += QStringLiteral(" SELECT COUNT(*) FROM ins");
    return sql;
}

} // namespace sluice
