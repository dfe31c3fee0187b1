#pragma once

#include <cmath>
#include <optional>

#include <QtGlobal>

namespace sluice {

// A number from JSON (a client's or an upstream's) as a 64-bit integer, without the undefined behaviour of a
// plain cast: nullopt when it is not finite, not whole or out of qint64's range.
inline std::optional<qint64> wholeNumber(double value)
{
    constexpr double Limit = 9223372036854775808.0; // 2^63, exactly representable
    if (!(value >= -Limit && value < Limit) || std::trunc(value) != value)
        return std::nullopt;
    return qint64(value);
}

// A token count reported by a provider: nullopt unless a whole number from 0 to a trillion (no request comes
// near it; anything beyond is a broken or hostile answer, not usage to bill).
inline std::optional<qint64> tokenCount(double value)
{
    constexpr qint64 MaxTokens = 1'000'000'000'000;
    const std::optional<qint64> whole = wholeNumber(value);
    if (!whole || *whole < 0 || *whole > MaxTokens)
        return std::nullopt;
    return whole;
}

} // namespace sluice
