#include "Admission.h"

#include <cmath>
#include <limits>

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include "common/WholeNumber.h"
#include "cost/PriceCatalog.h"
#include "cost/RequestCost.h"
#include "gateway/ProxyExchange.h"
#include "routing/SteadyClock.h"
#include "store/SharedLimits.h"

namespace sluice {

namespace {
Q_LOGGING_CATEGORY(lcAdmission, "sluice.admission")

// The output tokens a request may generate, as the client limited them; -1 when it did not say.
qint64 requestedMaxTokens(const ClientRequest &request)
{
    if (request.canonical && request.canonical->maxTokens)
        return *request.canonical->maxTokens;
    if (request.canonical)
        return -1;
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    for (const auto key :
         {QLatin1String("max_completion_tokens"), QLatin1String("max_tokens"), QLatin1String("max_output_tokens")}) {
        if (const QJsonValue value = body.value(key); value.isDouble() && value.toDouble() > 0)
            return wholeNumber(value.toDouble()).value_or(std::numeric_limits<qint64>::max()); // 1e20: no limit
    }
    return -1;
}
QString scopeName(BudgetLimit::Scope scope)
{
    switch (scope) {
    case BudgetLimit::Scope::Overall:
        return QStringLiteral("overall");
    case BudgetLimit::Scope::Token:
        return QStringLiteral("token");
    case BudgetLimit::Scope::Provider:
        return QStringLiteral("provider");
    case BudgetLimit::Scope::Model:
        break;
    }
    return QStringLiteral("model");
}

QString sharedKey(const BudgetLimit &limit)
{
    return scopeName(limit.scope) + QLatin1Char('/') + BudgetLedger::periodName(limit.period) + QLatin1Char('/')
        + limit.name;
}

// The budgets of limits as the shared store keeps them: one per scope, name and period (a config budget and a
// token's budget of the same period share their spend, as in the local ledger), each with its lowest limit.
QList<BudgetLimit> distinctBudgets(const QList<BudgetLimit> &limits)
{
    QList<BudgetLimit> distinct;
    for (const BudgetLimit &limit : limits) {
        const auto same = std::find_if(distinct.begin(), distinct.end(),
                                       [&](const BudgetLimit &other) { return sharedKey(other) == sharedKey(limit); });
        if (same == distinct.end())
            distinct.append(limit);
        else if (limit.limitUsd < same->limitUsd)
            same->limitUsd = limit.limitUsd;
    }
    return distinct;
}

QList<SharedLimits::Budget> sharedBudgets(const QList<BudgetLimit> &limits, const QDateTime &now)
{
    QList<SharedLimits::Budget> budgets;
    for (const BudgetLimit &limit : limits) {
        budgets.append(SharedLimits::Budget {sharedKey(limit),
                                             BudgetLedger::periodStart(limit.period, now).toMSecsSinceEpoch(),
                                             limit.limitUsd, scopeName(limit.scope), limit.name});
    }
    return budgets;
}

const BudgetLimit *limitWithKey(const QList<BudgetLimit> &limits, const QString &key)
{
    for (const BudgetLimit &limit : limits) {
        if (sharedKey(limit) == key)
            return &limit;
    }
    return nullptr;
}

} // namespace

Admission::Admission(const Config &config, std::shared_ptr<const Clock> clock)
    : m_config(config)
    , m_clock(clock ? std::move(clock) : std::make_shared<SteadyClock>())
{
    for (const GatewayToken &token : config.tokens)
        m_configPolicies.insert(token.name, TokenPolicy {token.models, token.rpm, token.tpm});
    setStoredTokens({});
}

Admission::~Admission() = default;

void Admission::setSharedLimits(std::unique_ptr<SharedLimits> shared)
{
    m_shared = std::move(shared);
}

void Admission::maintain()
{
    if (m_shared)
        m_shared->maintain();
}

void Admission::setStoredTokens(const QList<StoredToken> &tokens, const QSqlDatabase &db)
{
    m_policies = m_configPolicies;
    QList<BudgetLimit> limits = m_config.budgets.limits;
    for (const StoredToken &token : tokens) {
        m_policies.insert(token.name, TokenPolicy {token.models, token.rpm, token.tpm});
        const std::pair<BudgetPeriod, double> budgets[] = {{BudgetPeriod::Daily, token.dailyUsd},
                                                           {BudgetPeriod::Weekly, token.weeklyUsd},
                                                           {BudgetPeriod::Monthly, token.monthlyUsd}};
        for (const auto &[period, usd] : budgets) {
            if (usd <= 0)
                continue;
            BudgetLimit limit;
            limit.scope = BudgetLimit::Scope::Token;
            limit.name = token.name;
            limit.period = period;
            limit.limitUsd = usd;
            limits.append(limit);
        }
    }
    const QList<qsizetype> added = m_ledger.setLimits(limits, m_config.budgets.softFraction);
    if (db.isOpen())
        loadSpend(added, db);
}

void Admission::loadSpend(const QList<qsizetype> &indexes, const QSqlDatabase &db)
{
    const QDateTime now = m_clock->utcNow();
    for (const qsizetype index : indexes) {
        const BudgetLimit &limit = m_ledger.limits().at(index);
        QString filter;
        switch (limit.scope) {
        case BudgetLimit::Scope::Overall:
            break;
        case BudgetLimit::Scope::Token:
            filter = QStringLiteral(" AND token_name = :name");
            break;
        case BudgetLimit::Scope::Provider:
            filter = QStringLiteral(" AND provider = :name");
            break;
        case BudgetLimit::Scope::Model:
            filter = QStringLiteral(" AND requested_model = :name");
            break;
        }
        QSqlQuery query(db);
        query.prepare(QStringLiteral("SELECT COALESCE(SUM(cost_usd), 0) FROM requests WHERE started_at >= :from AND "
                                     "cost_usd > 0")
                      + filter);
        query.bindValue(QStringLiteral(":from"), BudgetLedger::periodStart(limit.period, now).toMSecsSinceEpoch());
        if (!filter.isEmpty())
            query.bindValue(QStringLiteral(":name"), limit.name);
        if (!query.exec() || !query.next()) {
            qCWarning(lcAdmission) << "Cannot read the spend of" << BudgetLedger::describe(limit)
                                   << "from the request log:" << query.lastError().text();
            continue;
        }
        m_ledger.setSpent(index, query.value(0).toDouble(), now);
    }
}

double Admission::upperBound(const ClientRequest &request, QString *provider) const
{
    const ModelRoute *route = m_config.model(request.model);
    if (!route)
        return 0;
    QList<ModelDeployment> deployments = route->deployments;
    if (deployments.isEmpty()) {
        ModelDeployment only;
        only.provider = route->provider;
        only.upstreamModel = route->upstreamModel.isEmpty() ? route->name : route->upstreamModel;
        deployments.append(only);
    }
    *provider = deployments.first().provider;
    const qint64 inputTokens = (request.body.size() + EstimatedCharsPerToken - 1) / EstimatedCharsPerToken;
    qint64 outputTokens = requestedMaxTokens(request);
    if (outputTokens <= 0)
        outputTokens = m_config.budgets.defaultMaxOutputTokens;
    const QDateTime now = m_clock->utcNow();
    double bound = -1;
    for (const ModelDeployment &deployment : std::as_const(deployments)) {
        const ProviderConfig *config = m_config.provider(deployment.provider);
        if (config && config->free)
            continue;
        bound = qMax(bound, 0.0);
        const std::optional<PriceMatch> match
            = m_catalog ? m_catalog->find(m_config, deployment.provider, deployment.upstreamModel, now) : std::nullopt;
        if (!match)
            continue; // unpriced: allowed, and counted as unknown (docs/costs.md)
        const ModelPrice &price = match->price;
        const double input = price.input.isSet() ? price.input.rateFor(inputTokens) : 0;
        const double output = price.output.isSet() ? price.output.rateFor(inputTokens) : 0;
        bound = qMax(bound, (double(inputTokens) * input + double(outputTokens) * output) / 1e6);
    }
    return bound;
}

bool Admission::mayUse(const QString &token, const QString &model) const
{
    const auto policy = m_policies.constFind(token);
    return policy == m_policies.cend() || policy->models.isEmpty() || policy->models.contains(model);
}

Admission::Decision Admission::admit(const QString &requestId, const QString &token, const ClientRequest &request)
{
    Decision decision;
    const TokenPolicy policy = m_policies.value(token);
    if (!policy.models.isEmpty() && !policy.models.contains(request.model)) {
        decision.admitted = false;
        decision.errorClass = ErrorClass::Forbidden;
        decision.error = CanonicalError::make(403,
                                              QStringLiteral("Gateway token '%1' may not use model '%2'; it may use: "
                                                             "%3.")
                                                  .arg(token, request.model, policy.models.join(QStringLiteral(", "))),
                                              QStringLiteral("model_not_allowed"));
        decision.error.param = QStringLiteral("model");
        return decision;
    }
    const qint64 nowMs = m_clock->nowMs();
    const auto refuseRate = [&decision](const QString &message, qint64 retryAfterMs) {
        decision.admitted = false;
        decision.errorClass = ErrorClass::RateLimited;
        decision.error = CanonicalError::make(429, message, QStringLiteral("rate_limit_exceeded"));
        decision.retryAfterS = (retryAfterMs + 999) / 1000;
        decision.error.retryAfterMs = retryAfterMs;
        return decision;
    };
    // With a shared store the window is every gateway's; when the store does not answer, this gateway's own window
    // limits it meanwhile (docs/team.md).
    bool countLocally = true;
    qint64 sharedEvent = 0;
    if (m_shared && (policy.rpm > 0 || policy.tpm > 0)) {
        if (const Result<SharedLimits::RateDecision> shared
            = m_shared->admitRate(token, policy.rpm, policy.tpm, RateLimiter::WindowMs)) {
            countLocally = false;
            sharedEvent = shared->event;
            if (!shared->admitted && policy.rpm > 0 && shared->requests >= policy.rpm)
                return refuseRate(RateLimiter::rpmMessage(token, policy.rpm), shared->retryAfterMs);
            if (!shared->admitted)
                return refuseRate(RateLimiter::tpmMessage(token, policy.tpm, shared->tokens), shared->retryAfterMs);
        }
    }
    if (countLocally) {
        if (const std::optional<RateLimiter::Refusal> refusal = m_rates.check(token, policy.rpm, policy.tpm, nowMs))
            return refuseRate(refusal->message, refusal->retryAfterMs);
    }
    QString provider;
    BudgetSubject subject {token, QString(), request.model};
    const double bound = m_ledger.limits().isEmpty() ? -1 : upperBound(request, &provider);
    subject.provider = provider;
    // Free providers are never blocked by a spend budget.
    if (bound >= 0 && m_shared && m_ledger.applies(subject)) {
        const Decision shared = admitShared(requestId, subject, bound);
        if (!shared.admitted) {
            // A request refused by a budget does not use up the token's rate on any gateway.
            if (sharedEvent)
                (void)m_shared->uncount(sharedEvent);
            return shared;
        }
        decision.warnings = shared.warnings;
    } else if (bound >= 0 && m_ledger.applies(subject)) {
        const BudgetLedger::Decision budget = m_ledger.reserve(subject, bound, m_clock->utcNow());
        if (budget.refused) {
            decision.admitted = false;
            decision.errorClass = ErrorClass::BudgetExceeded;
            decision.error = CanonicalError::make(402, budget.message, QStringLiteral("budget_exceeded"));
            return decision;
        }
        decision.warnings = budget.warnings;
        if (budget.reservation)
            m_pending.insert(requestId, Pending {budget.reservation, false});
    }
    // Counted only once admitted: a request refused by a budget does not use up the token's rate.
    if (countLocally)
        m_rates.countRequest(token, policy.rpm, nowMs);
    return decision;
}

Admission::Decision Admission::admitShared(const QString &requestId, const BudgetSubject &subject, double bound)
{
    Decision decision;
    const QDateTime now = m_clock->utcNow();
    const QList<BudgetLimit> limits = distinctBudgets(m_ledger.matching(subject));
    const Result<QList<SharedLimits::BudgetState>> states
        = m_shared->reserve(requestId, sharedBudgets(limits, now), bound);
    if (!states) {
        // Fail closed: a hard limit that cannot be checked is not spent past (docs/team.md).
        decision.admitted = false;
        decision.errorClass = ErrorClass::Internal;
        decision.retryAfterS = 5;
        decision.error = CanonicalError::make(
            503,
            // The database's address stays in the gateway's log: the client is told what happened, not where.
            QStringLiteral("Sluice refused the request: it falls under a spend budget shared with the other gateways, "
                           "and the PostgreSQL store that keeps it cannot be reached, so the budget cannot be "
                           "checked. Requests without a budget are still served; retry when the database answers."),
            QStringLiteral("budget_store_unavailable"));
        decision.error.retryAfterMs = 5000;
        return decision;
    }
    for (const SharedLimits::BudgetState &state : *states) {
        const BudgetLimit *limit = limitWithKey(limits, state.key);
        if (!limit || state.room)
            continue;
        const QDateTime resetsAt = BudgetLedger::periodEnd(limit->period, now);
        decision.admitted = false;
        decision.errorClass = ErrorClass::BudgetExceeded;
        decision.error = CanonicalError::make(
            402,
            QStringLiteral("Sluice refused the request: %1 is used up (%2 spent, %3 reserved by requests in flight on "
                           "every gateway). It resets at %4 UTC.")
                .arg(BudgetLedger::describe(*limit), formatUsd(state.spentUsd), formatUsd(state.reservedUsd),
                     resetsAt.toString(QStringLiteral("yyyy-MM-dd HH:mm"))),
            QStringLiteral("budget_exceeded"));
        return decision;
    }
    for (const SharedLimits::BudgetState &state : *states) {
        const BudgetLimit *limit = limitWithKey(limits, state.key);
        if (limit && state.spentUsd >= m_ledger.softFraction(*limit) * limit->limitUsd) {
            decision.warnings.append(QStringLiteral("%1: %2 spent, resets %3 UTC")
                                         .arg(BudgetLedger::describe(*limit), formatUsd(state.spentUsd),
                                              BudgetLedger::periodEnd(limit->period, now).toString(Qt::ISODate)));
        }
    }
    m_pending.insert(requestId, Pending {0, true});
    return decision;
}

QStringList Admission::settle(RequestRecord &record)
{
    // Priced here only when budgets need the cost now; the record sink prices the records not priced yet.
    if (m_catalog && !m_ledger.limits().isEmpty())
        priceRecord(record, *m_catalog, m_config);
    const qint64 tokens = qMax<qint64>(0, record.inputTokens) + qMax<qint64>(0, record.outputTokens);
    if (!record.tokenName.isEmpty()) {
        const qint64 tpm = m_policies.value(record.tokenName).tpm;
        if (!m_shared || tpm <= 0 || !m_shared->recordTokens(record.tokenName, tokens, RateLimiter::WindowMs))
            m_rates.recordTokens(record.tokenName, tokens, m_clock->nowMs());
    }
    const Pending pending = m_pending.take(record.id);
    if (m_ledger.limits().isEmpty() && !pending.reservation && !pending.shared)
        return {};
    const double usd = !m_catalog || record.costStatus == QLatin1String(CostStatus::Free) ? 0 : record.costUsd;
    if (m_shared) {
        const BudgetSubject actual {record.tokenName, record.provider, record.requestedModel};
        const QDateTime now = m_clock->utcNow();
        // This gateway's own view (metrics) goes on counting what it served; the decisions are the store's.
        m_ledger.settle(0, actual, usd, now);
        const QList<BudgetLimit> limits = usd > 0 ? distinctBudgets(m_ledger.matching(actual)) : QList<BudgetLimit>();
        if (!pending.shared && limits.isEmpty())
            return {};
        const Result<QList<SharedLimits::Booking>> booked
            = m_shared->settle(record.id, sharedBudgets(limits, now), qMax(0.0, usd));
        QStringList crossed;
        for (const SharedLimits::Booking &booking : booked ? *booked : QList<SharedLimits::Booking>()) {
            const BudgetLimit *limit = limitWithKey(limits, booking.key);
            if (!limit)
                continue;
            // Exactly one settlement crosses the threshold, on whichever gateway made it.
            const double threshold = m_ledger.softFraction(*limit) * limit->limitUsd;
            if (booking.spentBeforeUsd < threshold && booking.spentAfterUsd >= threshold) {
                crossed.append(
                    QStringLiteral("%1 of %2 is spent (%3); it resets at %4 UTC.")
                        .arg(formatUsd(booking.spentAfterUsd), BudgetLedger::describe(*limit),
                             QString::number(qRound(100 * booking.spentAfterUsd / limit->limitUsd)) + QLatin1Char('%'),
                             BudgetLedger::periodEnd(limit->period, now).toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
            }
        }
        return crossed;
    }
    return m_ledger.settle(pending.reservation,
                           BudgetSubject {record.tokenName, record.provider, record.requestedModel}, usd,
                           m_clock->utcNow());
}

} // namespace sluice
