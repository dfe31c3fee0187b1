#pragma once

#include "common/Result.h"
#include "config/Config.h"

namespace sluice {

// Reads and validates the YAML config. Errors name the file, line and field, e.g.
// "sluice.yaml:12: providers[0].base_url: 'htp://x' is not an http(s) URL".
class ConfigLoader
{
public:
    static Result<Config> loadFile(const QString &path);
    static Result<Config> loadString(const QByteArray &yaml, const QString &sourceName);
    // The platform's config location: e.g. ~/.config/sluice/sluice.yaml on Linux.
    static QString defaultPath();
};

} // namespace sluice
