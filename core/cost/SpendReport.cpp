#include "SpendReport.h"

#include <atomic>

#include <QDir>
#include <QSqlError>
#include <QSqlQuery>

#include "store/Migrations.h"

namespace sluice {

namespace {

// The schema version that added cost columns (resources/migrations/0002_cost.sql).
constexpr int CostSchemaVersion = 2;

const QString Aggregates = QStringLiteral(
    "COUNT(*), TOTAL(input_tokens), TOTAL(cached_tokens), TOTAL(cache_write_tokens), TOTAL(output_tokens), "
    "TOTAL(reasoning_tokens), TOTAL(cost_usd), TOTAL(CASE WHEN cost_status = 'estimated' THEN cost_usd END), "
    "TOTAL(cost_status = 'estimated' AND cost_usd IS NOT NULL), TOTAL(cost_usd IS NULL), "
    "TOTAL(cost_status = 'free')");

} // namespace

SpendReport::SpendReport(const QString &databasePath)
    : m_databasePath(databasePath)
{ }

Result<void> SpendReport::open()
{
    if (m_connection.isOpen())
        return {};
    static std::atomic<int> counter {0};
    Result<void> opened = m_connection.open(m_databasePath, QStringLiteral("sluice-spend-%1").arg(++counter),
                                            SqliteConnection::Mode::ReadOnly);
    if (!opened)
        return opened;
    const Result<int> version = Migrations::currentVersion(m_connection.database());
    if (!version) {
        m_connection.close();
        return version.error();
    }
    const int latest = Migrations::latestVersion();
    if (*version > latest) {
        m_connection.close();
        return Migrations::newerDatabaseError(m_databasePath, *version, latest);
    }
    if (*version < CostSchemaVersion) {
        m_connection.close();
        return makeError(QStringLiteral("The request log %1 predates cost tracking (schema version %2): start the "
                                        "gateway once with this data folder to upgrade it.")
                             .arg(QDir::toNativeSeparators(m_databasePath))
                             .arg(*version));
    }
    return {};
}

Result<QList<SpendLine>> SpendReport::query(const QStringList &keys, const QDateTime &from, const QDateTime &to)
{
    const QString groupColumns = keys.join(QStringLiteral(", "));
    QString sql = QStringLiteral("SELECT ");
    if (!groupColumns.isEmpty())
        sql += groupColumns + QStringLiteral(", ");
    sql += Aggregates + QStringLiteral(" FROM requests WHERE started_at >= ? AND started_at < ?");
    if (!groupColumns.isEmpty())
        sql += QStringLiteral(" GROUP BY ") + groupColumns + QStringLiteral(" ORDER BY TOTAL(cost_usd) DESC, 1");
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    if (!query.prepare(sql)) {
        return makeError(QStringLiteral("Reading spend from the request log %1 failed (%2).")
                             .arg(QDir::toNativeSeparators(m_databasePath), query.lastError().text()));
    }
    query.addBindValue(from.toMSecsSinceEpoch());
    query.addBindValue(to.toMSecsSinceEpoch());
    if (!query.exec()) {
        return makeError(QStringLiteral("Reading spend from the request log %1 failed (%2).")
                             .arg(QDir::toNativeSeparators(m_databasePath), query.lastError().text()));
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
        line.requests = query.value(first).toLongLong();
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
    Result<QList<SpendLine>> byModel
        = query({QStringLiteral("COALESCE(NULLIF(upstream_model, ''), requested_model)"), QStringLiteral("provider")},
                from, to);
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
