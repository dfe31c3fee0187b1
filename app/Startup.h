#pragma once

#include "AppOptions.h"
#include "common/Result.h"
#include "config/Config.h"
#include "gateway/GatewaySecrets.h"

namespace sluice {

// What both the desktop app and headless mode need before serving: the validated config, the secrets it
// references (resolved once, held in memory only) and where the request log lives.
struct Startup
{
    Config config;
    GatewaySecrets secrets;
    QString databasePath;

    static Result<Startup> prepare(const AppOptions &options);
    static QString defaultDataDir();
};

} // namespace sluice
