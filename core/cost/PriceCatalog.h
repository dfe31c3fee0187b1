#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTime>
#include <QUrl>

#include "common/Result.h"
#include "cost/MatchRule.h"
#include "cost/ModelPrice.h"

namespace sluice {

struct Config;

// When a conditional price applies: from a date on, or during a daily interval (off-peak prices), both in UTC.
struct PriceCondition
{
    QDate startDate;
    QTime startTime; // with endTime: [startTime, endTime), wrapping past midnight when startTime > endTime
    QTime endTime;

    bool isAlways() const { return !startDate.isValid() && !startTime.isValid(); }
    bool isActiveAt(const QDateTime &when) const;
    QString describe() const;
};

struct CatalogModel
{
    struct Conditional
    {
        PriceCondition condition;
        ModelPrice price;
    };

    QString id;
    QString name;
    MatchRule match;
    qint64 contextWindow = -1;
    QList<Conditional> prices; // in file order: the last one active applies, else the first

    ModelPrice priceAt(const QDateTime &when) const;
};

struct CatalogProvider
{
    QString id; // e.g. "openai"
    QString name; // e.g. "OpenAI"
    QRegularExpression apiPattern; // matched at the start of the upstream base URL
    std::optional<MatchRule> modelMatch; // names of models this provider makes
    std::optional<MatchRule> providerMatch; // names people give this provider
    QStringList fallbackProviders; // ids searched when this provider lacks the model (Azure serves OpenAI's)
    QList<CatalogModel> models;
};

// Where a request's price comes from.
struct PriceMatch
{
    QString providerId; // catalog provider id; empty for a config override
    QString modelId; // catalog model id, or the override's model pattern
    QString modelName;
    ModelPrice price; // the price in force at the time asked
    QString origin; // e.g. "price catalog 2026-08-21" or "sluice.yaml:42 (prices.overrides)"
    QList<CatalogModel::Conditional> schedule; // every conditional price, when the price depends on date or time
};

// The price list: genai-prices data (providers, their models' match rules and prices), loaded from the copy
// built into the binary or from a newer file installed with `sluice prices update`. Immutable once loaded, so one
// catalog can be shared by every thread.
class PriceCatalog
{
public:
    PriceCatalog() = default;

    // A genai-prices data.json; sourceName names it in error messages.
    static Result<PriceCatalog> fromJson(const QByteArray &json, const QString &sourceName);
    // A data.json file, dated by the VERSION file beside it if there is one, else by its modification date.
    static Result<PriceCatalog> fromFile(const QString &path);
    // The copy compiled into the binary (resources/prices).
    static Result<PriceCatalog> builtIn();
    // The catalog installed in dataDir when there is a valid one, else the built-in one. A broken installed file
    // is reported in warning (and the log) rather than failing start-up.
    static PriceCatalog load(const QString &dataDir, QString *warning = nullptr);
    // Validates file and installs it as dataDir's catalog (replacing any installed before), dated today.
    static Result<PriceCatalog> install(const QString &file, const QString &dataDir,
                                        const QDate &today = QDate::currentDate());
    // As install(), for data already read (a download): sourceName names it in errors, sourceLabel in VERSION.
    static Result<PriceCatalog> installData(const QByteArray &json, const QString &sourceName,
                                            const QString &sourceLabel, const QString &dataDir,
                                            const QDate &today = QDate::currentDate());
    static QString installedPath(const QString &dataDir);

    QDate date() const { return m_date; }
    QString version() const { return m_version; } // e.g. "2026-08-21 genai-prices 47df840a..."
    QString origin() const { return m_origin; } // "built in" or the file it was read from
    bool isEmpty() const { return m_providers.isEmpty(); }
    const QList<CatalogProvider> &providers() const { return m_providers; }
    qsizetype modelCount() const;
    const CatalogProvider *provider(const QString &id) const;

    // The catalog provider behind a configured provider: by its base URL (api_pattern) first, then by its name
    // (a provider id, or a provider_match rule), then by its adapter type unless that is the generic "openai"
    // (any OpenAI-compatible API). Null when none tells.
    const CatalogProvider *providerFor(const QString &providerName, const QUrl &baseUrl,
                                       const QString &providerType = QString()) const;
    // The price of model (the name sent upstream) at `when`, from the provider found by providerFor; when that
    // finds none, or found it by name or type only and lacks the model, from the first provider whose
    // model_match rule claims the name. Nullopt: unpriced.
    std::optional<PriceMatch> find(const QString &providerName, const QUrl &baseUrl, const QString &model,
                                   const QDateTime &when, const QString &providerType = QString()) const;
    // As above, with the config's price overrides first: the first whose model and provider match wins.
    std::optional<PriceMatch> find(const Config &config, const QString &providerName, const QString &model,
                                   const QDateTime &when) const;

private:
    const CatalogProvider *providerByUrl(const QUrl &baseUrl) const;
    const CatalogProvider *providerByName(const QString &providerName) const;
    // model is lower-cased.
    const CatalogModel *findModel(const CatalogProvider &provider, const QString &model, const CatalogProvider **owner,
                                  int depth = 0) const;
    PriceMatch matchOf(const CatalogProvider &provider, const CatalogModel &model, const QDateTime &when) const;

    // Where a model's price was found: indexes into m_providers and that provider's models (-1: unpriced).
    struct ModelAt
    {
        qsizetype provider = -1;
        qsizetype model = -1;
    };
    // The base URL is compared and hashed as a QUrl: building its string for a key costs more than the lookup.
    struct ModelKey
    {
        QString provider;
        QString type;
        QUrl baseUrl;
        QString model; // trimmed and lower-cased
        bool operator==(const ModelKey &other) const = default;
        friend size_t qHash(const ModelKey &key, size_t seed = 0)
        {
            return qHashMulti(seed, key.provider, key.type, key.baseUrl, key.model);
        }
    };
    // Base URL -> index in m_providers (-1: none), as matching runs one regular expression per provider and the
    // gateway prices every request; and (provider, type, URL, model) -> where find() found the model, as matching
    // a model runs the rules of every model of a provider (and of every provider for an unknown one). Thread-safe;
    // a copied catalog starts with empty caches. byModel is emptied when it reaches MaxCachedModels entries.
    struct UrlMatches
    {
        UrlMatches() = default;
        UrlMatches(const UrlMatches &) { }
        UrlMatches &operator=(const UrlMatches &)
        {
            QMutexLocker lock(&mutex);
            byUrl.clear();
            byModel.clear();
            return *this;
        }
        QMutex mutex;
        QHash<QString, qsizetype> byUrl;
        QHash<ModelKey, ModelAt> byModel;
    };
    static constexpr qsizetype MaxCachedModels = 4096;
    // find() without the cache: the model and (in owner) the provider whose entry prices it; null: unpriced.
    const CatalogModel *findUncached(const QString &providerName, const QUrl &baseUrl, const QString &name,
                                     const QString &providerType, const CatalogProvider **owner) const;

    QList<CatalogProvider> m_providers;
    mutable UrlMatches m_urlMatches;
    QDate m_date;
    QString m_version;
    QString m_origin;
};

} // namespace sluice
