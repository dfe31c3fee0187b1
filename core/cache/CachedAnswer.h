#pragma once

#include <QByteArray>
#include <QString>

#include "api/CanonicalResponse.h"
#include "common/Result.h"

namespace sluice {

// One response-cache entry: the provider-neutral answer and where it came from, so a hit is replayed in the
// client's format and its saved cost is priced from the original provider, model and usage.
struct CachedAnswer
{
    CanonicalResponse response;
    QString provider; // configured provider that answered
    QString upstreamModel;
    QString deployment;
    qint64 createdAtMs = 0; // when it was stored (ms since the Unix epoch)

    // Compact JSON of the fields above (the answer's text parts, tool calls, thinking, usage, finish).
    QByteArray toJson() const;
    static Result<CachedAnswer> fromJson(const QByteArray &json);
};

} // namespace sluice
