#include "clients/ClientToken.h"

#include "store/TokenStore.h"

namespace sluice {

namespace {

QString urlHost(const QHostAddress &listen)
{
    if (listen.isNull() || listen == QHostAddress(QHostAddress::Any) || listen == QHostAddress(QHostAddress::AnyIPv4))
        return QStringLiteral("127.0.0.1");
    if (listen == QHostAddress(QHostAddress::AnyIPv6))
        return QStringLiteral("[::1]");
    if (listen.protocol() == QAbstractSocket::IPv6Protocol)
        return QLatin1Char('[') + listen.toString() + QLatin1Char(']');
    return listen.toString();
}

} // namespace

Result<ClientToken> ClientToken::obtain(const ClientConfigWriter &writer, const std::optional<QByteArray> &before,
                                        TokenStore &store)
{
    const QString candidate = writer.existingSecret(before);
    const Result<QList<StoredToken>> tokens = store.list();
    if (!tokens)
        return tokens.error();
    const StoredToken *existing = nullptr;
    for (const StoredToken &token : *tokens) {
        if (token.name == writer.name())
            existing = &token;
    }
    if (existing && !candidate.isEmpty() && TokenStore::digest(candidate.toUtf8()) == existing->secretSha256)
        return ClientToken {candidate, false};
    if (existing)
        return makeError(
            QStringLiteral("a gateway token named '%1' exists, but its secret is not where %2 reads it (%3), and "
                           "Sluice keeps only its hash. Revoke it with `sluice token revoke %1` and run the set-up "
                           "again for a new one")
                .arg(writer.name(), writer.displayName(),
                     writer.tokenInFile() ? writer.configPath() : QStringLiteral("its environment variable")));
    StoredToken token;
    token.name = writer.name();
    const Result<QString> secret = store.create(token);
    if (!secret)
        return secret.error();
    return ClientToken {*secret, true};
}

ClientEndpoint ClientToken::endpointFor(const Config &config)
{
    ClientEndpoint endpoint;
    endpoint.host = urlHost(config.gateway.listenAddress);
    endpoint.port = config.gateway.port;
    for (const ModelRoute &route : config.models)
        endpoint.models.append(route.name);
    return endpoint;
}

} // namespace sluice
