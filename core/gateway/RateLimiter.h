#pragma once

#include <deque>
#include <optional>
#include <utility>

#include <QHash>
#include <QString>

namespace sluice {

// Per gateway token: requests per minute (requests admitted in the last 60 s) and tokens per minute (input +
// output tokens of requests completed in the last 60 s; requests in flight are not estimated). Sliding windows on a
// steady clock in milliseconds, passed in. Use it from one thread.
class RateLimiter
{
public:
    struct Refusal
    {
        QString message; // names the limit and the token
        qint64 retryAfterMs = 0; // until the window has room again
    };

    static constexpr qint64 WindowMs = 60'000;

    // Refuses, or counts the request as started at nowMs. rpm / tpm <= 0: no limit.
    std::optional<Refusal> admit(const QString &token, int rpm, qint64 tpm, qint64 nowMs);
    // admit() in two steps, for a request that another check may still refuse: refusal or nothing, then count.
    std::optional<Refusal> check(const QString &token, int rpm, qint64 tpm, qint64 nowMs);
    void countRequest(const QString &token, int rpm, qint64 nowMs);
    // Books the tokens of a completed request (TPM).
    void recordTokens(const QString &token, qint64 tokens, qint64 nowMs);

    // The refusals' messages (shared by the limits kept in a PostgreSQL store).
    static QString rpmMessage(const QString &token, int rpm);
    static QString tpmMessage(const QString &token, qint64 tpm, qint64 used);

private:
    struct Window
    {
        std::deque<qint64> starts; // admitted requests
        std::deque<std::pair<qint64, qint64>> tokens; // completion time, tokens
        qint64 tokenSum = 0;
    };
    static void expire(Window &window, qint64 nowMs);

    QHash<QString, Window> m_windows;
};

} // namespace sluice
