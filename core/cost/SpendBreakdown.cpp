#include "SpendBreakdown.h"

#include <algorithm>
#include <atomic>

#include <QDir>
#include <QSqlError>
#include <QSqlQuery>

#include "store/Migrations.h"

namespace sluice {

namespace {

constexpr qint64 HourMs = 3600000;

struct DimensionInfo
{
    SpendDimension dimension;
    const char *name; // as `--by` spells it and as spend_hourly_by.dimension stores it
    const char *rawValue; // the value of a request row (alias r, tags as t)
};

constexpr DimensionInfo Dimensions[] = {
    {SpendDimension::Day, "day", "''"},
    {SpendDimension::Hour, "hour", "''"},
    {SpendDimension::Model, "model", "COALESCE(NULLIF(r.upstream_model, ''), r.requested_model)"},
    {SpendDimension::Provider, "provider", "r.provider"},
    {SpendDimension::Client, "client", "COALESCE(r.client, '')"},
    {SpendDimension::Token, "token", "r.token_name"},
    {SpendDimension::Tag, "tag", "COALESCE(t.value, '')"},
    {SpendDimension::Project, "project", "COALESCE(r.project, r.token_name)"},
};

const DimensionInfo &infoOf(SpendDimension dimension)
{
    for (const DimensionInfo &info : Dimensions) {
        if (info.dimension == dimension)
            return info;
    }
    return Dimensions[0];
}

QString bucketOf(std::optional<SpendDimension> bucket, const QString &column)
{
    if (bucket == SpendDimension::Hour)
        return column + QStringLiteral(" - ") + column + QStringLiteral(" % 3600000");
    if (bucket == SpendDimension::Day)
        return column + QStringLiteral(" - ") + column + QStringLiteral(" % 86400000");
    return QStringLiteral("0");
}

// Per-request values under spend_hourly_by's column names, so both sum the same way.
QString requestRows(std::optional<SpendDimension> bucket, std::optional<SpendDimension> by)
{
    const bool tags = by == SpendDimension::Tag;
    return QStringLiteral("SELECT ") + bucketOf(bucket, QStringLiteral("r.started_at")) + QStringLiteral(" AS bucket, ")
        + QLatin1String(by ? infoOf(*by).rawValue : "''")
        + QStringLiteral(
               " AS value, 1 AS requests, r.input_tokens, r.cached_tokens, r.cache_write_tokens, r.output_tokens, "
               "r.reasoning_tokens, r.cost_usd, CASE WHEN r.cost_status = 'estimated' THEN r.cost_usd END AS "
               "estimated_usd, CASE WHEN r.cost_status = 'estimated' AND r.cost_usd IS NOT NULL THEN 1 ELSE 0 END AS "
               "estimated, CASE WHEN r.cost_usd IS NULL THEN 1 ELSE 0 END AS unpriced, CASE WHEN r.cost_status = "
               "'free' THEN 1 ELSE 0 END AS free, CASE WHEN r.cost_status = 'cached' THEN 1 ELSE 0 END AS "
               "cache_hits, r.saved_usd FROM requests r ")
        + (tags ? QStringLiteral("LEFT JOIN json_each(CASE WHEN json_valid(r.tags) THEN r.tags END) t ON 1 = 1 ")
                : QString())
        + QStringLiteral("WHERE r.started_at >= ? AND r.started_at < ?");
}

QString rollupRows(std::optional<SpendDimension> bucket, std::optional<SpendDimension> by)
{
    // Without a dimension any single-valued one adds up to the total: model.
    const bool valued = by && !SpendBreakdown::isTime(*by);
    return QStringLiteral("SELECT ") + bucketOf(bucket, QStringLiteral("hour")) + QStringLiteral(" AS bucket, ")
        + (valued ? QStringLiteral("value") : QStringLiteral("''"))
        + QStringLiteral(" AS value, requests, input_tokens, cached_tokens, cache_write_tokens, output_tokens, "
                         "reasoning_tokens, cost_usd, estimated_usd, estimated, unpriced, free, cache_hits, saved_usd "
                         "FROM spend_hourly_by WHERE dimension = '")
        + QLatin1String(valued ? infoOf(*by).name : "model") + QStringLiteral("' AND hour >= ? AND hour < ?");
}

const QString Aggregates = QStringLiteral(
    "TOTAL(requests), TOTAL(input_tokens), TOTAL(cached_tokens), TOTAL(cache_write_tokens), TOTAL(output_tokens), "
    "TOTAL(reasoning_tokens), TOTAL(cost_usd), TOTAL(estimated_usd), TOTAL(estimated), TOTAL(unpriced), "
    "TOTAL(free), TOTAL(cache_hits), TOTAL(saved_usd)");

struct HourSplit
{
    qint64 fromMs;
    qint64 toMs;
    qint64 firstHour; // whole hours [firstHour, endHour) come from the rollup
    qint64 endHour;
};

HourSplit split(const QDateTime &from, const QDateTime &to)
{
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = std::max(to.toMSecsSinceEpoch(), fromMs);
    qint64 firstHour = (fromMs / HourMs + (fromMs % HourMs > 0 ? 1 : 0)) * HourMs;
    qint64 endHour = toMs / HourMs * HourMs;
    if (firstHour >= endHour) {
        firstHour = toMs;
        endHour = toMs;
    }
    return {fromMs, toMs, firstHour, endHour};
}

} // namespace

SpendBreakdown::SpendBreakdown(const StoreLocation &store)
    : m_store(store)
    , m_databasePath(store.isPostgres() ? store.describe() : store.sqlitePath())
{ }

Error SpendBreakdown::readError(QSqlQuery &query)
{
    return m_connection.queryFailed(query, QStringLiteral("spend"));
}

Result<double> SpendBreakdown::budgetSpend(const BudgetLimit &limit, const QDateTime &from, const QDateTime &to)
{
    const auto lineOf = [&](SpendDimension by) -> Result<double> {
        Result<QList<SpendLine>> lines = breakdown(by, from, to);
        if (!lines)
            return lines.error();
        for (const SpendLine &line : std::as_const(*lines)) {
            if (line.name == limit.name)
                return line.costUsd;
        }
        return 0.0;
    };
    switch (limit.scope) {
    case BudgetLimit::Scope::Overall: {
        Result<SpendLine> line = total(from, to);
        if (!line)
            return line.error();
        return line->costUsd;
    }
    case BudgetLimit::Scope::Token:
        return lineOf(SpendDimension::Token);
    case BudgetLimit::Scope::Provider:
        return lineOf(SpendDimension::Provider);
    case BudgetLimit::Scope::Model:
        break;
    }
    if (Result<void> opened = open(); !opened)
        return opened.error();
    // Budgets match the model the client asked for: its own rollup dimension, which no breakdown offers.
    const auto [fromMs, toMs, firstHour, endHour] = split(from, to);
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    if (!query.prepare(QStringLiteral(
            "SELECT TOTAL(cost_usd) FROM (SELECT cost_usd FROM requests WHERE requested_model = ? AND started_at >= ? "
            "AND started_at < ? UNION ALL SELECT cost_usd FROM requests WHERE requested_model = ? AND started_at >= ? "
            "AND started_at < ? UNION ALL SELECT cost_usd FROM spend_hourly_by WHERE dimension = 'requested_model' "
            "AND hour >= ? AND hour < ? AND value = ?) AS spend")))
        return readError(query);
    for (const auto &[start, end] :
         {std::pair {fromMs, std::min(firstHour, toMs)}, {std::max(endHour, fromMs), toMs}}) {
        query.addBindValue(limit.name);
        query.addBindValue(start);
        query.addBindValue(end);
    }
    query.addBindValue(firstHour);
    query.addBindValue(endHour);
    query.addBindValue(limit.name);
    if (!query.exec() || !query.next())
        return readError(query);
    return query.value(0).toDouble();
}

QString SpendBreakdown::nameOf(SpendDimension dimension)
{
    return QLatin1String(infoOf(dimension).name);
}

std::optional<SpendDimension> SpendBreakdown::fromName(const QString &name)
{
    for (const DimensionInfo &info : Dimensions) {
        if (name == QLatin1String(info.name))
            return info.dimension;
    }
    return std::nullopt;
}

QList<SpendDimension> SpendBreakdown::all()
{
    QList<SpendDimension> dimensions;
    for (const DimensionInfo &info : Dimensions)
        dimensions.append(info.dimension);
    return dimensions;
}

Result<void> SpendBreakdown::open()
{
    if (m_connection.isOpen())
        return {};
    static std::atomic<int> counter {0};
    Result<void> opened = m_connection.open(m_store, QStringLiteral("sluice-breakdown-%1").arg(++counter),
                                            StoreConnection::Mode::ReadOnly);
    if (!opened)
        return opened;
    if (m_store.isPostgres()) {
        Result<void> current = StoreConnection::checkCurrent(m_connection.database(), m_store);
        if (!current)
            m_connection.close();
        return current;
    }
    const Result<int> version = Migrations::knownVersion(m_connection.database(), m_databasePath);
    if (!version) {
        m_connection.close();
        return version.error();
    }
    if (!StoreConnection::hasTable(m_connection.database(), m_store, QStringLiteral("spend_hourly_by"))) {
        m_connection.close();
        return makeError(QStringLiteral("The request log %1 predates spend by client, tag and project (schema "
                                        "version %2): start the gateway once with this data folder to upgrade it.")
                             .arg(QDir::toNativeSeparators(m_databasePath))
                             .arg(*version));
    }
    return {};
}

Result<QList<SpendPoint>> SpendBreakdown::query(std::optional<SpendDimension> bucket, std::optional<SpendDimension> by,
                                                const QDateTime &from, const QDateTime &to)
{
    if (Result<void> opened = open(); !opened)
        return opened.error();
    // Whole hours come from the rollup, the partial hours at either end from the request rows.
    const auto [fromMs, toMs, firstHour, endHour] = split(from, to);
    const QString raw = requestRows(bucket, by);
    const QString sql = QStringLiteral("SELECT bucket, value, ") + Aggregates + QStringLiteral(" FROM (") + raw
        + QStringLiteral(" UNION ALL ") + raw + QStringLiteral(" UNION ALL ") + rollupRows(bucket, by)
        + QStringLiteral(") AS spend GROUP BY bucket, value");
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        return readError(query);
    query.addBindValue(fromMs);
    query.addBindValue(std::min(firstHour, toMs));
    query.addBindValue(std::max(endHour, fromMs));
    query.addBindValue(toMs);
    query.addBindValue(firstHour);
    query.addBindValue(endHour);
    if (!query.exec())
        return readError(query);
    QList<SpendPoint> points;
    while (query.next()) {
        SpendPoint point;
        point.startMs = query.value(0).toLongLong();
        point.value = query.value(1).toString();
        SpendLine &line = point.line;
        const auto count = [&query](int column) {
            return qint64(query.value(2 + column).toDouble());
        };
        line.requests = count(0);
        line.inputTokens = count(1);
        line.cachedTokens = count(2);
        line.cacheWriteTokens = count(3);
        line.outputTokens = count(4);
        line.reasoningTokens = count(5);
        line.costUsd = query.value(2 + 6).toDouble();
        line.estimatedUsd = query.value(2 + 7).toDouble();
        line.estimated = count(8);
        line.unpriced = count(9);
        line.free = count(10);
        line.cacheHits = count(11);
        line.savedUsd = query.value(2 + 12).toDouble();
        if (line.requests == 0)
            continue; // a bucket of the union that matched nothing
        points.append(point);
    }
    return points;
}

Result<SpendLine> SpendBreakdown::total(const QDateTime &from, const QDateTime &to)
{
    Result<QList<SpendPoint>> points = query(std::nullopt, std::nullopt, from, to);
    if (!points)
        return points.error();
    SpendLine line = points->isEmpty() ? SpendLine() : points->constFirst().line;
    line.name = QStringLiteral("Total");
    return line;
}

Result<QList<SpendLine>> SpendBreakdown::breakdown(SpendDimension by, const QDateTime &from, const QDateTime &to)
{
    const bool time = isTime(by);
    Result<QList<SpendPoint>> points = time ? query(by, std::nullopt, from, to) : query(std::nullopt, by, from, to);
    if (!points)
        return points.error();
    QList<SpendLine> lines;
    lines.reserve(points->size());
    for (const SpendPoint &point : std::as_const(*points)) {
        SpendLine line = point.line;
        if (time) {
            line.startMs = point.startMs;
            const QDateTime start = QDateTime::fromMSecsSinceEpoch(point.startMs, Qt::UTC);
            line.name = by == SpendDimension::Day ? start.date().toString(Qt::ISODate)
                                                  : start.toString(QStringLiteral("yyyy-MM-ddTHH:00Z"));
        } else {
            line.name = point.value;
        }
        lines.append(line);
    }
    if (time) {
        std::sort(lines.begin(), lines.end(),
                  [](const SpendLine &a, const SpendLine &b) { return a.startMs < b.startMs; });
    } else {
        std::sort(lines.begin(), lines.end(), [](const SpendLine &a, const SpendLine &b) {
            if (SpendLine::costOrder(a.costUsd) != SpendLine::costOrder(b.costUsd))
                return a.costUsd > b.costUsd;
            if (a.requests != b.requests)
                return a.requests > b.requests;
            return a.name < b.name;
        });
    }
    return lines;
}

Result<QList<SpendPoint>> SpendBreakdown::series(SpendDimension bucket, SpendDimension stackBy, const QDateTime &from,
                                                 const QDateTime &to)
{
    const SpendDimension timeBucket = bucket == SpendDimension::Hour ? SpendDimension::Hour : SpendDimension::Day;
    Result<QList<SpendPoint>> points
        = query(timeBucket, isTime(stackBy) ? std::nullopt : std::optional(stackBy), from, to);
    if (!points)
        return points.error();
    QList<SpendPoint> sorted = std::move(points).value();
    std::sort(sorted.begin(), sorted.end(), [](const SpendPoint &a, const SpendPoint &b) {
        return a.startMs != b.startMs ? a.startMs < b.startMs : a.value < b.value;
    });
    return sorted;
}

} // namespace sluice
