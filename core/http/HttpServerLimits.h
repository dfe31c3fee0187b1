#pragma once

#include <QtGlobal>

#include "common/ByteBudget.h"

namespace sluice {

struct HttpServerLimits
{
    qint64 maxHeaderBytes = 64 * 1024; // request line plus headers; beyond: 431
    qint64 maxBodyBytes = 32 * 1024 * 1024; // beyond: 413
    int idleTimeoutMs = 120 * 1000; // keep-alive connection with no request in flight
    int maxPipelinedRequests = 32; // parsed but unanswered requests held per connection
    int maxConnections = 1024; // open client connections; beyond: 503 and close
    // Request bodies held over all connections (the server's budget, shared with buffered answers); beyond: 503.
    // Null: only maxBodyBytes per request.
    ByteBudget *sharedBudget = nullptr;
};

} // namespace sluice
