#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "config/Config.h"

namespace sluice {

// What a request is charged to: its gateway token, the provider and the client-facing model.
struct BudgetSubject
{
    QString token;
    QString provider;
    QString model;
};

// Spend budgets in memory: spend booked per limit and calendar period (UTC), plus the upper bounds reserved by
// requests in flight. A request is admitted while every budget it falls under has spend + reservations below its
// limit, so concurrent requests overshoot a limit by at most one reservation (when costs stay within their bounds).
// Time is always passed in, so periods can be tested with any clock. Use it from one thread.
class BudgetLedger
{
public:
    struct Decision
    {
        bool refused = false;
        QString message; // the budget refused, its spend and when it resets
        QDateTime resetsAt; // when refused: the start of the refusing budget's next period
        QStringList warnings; // budgets at or past their soft threshold (admitted requests only)
        quint64 reservation = 0; // 0: nothing reserved
    };

    // Replaces the limits; limits that were there before (same scope, name and period) keep their spend. Returns
    // the indexes of the new ones, whose spend so far is to be set with setSpent().
    QList<qsizetype> setLimits(const QList<BudgetLimit> &limits, double defaultSoftFraction);
    const QList<BudgetLimit> &limits() const { return m_limits; }
    // Sets the spend booked so far in the current period of limits()[index] (e.g. summed from the request log).
    void setSpent(qsizetype index, double usd, const QDateTime &now);
    double spent(qsizetype index, const QDateTime &now);
    double reserved(qsizetype index) const;

    bool applies(const BudgetSubject &subject) const;
    // The limits subject falls under, in limits() order.
    QList<BudgetLimit> matching(const BudgetSubject &subject) const;
    // The share of the limit at which a warning goes out.
    double softFraction(const BudgetLimit &limit) const;
    // Reserves upperBoundUsd against every budget subject falls under, or refuses.
    Decision reserve(const BudgetSubject &subject, double upperBoundUsd, const QDateTime &now);
    // Releases a reservation (0: none) and books usd (< 0: unknown, nothing booked) against the budgets actual falls
    // under. Returns a message for each budget whose soft threshold this booking crossed (once per period).
    QStringList settle(quint64 reservation, const BudgetSubject &actual, double usd, const QDateTime &now);

    static QDateTime periodStart(BudgetPeriod period, const QDateTime &now);
    static QDateTime periodEnd(BudgetPeriod period, const QDateTime &now);
    // e.g. "the daily budget of token 'editor' ($2.00)"
    static QString describe(const BudgetLimit &limit);
    static QString periodName(BudgetPeriod period);

private:
    struct State
    {
        QDateTime periodStart;
        double spent = 0;
        double reserved = 0;
        bool warned = false; // a soft-threshold message went out this period
    };
    struct Reservation
    {
        double usd = 0;
        QStringList keys;
    };

    static QString keyOf(const BudgetLimit &limit);
    static bool matches(const BudgetLimit &limit, const BudgetSubject &subject);
    // The limit's state, its spend reset when now is in a later period.
    State &state(const BudgetLimit &limit, const QDateTime &now);

    QList<BudgetLimit> m_limits;
    double m_defaultSoftFraction = 0.8;
    QHash<QString, State> m_states;
    QHash<quint64, Reservation> m_reservations;
    quint64 m_nextReservation = 1;
};

} // namespace sluice
