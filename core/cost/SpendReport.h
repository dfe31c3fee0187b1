#pragma once

#include <cmath>

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include "common/Result.h"
#include "store/StoreConnection.h"

namespace sluice {

// Spend of a group of logged requests. Costs add up only what is known: unpriced requests are counted, never
// added as $0.
struct SpendLine
{
    QString name; // model, or gateway token name
    QString provider; // by-model lines: the provider that served it
    qint64 requests = 0;
    qint64 inputTokens = 0; // every prompt token, cached and cache-write ones included
    qint64 cachedTokens = 0;
    qint64 cacheWriteTokens = 0;
    qint64 outputTokens = 0; // reasoning included
    qint64 reasoningTokens = 0;
    double costUsd = 0; // exact + estimated (+ free at $0)
    double estimatedUsd = 0; // the part of costUsd that is estimated
    qint64 estimated = 0; // requests whose cost is an estimate
    qint64 unpriced = 0; // requests with no known cost (no price, or logged before costs were recorded)
    qint64 free = 0; // requests to free (local) providers
    qint64 cacheHits = 0; // requests answered from the response cache (SpendBreakdown only)
    double savedUsd = 0; // what those cache hits saved (SpendBreakdown only)
    qint64 startMs = -1; // by-day and by-hour lines (SpendBreakdown): the bucket's start, ms since the epoch, UTC

    qint64 priced() const { return requests - unpriced; }
    // For ordering lines by cost: costs within a billionth of a dollar are equal (SQLite and PostgreSQL add the
    // same costs in different orders, so their last bits differ), and the next key decides.
    static qint64 costOrder(double usd) { return std::llround(usd * 1e9); }
};

struct SpendSummary
{
    QDateTime from; // inclusive
    QDateTime to; // exclusive
    SpendLine total;
    QList<SpendLine> byModel; // most expensive first
    QList<SpendLine> byToken;
};

// Spend over a period, read from the request log (a SQLite file or a team's PostgreSQL database) through a
// read-only connection of its own. Use it from one thread.
class SpendReport
{
public:
    explicit SpendReport(const StoreLocation &store);

    // Checks that the log exists and has the cost columns (a log not yet upgraded is reported here).
    Result<void> open();
    Result<SpendSummary> summarize(const QDateTime &from, const QDateTime &to);

    // Calendar periods in local time around now: [midnight, next midnight), [1st of the month, 1st of the next).
    static QPair<QDateTime, QDateTime> day(const QDateTime &now);
    static QPair<QDateTime, QDateTime> month(const QDateTime &now);

private:
    // One line per distinct value of the key expressions (name, then provider), or one total line without keys.
    Result<QList<SpendLine>> query(const QStringList &keys, const QDateTime &from, const QDateTime &to);

    StoreLocation m_store;
    QString m_databasePath; // for messages: the file, or the PostgreSQL URL without a password
    StoreConnection m_connection;
    bool m_hasRollup = false; // the log has spend_hourly (an older one is summed from its request rows)
};

} // namespace sluice
