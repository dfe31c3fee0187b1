#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "common/Result.h"

class QJsonValue;

namespace sluice {

// One price in USD per million tokens: flat, or tiered by the request's input tokens. Tiers work as providers
// bill them: a request whose input tokens exceed a tier's start pays that tier's rate for ALL its tokens of the
// priced kind (genai-prices' "cliff" model), e.g. above 200k input tokens every output token costs more too.
struct TieredPrice
{
    struct Tier
    {
        qint64 start = 0;
        double price = 0;
    };

    double base = -1; // -1: no price given
    QList<Tier> tiers; // ascending by start

    bool isSet() const { return base >= 0; }
    bool isTiered() const { return !tiers.isEmpty(); }
    // The rate, in USD per million tokens, for a request of inputTokens input tokens.
    double rateFor(qint64 inputTokens) const;
    // e.g. "$3/M" or "$3/M, $6/M above 200,000 input tokens"
    QString describe() const;

    static TieredPrice flat(double price);
    // A number, or {"base": n, "tiers": [{"start": n, "price": n}, ...]}.
    static Result<TieredPrice> fromJson(const QJsonValue &value, const QString &path);
};

// What one model costs. Cache reads and writes without a price of their own are charged at the input price.
struct ModelPrice
{
    TieredPrice input;
    TieredPrice output; // reasoning tokens are output tokens
    TieredPrice cacheRead;
    TieredPrice cacheWrite;
    double requestsKcount = -1; // USD per thousand requests, -1: none

    bool isEmpty() const
    {
        return !input.isSet() && !output.isSet() && !cacheRead.isSet() && !cacheWrite.isSet() && requestsKcount < 0;
    }
    // One line per price, e.g. "input: $0.15/M".
    QStringList describe() const;

    // A genai-prices "ModelPrice" object (USD per million tokens).
    static Result<ModelPrice> fromJson(const QJsonValue &value, const QString &path);
};

// "$0.0003675", "$0.0123", "$12.3457", "$0.00": enough digits that small per-request costs stay visible.
QString formatUsd(double usd);
// 1234567 -> "1,234,567"
QString formatCount(qint64 count);
// A price per million tokens without trailing zeros: 0.15 -> "0.15", 3 -> "3".
QString formatRate(double usdPerMillion);

} // namespace sluice
