#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "clients/ClientConfigWriter.h"
#include "common/Result.h"
#include "config/Config.h"

namespace sluice {

class TokenStore;

// The gateway token a client's set-up uses, one per client (named after it) so spend per tool is automatic: the
// one a previous set-up left where the client reads it, when it matches the stored token of that name; else a
// new one made in the token store. `sluice setup` and the Clients page share it.
struct ClientToken
{
    QString secret;
    bool created = false;

    static Result<ClientToken> obtain(const ClientConfigWriter &writer, const std::optional<QByteArray> &before,
                                      TokenStore &store);
    // Where the client's set-up points: the address of the config in force and its model names.
    static ClientEndpoint endpointFor(const Config &config);
};

} // namespace sluice
