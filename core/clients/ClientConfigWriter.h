#pragma once

#include <memory>
#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "common/Result.h"

namespace sluice {

// What a client is pointed at: the gateway's address, the gateway token it uses and the Sluice model names.
struct ClientEndpoint
{
    QString host = QStringLiteral("127.0.0.1"); // as it goes in a URL (IPv6 in brackets)
    quint16 port = 7341;
    QString token; // the gateway token's secret (a placeholder in a dry run)
    QStringList models; // every Sluice model name (opencode lists them)
    QString model; // the model the client should use by default; empty: leave the client's choice alone

    QString baseUrl() const; // http://HOST:PORT
};

// One coding agent's own config file, and how Sluice's settings are merged into it. A writer only transforms
// text: reading, backing up and writing the file is ClientSetup's job. Paths follow the client's own rules
// (HOME, XDG_CONFIG_HOME, CODEX_HOME), read when asked so tests can point them at a temporary folder.
class ClientConfigWriter
{
public:
    virtual ~ClientConfigWriter() = default;

    virtual QString name() const = 0; // "claude-code": the `sluice setup` word and the gateway token's name
    virtual QString displayName() const = 0; // "Claude Code"
    virtual QString configPath() const = 0;
    // The file's new content: existing (nullopt when the file does not exist) with Sluice's settings merged in,
    // everything else kept. An error (and no change) when the existing text cannot be read safely.
    virtual Result<QByteArray> merge(const std::optional<QByteArray> &existing,
                                     const ClientEndpoint &endpoint) const = 0;
    // Whether the client keeps the gateway token in its file (else it reads it from the environment).
    virtual bool tokenInFile() const = 0;
    // The secret a previous set-up left where this client reads it (its file or its environment variable), so
    // the same gateway token can be used again; empty if none.
    virtual QString existingSecret(const std::optional<QByteArray> &existing) const = 0;
    // Shell lines the user must add to their environment (with the token), empty if none.
    virtual QStringList environmentLines(const ClientEndpoint &endpoint) const = 0;
    // Anything worth knowing about the merged file (e.g. a setting that overrides Sluice's), empty if none.
    virtual QStringList warnings(const std::optional<QByteArray> &existing) const;

    // Every client `sluice setup` knows, and the one named so (nullptr if none).
    static QList<std::shared_ptr<const ClientConfigWriter>> all();
    static std::shared_ptr<const ClientConfigWriter> find(const QString &name);

    static QString homeDir(); // $HOME, else QDir::homePath()
};

} // namespace sluice
