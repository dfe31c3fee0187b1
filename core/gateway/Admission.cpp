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
    if (const std::optional<RateLimiter::Refusal> refusal = m_rates.check(token, policy.rpm, policy.tpm, nowMs)) {
        decision.admitted = false;
        decision.errorClass = ErrorClass::RateLimited;
        decision.error = CanonicalError::make(429, refusal->message, QStringLiteral("rate_limit_exceeded"));
        decision.retryAfterS = (refusal->retryAfterMs + 999) / 1000;
        decision.error.retryAfterMs = refusal->retryAfterMs;
        return decision;
    }
    QString provider;
    BudgetSubject subject {token, QString(), request.model};
    const double bound = m_ledger.limits().isEmpty() ? -1 : upperBound(request, &provider);
    subject.provider = provider;
    // Free providers are never blocked by a spend budget.
    if (bound >= 0 && m_ledger.applies(subject)) {
        const BudgetLedger::Decision budget = m_ledger.reserve(subject, bound, m_clock->utcNow());
        if (budget.refused) {
            decision.admitted = false;
            decision.errorClass = ErrorClass::BudgetExceeded;
            decision.error = CanonicalError::make(402, budget.message, QStringLiteral("budget_exceeded"));
            return decision;
        }
        decision.warnings = budget.warnings;
        if (budget.reservation)
            m_pending.insert(requestId, Pending {budget.reservation});
    }
    // Counted only once admitted: a request refused by a budget does not use up the token's rate.
    m_rates.countRequest(token, policy.rpm, nowMs);
    return decision;
}

QStringList Admission::settle(RequestRecord &record)
{
    // Priced here only when budgets need the cost now; the record sink prices the records not priced yet.
    if (m_catalog && !m_ledger.limits().isEmpty())
        priceRecord(record, *m_catalog, m_config);
    const qint64 tokens = qMax<qint64>(0, record.inputTokens) + qMax<qint64>(0, record.outputTokens);
    if (!record.tokenName.isEmpty())
        m_rates.recordTokens(record.tokenName, tokens, m_clock->nowMs());
    const Pending pending = m_pending.take(record.id);
    if (m_ledger.limits().isEmpty() && !pending.reservation)
        return {};
    const double usd = !m_catalog || record.costStatus == QLatin1String(CostStatus::Free) ? 0 : record.costUsd;
    return m_ledger.settle(pending.reservation,
                           BudgetSubject {record.tokenName, record.provider, record.requestedModel}, usd,
                           m_clock->utcNow());
}

} // namespace sluice
