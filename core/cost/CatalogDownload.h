#pragma once

#include <QByteArray>
#include <QUrl>

#include "common/Result.h"

namespace sluice {

// Fetches a price catalog for `sluice prices update URL` with QNetworkAccessManager (latency does not matter
// here). Only https, or plain http to a loopback address; redirects may not downgrade to http. Blocks, running
// its own event loop, until the body arrived, timeoutMs passed or MaxBytes was exceeded.
class CatalogDownload
{
public:
    // Empty when url may be fetched, else why not.
    static QString refusal(const QUrl &url);
    static Result<QByteArray> fetch(const QUrl &url, int timeoutMs = 60'000);
    // True when text is meant as a URL rather than a file path.
    static bool looksLikeUrl(const QString &text);

    static constexpr qint64 MaxBytes = 64LL * 1024 * 1024;
};

} // namespace sluice
