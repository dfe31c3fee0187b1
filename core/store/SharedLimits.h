#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QSet>
#include <QString>

#include "common/Result.h"
#include "store/PostgresConnection.h"
#include "store/StoreLocation.h"

class QSqlQuery;

namespace sluice {

// Budgets' reservations and settlements, and the RPM/TPM windows of gateway tokens, in a PostgreSQL store shared by
// several gateways (docs/team.md). Every call is one statement calling one of the store's functions (migration
// 0002): one round trip, one transaction, row locks held only inside the server. Statements are bounded by a
// timeout, and after a failure the connection is tried again only after a backoff, so a database that does not
// answer costs the calling thread at most a few seconds once, then nothing until the backoff ends. Use it from
// one thread (its own connection).
class SharedLimits
{
public:
    // One budget a request falls under, in the period it is charged to.
    struct Budget
    {
        QString key; // scope/period/name, e.g. token/daily/alice
        qint64 periodStartMs = 0;
        double limitUsd = 0;
        QString scope; // overall | token | provider | model
        QString name;
    };
    struct BudgetState
    {
        QString key;
        double spentUsd = 0;
        double reservedUsd = 0;
        bool room = true; // spent + reserved was below the limit
    };
    struct Booking
    {
        QString key;
        double spentBeforeUsd = 0;
        double spentAfterUsd = 0;
    };
    struct RateDecision
    {
        bool admitted = true;
        qint64 requests = 0; // in the window before this one
        qint64 tokens = 0;
        qint64 retryAfterMs = 0;
        qint64 event = 0; // the counted request (uncount()), 0: none
    };

    explicit SharedLimits(const PostgresSettings &settings);
    ~SharedLimits();
    SharedLimits(const SharedLimits &) = delete;
    SharedLimits &operator=(const SharedLimits &) = delete;

    // Reserves usd against every budget (or none). Returns each budget's state when it decided; the reservation
    // was made when every one had room.
    Result<QList<BudgetState>> reserve(const QString &requestId, const QList<Budget> &budgets, double usd);
    // Releases the request's reservation and books usd (<= 0: nothing) against budgets. A settlement that fails
    // is kept and tried again by maintain(); its reservation is released by its lease meanwhile at the latest.
    Result<QList<Booking>> settle(const QString &requestId, const QList<Budget> &budgets, double usd);
    Result<RateDecision> admitRate(const QString &token, int rpm, qint64 tpm, qint64 windowMs);
    // Takes back a counted request (another check refused it after all).
    Result<void> uncount(qint64 event);
    Result<void> recordTokens(const QString &token, qint64 tokens, qint64 windowMs);
    // Renews the leases of the reservations this object made and did not settle (every lease / 3), and retries
    // failed settlements. Call it about once a second.
    void maintain();

    qsizetype pendingSettlements() const { return m_unsettled.size(); }
    // A lease shorter than the default, for tests of a gateway that died.
    void setLeaseMs(qint64 leaseMs) { m_leaseMs = leaseMs; }

    // One id per gateway process, recorded with its reservations (which gateway holds what).
    static QString gatewayId();

    static constexpr qint64 DefaultLeaseMs = 180'000;
    static constexpr int StatementTimeoutMs = 2'000;
    static constexpr int ConnectTimeoutS = 2;
    static constexpr qsizetype MaxUnsettled = 100'000;

private:
    struct Unsettled
    {
        QString requestId;
        QList<Budget> budgets;
        double usd = 0;
    };

    // Runs sql on the connection (opened first if needed); on failure the connection is closed and not tried again
    // until the backoff ends.
    Result<void> run(QSqlQuery &query, const QString &sql);
    Result<void> connectIfNeeded();
    QString budgetArrays(const QList<Budget> &budgets) const;

    PostgresSettings m_settings;
    QString m_connectionName;
    PostgresConnection m_connection;
    QElapsedTimer m_sinceFailure;
    qint64 m_backoffMs = 0;
    QString m_lastError;
    qint64 m_leaseMs = DefaultLeaseMs;
    QSet<QString> m_inFlight; // requests this object reserved for and has not settled: their leases are renewed
    QElapsedTimer m_sinceRenewal;
    QList<Unsettled> m_unsettled;
};

} // namespace sluice
