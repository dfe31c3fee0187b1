#include "BudgetLedger.h"

#include "cost/ModelPrice.h"

namespace sluice {

QDateTime BudgetLedger::periodStart(BudgetPeriod period, const QDateTime &now)
{
    const QDate today = now.toUTC().date();
    QDate start = today;
    switch (period) {
    case BudgetPeriod::Daily:
        break;
    case BudgetPeriod::Weekly:
        start = today.addDays(1 - today.dayOfWeek()); // ISO weeks start on Monday
        break;
    case BudgetPeriod::Monthly:
        start = QDate(today.year(), today.month(), 1);
        break;
    }
    return QDateTime(start, QTime(0, 0), Qt::UTC);
}

QDateTime BudgetLedger::periodEnd(BudgetPeriod period, const QDateTime &now)
{
    const QDateTime start = periodStart(period, now);
    switch (period) {
    case BudgetPeriod::Daily:
        return start.addDays(1);
    case BudgetPeriod::Weekly:
        return start.addDays(7);
    case BudgetPeriod::Monthly:
        break;
    }
    return start.addMonths(1);
}

QString BudgetLedger::periodName(BudgetPeriod period)
{
    switch (period) {
    case BudgetPeriod::Daily:
        return QStringLiteral("daily");
    case BudgetPeriod::Weekly:
        return QStringLiteral("weekly");
    case BudgetPeriod::Monthly:
        break;
    }
    return QStringLiteral("monthly");
}

QString BudgetLedger::describe(const BudgetLimit &limit)
{
    QString owner;
    switch (limit.scope) {
    case BudgetLimit::Scope::Overall:
        owner = QStringLiteral("overall");
        break;
    case BudgetLimit::Scope::Token:
        owner = QStringLiteral("of token '%1'").arg(limit.name);
        break;
    case BudgetLimit::Scope::Provider:
        owner = QStringLiteral("of provider '%1'").arg(limit.name);
        break;
    case BudgetLimit::Scope::Model:
        owner = QStringLiteral("of model '%1'").arg(limit.name);
        break;
    }
    return QStringLiteral("the %1 budget %2 (%3)").arg(periodName(limit.period), owner, formatUsd(limit.limitUsd));
}

QString BudgetLedger::keyOf(const BudgetLimit &limit)
{
    return QString::number(int(limit.scope)) + QLatin1Char('\n') + limit.name + QLatin1Char('\n')
        + QString::number(int(limit.period));
}

bool BudgetLedger::matches(const BudgetLimit &limit, const BudgetSubject &subject)
{
    switch (limit.scope) {
    case BudgetLimit::Scope::Overall:
        return true;
    case BudgetLimit::Scope::Token:
        return limit.name == subject.token;
    case BudgetLimit::Scope::Provider:
        return limit.name == subject.provider;
    case BudgetLimit::Scope::Model:
        return limit.name == subject.model;
    }
    return false;
}

double BudgetLedger::softFraction(const BudgetLimit &limit) const
{
    return limit.softFraction > 0 ? limit.softFraction : m_defaultSoftFraction;
}

QList<qsizetype> BudgetLedger::setLimits(const QList<BudgetLimit> &limits, double defaultSoftFraction)
{
    m_limits = limits;
    m_defaultSoftFraction = defaultSoftFraction;
    QHash<QString, State> kept;
    QList<qsizetype> added;
    for (qsizetype i = 0; i < limits.size(); ++i) {
        const QString key = keyOf(limits.at(i));
        if (m_states.contains(key))
            kept.insert(key, m_states.value(key));
        else if (!kept.contains(key))
            added.append(i);
    }
    for (const Reservation &reservation : std::as_const(m_reservations)) {
        for (const QString &key : reservation.keys) {
            if (m_states.contains(key) && !kept.contains(key))
                kept.insert(key, m_states.value(key));
        }
    }
    m_states = std::move(kept);
    return added;
}

BudgetLedger::State &BudgetLedger::state(const BudgetLimit &limit, const QDateTime &now)
{
    State &state = m_states[keyOf(limit)];
    const QDateTime start = periodStart(limit.period, now);
    if (state.periodStart != start) {
        // A new period: spend starts again from zero; requests still in flight keep their reservations.
        state.periodStart = start;
        state.spent = 0;
        state.warned = false;
    }
    return state;
}

void BudgetLedger::setSpent(qsizetype index, double usd, const QDateTime &now)
{
    state(m_limits.at(index), now).spent = usd;
}

double BudgetLedger::spent(qsizetype index, const QDateTime &now)
{
    return state(m_limits.at(index), now).spent;
}

double BudgetLedger::reserved(qsizetype index) const
{
    return m_states.value(keyOf(m_limits.at(index))).reserved;
}

bool BudgetLedger::applies(const BudgetSubject &subject) const
{
    return std::any_of(m_limits.cbegin(), m_limits.cend(),
                       [&](const BudgetLimit &limit) { return matches(limit, subject); });
}

QList<BudgetLimit> BudgetLedger::matching(const BudgetSubject &subject) const
{
    QList<BudgetLimit> result;
    for (const BudgetLimit &limit : m_limits) {
        if (matches(limit, subject))
            result.append(limit);
    }
    return result;
}

BudgetLedger::Decision BudgetLedger::reserve(const BudgetSubject &subject, double upperBoundUsd, const QDateTime &now)
{
    Decision decision;
    QList<const BudgetLimit *> matching;
    for (const BudgetLimit &limit : std::as_const(m_limits)) {
        if (!matches(limit, subject))
            continue;
        const State &current = state(limit, now);
        if (current.spent + current.reserved >= limit.limitUsd) {
            decision.refused = true;
            decision.resetsAt = periodEnd(limit.period, now);
            decision.message
                = QStringLiteral("Sluice refused the request: %1 is used up (%2 spent, %3 reserved by requests in "
                                 "flight). It resets at %4 UTC.")
                      .arg(describe(limit), formatUsd(current.spent), formatUsd(current.reserved),
                           decision.resetsAt.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
            return decision;
        }
        matching.append(&limit);
    }
    if (matching.isEmpty())
        return decision;
    Reservation reservation;
    reservation.usd = qMax(0.0, upperBoundUsd);
    for (const BudgetLimit *limit : std::as_const(matching)) {
        const QString key = keyOf(*limit);
        State &current = state(*limit, now);
        if (current.spent >= softFraction(*limit) * limit->limitUsd) {
            decision.warnings.append(QStringLiteral("%1: %2 spent, resets %3 UTC")
                                         .arg(describe(*limit), formatUsd(current.spent),
                                              periodEnd(limit->period, now).toString(Qt::ISODate)));
        }
        if (reservation.keys.contains(key))
            continue; // two budgets of one scope and period (config and database) share their spend
        current.reserved += reservation.usd;
        reservation.keys.append(key);
    }
    decision.reservation = m_nextReservation++;
    m_reservations.insert(decision.reservation, reservation);
    return decision;
}

QStringList BudgetLedger::settle(quint64 reservation, const BudgetSubject &actual, double usd, const QDateTime &now)
{
    if (const auto it = m_reservations.constFind(reservation); it != m_reservations.cend()) {
        for (const QString &key : it->keys) {
            if (const auto state = m_states.find(key); state != m_states.end())
                state->reserved = qMax(0.0, state->reserved - it->usd);
        }
        m_reservations.erase(it);
    }
    QStringList crossed;
    if (usd <= 0)
        return crossed;
    QStringList booked;
    for (const BudgetLimit &limit : std::as_const(m_limits)) {
        if (!matches(limit, actual))
            continue;
        State &current = state(limit, now);
        if (const QString key = keyOf(limit); !booked.contains(key)) {
            booked.append(key);
            current.spent += usd;
        }
        if (!current.warned && current.spent >= softFraction(limit) * limit.limitUsd) {
            current.warned = true;
            crossed.append(QStringLiteral("%1 of %2 is spent (%3); it resets at %4 UTC.")
                               .arg(formatUsd(current.spent), describe(limit),
                                    QString::number(qRound(100 * current.spent / limit.limitUsd)) + QLatin1Char('%'),
                                    periodEnd(limit.period, now).toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
        }
    }
    return crossed;
}

} // namespace sluice
