#include "PriceCatalog.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTimeZone>

#include "config/Config.h"
#include "cost/CostLogging.h"

namespace sluice {

namespace {

constexpr qint64 MaxCatalogBytes = 64LL * 1024 * 1024;
const QString BuiltInData = QStringLiteral(":/prices/data.json");
const QString BuiltInVersion = QStringLiteral(":/prices/VERSION");
constexpr int MaxFallbackDepth = 4;

QString indexed(const QString &path, qsizetype index)
{
    return path + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

Result<QString> text(const QJsonObject &object, QLatin1String key, const QString &path, bool required)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() && !required)
        return QString();
    if (!value.isString() || (required && value.toString().trimmed().isEmpty()))
        return makeError(QStringLiteral("%1.%2: expected non-empty text").arg(path, key));
    return value.toString();
}

// "00:30:00Z", "16:30", "08:00:00+08:00": a time of day, converted to UTC.
std::optional<QTime> utcTime(const QString &value)
{
    QString clock = value.trimmed();
    int offsetSeconds = 0;
    if (clock.endsWith(QLatin1Char('Z'), Qt::CaseInsensitive)) {
        clock.chop(1);
    } else if (clock.size() > 6
               && (clock.at(clock.size() - 6) == QLatin1Char('+') || clock.at(clock.size() - 6) == QLatin1Char('-'))) {
        const QTime offset = QTime::fromString(clock.right(5), QStringLiteral("HH:mm"));
        if (!offset.isValid())
            return std::nullopt;
        offsetSeconds = (offset.hour() * 60 + offset.minute()) * 60;
        if (clock.at(clock.size() - 6) == QLatin1Char('-'))
            offsetSeconds = -offsetSeconds;
        clock.chop(6);
    }
    QTime time = QTime::fromString(clock, QStringLiteral("HH:mm:ss"));
    if (!time.isValid())
        time = QTime::fromString(clock, QStringLiteral("HH:mm"));
    if (!time.isValid())
        return std::nullopt;
    return time.addSecs(-offsetSeconds);
}

Result<PriceCondition> parseCondition(const QJsonValue &value, const QString &path)
{
    PriceCondition condition;
    if (value.isUndefined() || value.isNull())
        return condition;
    const QJsonObject object = value.toObject();
    if (object.contains(QLatin1String("start_date")) && object.size() == 1) {
        condition.startDate = QDate::fromString(object.value(QLatin1String("start_date")).toString(), Qt::ISODate);
        if (!condition.startDate.isValid())
            return makeError(QStringLiteral("%1.start_date: expected a date such as \"2025-06-10\"").arg(path));
        return condition;
    }
    if (object.contains(QLatin1String("start_time")) && object.contains(QLatin1String("end_time"))
        && object.size() == 2) {
        const std::optional<QTime> start = utcTime(object.value(QLatin1String("start_time")).toString());
        const std::optional<QTime> end = utcTime(object.value(QLatin1String("end_time")).toString());
        if (!start || !end || *start == *end)
            return makeError(QStringLiteral("%1: expected start_time and end_time such as \"00:30:00Z\"").arg(path));
        condition.startTime = *start;
        condition.endTime = *end;
        return condition;
    }
    return makeError(
        QStringLiteral("%1: expected {\"start_date\": ...} or {\"start_time\": ..., \"end_time\": ...}").arg(path));
}

Result<CatalogModel> parseModel(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return makeError(QStringLiteral("%1: expected a model object").arg(path));
    const QJsonObject object = value.toObject();
    CatalogModel model;
    Result<QString> id = text(object, QLatin1String("id"), path, true);
    if (!id)
        return id.error();
    model.id = *id;
    Result<QString> name = text(object, QLatin1String("name"), path, false);
    if (!name)
        return name.error();
    model.name = name->isEmpty() ? model.id : *name;
    if (!object.contains(QLatin1String("match")))
        return makeError(QStringLiteral("%1 (%2): 'match' is missing").arg(path, model.id));
    Result<MatchRule> match
        = MatchRule::fromJson(object.value(QLatin1String("match")), path + QStringLiteral(".match"));
    if (!match)
        return match.error();
    model.match = std::move(match).value();
    const QJsonValue window = object.value(QLatin1String("context_window"));
    if (window.isDouble())
        model.contextWindow = qint64(window.toDouble());
    const QJsonValue prices = object.value(QLatin1String("prices"));
    const QString pricesPath = path + QStringLiteral(".prices");
    if (prices.isObject()) {
        Result<ModelPrice> price = ModelPrice::fromJson(prices, pricesPath);
        if (!price)
            return price.error();
        model.prices.append({PriceCondition(), std::move(price).value()});
    } else if (prices.isArray() && !prices.toArray().isEmpty()) {
        const QJsonArray list = prices.toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString itemPath = indexed(pricesPath, i);
            const QJsonObject item = list.at(i).toObject();
            if (!list.at(i).isObject() || !item.contains(QLatin1String("prices")))
                return makeError(QStringLiteral("%1: expected {\"constraint\": ..., \"prices\": {...}}").arg(itemPath));
            Result<PriceCondition> condition
                = parseCondition(item.value(QLatin1String("constraint")), itemPath + QStringLiteral(".constraint"));
            if (!condition)
                return condition.error();
            Result<ModelPrice> price
                = ModelPrice::fromJson(item.value(QLatin1String("prices")), itemPath + QStringLiteral(".prices"));
            if (!price)
                return price.error();
            model.prices.append({*condition, std::move(price).value()});
        }
    } else {
        return makeError(QStringLiteral("%1 (%2): expected prices as an object or a non-empty list of conditional "
                                        "prices")
                             .arg(pricesPath, model.id));
    }
    return model;
}

