#include "ModelPrice.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace sluice {

namespace {

constexpr double MaxRate = 1'000'000; // USD per million tokens; anything above is a data error

Result<double> rate(const QJsonValue &value, const QString &path)
{
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < 0 || value.toDouble() > MaxRate) {
        return makeError(QStringLiteral("%1: expected a price in USD per million tokens (a number from 0 to %2)")
                             .arg(path)
                             .arg(MaxRate, 0, 'f', 0));
    }
    return value.toDouble();
}

} // namespace

double TieredPrice::rateFor(qint64 inputTokens) const
{
    for (auto tier = tiers.crbegin(); tier != tiers.crend(); ++tier) {
        if (inputTokens > tier->start)
            return tier->price;
    }
    return base;
}

QString TieredPrice::describe() const
{
    if (!isSet())
        return QStringLiteral("none");
    QString text = QLatin1Char('$') + formatRate(base) + QStringLiteral("/M");
    for (const Tier &tier : tiers) {
        text += QStringLiteral(", $%1/M above %2 input tokens").arg(formatRate(tier.price), formatCount(tier.start));
    }
    return text;
}

TieredPrice TieredPrice::flat(double price)
{
    TieredPrice result;
    result.base = price;
    return result;
}

Result<TieredPrice> TieredPrice::fromJson(const QJsonValue &value, const QString &path)
{
    if (value.isDouble()) {
        Result<double> price = rate(value, path);
        if (!price)
            return price.error();
        return flat(*price);
    }
    const QJsonObject object = value.toObject();
    if (!value.isObject() || !object.contains(QLatin1String("base")) || !object.contains(QLatin1String("tiers"))) {
        return makeError(QStringLiteral("%1: expected a price in USD per million tokens: a number, or tiered prices "
                                        "{\"base\": ..., \"tiers\": [...]}")
                             .arg(path));
    }
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key() != QLatin1String("base") && it.key() != QLatin1String("tiers"))
            return makeError(QStringLiteral("%1: unknown field '%2' in tiered prices").arg(path, it.key()));
    }
    Result<double> base = rate(object.value(QLatin1String("base")), path + QStringLiteral(".base"));
    if (!base)
        return base.error();
    TieredPrice result = flat(*base);
    const QJsonValue tiers = object.value(QLatin1String("tiers"));
    if (!tiers.isArray())
        return makeError(QStringLiteral("%1.tiers: expected a list of {\"start\": ..., \"price\": ...}").arg(path));
    const QJsonArray list = tiers.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString tierPath = path + QStringLiteral(".tiers[") + QString::number(i) + QLatin1Char(']');
        const QJsonObject tier = list.at(i).toObject();
        const QJsonValue start = tier.value(QLatin1String("start"));
        if (!list.at(i).isObject() || tier.size() != 2 || !start.isDouble() || start.toDouble() < 0
            || start.toDouble() != std::floor(start.toDouble())) {
            return makeError(QStringLiteral("%1: expected {\"start\": whole number of input tokens, \"price\": number}")
                                 .arg(tierPath));
        }
        Result<double> price = rate(tier.value(QLatin1String("price")), tierPath + QStringLiteral(".price"));
        if (!price)
            return price.error();
        result.tiers.append(Tier {qint64(start.toDouble()), *price});
    }
    std::sort(result.tiers.begin(), result.tiers.end(), [](const Tier &a, const Tier &b) { return a.start < b.start; });
    return result;
}

QStringList ModelPrice::describe() const
{
    QStringList lines;
    const auto add = [&lines](const QString &name, const TieredPrice &price, const QString &fallback) {
        if (price.isSet())
            lines.append(name + QStringLiteral(": ") + price.describe());
        else if (!fallback.isEmpty())
            lines.append(name + QStringLiteral(": ") + fallback);
    };
    add(QStringLiteral("input"), input, QStringLiteral("none"));
    add(QStringLiteral("output"), output, QStringLiteral("none"));
    add(QStringLiteral("cache read"), cacheRead, input.isSet() ? QStringLiteral("charged as input") : QString());
    add(QStringLiteral("cache write"), cacheWrite, input.isSet() ? QStringLiteral("charged as input") : QString());
    if (requestsKcount >= 0)
        lines.append(QStringLiteral("per request: $%1 per thousand requests").arg(formatRate(requestsKcount)));
    return lines;
}

Result<ModelPrice> ModelPrice::fromJson(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return makeError(QStringLiteral("%1: expected an object of prices such as {\"input_mtok\": 0.15}").arg(path));
    const QJsonObject object = value.toObject();
    ModelPrice price;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString key = it.key();
        const QString fieldPath = path + QLatin1Char('.') + key;
        TieredPrice *target = nullptr;
        if (key == QLatin1String("input_mtok"))
            target = &price.input;
        else if (key == QLatin1String("output_mtok"))
            target = &price.output;
        else if (key == QLatin1String("cache_read_mtok"))
            target = &price.cacheRead;
        else if (key == QLatin1String("cache_write_mtok"))
            target = &price.cacheWrite;
        if (target) {
            Result<TieredPrice> parsed = TieredPrice::fromJson(it.value(), fieldPath);
            if (!parsed)
                return parsed.error();
            *target = std::move(parsed).value();
        } else if (key == QLatin1String("requests_kcount")) {
            Result<double> parsed = rate(it.value(), fieldPath);
            if (!parsed)
                return parsed.error();
            price.requestsKcount = *parsed;
        } else {
            // Audio, image and video prices: Sluice's usage has no such counts, but the values must still be prices.
            Result<TieredPrice> parsed = TieredPrice::fromJson(it.value(), fieldPath);
            if (!parsed)
                return parsed.error();
        }
    }
    return price;
}

QString formatUsd(double usd)
{
    if (usd < 0)
        return QStringLiteral("-") + formatUsd(-usd);
    if (usd > 0 && usd < 0.000000005)
        return QStringLiteral("<$0.00000001");
    // Cents for large amounts, down to a millionth of a cent for single small requests.
    QString text = QString::number(usd, 'f', usd >= 0.01 ? 4 : 8);
    while (text.endsWith(QLatin1Char('0')) && text.indexOf(QLatin1Char('.')) < text.size() - 3)
        text.chop(1);
    return QLatin1Char('$') + text;
}

QString formatCount(qint64 count)
{
    QString digits = QString::number(count < 0 ? -count : count);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(','));
    return count < 0 ? QLatin1Char('-') + digits : digits;
}

QString formatRate(double usdPerMillion)
{
    QString text = QString::number(usdPerMillion, 'f', 6);
    while (text.endsWith(QLatin1Char('0')))
        text.chop(1);
    if (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    return text;
}

} // namespace sluice
