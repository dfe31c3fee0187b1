#include <QTest>
#include <QTimeZone>

#include "cost/BudgetLedger.h"

using namespace sluice;

namespace {

QDateTime utc(int year, int month, int day, int hour = 12, int minute = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute), Qt::UTC);
}

BudgetLimit limit(BudgetLimit::Scope scope, const QString &name, BudgetPeriod period, double usd, double soft = -1)
{
    BudgetLimit limit;
    limit.scope = scope;
    limit.name = name;
    limit.period = period;
    limit.limitUsd = usd;
    limit.softFraction = soft;
    return limit;
}

const BudgetSubject Editor {QStringLiteral("editor"), QStringLiteral("openai"), QStringLiteral("gpt-4.1")};

} // namespace

class BudgetLedgerTest : public QObject
{
    Q_OBJECT

private slots:
    void periodsAreUtcCalendarPeriods()
    {
        // Sunday 30 November 2025, 23:59 UTC.
        const QDateTime now = utc(2025, 11, 30, 23, 59);
        QCOMPARE(BudgetLedger::periodStart(BudgetPeriod::Daily, now), utc(2025, 11, 30, 0));
        QCOMPARE(BudgetLedger::periodEnd(BudgetPeriod::Daily, now), utc(2025, 12, 1, 0));
        QCOMPARE(BudgetLedger::periodStart(BudgetPeriod::Weekly, now), utc(2025, 11, 24, 0)); // the Monday before
        QCOMPARE(BudgetLedger::periodEnd(BudgetPeriod::Weekly, now), utc(2025, 12, 1, 0));
        QCOMPARE(BudgetLedger::periodStart(BudgetPeriod::Monthly, now), utc(2025, 11, 1, 0));
        QCOMPARE(BudgetLedger::periodEnd(BudgetPeriod::Monthly, now), utc(2025, 12, 1, 0));
        // A local time is converted first: 01:30 in UTC+2 on the 1st is still the previous UTC day and month.
        const QDateTime local(QDate(2025, 12, 1), QTime(1, 30), QTimeZone(2 * 3600));
        QCOMPARE(BudgetLedger::periodStart(BudgetPeriod::Monthly, local), utc(2025, 11, 1, 0));
    }

    void admitsWhileRoomIsLeftThenRefusesNamingTheBudget()
    {
        BudgetLedger ledger;
        ledger.setLimits({limit(BudgetLimit::Scope::Token, QStringLiteral("editor"), BudgetPeriod::Daily, 1.0)}, 0.8);
        const QDateTime now = utc(2026, 3, 10);
        // Reservations of $0.40: 0, 0.40 and 0.80 reserved are below $1, the fourth sees $1.20.
        QList<quint64> held;
        for (int i = 0; i < 3; ++i) {
            const BudgetLedger::Decision decision = ledger.reserve(Editor, 0.40, now);
            QVERIFY(!decision.refused);
            held.append(decision.reservation);
        }
        const BudgetLedger::Decision refused = ledger.reserve(Editor, 0.40, now);
        QVERIFY(refused.refused);
        QCOMPARE(refused.resetsAt, utc(2026, 3, 11, 0));
        QVERIFY2(refused.message.contains(QLatin1String("the daily budget of token 'editor' ($1.00) is used up "
                                                        "($0.00 spent, $1.20 reserved")),
                 qPrintable(refused.message));
        QVERIFY(refused.message.contains(QLatin1String("resets at 2026-03-11 00:00 UTC")));
        // Another token is not under this budget.
        QVERIFY(!ledger.reserve(BudgetSubject {QStringLiteral("ci"), {}, {}}, 0.40, now).refused);

        // Settling releases the reservation and books the real cost: $0.25 each.
        for (const quint64 reservation : held)
            ledger.settle(reservation, Editor, 0.25, now);
        QCOMPARE(ledger.spent(0, now), 0.75);
        QCOMPARE(ledger.reserved(0), 0.0);
        QVERIFY(!ledger.reserve(Editor, 0.40, now).refused); // 0.75 < 1: the last one that fits
        QVERIFY(ledger.reserve(Editor, 0.40, now).refused); // 0.75 + 0.40 reserved
    }