Result<std::optional<MatchRule>> optionalRule(const QJsonObject &object, QLatin1String key, const QString &path)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::optional<MatchRule>();
    Result<MatchRule> rule = MatchRule::fromJson(value, path + QLatin1Char('.') + key);
    if (!rule)
        return rule.error();
    return std::optional<MatchRule>(std::move(rule).value());
}

Result<CatalogProvider> parseProvider(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return makeError(QStringLiteral("%1: expected a provider object").arg(path));
    const QJsonObject object = value.toObject();
    CatalogProvider provider;
    Result<QString> id = text(object, QLatin1String("id"), path, true);
    if (!id)
        return id.error();
    provider.id = *id;
    const QString named = path + QStringLiteral(" (") + provider.id + QLatin1Char(')');
    Result<QString> name = text(object, QLatin1String("name"), named, false);
    if (!name)
        return name.error();
    provider.name = name->isEmpty() ? provider.id : *name;
    Result<QString> pattern = text(object, QLatin1String("api_pattern"), named, true);
    if (!pattern)
        return pattern.error();
    provider.apiPattern = QRegularExpression(*pattern, QRegularExpression::CaseInsensitiveOption);
    if (!provider.apiPattern.isValid()) {
        return makeError(QStringLiteral("%1.api_pattern: '%2' is not a valid regular expression (%3)")
                             .arg(named, *pattern, provider.apiPattern.errorString()));
    }
    provider.apiPattern.optimize();
    Result<std::optional<MatchRule>> modelMatch = optionalRule(object, QLatin1String("model_match"), named);
    if (!modelMatch)
        return modelMatch.error();
    provider.modelMatch = *modelMatch;
    Result<std::optional<MatchRule>> providerMatch = optionalRule(object, QLatin1String("provider_match"), named);
    if (!providerMatch)
        return providerMatch.error();
    provider.providerMatch = *providerMatch;
    const QJsonValue fallbacks = object.value(QLatin1String("fallback_model_providers"));
    if (!fallbacks.isUndefined()) {
        if (!fallbacks.isArray())
            return makeError(QStringLiteral("%1.fallback_model_providers: expected a list of provider ids").arg(named));
        for (const QJsonValue &fallback : fallbacks.toArray()) {
            if (!fallback.isString())
                return makeError(
                    QStringLiteral("%1.fallback_model_providers: expected a list of provider ids").arg(named));
            provider.fallbackProviders.append(fallback.toString());
        }
    }
    const QJsonValue models = object.value(QLatin1String("models"));
    if (!models.isArray())
        return makeError(QStringLiteral("%1.models: expected a list of models").arg(named));
    const QJsonArray list = models.toArray();
    provider.models.reserve(list.size());
    for (qsizetype i = 0; i < list.size(); ++i) {
        Result<CatalogModel> model = parseModel(list.at(i), indexed(named + QStringLiteral(".models"), i));
        if (!model)
            return model.error();
        provider.models.append(std::move(model).value());
    }
    return provider;
}

