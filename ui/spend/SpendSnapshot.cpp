#include "SpendSnapshot.h"

#include <algorithm>

namespace sluice {

namespace {

constexpr qint64 HourMs = 3600000;
constexpr qint64 DayMs = 24 * HourMs;

bool budgetCovers(const BudgetLimit &limit, const RequestRecord &record)
{
    switch (limit.scope) {
    case BudgetLimit::Scope::Overall:
        return true;
    case BudgetLimit::Scope::Token:
        return record.tokenName == limit.name;
    case BudgetLimit::Scope::Provider:
        return record.provider == limit.name;
    case BudgetLimit::Scope::Model:
        return record.requestedModel == limit.name;
    }
    return false;
}

} // namespace

QStringList SpendSnapshot::valuesOf(const RequestRecord &record, SpendDimension by)
{
    switch (by) {
    case SpendDimension::Model:
        return {record.upstreamModel.isEmpty() ? record.requestedModel : record.upstreamModel};
    case SpendDimension::Provider:
        return {record.provider};
    case SpendDimension::Client:
        return {record.client};
    case SpendDimension::Token:
        return {record.tokenName};
    case SpendDimension::Tag:
        return record.tags.isEmpty() ? QStringList {QString()} : record.tags;
    case SpendDimension::Project:
        return {record.project.isEmpty() ? record.tokenName : record.project};
    case SpendDimension::Day:
    case SpendDimension::Hour:
        break;
    }
    return {QString()};
}

void SpendSnapshot::addTo(SpendLine &line, const RequestRecord &record)
{
    const auto known = [](qint64 value) {
        return value < 0 ? 0 : value;
    };
    ++line.requests;
    line.inputTokens += known(record.inputTokens);
    line.cachedTokens += known(record.cachedTokens);
    line.cacheWriteTokens += known(record.cacheWriteTokens);
    line.outputTokens += known(record.outputTokens);
    line.reasoningTokens += known(record.reasoningTokens);
    if (record.costUsd >= 0) {
        line.costUsd += record.costUsd;
        if (record.costStatus == QLatin1String(CostStatus::Estimated)) {
            line.estimatedUsd += record.costUsd;
            ++line.estimated;
        }
    } else {
        ++line.unpriced;
    }
    if (record.costStatus == QLatin1String(CostStatus::Free))
        ++line.free;
    if (record.costStatus == QLatin1String(CostStatus::Cached))
        ++line.cacheHits;
    if (record.savedUsd > 0)
        line.savedUsd += record.savedUsd;
}

bool SpendSnapshot::add(const RequestRecord &record)
{
    bool touched = false;
    for (BudgetStatus &budget : budgets) {
        if (record.startedAt >= budget.periodStart && record.startedAt < budget.resetsAt
            && budgetCovers(budget.limit, record) && record.costUsd > 0) {
            budget.spentUsd += record.costUsd;
            project(budget, std::max(record.startedAt, request.now));
            touched = true;
        }
    }
    if (record.startedAt >= monthStart && record.startedAt < monthEnd) {
        addTo(monthToDate, record);
        touched = true;
    }
    if (record.startedAt < request.from || record.startedAt >= request.to)
        return touched;
    addTo(total, record);
    const qint64 ms = record.startedAt.toMSecsSinceEpoch();
    const qint64 bucketMs = request.bucket == SpendDimension::Hour ? ms - ms % HourMs : ms - ms % DayMs;
    for (const QString &value : valuesOf(record, request.by)) {
        auto point = std::find_if(series.begin(), series.end(),
                                  [&](const SpendPoint &p) { return p.startMs == bucketMs && p.value == value; });
        if (point == series.end()) {
            SpendPoint added;
            added.startMs = bucketMs;
            added.value = value;
            series.append(added);
            point = series.end() - 1;
        }
        addTo(point->line, record);
        auto line
            = std::find_if(breakdown.begin(), breakdown.end(), [&](const SpendLine &l) { return l.name == value; });
        if (line == breakdown.end()) {
            SpendLine added;
            added.name = value;
            breakdown.append(added);
            line = breakdown.end() - 1;
        }
        addTo(*line, record);
    }
    std::stable_sort(breakdown.begin(), breakdown.end(),
                     [](const SpendLine &a, const SpendLine &b) { return a.costUsd > b.costUsd; });
    return true;
}

void SpendSnapshot::project(BudgetStatus &status, const QDateTime &now)
{
    const double elapsedDays
        = std::max(double(status.periodStart.msecsTo(std::min(now, status.resetsAt))) / DayMs, 1.0 / 24);
    const double periodDays = double(status.periodStart.msecsTo(status.resetsAt)) / DayMs;
    status.burnUsdPerDay = status.spentUsd / elapsedDays;
    status.forecastUsd = status.burnUsdPerDay * periodDays;
}

} // namespace sluice
