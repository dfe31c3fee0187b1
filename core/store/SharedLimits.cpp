#include "SharedLimits.h"

#include <algorithm>
#include <tuple>

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include "StoreLogging.h"

namespace sluice {

namespace {

constexpr qint64 FirstBackoffMs = 1'000;
constexpr qint64 MaxBackoffMs = 10'000;

QString textArray(const QStringList &values)
{
    QStringList literals;
    literals.reserve(values.size());
    for (const QString &value : values)
        literals.append(PostgresConnection::literal(value));
    return QStringLiteral("CAST(ARRAY[%1] AS text[])").arg(literals.join(QLatin1Char(',')));
}

} // namespace

SharedLimits::SharedLimits(const PostgresSettings &settings)
    : m_settings(settings)
    , m_connectionName(QStringLiteral("sluice-shared-limits-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
{ }

SharedLimits::~SharedLimits() = default;

QString SharedLimits::gatewayId()
{
    static const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    return id;
}

Result<void> SharedLimits::connectIfNeeded()
{
    if (m_connection.isOpen())
        return {};
    if (m_backoffMs > 0 && m_sinceFailure.isValid() && m_sinceFailure.elapsed() < m_backoffMs)
        return makeError(m_lastError);
    // A server that vanishes mid-call (no reset) is noticed within seconds: keepalives while waiting for the
    // answer, tcp_user_timeout while the query is unacknowledged; statement_timeout alone needs a live server.
    Result<void> opened
        = m_connection.open(m_settings, m_connectionName, PostgresConnection::Mode::ReadWrite, ConnectTimeoutS,
                            QStringLiteral("keepalives=1;keepalives_idle=1;keepalives_interval=1;keepalives_count=2;"
                                           "tcp_user_timeout=%1")
                                .arg(StatementTimeoutMs + 1000));
    if (opened) {
        QSqlQuery query(m_connection.database());
        // Bounds a statement that waits on locks or a busy server; the caller's thread must not wait long.
        if (query.exec(QStringLiteral("SET statement_timeout = %1").arg(StatementTimeoutMs)))
            return {};
        opened = makeError(QStringLiteral("Cannot set up the connection to the PostgreSQL store %1 (%2).")
                               .arg(m_settings.describe(), query.lastError().text().trimmed()));
        query = QSqlQuery();
        m_connection.close();
    }
    m_lastError = opened.errorMessage();
    m_backoffMs = m_backoffMs == 0 ? FirstBackoffMs : qMin(MaxBackoffMs, 2 * m_backoffMs);
    m_sinceFailure.start();
    return opened;
}

Result<void> SharedLimits::run(QSqlQuery &query, const QString &sql)
{
    if (Result<void> connected = connectIfNeeded(); !connected)
        return connected;
    query = QSqlQuery(m_connection.database());
    if (query.exec(sql)) {
        m_backoffMs = 0;
        return {};
    }
    m_lastError = QStringLiteral("The PostgreSQL store %1 did not answer the shared budgets and rate limits (%2).")
                      .arg(m_settings.describe(), query.lastError().text().trimmed());
    qCWarning(lcStore).noquote() << m_lastError;
    query = QSqlQuery();
    // The next call connects again (after the backoff): a server restart or a dropped connection heals by itself.
    m_connection.close();
    m_backoffMs = m_backoffMs == 0 ? FirstBackoffMs : qMin(MaxBackoffMs, 2 * m_backoffMs);
    m_sinceFailure.start();
    return makeError(m_lastError);
}

QString SharedLimits::budgetArrays(const QList<Budget> &budgets) const
{
    QStringList keys;
    QStringList starts;
    QStringList limits;
    QStringList scopes;
    QStringList names;
    // In key order: every gateway creates and locks the budgets' rows in one order, so none waits on another in a
    // cycle.
    QList<Budget> sorted = budgets;
    std::sort(sorted.begin(), sorted.end(), [](const Budget &a, const Budget &b) {
        return std::tie(a.key, a.periodStartMs) < std::tie(b.key, b.periodStartMs);
    });
    for (const Budget &budget : std::as_const(sorted)) {
        keys.append(budget.key);
        starts.append(QString::number(budget.periodStartMs));
        limits.append(PostgresConnection::literal(budget.limitUsd));
        scopes.append(budget.scope);
        names.append(budget.name);
    }
    return textArray(keys)
        + QStringLiteral(", CAST(ARRAY[%1] AS bigint[]), CAST(ARRAY[%2] AS double precision[]), ")
              .arg(starts.join(QLatin1Char(',')), limits.join(QLatin1Char(',')))
        + textArray(scopes) + QStringLiteral(", ") + textArray(names);
}

Result<QList<SharedLimits::BudgetState>> SharedLimits::reserve(const QString &requestId, const QList<Budget> &budgets,
                                                               double usd)
{
    const QString sql
        = QStringLiteral("SELECT r_key, r_spent, r_reserved, r_room FROM sluice_budget_reserve(%1, %2, %3, "
                         "%4, %5)")
              .arg(PostgresConnection::literal(requestId), PostgresConnection::literal(gatewayId()),
                   budgetArrays(budgets), PostgresConnection::literal(qMax(0.0, usd)), QString::number(m_leaseMs));
    QSqlQuery query;
    if (Result<void> ran = run(query, sql); !ran)
        return ran.error();
    QList<BudgetState> states;
    bool admitted = true;
    while (query.next()) {
        BudgetState state;
        state.key = query.value(0).toString();
        state.spentUsd = query.value(1).toDouble();
        state.reservedUsd = query.value(2).toDouble();
        state.room = query.value(3).toBool();
        admitted = admitted && state.room;
        states.append(state);
    }
    if (admitted && !states.isEmpty())
        m_inFlight.insert(requestId);
    return states;
}

Result<QList<SharedLimits::Booking>> SharedLimits::settle(const QString &requestId, const QList<Budget> &budgets,
                                                          double usd)
{
    const QString sql
        = QStringLiteral("SELECT r_key, r_before, r_after FROM sluice_budget_settle(%1, %2, %3)")
              .arg(PostgresConnection::literal(requestId), budgetArrays(budgets), PostgresConnection::literal(usd));
    QSqlQuery query;
    if (Result<void> ran = run(query, sql); !ran) {
        if (m_unsettled.size() < MaxUnsettled)
            m_unsettled.append(Unsettled {requestId, budgets, usd});
        else
            qCWarning(lcStore) << "Too many settlements wait for the PostgreSQL store; request" << requestId
                               << "is not booked against its budgets (its reservation expires with its lease).";
        return ran.error();
    }
    m_inFlight.remove(requestId);
    QList<Booking> bookings;
    while (query.next())
        bookings.append(Booking {query.value(0).toString(), query.value(1).toDouble(), query.value(2).toDouble()});
    return bookings;
}

Result<SharedLimits::RateDecision> SharedLimits::admitRate(const QString &token, int rpm, qint64 tpm, qint64 windowMs)
{
    QSqlQuery query;
    if (Result<void> ran = run(query,
                               QStringLiteral("SELECT r_admitted, r_requests, r_tokens, r_retry_after_ms, "
                                              "r_event FROM sluice_rate_admit(%1, %2, %3, %4)")
                                   .arg(PostgresConnection::literal(token))
                                   .arg(rpm)
                                   .arg(tpm)
                                   .arg(windowMs));
        !ran)
        return ran.error();
    if (!query.next())
        return makeError(QStringLiteral("The PostgreSQL store %1 gave no rate decision.").arg(m_settings.describe()));
    RateDecision decision;
    decision.admitted = query.value(0).toBool();
    decision.requests = query.value(1).toLongLong();
    decision.tokens = query.value(2).toLongLong();
    decision.retryAfterMs = query.value(3).toLongLong();
    decision.event = query.value(4).toLongLong();
    return decision;
}

Result<void> SharedLimits::uncount(qint64 event)
{
    if (event <= 0)
        return {};
    QSqlQuery query;
    return run(query, QStringLiteral("SELECT sluice_rate_uncount(%1)").arg(event));
}

Result<void> SharedLimits::recordTokens(const QString &token, qint64 tokens, qint64 windowMs)
{
    if (tokens <= 0)
        return {};
    QSqlQuery query;
    return run(query,
               QStringLiteral("SELECT sluice_rate_tokens(%1, %2, %3)")
                   .arg(PostgresConnection::literal(token))
                   .arg(tokens)
                   .arg(windowMs));
}

void SharedLimits::maintain()
{
    if (!m_unsettled.isEmpty() && (m_backoffMs == 0 || m_sinceFailure.elapsed() >= m_backoffMs)) {
        QList<Unsettled> waiting = std::exchange(m_unsettled, {});
        for (qsizetype i = 0; i < waiting.size(); ++i) {
            if (Result<QList<Booking>> settled
                = settle(waiting.at(i).requestId, waiting.at(i).budgets, waiting.at(i).usd);
                !settled) {
                // settle() kept this one; the rest wait for the next try as they are.
                m_unsettled.append(waiting.mid(i + 1));
                break;
            }
        }
    }
    if (m_inFlight.isEmpty() || (m_sinceRenewal.isValid() && m_sinceRenewal.elapsed() < m_leaseMs / 3))
        return;
    QSqlQuery query;
    if (run(query,
            QStringLiteral("UPDATE budget_reservations SET expires_at = sluice_now_ms() + %1 WHERE request_id "
                           "= ANY(%2)")
                .arg(m_leaseMs)
                .arg(textArray(m_inFlight.values()))))
        m_sinceRenewal.start();
}

} // namespace sluice
