#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

#include "common/RequestRecord.h"
#include "config/Config.h"
#include "cost/SpendBreakdown.h"

namespace sluice {

// What the Spend page asks for: a period (UTC), its bucket and what the chart and the table group by.
struct SpendRequest
{
    int generation = 0; // answers to older requests are dropped
    QDateTime from; // inclusive
    QDateTime to; // exclusive
    SpendDimension bucket = SpendDimension::Day; // Day or Hour
    SpendDimension by = SpendDimension::Model;
    QList<BudgetLimit> budgets;
    double defaultSoftFraction = 0.8;
    QDateTime now;
};

// One budget as the page shows it: spend in its current period, thresholds, reset, burn rate and forecast.
struct BudgetStatus
{
    BudgetLimit limit;
    QString title; // e.g. "the monthly budget of token 'editor' ($50.00)"
    double spentUsd = 0;
    double softUsd = 0; // the soft threshold, in USD
    QDateTime periodStart;
    QDateTime resetsAt;
    double burnUsdPerDay = 0; // spend so far in the period per elapsed day
    double forecastUsd = 0; // at the period's end, at that burn rate
};

// All the page shows for one period, read at once off the GUI thread; live records are added to it in memory.
struct SpendSnapshot
{
    SpendRequest request;
    QDateTime previousFrom;
    QDateTime previousTo;
    SpendLine total;
    SpendLine previousTotal;
    QList<SpendPoint> series; // bucket x value of request.by
    QList<SpendLine> breakdown; // by request.by, most expensive first
    QList<BudgetStatus> budgets;
    // This UTC month so far, for the month-end forecast whatever the period shown.
    QDateTime monthStart;
    QDateTime monthEnd;
    SpendLine monthToDate;
    qint64 elapsedMs = 0; // how long the queries took

    // Adds a record logged after the snapshot was read, as the rollup would: in the period's total, its bucket and
    // its line (under each of its tags when grouped by tag), and in the budgets it falls under. False when it is
    // outside the period and touched no budget.
    bool add(const RequestRecord &record);
    // The value(s) a record counts under for a dimension.
    static QStringList valuesOf(const RequestRecord &record, SpendDimension by);
    static void addTo(SpendLine &line, const RequestRecord &record);
    // Burn rate and forecast of a budget from its spend so far.
    static void project(BudgetStatus &status, const QDateTime &now);
};

} // namespace sluice

Q_DECLARE_METATYPE(sluice::SpendRequest)
Q_DECLARE_METATYPE(sluice::SpendSnapshot)
