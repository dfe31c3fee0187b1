#pragma once

#include <optional>

#include <QDateTime>
#include <QList>
#include <QString>

#include "common/Result.h"
#include "config/Config.h"
#include "cost/SpendReport.h"
#include "store/StoreConnection.h"

class QSqlQuery;

namespace sluice {

// What spend is grouped by (`sluice spend --by`, the Spend page). Day and hour buckets are UTC.
enum class SpendDimension { Day, Hour, Model, Provider, Client, Token, Tag, Project };

// One point of a stacked series: the spend of one value of a dimension in one time bucket.
struct SpendPoint
{
    qint64 startMs = 0; // the bucket's start, ms since the epoch, UTC
    QString value; // '' for none (no client recognised, untagged)
    SpendLine line;
};

// Spend over any period grouped by one dimension, read from the per-dimension hourly rollup (spend_hourly_by) for
// whole hours and from the request rows for the partial hours at either end, so the sums always equal those of
// the logged requests and a month reads a few hundred rows per value. Reads a SQLite log or a team's PostgreSQL
// database with the same SQL. Read-only connection of its own; use it from one thread.
class SpendBreakdown
{
public:
    explicit SpendBreakdown(const StoreLocation &store);

    // Checks that the log exists and has the rollup (a log not yet upgraded is reported here).
    Result<void> open();
    // Every request of [from, to) once: the period's total.
    Result<SpendLine> total(const QDateTime &from, const QDateTime &to);
    // One line per value of `by` (by day or hour: per bucket, in time order, buckets without requests left out;
    // otherwise most expensive first, then by name). By tag a request counts under each of its tags, and
    // requests without tags under ''.
    Result<QList<SpendLine>> breakdown(SpendDimension by, const QDateTime &from, const QDateTime &to);
    // Spend per bucket (Day or Hour) and value of stackBy, in time order.
    Result<QList<SpendPoint>> series(SpendDimension bucket, SpendDimension stackBy, const QDateTime &from,
                                     const QDateTime &to);

    // The known cost of [from, to) that a budget counts: every request, a gateway token's, a provider's, or a
    // client-facing model's (the model the client asked for, as budgets match it), from the rollups.
    Result<double> budgetSpend(const BudgetLimit &limit, const QDateTime &from, const QDateTime &to);

    static QString nameOf(SpendDimension dimension); // "day", "model", ... as `--by` spells them
    static std::optional<SpendDimension> fromName(const QString &name);
    static QList<SpendDimension> all();
    static bool isTime(SpendDimension dimension)
    {
        return dimension == SpendDimension::Day || dimension == SpendDimension::Hour;
    }

private:
    Result<QList<SpendPoint>> query(std::optional<SpendDimension> bucket, std::optional<SpendDimension> by,
                                    const QDateTime &from, const QDateTime &to);

    Error readError(QSqlQuery &query);

    StoreLocation m_store;
    QString m_databasePath; // for messages: the file, or the PostgreSQL URL without a password
    StoreConnection m_connection;
};

} // namespace sluice