    void overshootIsBoundedByOneReservation()
    {
        BudgetLedger ledger;
        ledger.setLimits({limit(BudgetLimit::Scope::Overall, {}, BudgetPeriod::Monthly, 10.0)}, 0.8);
        const QDateTime now = utc(2026, 3, 10);
        const double reservation = 0.7;
        QList<quint64> inFlight;
        for (int i = 0; i < 100; ++i) {
            const BudgetLedger::Decision decision = ledger.reserve(Editor, reservation, now);
            if (!decision.refused)
                inFlight.append(decision.reservation);
        }
        QCOMPARE(inFlight.size(), 15); // 14 × 0.7 = 9.8 < 10 admits a 15th
        for (const quint64 id : inFlight)
            ledger.settle(id, Editor, reservation, now); // every request cost its whole bound
        QVERIFY(ledger.spent(0, now) <= 10.0 + reservation);
        QVERIFY(ledger.spent(0, now) > 10.0);
    }

    void scopesMatchTokenProviderAndModel()
    {
        BudgetLedger ledger;
        ledger.setLimits({limit(BudgetLimit::Scope::Provider, QStringLiteral("openai"), BudgetPeriod::Daily, 1.0),
                          limit(BudgetLimit::Scope::Model, QStringLiteral("claude"), BudgetPeriod::Daily, 1.0)},
                         0.8);
        const QDateTime now = utc(2026, 3, 10);
        ledger.settle(0, Editor, 1.0, now);
        QCOMPARE(ledger.spent(0, now), 1.0);
        QCOMPARE(ledger.spent(1, now), 0.0);
        QVERIFY(ledger.reserve(Editor, 0.1, now).refused);
        const BudgetSubject claude {QStringLiteral("editor"), QStringLiteral("anthropic"), QStringLiteral("claude")};
        QVERIFY(!ledger.reserve(claude, 0.1, now).refused);
        QVERIFY(!ledger.applies(BudgetSubject {QStringLiteral("x"), QStringLiteral("gemini"), QStringLiteral("g")}));
    }

    void softThresholdWarnsOncePerPeriod()
    {
        BudgetLedger ledger;
        ledger.setLimits({limit(BudgetLimit::Scope::Overall, {}, BudgetPeriod::Daily, 2.0, 0.5)}, 0.8);
        const QDateTime now = utc(2026, 3, 10);
        QVERIFY(ledger.settle(0, Editor, 0.9, now).isEmpty());
        QVERIFY(ledger.reserve(Editor, 0, now).warnings.isEmpty());
        const QStringList crossed = ledger.settle(0, Editor, 0.2, now);
        QCOMPARE(crossed.size(), 1);
        QVERIFY2(crossed.first().startsWith(QLatin1String("$1.10 of the daily budget overall ($2.00) is spent (55%)")),
                 qPrintable(crossed.first()));
        QVERIFY(ledger.settle(0, Editor, 0.2, now).isEmpty());
        QCOMPARE(ledger.reserve(Editor, 0, now).warnings.size(), 1);
    }

    void spendStartsAgainInTheNextPeriod()
    {
        BudgetLedger ledger;
        ledger.setLimits({limit(BudgetLimit::Scope::Overall, {}, BudgetPeriod::Weekly, 1.0)}, 0.8);
        const QDateTime sunday = utc(2026, 3, 15, 23, 0);
        ledger.settle(0, Editor, 1.0, sunday);
        const BudgetLedger::Decision refused = ledger.reserve(Editor, 0.1, sunday);
        QVERIFY(refused.refused);
        QCOMPARE(refused.resetsAt, utc(2026, 3, 16, 0));
        // A request in flight across the boundary keeps its reservation.
        const QDateTime monday = utc(2026, 3, 16, 0, 0);
        const BudgetLedger::Decision admitted = ledger.reserve(Editor, 0.1, monday);
        QVERIFY(!admitted.refused);
        QCOMPARE(ledger.spent(0, monday), 0.0);
        QCOMPARE(ledger.reserved(0), 0.1);
    }

    void changedLimitsKeepTheirSpend()
    {
        BudgetLedger ledger;
        const QDateTime now = utc(2026, 3, 10);
        const QList<qsizetype> added = ledger.setLimits(
            {limit(BudgetLimit::Scope::Token, QStringLiteral("editor"), BudgetPeriod::Daily, 1)}, 0.8);
        QCOMPARE(added, QList<qsizetype> {0});
        ledger.setSpent(0, 0.6, now);
        const QList<qsizetype> again
            = ledger.setLimits({limit(BudgetLimit::Scope::Overall, {}, BudgetPeriod::Daily, 5),
                                limit(BudgetLimit::Scope::Token, QStringLiteral("editor"), BudgetPeriod::Daily, 2)},
                               0.8);
        QCOMPARE(again, QList<qsizetype> {0});
        QCOMPARE(ledger.spent(1, now), 0.6);
    }
};

QTEST_GUILESS_MAIN(BudgetLedgerTest)
#include "tst_budgetledger.moc"
