#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include "common/Result.h"

class QNetworkAccessManager;

namespace sluice {

// One local model server Sluice looked for, and what it found there.
struct DiscoveredServer
{
    QString type; // provider type: "ollama" | "lmstudio"
    QString label; // "Ollama", "LM Studio"
    QUrl probeUrl; // what was asked: GET /api/tags (Ollama) or /v1/models (LM Studio)
    QUrl baseUrl; // the provider's base_url for the config
    bool found = false; // answered with a model list
    QString problem; // why not found: not running, or an answer that is not a model list
    QStringList models; // model names as the server reports them, sorted
};

// Looks for model servers on this machine (Ollama: GET /api/tags on port 11434; LM Studio: GET /v1/models on
// port 1234) and offers them as config: it never edits the config itself. Off the request path, so it uses
// QNetworkAccessManager.
class LocalDiscovery : public QObject
{
    Q_OBJECT
public:
    static constexpr quint16 DefaultOllamaPort = 11434;
    static constexpr quint16 DefaultLmStudioPort = 1234;

    explicit LocalDiscovery(QObject *parent = nullptr);

    // The servers to probe on 127.0.0.1.
    static QList<DiscoveredServer> targets(quint16 ollamaPort = DefaultOllamaPort,
                                           quint16 lmStudioPort = DefaultLmStudioPort);
    // Probes every target at once; finished() reports them in the same order.
    void start(const QList<DiscoveredServer> &targets, int timeoutMs = 2000);

    // Model names from Ollama's /api/tags ({"models": [{"name": ...}]}) or an OpenAI-style list ({"data": [{"id"}]}).
    static Result<QStringList> parseOllamaTags(const QByteArray &body);
    static Result<QStringList> parseOpenAiModels(const QByteArray &body);
    // A `providers:` / `models:` YAML snippet for the servers found (empty when none): a provider per server and
    // a model per served model, named as the server names it (prefixed with the provider when two servers share
    // a name).
    static QString configSnippet(const QList<DiscoveredServer> &servers);

Q_SIGNALS:
    void finished(const QList<sluice::DiscoveredServer> &servers);

private:
    QNetworkAccessManager *m_network;
    QList<DiscoveredServer> m_servers;
    int m_pending = 0;
};

} // namespace sluice
