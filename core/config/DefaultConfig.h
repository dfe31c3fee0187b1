#pragma once

#include <QByteArray>
#include <QString>

#include "common/Result.h"

namespace sluice {

// The config a first run writes when there is none at the default location: the gateway's settings and, commented
// out, an example of each section, so Sluice starts serving at once and the file says how to go on.
class DefaultConfig
{
public:
    static QByteArray text();
    // Writes text() to path (folders made, atomically) unless a file is already there; true when it wrote one.
    static Result<bool> writeIfMissing(const QString &path);
};

} // namespace sluice
