#pragma once

#include <QHash>
#include <QList>
#include <QString>

#include "common/Result.h"
#include "config/Config.h"

namespace sluice {

class SecretResolver;

// The secrets a running gateway needs, resolved once at start-up and held in memory only.
struct GatewaySecrets
{
    QHash<QString, QString> providerKeys; // provider name -> API key
    QList<QPair<QString, QString>> tokens; // gateway token name -> secret

    // Resolves every reference in the config; the error names the provider or token and the reference.
    static Result<GatewaySecrets> resolve(const Config &config, SecretResolver &resolver);
};

} // namespace sluice
