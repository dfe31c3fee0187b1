#include "RateLimiter.h"

namespace sluice {

void RateLimiter::expire(Window &window, qint64 nowMs)
{
    while (!window.starts.empty() && window.starts.front() <= nowMs - WindowMs)
        window.starts.pop_front();
    while (!window.tokens.empty() && window.tokens.front().first <= nowMs - WindowMs) {
        window.tokenSum -= window.tokens.front().second;
        window.tokens.pop_front();
    }
}

std::optional<RateLimiter::Refusal> RateLimiter::admit(const QString &token, int rpm, qint64 tpm, qint64 nowMs)
{
    std::optional<Refusal> refusal = check(token, rpm, tpm, nowMs);
    if (!refusal)
        countRequest(token, rpm, nowMs);
    return refusal;
}

void RateLimiter::countRequest(const QString &token, int rpm, qint64 nowMs)
{
    if (rpm > 0)
        m_windows[token].starts.push_back(nowMs);
}

std::optional<RateLimiter::Refusal> RateLimiter::check(const QString &token, int rpm, qint64 tpm, qint64 nowMs)
{
    if (rpm <= 0 && tpm <= 0)
        return std::nullopt;
    Window &window = m_windows[token];
    expire(window, nowMs);
    if (rpm > 0 && qsizetype(window.starts.size()) >= rpm) {
        // Room comes back when enough of the oldest requests leave the window.
        const qint64 freeAt = window.starts.at(window.starts.size() - size_t(rpm)) + WindowMs;
        return Refusal {rpmMessage(token, rpm), qMax<qint64>(1, freeAt - nowMs)};
    }
    if (tpm > 0 && window.tokenSum >= tpm) {
        qint64 sum = window.tokenSum;
        qint64 freeAt = nowMs + WindowMs;
        for (const auto &[at, tokens] : window.tokens) {
            sum -= tokens;
            if (sum < tpm) {
                freeAt = at + WindowMs;
                break;
            }
        }
        return Refusal {tpmMessage(token, tpm, window.tokenSum), qMax<qint64>(1, freeAt - nowMs)};
    }
    return std::nullopt;
}

QString RateLimiter::rpmMessage(const QString &token, int rpm)
{
    return QStringLiteral("Rate limit of gateway token '%1' reached: %2 %3 per minute. Retry after the time in "
                          "Retry-After.")
        .arg(token)
        .arg(rpm)
        .arg(rpm == 1 ? QStringLiteral("request") : QStringLiteral("requests"));
}

QString RateLimiter::tpmMessage(const QString &token, qint64 tpm, qint64 used)
{
    return QStringLiteral("Rate limit of gateway token '%1' reached: %2 tokens per minute (%3 used in the last "
                          "minute). Retry after the time in Retry-After.")
        .arg(token)
        .arg(tpm)
        .arg(used);
}

void RateLimiter::recordTokens(const QString &token, qint64 tokens, qint64 nowMs)
{
    const auto it = m_windows.find(token);
    if (it == m_windows.end() || tokens <= 0)
        return;
    expire(*it, nowMs);
    it->tokens.emplace_back(nowMs, tokens);
    it->tokenSum += tokens;
}

} // namespace sluice
