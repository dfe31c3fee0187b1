#include "GatewaySecrets.h"

#include "secrets/SecretStore.h"

namespace sluice {

Result<GatewaySecrets> GatewaySecrets::resolve(const Config &config, SecretResolver &resolver)
{
    GatewaySecrets secrets;
    auto resolveKey = [&](const SecretRef &ref, const QString &owner) -> Result<void> {
        if (ref.isNull() || secrets.keys.contains(ref.toString()))
            return {};
        Result<QString> key = resolver.resolve(ref);
        if (!key)
            return makeError(QStringLiteral("%1: %2").arg(owner, key.errorMessage()));
        secrets.keys.insert(ref.toString(), key.value());
        return {};
    };
    for (const ProviderConfig &provider : config.providers) {
        QList<SecretRef> refs = provider.apiKeys;
        if (!provider.apiKey.isNull() && !refs.contains(provider.apiKey))
            refs.prepend(provider.apiKey);
        refs << provider.accessKeyId << provider.sessionToken; // Bedrock's SigV4 credentials (null elsewhere)
        for (const SecretRef &ref : std::as_const(refs)) {
            if (Result<void> done = resolveKey(ref, QStringLiteral("Provider '%1'").arg(provider.name)); !done)
                return done.error();
        }
    }
    for (const ModelRoute &model : config.models) {
        for (const ModelDeployment &deployment : model.deployments) {
            if (Result<void> done = resolveKey(deployment.apiKey, QStringLiteral("Model '%1'").arg(model.name)); !done)
                return done.error();
        }
    }
    // Observability credentials: kept with the keys, so they are scrubbed from answers and the log like them.
    if (Result<void> done = resolveKey(config.metrics.token, QStringLiteral("metrics.token")); !done)
        return done.error();
    for (const auto &[header, ref] : config.telemetry.headers) {
        if (Result<void> done = resolveKey(ref, QStringLiteral("telemetry.headers.%1").arg(header)); !done)
            return done.error();
    }
    for (const SecretRef &ref : {config.telemetry.langfusePublicKeyRef, config.telemetry.langfuseSecretKey}) {
        if (Result<void> done = resolveKey(ref, QStringLiteral("telemetry.langfuse")); !done)
            return done.error();
    }
    for (const GatewayToken &token : config.tokens) {
        Result<QString> secret = resolver.resolve(token.secret);
        if (!secret)
            return makeError(QStringLiteral("Gateway token '%1': %2").arg(token.name, secret.errorMessage()));
        secrets.tokens.append({token.name, secret.value()});
    }
    return secrets;
}

SecretScrubber GatewaySecrets::scrubber() const
{
    SecretScrubber scrubber;
    for (const QString &value : keys)
        scrubber.add(value);
    for (const auto &[name, secret] : tokens)
        scrubber.add(secret);
    return scrubber;
}

} // namespace sluice