// The first line of a VERSION file: "YYYY-MM-DD what".
void readVersion(const QString &path, QDate *date, QString *version)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QString line = QString::fromUtf8(file.readLine(4096)).trimmed();
    const QDate parsed = QDate::fromString(line.section(QLatin1Char(' '), 0, 0), Qt::ISODate);
    if (parsed.isValid()) {
        *date = parsed;
        *version = line;
    }
}

Result<QByteArray> readCatalogFile(const QString &path)
{
    const QString shown = QDir::toNativeSeparators(path);
    const QFileInfo info(path);
    if (!info.exists())
        return makeError(QStringLiteral("%1 does not exist").arg(shown));
    if (!info.isFile())
        return makeError(QStringLiteral("%1 is not a file; give the path of a genai-prices data.json").arg(shown));
    if (info.size() > MaxCatalogBytes) {
        return makeError(QStringLiteral("%1 is larger than %2 MiB; is it really a genai-prices data.json?")
                             .arg(shown)
                             .arg(MaxCatalogBytes / (1024 * 1024)));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1 cannot be read: %2").arg(shown, file.errorString()));
    return file.readAll();
}

} // namespace

bool PriceCondition::isActiveAt(const QDateTime &when) const
{
    const QDateTime utc = when.toUTC();
    if (startDate.isValid())
        return utc.date() >= startDate;
    if (startTime.isValid() && endTime.isValid()) {
        const QTime time = utc.time();
        if (startTime < endTime)
            return startTime <= time && time < endTime;
        return time >= startTime || time < endTime;
    }
    return true;
}

QString PriceCondition::describe() const
{
    if (startDate.isValid())
        return QStringLiteral("from %1").arg(startDate.toString(Qt::ISODate));
    if (startTime.isValid())
        return QStringLiteral("daily %1-%2 UTC")
            .arg(startTime.toString(QStringLiteral("HH:mm")), endTime.toString(QStringLiteral("HH:mm")));
    return QStringLiteral("otherwise");
}

ModelPrice CatalogModel::priceAt(const QDateTime &when) const
{
    for (auto it = prices.crbegin(); it != prices.crend(); ++it) {
        if (it->condition.isActiveAt(when))
            return it->price;
    }
    return prices.isEmpty() ? ModelPrice() : prices.first().price;
}

Result<PriceCatalog> PriceCatalog::fromJson(const QByteArray &json, const QString &sourceName)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return makeError(QStringLiteral("%1 is not valid JSON: %2 at byte %3")
                             .arg(sourceName, parseError.errorString())
                             .arg(parseError.offset));
    }
    if (!document.isArray() || document.array().isEmpty()) {
        return makeError(
            QStringLiteral("%1 is not a genai-prices data.json: expected a list of providers").arg(sourceName));
    }
    PriceCatalog catalog;
    const QJsonArray list = document.array();
    QHash<QString, qsizetype> indexById;
    for (qsizetype i = 0; i < list.size(); ++i) {
        Result<CatalogProvider> provider = parseProvider(list.at(i), indexed(QStringLiteral("providers"), i));
        if (!provider)
            return makeError(sourceName + QStringLiteral(": ") + provider.error().message);
        if (indexById.contains(provider->id)) {
            return makeError(QStringLiteral("%1: providers[%2]: the id '%3' is already used by providers[%4]")
                                 .arg(sourceName)
                                 .arg(i)
                                 .arg(provider->id)
                                 .arg(indexById.value(provider->id)));
        }
        indexById.insert(provider->id, i);
        catalog.m_providers.append(std::move(provider).value());
    }
    for (const CatalogProvider &provider : std::as_const(catalog.m_providers)) {
        for (const QString &fallback : provider.fallbackProviders) {
            if (!indexById.contains(fallback)) {
                return makeError(QStringLiteral("%1: provider '%2' falls back to '%3', which is not in the file")
                                     .arg(sourceName, provider.id, fallback));
            }
        }
    }
    if (catalog.modelCount() == 0)
        return makeError(QStringLiteral("%1 lists no models with prices").arg(sourceName));
    catalog.m_origin = sourceName;
    return catalog;
}

