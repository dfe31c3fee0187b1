#pragma once

#include <QtGlobal>

#include "common/HttpHeaders.h"

namespace sluice {

struct CacheSettings;
struct ModelRoute;

// Whether one request reads and/or writes the response cache, from the config (the model's `cache:`, else the
// global `cache.enabled`) and the request's headers:
//   x-sluice-cache: on | off     turns the cache on or off for this request, whatever the config says
//   Cache-Control: no-cache      skips the lookup (a fresh answer, which is then stored)
//   Cache-Control: no-store      does not store the answer
struct CachePolicy
{
    bool read = false;
    bool write = false;
    qint64 ttlMs = 0;

    bool applies() const { return read || write; }

    // route may be null (an unknown model: nothing is cached).
    static CachePolicy decide(const CacheSettings &settings, const ModelRoute *route, const HttpHeaders &headers);
    // False for requests whose answer a cache entry cannot hold: several choices (OpenAI's n > 1).
    static bool isCacheable(const QByteArray &body);
};

} // namespace sluice
