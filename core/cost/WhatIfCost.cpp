#include "WhatIfCost.h"

#include <algorithm>
#include <atomic>

#include <QDir>
#include <QHash>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include "common/RequestRecord.h"
#include "config/Config.h"
#include "cost/PriceCatalog.h"
#include "cost/SpendReport.h"
#include "store/Migrations.h"
#include "store/WhatIfRollup.h"

namespace sluice {

namespace {

constexpr qint64 HourMs = 3600000;

// The values a request counts under, as SpendBreakdown groups them (alias r, tags as t).
QString valueOf(WhatIfGrouping by)
{
    switch (by) {
    case WhatIfGrouping::Client:
        return QStringLiteral("COALESCE(r.client, '')");
    case WhatIfGrouping::Model:
        return QStringLiteral("COALESCE(NULLIF(r.upstream_model, ''), r.requested_model)");
    case WhatIfGrouping::Tag:
        return QStringLiteral("COALESCE(t.value, '')");
    case WhatIfGrouping::None:
        break;
    }
    return QStringLiteral("''");
}

QString number(double value)
{
    return QString::number(value, 'g', 17);
}

// A price's rate for a request, as TieredPrice::rateFor picks it from the request's whole input (column `input`):
// the highest tier whose start the input exceeds, else the base. 0 for a price not set (never multiplied by a
// token count: such requests are counted as missing a price).
QString rateOf(const TieredPrice &price)
{
    if (!price.isSet())
        return QStringLiteral("0");
    if (!price.isTiered())
        return number(price.base);
    QString sql = QStringLiteral("(CASE");
    for (auto tier = price.tiers.crbegin(); tier != price.tiers.crend(); ++tier)
        sql += QStringLiteral(" WHEN input > %1 THEN %2").arg(tier->start).arg(number(tier->price));
    return sql + QStringLiteral(" ELSE ") + number(price.base) + QStringLiteral(" END)");
}

// The request's cost on the target in USD, over the inner query's columns, as CostCalculator::compute prices it.
QString whatIfCostOf(const WhatIfTarget &target)
{
    if (target.free)
        return QStringLiteral("0");
    const ModelPrice &price = target.price;
    const TieredPrice &read = price.cacheRead.isSet() ? price.cacheRead : price.input;
    const TieredPrice &write = price.cacheWrite.isSet() ? price.cacheWrite : price.input;
    QString sql = QStringLiteral("(MAX(0, input - cached - written) * ") + rateOf(price.input)
        + QStringLiteral(" + cached * ") + rateOf(read) + QStringLiteral(" + written * ") + rateOf(write)
        + QStringLiteral(" + output * ") + rateOf(price.output) + QStringLiteral(") / 1000000.0");
    if (price.requestsKcount >= 0)
        sql += QStringLiteral(" + ") + number(price.requestsKcount / 1000);
    return sql;
}

// True for a request with tokens of a kind the target has no price for (CostCalculator would call it unpriced).
QString missingPriceOf(const WhatIfTarget &target)
{
    if (target.free)
        return QStringLiteral("(1 = 0)");
    const ModelPrice &price = target.price;
    QStringList missing;
    if (!price.input.isSet()) {
        missing.append(QStringLiteral("input - cached - written > 0"));
        if (!price.cacheRead.isSet())
            missing.append(QStringLiteral("cached > 0"));
        if (!price.cacheWrite.isSet())
            missing.append(QStringLiteral("written > 0"));
    }
    if (!price.output.isSet())
        missing.append(QStringLiteral("output > 0"));
    return missing.isEmpty() ? QStringLiteral("(1 = 0)")
                             : QStringLiteral("(") + missing.join(QStringLiteral(" OR ")) + QLatin1Char(')');
}

void addTo(WhatIfLine &line, const WhatIfLine &part)
{
    line.requests += part.requests;
    line.compared += part.compared;
    line.inputTokens += part.inputTokens;
    line.cachedTokens += part.cachedTokens;
    line.cacheWriteTokens += part.cacheWriteTokens;
    line.outputTokens += part.outputTokens;
    line.reasoningTokens += part.reasoningTokens;
    line.actualUsd += part.actualUsd;
    line.whatIfUsd += part.whatIfUsd;
    line.estimated += part.estimated;
    line.unpricedActual += part.unpricedActual;
    line.unpricedActualWhatIfUsd += part.unpricedActualWhatIfUsd;
    line.noTokenCounts += part.noTokenCounts;
    line.missingTargetPrice += part.missingTargetPrice;
    line.cacheHits += part.cacheHits;
}

QString familyName(const QString &family)
{
    static const QHash<QString, QString> names = {
        {QStringLiteral("openai"), QStringLiteral("OpenAI")},
        {QStringLiteral("anthropic"), QStringLiteral("Anthropic")},
        {QStringLiteral("google"), QStringLiteral("Gemini")},
        {QStringLiteral("mistral"), QStringLiteral("Mistral")},
        {QStringLiteral("deepseek"), QStringLiteral("DeepSeek")},
    };
    return names.value(family, family);
}

} // namespace

Result<WhatIfTarget> WhatIfTarget::resolve(const Config &config, const PriceCatalog &catalog, const QString &model,
                                           const QDateTime &when)
{
    WhatIfTarget target;
    target.model = model;
    if (model.trimmed().isEmpty())
        return makeError(QStringLiteral("Name the model to reprice on: a model of the config or of the price catalog "
                                        "(see `sluice prices show MODEL`)."));
    QString provider;
    QString upstream = model;
    if (const ModelRoute *route = config.model(model)) {
        provider = route->deployments.isEmpty() ? route->provider : route->deployments.constFirst().provider;
        upstream = route->deployments.isEmpty() ? route->upstreamModel : route->deployments.constFirst().upstreamModel;
        if (upstream.isEmpty())
            upstream = model;
        const ProviderConfig *providerConfig = config.provider(provider);
        if (providerConfig && providerConfig->free) {
            target.free = true;
            target.family = WhatIfCost::familyOf(catalog, upstream, when);
            target.label = QStringLiteral("%1 (provider '%2', configured free)").arg(model, provider);
            return target;
        }
    }
    std::optional<PriceMatch> match = catalog.find(config, provider, upstream, when);
    if (!match && !provider.isEmpty())
        match = catalog.find(config, QString(), upstream, when);
    if (!match) {
        return makeError(
            QStringLiteral("No price for '%1'%2 in the price catalog %3 or the config's prices.overrides: "
                           "name a model of the config or of the catalog (`sluice prices show MODEL` "
                           "checks one), or give it a price under prices.overrides (docs/costs.md).")
                .arg(model, upstream == model ? QString() : QStringLiteral(" (sent upstream as '%1')").arg(upstream),
                     catalog.version()));
    }
    target.price = match->price;
    if (match->providerId.isEmpty()) {
        target.family = WhatIfCost::familyOf(catalog, upstream, when);
        target.label = QStringLiteral("%1 (price override %2)").arg(model, match->origin);
    } else {
        const CatalogProvider *owner = catalog.provider(match->providerId);
        target.family = WhatIfCost::familyOf(catalog, upstream, when);
        if (target.family.isEmpty())
            target.family = match->providerId;
        target.label = QStringLiteral("%1 (%2 %3, %4)")
                           .arg(model, owner ? owner->name : match->providerId, match->modelId, match->origin);
    }
    return target;
}

QStringList WhatIfTarget::choices(const Config &config, const PriceCatalog &catalog)
{
    QStringList names;
    QSet<QString> seen;
    for (const ModelRoute &route : config.models) {
        if (!seen.contains(route.name)) {
            seen.insert(route.name);
            names.append(route.name);
        }
    }
    QStringList catalogNames;
    for (const CatalogProvider &provider : catalog.providers()) {
        for (const CatalogModel &model : provider.models) {
            if (!seen.contains(model.id)) {
                seen.insert(model.id);
                catalogNames.append(model.id);
            }
        }
    }
    catalogNames.sort(Qt::CaseInsensitive);
    return names + catalogNames;
}

QString WhatIfFilter::describe() const
{
    QStringList parts;
    const auto add = [&parts](const char *name, const std::optional<QString> &value) {
        if (value)
            parts.append(QLatin1String(name) + QStringLiteral(" = ")
                         + (value->isEmpty() ? QStringLiteral("(none)") : *value));
    };
    add("client", client);
    add("tag", tag);
    add("model", model);
    add("token", token);
    add("project", project);
    return parts.join(QStringLiteral(", "));
}

std::optional<double> WhatIfLine::ratio() const
{
    if (actualUsd <= 0)
        return std::nullopt;
    return whatIfUsd / actualUsd;
}

QString WhatIfReport::tokenizerNote() const
{
    QString note = QStringLiteral(
        "An estimate: the token counts are those the providers that answered reported. Another model family's "
        "tokenizer splits the same text into more or fewer tokens (between OpenAI, Anthropic and Gemini models "
        "often 10-30% apart, more for code and non-English text), its answers differ in length, and its prompt "
        "cache may hit differently.");
    QStringList others;
    for (const WhatIfLine &line : lines) {
        if (line.sameTokenizerFamily == false)
            others.append(line.name);
    }
    if (!target.family.isEmpty() && !others.isEmpty()) {
        note += QStringLiteral(" %1 uses the %2 tokenizer; %3 %4 of another family.")
                    .arg(target.model, familyName(target.family),
                         others.size() == 1 ? others.constFirst() : QStringLiteral("%1 models").arg(others.size()),
                         others.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"));
    }
    return note;
}

WhatIfCost::WhatIfCost(const StoreLocation &store)
    : m_store(store)
    , m_databasePath(store.isPostgres() ? store.describe() : store.sqlitePath())
{ }

Error WhatIfCost::readError(QSqlQuery &query)
{
    return m_connection.queryFailed(query, QStringLiteral("the what-if cost's traffic"));
}

Result<void> WhatIfCost::open()
{
    if (m_connection.isOpen())
        return {};
    static std::atomic<int> counter {0};
    Result<void> opened = m_connection.open(m_store, QStringLiteral("sluice-whatif-%1").arg(++counter),
                                            StoreConnection::Mode::ReadOnly);
    if (!opened)
        return opened;
    if (m_store.isPostgres()) {
        Result<void> current = StoreConnection::checkCurrent(m_connection.database(), m_store);
        if (!current)
            m_connection.close();
        return current;
    }
    const Result<int> version = Migrations::knownVersion(m_connection.database(), m_databasePath);
    if (!version) {
        m_connection.close();
        return version.error();
    }
    QSqlQuery columns(m_connection.database());
    if (!columns.exec(QStringLiteral("SELECT 1 FROM pragma_table_info('requests') WHERE name = 'client'"))
        || !columns.next()) {
        m_connection.close();
        return makeError(QStringLiteral("The request log %1 predates spend by client, tag and project (schema "
                                        "version %2): start the gateway once with this data folder to upgrade it.")
                             .arg(QDir::toNativeSeparators(m_databasePath))
                             .arg(*version));
    }
    return {};
}

namespace {

// One group of requests of one kind, summed: what both ways of reading produce.
struct KindSums
{
    QString value;
    int kind = WhatIfRollup::Compared;
    qint64 requests = 0;
    qint64 input = 0;
    qint64 cached = 0;
    qint64 written = 0;
    qint64 output = 0;
    qint64 reasoning = 0;
    double actualUsd = 0;
    double whatIfUsd = 0;
    qint64 estimated = 0;
};

QList<WhatIfLine> linesOf(const QList<KindSums> &rows)
{
    QList<WhatIfLine> lines;
    QHash<QString, qsizetype> indexOf;
    for (const KindSums &row : rows) {
        auto found = indexOf.constFind(row.value);
        if (found == indexOf.constEnd()) {
            found = indexOf.insert(row.value, lines.size());
            lines.append(WhatIfLine());
            lines.last().name = row.value;
        }
        WhatIfLine &line = lines[*found];
        line.requests += row.requests;
        switch (row.kind) {
        case WhatIfRollup::Compared:
        case WhatIfRollup::NotBilled:
            line.compared += row.requests;
            line.inputTokens += row.input;
            line.cachedTokens += row.cached;
            line.cacheWriteTokens += row.written;
            line.outputTokens += row.output;
            line.reasoningTokens += row.reasoning;
            line.actualUsd += row.actualUsd;
            line.whatIfUsd += row.whatIfUsd;
            line.estimated += row.estimated;
            break;
        case WhatIfRollup::CacheHit:
            line.cacheHits += row.requests;
            break;
        case WhatIfRollup::NoTokenCounts:
            line.noTokenCounts += row.requests;
            break;
        case WhatIfRollup::MissingTargetPrice:
            line.missingTargetPrice += row.requests;
            break;
        case WhatIfRollup::UnpricedActual:
            line.unpricedActual += row.requests;
            line.unpricedActualWhatIfUsd += row.whatIfUsd;
            break;
        default:
            break;
        }
    }
    return lines;
}

// '' for a null string: a null binds as SQL NULL, which equals nothing, not even ''.
QString nonNull(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

bool startsAreClassStarts(const TieredPrice &price)
{
    const QList<qint64> starts = WhatIfRollup::classStarts();
    for (const TieredPrice::Tier &tier : price.tiers) {
        if (!starts.contains(tier.start))
            return false;
    }
    return true;
}

// The rollup's dimension (and value) that answer this query, when it can: the target's prices are known for every
// token kind and its tiers start where the rollup's input classes do, and the only filter is on the grouping (or,
// without a grouping, one filter on a model, a client or a tag).
std::optional<std::pair<QString, std::optional<QString>>> rollupFor(const WhatIfTarget &target, WhatIfGrouping by,
                                                                    const WhatIfFilter &filter)
{
    const ModelPrice &price = target.price;
    if (!target.free
        && (!price.input.isSet() || !price.output.isSet() || !startsAreClassStarts(price.input)
            || !startsAreClassStarts(price.output) || !startsAreClassStarts(price.cacheRead)
            || !startsAreClassStarts(price.cacheWrite)))
        return std::nullopt;
    if (filter.token || filter.project)
        return std::nullopt;
    QList<std::pair<WhatIfGrouping, QString>> filters;
    if (filter.model)
        filters.append({WhatIfGrouping::Model, *filter.model});
    if (filter.client)
        filters.append({WhatIfGrouping::Client, *filter.client});
    if (filter.tag)
        filters.append({WhatIfGrouping::Tag, *filter.tag});
    if (filters.size() > 1)
        return std::nullopt;
    if (filters.isEmpty())
        return std::pair {WhatIfCost::nameOf(by == WhatIfGrouping::None ? WhatIfGrouping::Model : by),
                          std::optional<QString>()};
    const auto &[dimension, value] = filters.constFirst();
    // By tag, a filtered request still counts under each of its tags: only the rows tell those.
    if (by != WhatIfGrouping::None && (by != dimension || by == WhatIfGrouping::Tag))
        return std::nullopt;
    return std::pair {WhatIfCost::nameOf(dimension), std::optional<QString>(value)};
}

} // namespace

void WhatIfCost::setRollupEnabled(bool enabled)
{
    m_rollupEnabled = enabled;
}

Result<QList<WhatIfLine>> WhatIfCost::query(const WhatIfTarget &target, WhatIfGrouping by, qint64 fromMs, qint64 toMs,
                                            const WhatIfFilter &filter)
{
    QStringList conditions;
    QStringList bound;
    const auto where = [&](const std::optional<QString> &value, const char *expression) {
        if (!value)
            return;
        conditions.append(QLatin1String(expression) + QStringLiteral(" = ?"));
        bound.append(*value);
    };
    where(filter.client, "COALESCE(r.client, '')");
    where(filter.model, "COALESCE(NULLIF(r.upstream_model, ''), r.requested_model)");
    where(filter.token, "r.token_name");
    where(filter.project, "COALESCE(r.project, r.token_name)");
    if (filter.tag) {
        if (filter.tag->isEmpty()) {
            conditions.append(QStringLiteral("NOT EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(r.tags) THEN "
                                             "r.tags END))"));
        } else {
            conditions.append(QStringLiteral("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(r.tags) THEN "
                                             "r.tags END) AS f WHERE f.value = ?)"));
            bound.append(*filter.tag);
        }
    }
    const QString filtered
        = conditions.isEmpty() ? QString() : QStringLiteral(" AND ") + conditions.join(QStringLiteral(" AND "));
    const QString join = by == WhatIfGrouping::Tag
        ? QStringLiteral("LEFT JOIN json_each(CASE WHEN json_valid(r.tags) THEN r.tags END) t ON 1 = 1 ")
        : QString();
    // One row per request (per request and tag, by tag) with its clamped counts, kind and input class.
    const QString requestRows
        = QStringLiteral("SELECT ") + valueOf(by) + QStringLiteral(" AS value, ") + WhatIfRollup::kindSql()
        + QStringLiteral(" AS kind, ") + WhatIfRollup::inputClassSql()
        + QStringLiteral(
              " AS input_class, CASE WHEN r.input_tokens IS NULL AND r.output_tokens IS NULL THEN 1 ELSE 0 END AS "
              "no_counts, MAX(0, COALESCE(r.input_tokens, 0)) AS input, MAX(0, COALESCE(r.cached_tokens, 0)) AS "
              "cached, MAX(0, COALESCE(r.cache_write_tokens, 0)) AS written, MAX(0, COALESCE(r.output_tokens, 0)) AS "
              "output, MAX(0, COALESCE(r.reasoning_tokens, 0)) AS reasoning, r.cost_usd, r.cost_status FROM "
              "requests r ")
        + join + QStringLiteral("WHERE r.started_at >= ? AND r.started_at < ?") + filtered;

    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    QList<KindSums> rows;
    const std::optional<std::pair<QString, std::optional<QString>>> rollup
        = m_rollupEnabled ? rollupFor(target, by, filter) : std::nullopt;
    if (!rollup) {
        // Request by request, priced in the query: any tiers, any missing price.
        const QString sql = QStringLiteral("SELECT value, kind, COUNT(*), TOTAL(input), TOTAL(cached), "
                                           "TOTAL(written), TOTAL(output), TOTAL(reasoning), TOTAL(cost_usd), "
                                           "TOTAL(what_if), TOTAL(cost_status = 'estimated') FROM (SELECT value, "
                                           "CASE WHEN kind IN (0, 5) AND ")
            + missingPriceOf(target) + QStringLiteral(" THEN ") + QString::number(WhatIfRollup::MissingTargetPrice)
            + QStringLiteral(" ELSE kind END AS kind, input, cached, written, output, reasoning, cost_usd, "
                             "cost_status, CASE WHEN no_counts = 1 THEN 0 ELSE ")
            + whatIfCostOf(target) + QStringLiteral(" END AS what_if FROM (") + requestRows
            + QStringLiteral(") AS request_rows) AS priced GROUP BY value, kind");
        if (!query.prepare(sql))
            return readError(query);
        query.addBindValue(fromMs);
        query.addBindValue(toMs);
        for (const QString &value : std::as_const(bound))
            query.addBindValue(nonNull(value));
        if (!query.exec())
            return readError(query);
        while (query.next()) {
            KindSums row;
            row.value = query.value(0).toString();
            row.kind = query.value(1).toInt();
            const auto count = [&query](int column) {
                return qint64(query.value(column).toDouble());
            };
            row.requests = query.value(2).toLongLong();
            row.input = count(3);
            row.cached = count(4);
            row.written = count(5);
            row.output = count(6);
            row.reasoning = count(7);
            row.actualUsd = query.value(8).toDouble();
            row.whatIfUsd = query.value(9).toDouble();
            row.estimated = count(10);
            rows.append(row);
        }
        return linesOf(rows);
    }

    // Whole hours from the rollup, the partial hours at either end from the request rows; priced per input class.
    qint64 firstHour = (fromMs / HourMs + (fromMs % HourMs > 0 ? 1 : 0)) * HourMs;
    qint64 endHour = toMs / HourMs * HourMs;
    if (firstHour >= endHour) {
        firstHour = toMs;
        endHour = toMs;
    }
    const QString partial
        = QStringLiteral("SELECT value, kind, input_class, 1 AS requests, input, cached, written, "
                         "output, reasoning, MAX(0, input - cached - written) AS uncached, "
                         "cost_usd, CASE WHEN cost_status = 'estimated' THEN 1 ELSE 0 END AS estimated FROM (")
        + requestRows + QStringLiteral(") AS request_rows");
    const QString sql
        = QStringLiteral("SELECT value, kind, input_class, TOTAL(requests), TOTAL(input), TOTAL(cached), "
                         "TOTAL(written), TOTAL(output), TOTAL(reasoning), TOTAL(uncached), TOTAL(cost_usd), "
                         "TOTAL(estimated) FROM (")
        + partial + QStringLiteral(" UNION ALL ") + partial
        + QStringLiteral(" UNION ALL SELECT value, kind, input_class, requests, input_tokens, cached_tokens, "
                         "cache_write_tokens, output_tokens, reasoning_tokens, uncached_tokens, cost_usd, estimated "
                         "FROM whatif_hourly_by WHERE dimension = ? AND hour >= ? AND hour < ?")
        + (rollup->second ? QStringLiteral(" AND value = ?") : QString())
        + QStringLiteral(") AS parts GROUP BY value, kind, input_class");
    if (!query.prepare(sql))
        return readError(query);
    for (const auto &[start, end] :
         {std::pair {fromMs, std::min(firstHour, toMs)}, {std::max(endHour, fromMs), toMs}}) {
        query.addBindValue(start);
        query.addBindValue(end);
        for (const QString &value : std::as_const(bound))
            query.addBindValue(nonNull(value));
    }
    query.addBindValue(rollup->first);
    query.addBindValue(firstHour);
    query.addBindValue(endHour);
    if (rollup->second)
        query.addBindValue(nonNull(*rollup->second));
    if (!query.exec())
        return readError(query);
    const ModelPrice &price = target.price;
    const TieredPrice &read = price.cacheRead.isSet() ? price.cacheRead : price.input;
    const TieredPrice &write = price.cacheWrite.isSet() ? price.cacheWrite : price.input;
    const QList<qint64> starts = WhatIfRollup::classStarts();
    while (query.next()) {
        KindSums row;
        row.value = query.value(0).toString();
        row.kind = query.value(1).toInt();
        const int inputClass = query.value(2).toInt();
        const auto count = [&query](int column) {
            return qint64(query.value(column).toDouble());
        };
        row.requests = count(3);
        if (row.requests == 0)
            continue; // a part of the union that matched nothing
        row.input = count(4);
        row.cached = count(5);
        row.written = count(6);
        row.output = count(7);
        row.reasoning = count(8);
        const qint64 uncached = count(9);
        row.actualUsd = query.value(10).toDouble();
        row.estimated = count(11);
        // Every request of an input class pays the same rates: those of an input just inside the class.
        const qint64 input = inputClass <= 0 ? 0 : starts.value(inputClass - 1) + 1;
        const bool repriced = row.kind == WhatIfRollup::Compared || row.kind == WhatIfRollup::UnpricedActual;
        if (repriced && !target.free) {
            row.whatIfUsd
                = (double(uncached) * price.input.rateFor(input) + double(row.cached) * read.rateFor(input)
                   + double(row.written) * write.rateFor(input) + double(row.output) * price.output.rateFor(input))
                / 1'000'000.0;
            if (price.requestsKcount >= 0)
                row.whatIfUsd += double(row.requests) * price.requestsKcount / 1000;
        }
        rows.append(row);
    }
    return linesOf(rows);
}

Result<WhatIfReport> WhatIfCost::compute(const WhatIfTarget &target, WhatIfGrouping by, const QDateTime &from,
                                         const QDateTime &to, const WhatIfFilter &filter, const PriceCatalog *catalog)
{
    if (Result<void> opened = open(); !opened)
        return opened.error();
    WhatIfReport report;
    report.target = target;
    report.from = from.toUTC();
    report.to = to.toUTC();
    report.by = by;
    report.filter = filter;
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = std::max(to.toMSecsSinceEpoch(), fromMs);

    Result<QList<WhatIfLine>> totals = query(target, WhatIfGrouping::None, fromMs, toMs, filter);
    if (!totals)
        return totals.error();
    for (const WhatIfLine &part : std::as_const(*totals))
        addTo(report.total, part);
    report.total.name = QStringLiteral("Total");
    if (by == WhatIfGrouping::None)
        return report;

    Result<QList<WhatIfLine>> lines = query(target, by, fromMs, toMs, filter);
    if (!lines)
        return lines.error();
    report.lines = std::move(lines).value();
    if (by == WhatIfGrouping::Model && catalog && !target.family.isEmpty()) {
        for (WhatIfLine &line : report.lines) {
            const QString family = familyOf(*catalog, line.name, report.to);
            if (!family.isEmpty())
                line.sameTokenizerFamily = family == target.family;
        }
    }
    std::sort(report.lines.begin(), report.lines.end(), [](const WhatIfLine &a, const WhatIfLine &b) {
        if (SpendLine::costOrder(a.actualUsd) != SpendLine::costOrder(b.actualUsd))
            return a.actualUsd > b.actualUsd;
        if (SpendLine::costOrder(a.whatIfUsd) != SpendLine::costOrder(b.whatIfUsd))
            return a.whatIfUsd > b.whatIfUsd;
        return a.name < b.name;
    });
    return report;
}

QString WhatIfCost::nameOf(WhatIfGrouping by)
{
    switch (by) {
    case WhatIfGrouping::Client:
        return QStringLiteral("client");
    case WhatIfGrouping::Model:
        return QStringLiteral("model");
    case WhatIfGrouping::Tag:
        return QStringLiteral("tag");
    case WhatIfGrouping::None:
        break;
    }
    return QString();
}

std::optional<WhatIfGrouping> WhatIfCost::fromName(const QString &name)
{
    for (WhatIfGrouping by : {WhatIfGrouping::Client, WhatIfGrouping::Model, WhatIfGrouping::Tag}) {
        if (name == nameOf(by))
            return by;
    }
    return std::nullopt;
}

QString WhatIfCost::familyOf(const PriceCatalog &catalog, const QString &model, const QDateTime &when)
{
    if (model.isEmpty())
        return QString();
    const std::optional<PriceMatch> match = catalog.find(QString(), QUrl(), model, when);
    return match ? match->providerId : QString();
}

} // namespace sluice