Result<PriceCatalog> PriceCatalog::fromFile(const QString &path)
{
    Result<QByteArray> bytes = readCatalogFile(path);
    if (!bytes)
        return bytes.error();
    Result<PriceCatalog> catalog = fromJson(*bytes, QDir::toNativeSeparators(path));
    if (!catalog)
        return catalog;
    const QFileInfo info(path);
    catalog.value().m_date = info.lastModified().toUTC().date();
    catalog.value().m_version = QStringLiteral("%1 %2").arg(catalog->m_date.toString(Qt::ISODate), info.fileName());
    readVersion(info.absoluteDir().filePath(QStringLiteral("VERSION")), &catalog.value().m_date,
                &catalog.value().m_version);
    return catalog;
}

Result<PriceCatalog> PriceCatalog::builtIn()
{
    QFile file(BuiltInData);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(QStringLiteral("The built-in price catalog is missing from this build of Sluice (%1); "
                                        "install one with `sluice prices update FILE`.")
                             .arg(BuiltInData));
    }
    Result<PriceCatalog> catalog = fromJson(file.readAll(), QStringLiteral("the built-in price catalog"));
    if (!catalog)
        return catalog;
    readVersion(BuiltInVersion, &catalog.value().m_date, &catalog.value().m_version);
    catalog.value().m_origin = QStringLiteral("built in");
    return catalog;
}

PriceCatalog PriceCatalog::load(const QString &dataDir, QString *warning)
{
    QString problem;
    const QString installed = installedPath(dataDir);
    if (!dataDir.isEmpty() && QFileInfo::exists(installed)) {
        Result<PriceCatalog> catalog = fromFile(installed);
        if (catalog) {
            qCInfo(lcCost) << "Using the price catalog" << catalog->version() << "installed in" << installed;
            return std::move(catalog).value();
        }
        problem = QStringLiteral("The installed price catalog is not usable (%1); using the built-in one. Install "
                                 "a valid file with `sluice prices update FILE`.")
                      .arg(catalog.errorMessage());
    }
    Result<PriceCatalog> catalog = builtIn();
    if (!catalog) {
        problem = problem.isEmpty() ? catalog.errorMessage() : problem + QLatin1Char(' ') + catalog.errorMessage();
        qCWarning(lcCost).noquote() << problem;
        if (warning)
            *warning = problem;
        return PriceCatalog();
    }
    if (!problem.isEmpty())
        qCWarning(lcCost).noquote() << problem;
    if (warning)
        *warning = problem;
    return std::move(catalog).value();
}

Result<PriceCatalog> PriceCatalog::install(const QString &file, const QString &dataDir, const QDate &today)
{
    Result<QByteArray> bytes = readCatalogFile(file);
    if (!bytes)
        return bytes.error();
    return installData(*bytes, QDir::toNativeSeparators(file), QFileInfo(file).fileName(), dataDir, today);
}

