#pragma once

#include <optional>

#include <QDateTime>
#include <QList>
#include <QString>

#include "common/Result.h"
#include "cost/ModelPrice.h"
#include "store/StoreConnection.h"

class QSqlQuery;

namespace sluice {

class PriceCatalog;
struct Config;

// The model logged traffic is repriced on: a configured model name or a price catalog model, with the price used.
struct WhatIfTarget
{
    QString model; // as the user named it
    QString label; // e.g. "gpt-4.1 (OpenAI, price catalog 2026-08-21)"
    QString family; // the catalog provider that makes it ("openai", "anthropic", "google"...); empty: unknown
    ModelPrice price;
    bool free = false; // served by a provider configured free: every repriceable request costs $0

    // The model as a configured model name (its first deployment's provider and upstream model, the config's
    // price overrides first) or else as a model of the price catalog, priced as at `when`. An error names what to
    // fix when neither knows it.
    static Result<WhatIfTarget> resolve(const Config &config, const PriceCatalog &catalog, const QString &model,
                                        const QDateTime &when);
    // The targets a user can pick: the configured model names first, then every catalog model (by id), deduplicated.
    static QStringList choices(const Config &config, const PriceCatalog &catalog);
};

// Which requests to reprice; empty fields do not filter. Values match as `sluice spend --by` shows them ('' is
// none: no client recognised, no tags).
struct WhatIfFilter
{
    std::optional<QString> client;
    std::optional<QString> tag; // requests carrying this tag ('' : untagged ones)
    std::optional<QString> model; // the model that answered (the upstream model, else the one asked for)
    std::optional<QString> token;
    std::optional<QString> project;

    bool isEmpty() const { return !client && !tag && !model && !token && !project; }
    QString describe() const; // "client = Claude Code, tag = nightly"
};

// What grouped requests cost and what they would have cost on the target. Only requests that can be priced both
// ways are compared; the others are counted apart, never as $0.
struct WhatIfLine
{
    QString name; // the group's value ('' : none); "Total" for the total
    qint64 requests = 0; // every request of the group
    qint64 compared = 0; // requests priced both ways: the ones actualUsd and whatIfUsd cover
    qint64 inputTokens = 0; // of the compared requests; every prompt token, cached and cache-write ones included
    qint64 cachedTokens = 0;
    qint64 cacheWriteTokens = 0;
    qint64 outputTokens = 0; // reasoning included
    qint64 reasoningTokens = 0;
    double actualUsd = 0; // what the compared requests cost as logged
    double whatIfUsd = 0; // what the same token counts cost at the target's prices
    qint64 estimated = 0; // compared requests whose logged cost is itself an estimate (cut streams)
    qint64 unpricedActual = 0; // requests with no logged price: repriced, but not compared
    double unpricedActualWhatIfUsd = 0; // what those would cost on the target
    qint64 noTokenCounts = 0; // billed requests whose provider reported no token counts: cannot be repriced
    qint64 missingTargetPrice = 0; // requests with tokens of a kind the target has no price for
    qint64 cacheHits = 0; // answered from Sluice's response cache: $0 either way, not compared
    std::optional<bool> sameTokenizerFamily; // by-model lines: whether the target is of the same model family

    double differenceUsd() const { return whatIfUsd - actualUsd; }
    // whatIf / actual; nullopt when nothing was paid (free or unbilled requests only).
    std::optional<double> ratio() const;
    qint64 notRepriced() const { return noTokenCounts + missingTargetPrice; }
};

// What repricing groups by (`sluice compare --reprice --by`).
enum class WhatIfGrouping { None, Client, Model, Tag };

struct WhatIfReport
{
    WhatIfTarget target;
    QDateTime from; // inclusive, UTC
    QDateTime to; // exclusive, UTC
    WhatIfGrouping by = WhatIfGrouping::None;
    WhatIfFilter filter;
    QList<WhatIfLine> lines; // most expensive (actual) first; empty without grouping
    WhatIfLine total; // every request once (a request with two tags counts under each tag, once here)

    // The estimate's caveat: token counts come from the providers that answered; another family's tokenizer
    // counts the same text differently. Mentions the families involved when known.
    QString tokenizerNote() const;
};

// Reprices logged traffic on another model from the stored token counts (input, cache reads, cache writes,
// output) and the target's prices, request by request, so long-context tiers (a rate chosen by each request's
// input size) and per-request prices apply as the provider would bill them. An estimate: see tokenizerNote().
// Reads a SQLite log or a team's PostgreSQL database with the same SQL. Read-only connection of its own; use it
// from one thread.
class WhatIfCost
{
public:
    explicit WhatIfCost(const StoreLocation &store);

    Result<void> open();
    // catalog, when given, tells by-model lines whether their model is of the target's family.
    Result<WhatIfReport> compute(const WhatIfTarget &target, WhatIfGrouping by, const QDateTime &from,
                                 const QDateTime &to, const WhatIfFilter &filter = {},
                                 const PriceCatalog *catalog = nullptr);

    static QString nameOf(WhatIfGrouping by); // "client", "model", "tag"; "" for None
    static std::optional<WhatIfGrouping> fromName(const QString &name);

    // Off: every query reads the request rows (tests check both ways agree).
    void setRollupEnabled(bool enabled);

    // The family (catalog provider id) of a model name, from the catalog's model rules; empty when unknown.
    static QString familyOf(const PriceCatalog &catalog, const QString &model, const QDateTime &when);

private:
    Result<QList<WhatIfLine>> query(const WhatIfTarget &target, WhatIfGrouping by, qint64 fromMs, qint64 toMs,
                                    const WhatIfFilter &filter);

    Error readError(QSqlQuery &query);

    StoreLocation m_store;
    QString m_databasePath; // for messages: the file, or the PostgreSQL URL without a password
    StoreConnection m_connection;
    bool m_rollupEnabled = true;
};

} // namespace sluice
