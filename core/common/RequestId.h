#pragma once

#include <QString>

namespace sluice {

// Request ids: UUIDs in the version 7 layout (RFC 9562: 48-bit Unix milliseconds first, then random bits), so
// ids logged one after another sort together and each insert into the log's unique id index touches the same
// few pages instead of a random one (random UUIDv4 ids made the writer's cost grow with the log).
class RequestId
{
public:
    // A new id for a request starting now, e.g. "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b".
    static QString create();
    static QString create(qint64 unixMs);
};

} // namespace sluice