Result<PriceCatalog> PriceCatalog::installData(const QByteArray &json, const QString &sourceName,
                                               const QString &sourceLabel, const QString &dataDir, const QDate &today)
{
    Result<PriceCatalog> checked = fromJson(json, sourceName);
    if (!checked)
        return checked;
    const QString target = installedPath(dataDir);
    const QString folder = QFileInfo(target).absolutePath();
    if (!QDir().mkpath(folder)) {
        return makeError(QStringLiteral("Cannot create the folder %1: check its permissions, or choose another data "
                                        "folder (--data-dir).")
                             .arg(QDir::toNativeSeparators(folder)));
    }
    const QString digest = QString::fromLatin1(QCryptographicHash::hash(json, QCryptographicHash::Sha256).toHex());
    const QByteArray version = QStringLiteral("%1 installed from %2 (sha256 %3)\n")
                                   .arg(today.toString(Qt::ISODate), sourceLabel, digest.left(12))
                                   .toUtf8();
    // Data first, then its VERSION: an interrupted update leaves a valid catalog, at worst with the old date.
    for (const auto &[path, content] :
         {std::pair {target, json}, std::pair {QDir(folder).filePath(QStringLiteral("VERSION")), version}}) {
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly) || out.write(content) != content.size() || !out.commit()) {
            return makeError(QStringLiteral("Cannot write %1 (%2): check that the disk is writable and has free "
                                            "space.")
                                 .arg(QDir::toNativeSeparators(path), out.errorString()));
        }
    }
    return fromFile(target);
}

QString PriceCatalog::installedPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("prices/data.json"));
}

qsizetype PriceCatalog::modelCount() const
{
    qsizetype count = 0;
    for (const CatalogProvider &provider : m_providers)
        count += provider.models.size();
    return count;
}

const CatalogProvider *PriceCatalog::provider(const QString &id) const
{
    for (const CatalogProvider &provider : m_providers) {
        if (provider.id == id)
            return &provider;
    }
    return nullptr;
}

const CatalogProvider *PriceCatalog::providerByUrl(const QUrl &baseUrl) const
{
    if (!baseUrl.isValid() || baseUrl.isEmpty())
        return nullptr;
    const QString url = baseUrl.toString();
    QMutexLocker lock(&m_urlMatches.mutex);
    auto cached = m_urlMatches.byUrl.constFind(url);
    if (cached == m_urlMatches.byUrl.constEnd()) {
        qsizetype index = -1;
        for (qsizetype i = 0; i < m_providers.size() && index < 0; ++i) {
            if (m_providers.at(i)
                    .apiPattern
                    .match(url, 0, QRegularExpression::NormalMatch, QRegularExpression::AnchorAtOffsetMatchOption)
                    .hasMatch())
                index = i;
        }
        cached = m_urlMatches.byUrl.insert(url, index);
    }
    return *cached < 0 ? nullptr : &m_providers.at(*cached);
}

const CatalogProvider *PriceCatalog::providerByName(const QString &providerName) const
{
    const QString normalized = providerName.trimmed().toLower();
    if (normalized.isEmpty())
        return nullptr;
    if (const CatalogProvider *byId = provider(normalized))
        return byId;
    for (const CatalogProvider &provider : m_providers) {
        if (provider.providerMatch && provider.providerMatch->matches(normalized))
            return &provider;
    }
    return nullptr;
}

const CatalogProvider *PriceCatalog::providerFor(const QString &providerName, const QUrl &baseUrl,
                                                 const QString &providerType) const
{
    if (const CatalogProvider *byUrl = providerByUrl(baseUrl))
        return byUrl;
    if (const CatalogProvider *byName = providerByName(providerName))
        return byName;
    return providerType.compare(QLatin1String("openai"), Qt::CaseInsensitive) == 0 ? nullptr
                                                                                   : providerByName(providerType);
}

const CatalogModel *PriceCatalog::findModel(const CatalogProvider &provider, const QString &model,
                                            const CatalogProvider **owner, int depth) const
{
    for (const CatalogModel &candidate : provider.models) {
        if (candidate.match.matchesLowered(model)) {
            *owner = &provider;
            return &candidate;
        }
    }
    if (depth >= MaxFallbackDepth)
        return nullptr;
    for (const QString &fallbackId : provider.fallbackProviders) {
        if (const CatalogProvider *fallback = this->provider(fallbackId)) {
            if (const CatalogModel *found = findModel(*fallback, model, owner, depth + 1))
                return found;
        }
    }
    return nullptr;
}

