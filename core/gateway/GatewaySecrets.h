#pragma once

#include <QHash>
#include <QList>
#include <QString>

#include "common/Result.h"
#include "common/SecretScrubber.h"
#include "config/Config.h"

namespace sluice {

class SecretResolver;

// The secrets a running gateway needs, resolved once at start-up and held in memory only.
struct GatewaySecrets
{
    QHash<QString, QString> keys; // SecretRef::toString() ("keychain:openai", "env:KEY") -> provider key
    QList<QPair<QString, QString>> tokens; // gateway token name -> secret

    QString key(const SecretRef &ref) const { return ref.isNull() ? QString() : keys.value(ref.toString()); }
    // Every value above, to be kept out of answers and the log.
    SecretScrubber scrubber() const;

    // Resolves every reference in the config (providers' keys, deployments' own keys, gateway tokens); the
    // error names the provider or token and the reference, never a value.
    static Result<GatewaySecrets> resolve(const Config &config, SecretResolver &resolver);
};

} // namespace sluice
