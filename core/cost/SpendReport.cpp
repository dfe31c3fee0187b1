#include "SpendReport.h"

#include <algorithm>
#include <atomic>

#include <QDir>
#include <QSqlError>
#include <QSqlQuery>

#include "store/Migrations.h"

namespace sluice {

namespace {

// The schema version that added cost columns (resources/migrations/0002_cost.sql).
constexpr int CostSchemaVersion = 2;

constexpr qint64 HourMs = 3600000;

// Per-row values of requests under the column names of spend_hourly, so both sum the same way.
const QString RequestRows = QStringLiteral(
    "SELECT COALESCE(NULLIF(upstream_model, ''), requested_model) AS model, provider, token_name, 1 AS requests, "
    "input_tokens, cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, "
    "CASE WHEN cost_status = 'estimated' THEN cost_usd END AS estimated_usd, "
    "CASE WHEN cost_status = 'estimated' AND cost_usd IS NOT NULL THEN 1 ELSE 0 END AS estimated, "
    "CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END AS unpriced, CASE WHEN cost_status = 'free' THEN 1 ELSE 0 END AS "
    "free FROM requests WHERE started_at >= ? AND started_at < ?");

const QString RollupRows = QStringLiteral(
    "SELECT model, provider, token_name, requests, input_tokens, cached_tokens, cache_write_tokens, output_tokens, "
    "reasoning_tokens, cost_usd, estimated_usd, estimated, unpriced, free FROM spend_hourly WHERE hour >= ? AND "
    "hour < ?");

const QString Aggregates = QStringLiteral(
    "TOTAL(requests), TOTAL(input_tokens), TOTAL(cached_tokens), TOTAL(cache_write_tokens), TOTAL(output_tokens), "
    "TOTAL(reasoning_tokens), TOTAL(cost_usd), TOTAL(estimated_usd), TOTAL(estimated), TOTAL(unpriced), "
    "TOTAL(free)");

} // namespace

SpendReport::SpendReport(const StoreLocation &store)
    : m_store(store)
    , m_databasePath(store.isPostgres() ? store.describe() : store.sqlitePath())
{ }

Result<void> SpendReport::open()
{
    if (m_connection.isOpen())
        return {};
    static std::atomic<int> counter {0};
    Result<void> opened
        = m_connection.open(m_store, QStringLiteral("sluice-spend-%1").arg(++counter), StoreConnection::Mode::ReadOnly);
    if (!opened)
        return opened;
    if (m_store.isPostgres()) {
        if (Result<void> current = StoreConnection::checkCurrent(m_connection.database(), m_store); !current) {
            m_connection.close();
            return current;
        }
        m_hasRollup = true;
        return {};
    }
    const Result<int> version = Migrations::knownVersion(m_connection.database(), m_databasePath);
    if (!version) {
        m_connection.close();
        return version.error();
    }
    if (*version < CostSchemaVersion) {
        m_connection.close();
        return makeError(QStringLiteral("The request log %1 predates cost tracking (schema version %2): start the "
                                        "gateway once with this data folder to upgrade it.")
                             .arg(QDir::toNativeSeparators(m_databasePath))
                             .arg(*version));
    }
    // A log not yet upgraded to the rollup is still read, from its request rows.
    m_hasRollup = StoreConnection::hasTable(m_connection.database(), m_store, QStringLiteral("spend_hourly"));
    return {};
}

Result<QList<SpendLine>> SpendReport::query(const QStringList &keys, const QDateTime &from, const QDateTime &to)
{
    // Whole hours come from the rollup, the partial hours at either end from the request rows.
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();
    qint64 firstHour = (fromMs / HourMs + (fromMs % HourMs > 0 ? 1 : 0)) * HourMs;
    qint64 endHour = toMs / HourMs * HourMs;
    if (!m_hasRollup || firstHour >= endHour) {
        firstHour = toMs;
        endHour = toMs;
    }
    const QString groupColumns = keys.join(QStringLiteral(", "));
    QString sql = QStringLiteral("SELECT ");
    if (!groupColumns.isEmpty())
        sql += groupColumns + QStringLiteral(", ");
    sql += Aggregates + QStringLiteral(" FROM (") + RequestRows + QStringLiteral(" UNION ALL ") + RequestRows;
    if (m_hasRollup)
        sql += QStringLiteral(" UNION ALL ") + RollupRows;
    sql += QStringLiteral(") AS spend");
    if (!groupColumns.isEmpty())
        sql += QStringLiteral(" GROUP BY ") + groupColumns;
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    if (!query.prepare(sql)) {
        return m_connection.queryFailed(query, QStringLiteral("spend"));
    }
    query.addBindValue(fromMs);
    query.addBindValue(std::min(firstHour, toMs));
    query.addBindValue(std::max(endHour, fromMs));
    query.addBindValue(toMs);
    if (m_hasRollup) {
        query.addBindValue(firstHour);
        query.addBindValue(endHour);
    }
    if (!query.exec()) {
        return m_connection.queryFailed(query, QStringLiteral("spend"));
    }
    const int first = int(keys.size()); // the first aggregate's column
    QList<SpendLine> lines;
    while (query.next()) {
        SpendLine line;
        if (first >= 1)
            line.name = query.value(0).toString();
        if (first >= 2)
            line.provider = query.value(1).toString();
        const auto count = [&query, first](int column) {
            return qint64(query.value(first + column).toDouble());
        };
        line.requests = count(0);
        line.inputTokens = count(1);
        line.cachedTokens = count(2);
        line.cacheWriteTokens = count(3);
        line.outputTokens = count(4);
        line.reasoningTokens = count(5);
        line.costUsd = query.value(first + 6).toDouble();
        line.estimatedUsd = query.value(first + 7).toDouble();
        line.estimated = count(8);
        line.unpriced = count(9);
        line.free = count(10);
        lines.append(line);
    }
    // Most expensive first, then by name and provider: ordered here, the same whichever store summed them.
    std::sort(lines.begin(), lines.end(), [](const SpendLine &a, const SpendLine &b) {
        if (SpendLine::costOrder(a.costUsd) != SpendLine::costOrder(b.costUsd))
            return a.costUsd > b.costUsd;
        return a.name != b.name ? a.name < b.name : a.provider < b.provider;
    });
    return lines;
}

Result<SpendSummary> SpendReport::summarize(const QDateTime &from, const QDateTime &to)
{
    if (Result<void> opened = open(); !opened)
        return opened.error();
    SpendSummary summary;
    summary.from = from;
    summary.to = to;
    Result<QList<SpendLine>> total = query({}, from, to);
    if (!total)
        return total.error();
    if (!total->isEmpty())
        summary.total = total->first();
    summary.total.name = QStringLiteral("Total");
    Result<QList<SpendLine>> byModel = query({QStringLiteral("model"), QStringLiteral("provider")}, from, to);
    if (!byModel)
        return byModel.error();
    summary.byModel = std::move(byModel).value();
    Result<QList<SpendLine>> byToken = query({QStringLiteral("token_name")}, from, to);
    if (!byToken)
        return byToken.error();
    summary.byToken = std::move(byToken).value();
    return summary;
}

QPair<QDateTime, QDateTime> SpendReport::day(const QDateTime &now)
{
    const QDate date = now.toLocalTime().date();
    return {date.startOfDay(), date.addDays(1).startOfDay()};
}

QPair<QDateTime, QDateTime> SpendReport::month(const QDateTime &now)
{
    const QDate date = now.toLocalTime().date();
    const QDate first(date.year(), date.month(), 1);
    return {first.startOfDay(), first.addMonths(1).startOfDay()};
}

} // namespace sluice
