#pragma once

#include <optional>

#include <QByteArray>
#include <QDateTime>
#include <QRandomGenerator>
#include <QString>

#include "common/HttpHeaders.h"
#include "config/Config.h"

namespace sluice {

struct RetryVerdict
{
    bool retry = false;
    qint64 waitMs = 0;
    QString reason; // e.g. "retry 1 of 2 after 180 ms (backoff)"
};

// Whether to try the same deployment again, and when: exponential backoff with full jitter, or what the
// provider asked for (retry-after-ms, Retry-After, Gemini's RetryInfo), never past the request's deadline.
class RetryPolicy
{
public:
    explicit RetryPolicy(RetrySettings settings = {});

    const RetrySettings &settings() const { return m_settings; }

    // The longest wait before retry number `retry` (1 = the first retry): backoff_ms doubled per retry,
    // at most max_backoff_ms.
    qint64 backoffCeilingMs(int retry) const;
    // Full jitter: uniformly random between 0 and backoffCeilingMs(retry), both included.
    qint64 backoffMs(int retry, QRandomGenerator &random) const;

    // After `triesSoFar` failed tries of one deployment (1 after the first), with `remainingMs` left of the
    // request's deadline. A provider asking to wait longer than max_backoff_ms is not retried.
    RetryVerdict decide(int triesSoFar, std::optional<qint64> serverDelayMs, qint64 remainingMs,
                        QRandomGenerator &random) const;

    // How long the provider asked to wait, in this order: the retry-after-ms header, Retry-After (seconds or
    // an HTTP date), Gemini's RetryInfo.retryDelay in the body. nullopt when it did not say.
    static std::optional<qint64> serverDelayMs(const HttpHeaders &headers, const QByteArray &body,
                                               const QDateTime &utcNow);
    static std::optional<qint64> parseRetryAfter(const QByteArray &value, const QDateTime &utcNow);
    static std::optional<qint64> parseRetryAfterMs(const QByteArray &value);
    static std::optional<qint64> parseGeminiRetryDelay(const QByteArray &body);

private:
    RetrySettings m_settings;
};

} // namespace sluice
