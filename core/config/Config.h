#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace sluice {

inline constexpr quint16 DefaultGatewayPort = 7341; // not used by Ollama, LM Studio, LiteLLM or Portkey

struct GatewaySettings
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = DefaultGatewayPort;
    // Host header names accepted besides loopback names (DNS-rebinding defence); "*" accepts any.
    QStringList allowedHosts;
    // Browser Origins allowed to call the gateway; by default none.
    QStringList allowedOrigins;
    qint64 maxHeaderBytes = 64 * 1024;
    qint64 maxBodyBytes = 32 * 1024 * 1024;
};

// A reference to a secret kept outside the config file: "keychain:NAME" or "env:VAR".
struct SecretRef
{
    enum class Kind { None, Keychain, Env };
    Kind kind = Kind::None;
    QString name;
    // "keychain:NAME", "env:VAR", or empty for Kind::None.
    QString toString() const;
    bool isNull() const { return kind == Kind::None; }

    // Parses "keychain:NAME" or "env:VAR"; anything else (including a bad name) gives Kind::None.
    static SecretRef parse(const QString &text);
    // Keychain entry names: letters, digits, '-', '_' and '.', at most 128 characters.
    static bool isValidKeyName(const QString &name);
    // Environment variable names: letters, digits and '_', not starting with a digit.
    static bool isValidEnvName(const QString &name);

    bool operator==(const SecretRef &other) const = default;
};

struct ProviderConfig
{
    QString name; // user's name for it, unique, e.g. "openai"
    QString type; // adapter: "openai" (OpenAI-compatible) for now
    QUrl baseUrl; // e.g. https://api.openai.com/v1
    SecretRef apiKey;
    int connectTimeoutMs = 10'000;
    int firstByteTimeoutMs = 120'000;
    int idleTimeoutMs = 120'000;
    int totalTimeoutMs = 600'000;
    int configLine = 0; // where it was defined, for messages
};

// A model name clients use, and where it goes.
struct ModelRoute
{
    QString name; // client-facing name
    QString provider; // ProviderConfig::name
    QString upstreamModel; // name sent to the provider; defaults to name
    int configLine = 0;
};

struct GatewayToken
{
    QString name; // shown in logs and the UI
    SecretRef secret; // the token's value lives in the keychain or environment
    int configLine = 0;
};

struct LoggingSettings
{
    bool storeBodies = true;
    qint64 maxBodyBytes = 256 * 1024; // per body; longer bodies are truncated and marked
};

struct Config
{
    QString sourcePath; // the file it was read from (empty for defaults)
    GatewaySettings gateway;
    QList<ProviderConfig> providers;
    QList<ModelRoute> models;
    QList<GatewayToken> tokens;
    LoggingSettings logging;

    const ProviderConfig *provider(const QString &name) const;
    const ModelRoute *model(const QString &name) const;
};

} // namespace sluice
