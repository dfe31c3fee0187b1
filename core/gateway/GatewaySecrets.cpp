#include "GatewaySecrets.h"

#include "secrets/SecretStore.h"

namespace sluice {

Result<GatewaySecrets> GatewaySecrets::resolve(const Config &config, SecretResolver &resolver)
{
    GatewaySecrets secrets;
    for (const ProviderConfig &provider : config.providers) {
        if (provider.apiKey.kind == SecretRef::Kind::None)
            continue;
        Result<QString> key = resolver.resolve(provider.apiKey);
        if (!key)
            return makeError(QStringLiteral("Provider '%1': %2").arg(provider.name, key.errorMessage()));
        secrets.providerKeys.insert(provider.name, key.value());
    }
    for (const GatewayToken &token : config.tokens) {
        Result<QString> secret = resolver.resolve(token.secret);
        if (!secret)
            return makeError(QStringLiteral("Gateway token '%1': %2").arg(token.name, secret.errorMessage()));
        secrets.tokens.append({token.name, secret.value()});
    }
    return secrets;
}

} // namespace sluice
