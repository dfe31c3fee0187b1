#pragma once

#include <memory>

#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include "api/CanonicalError.h"
#include "common/RequestRecord.h"
#include "common/Result.h"
#include "config/Config.h"
#include "cost/BudgetLedger.h"
#include "gateway/RateLimiter.h"
#include "store/StoredToken.h"

namespace sluice {

class Clock;
class PriceCatalog;
class SharedLimits;
struct ClientRequest;

// What a gateway token may do: its models and rate limits (from the config or the database).
struct TokenPolicy
{
    QStringList models; // empty: every model
    int rpm = 0;
    qint64 tpm = 0;
};

// The policy stage after authentication (docs/costs.md): allowed models (403), RPM/TPM rate limits (429 with
// Retry-After) and spend budgets (402 naming the budget and when it resets). An admitted request reserves an
// upper bound of its cost against its budgets; settle() releases it and books the real cost once the request ends.
// With shared limits (a PostgreSQL store, docs/team.md) budgets and rate windows are kept in the database for every
// gateway on it; the local ledger then only knows the limits. Runs on the gateway thread.
class Admission
{
public:
    struct Decision
    {
        bool admitted = true;
        CanonicalError error; // when refused
        const char *errorClass = ErrorClass::None;
        qint64 retryAfterS = -1; // rate limits: for the Retry-After header
        QStringList warnings; // budgets past their soft threshold: x-sluice-budget-warning
    };

    Admission(const Config &config, std::shared_ptr<const Clock> clock = nullptr);
    ~Admission();

    void setPriceCatalog(std::shared_ptr<const PriceCatalog> catalog) { m_catalog = std::move(catalog); }
    // The tokens of the database, beside the config's: their policies and budgets replace the previous ones.
    // Budgets new to the ledger take their spend so far from the request log through db when it is open.
    void setStoredTokens(const QList<StoredToken> &tokens, const QSqlDatabase &db = {});

    Decision admit(const QString &requestId, const QString &token, const ClientRequest &request);
    // Whether the token's allowed models include model (for listings).
    bool mayUse(const QString &token, const QString &model) const;
    // Prices the finished record (when budgets are set and a price catalog is), releases its reservation and books
    // its cost and tokens. Returns the soft-threshold messages this request's cost crossed.
    QStringList settle(RequestRecord &record);

    BudgetLedger &ledger() { return m_ledger; }

    // Budgets and RPM/TPM limits from now on kept in shared (null: in this object's memory).
    void setSharedLimits(std::unique_ptr<SharedLimits> shared);
    SharedLimits *sharedLimits() const { return m_shared.get(); }
    // Renews shared reservations' leases and retries failed settlements; about once a second.
    void maintain();

private:
    struct Pending
    {
        quint64 reservation = 0;
        bool shared = false; // reserved in the shared store
    };
    Decision admitShared(const QString &requestId, const BudgetSubject &subject, double bound);
    void loadSpend(const QList<qsizetype> &indexes, const QSqlDatabase &db);
    // Upper bound in USD of what the request can cost on its model's deployments; -1 when every deployment is free.
    double upperBound(const ClientRequest &request, QString *provider) const;

    Config m_config;
    std::shared_ptr<const Clock> m_clock;
    std::shared_ptr<const PriceCatalog> m_catalog;
    QHash<QString, TokenPolicy> m_configPolicies;
    QHash<QString, TokenPolicy> m_policies;
    RateLimiter m_rates;
    BudgetLedger m_ledger;
    QHash<QString, Pending> m_pending; // by request id
    std::unique_ptr<SharedLimits> m_shared;
};

} // namespace sluice