PriceMatch PriceCatalog::matchOf(const CatalogProvider &provider, const CatalogModel &model,
                                 const QDateTime &when) const
{
    PriceMatch match;
    match.providerId = provider.id;
    match.modelId = model.id;
    match.modelName = model.name;
    match.price = model.priceAt(when);
    match.origin = QStringLiteral("price catalog ") + m_version;
    if (model.prices.size() > 1)
        match.schedule = model.prices;
    return match;
}

std::optional<PriceMatch> PriceCatalog::find(const QString &providerName, const QUrl &baseUrl, const QString &model,
                                             const QDateTime &when, const QString &providerType) const
{
    const QString name = model.trimmed().toLower();
    if (name.isEmpty())
        return std::nullopt;
    const ModelKey key {providerName, providerType, baseUrl, name};
    {
        QMutexLocker lock(&m_urlMatches.mutex);
        const auto cached = m_urlMatches.byModel.constFind(key);
        if (cached != m_urlMatches.byModel.constEnd()) {
            if (cached->provider < 0)
                return std::nullopt;
            const CatalogProvider &owner = m_providers.at(cached->provider);
            return matchOf(owner, owner.models.at(cached->model), when);
        }
    }
    const CatalogProvider *owner = nullptr;
    const CatalogModel *found = findUncached(providerName, baseUrl, name, providerType, &owner);
    ModelAt at;
    if (found) {
        at.provider = owner - m_providers.constData();
        at.model = found - owner->models.constData();
    }
    {
        QMutexLocker lock(&m_urlMatches.mutex);
        if (m_urlMatches.byModel.size() >= MaxCachedModels)
            m_urlMatches.byModel.clear();
        m_urlMatches.byModel.insert(key, at);
    }
    return found ? std::optional<PriceMatch>(matchOf(*owner, *found, when)) : std::nullopt;
}

// name is trimmed and lower-cased.
const CatalogModel *PriceCatalog::findUncached(const QString &providerName, const QUrl &baseUrl, const QString &name,
                                               const QString &providerType, const CatalogProvider **owner) const
{
    const CatalogProvider *provider = providerByUrl(baseUrl);
    const bool byUrl = provider != nullptr;
    if (!provider)
        provider = providerFor(providerName, QUrl(), providerType);
    if (provider) {
        if (const CatalogModel *found = findModel(*provider, name, owner))
            return found;
        if (byUrl)
            return nullptr; // the URL says who bills: another provider's price would be a guess
    }
    for (const CatalogProvider &candidate : m_providers) {
        if (!candidate.modelMatch || !candidate.modelMatch->matchesLowered(name))
            continue;
        return findModel(candidate, name, owner);
    }
    return nullptr;
}

std::optional<PriceMatch> PriceCatalog::find(const Config &config, const QString &providerName, const QString &model,
                                             const QDateTime &when) const
{
    const QString lowered = model.trimmed().toLower();
    for (const PriceOverride &priced : config.prices.overrides) {
        if (!priced.provider.isEmpty() && priced.provider != providerName)
            continue;
        const QString pattern = priced.model.toLower();
        const bool matches
            = pattern.endsWith(QLatin1Char('*')) ? lowered.startsWith(pattern.chopped(1)) : lowered == pattern;
        if (!matches)
            continue;
        PriceMatch match;
        match.modelId = priced.model;
        match.modelName = priced.model;
        match.price.input = TieredPrice::flat(priced.inputMtok);
        match.price.output = TieredPrice::flat(priced.outputMtok);
        if (priced.cacheReadMtok >= 0)
            match.price.cacheRead = TieredPrice::flat(priced.cacheReadMtok);
        if (priced.cacheWriteMtok >= 0)
            match.price.cacheWrite = TieredPrice::flat(priced.cacheWriteMtok);
        const QString file
            = config.sourcePath.isEmpty() ? QStringLiteral("config") : QFileInfo(config.sourcePath).fileName();
        match.origin = QStringLiteral("%1:%2 (prices.overrides)").arg(file).arg(priced.configLine);
        return match;
    }
    const ProviderConfig *provider = config.provider(providerName);
    return provider ? find(providerName, provider->baseUrl, model, when, provider->type)
                    : find(providerName, QUrl(), model, when);
}

} // namespace sluice
