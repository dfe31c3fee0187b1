#pragma once

#include <QNetworkRequest>
#include <QObject>
#include <QStringList>

#include "config/Config.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace sluice {

// What one test call to a provider found.
struct ProbeResult
{
    bool ok = false;
    QStringList models; // the provider's model ids, when it listed them
    int httpStatus = 0; // 0: no HTTP answer (connection, timeout)
    QString message; // in plain words: what happened and, on failure, what to check
};

// `sluice provider test` and the Providers page's Test button: one real call to the provider that costs nothing
// (its model list: GET /models, Anthropic's /v1/models, Gemini's /v1beta/models) with the key it is configured
// with, and what came back in plain words. Latency does not matter here: QNetworkAccessManager.
class ProviderProbe : public QObject
{
    Q_OBJECT
public:
    explicit ProviderProbe(QObject *parent = nullptr);

    // The request for the model list; an empty URL when the provider type cannot be tested this way (Bedrock).
    static QNetworkRequest listRequest(const ProviderConfig &provider, const QString &apiKey);
    // Reads an answer: the model ids, or the provider's error message (never the key) with advice.
    static ProbeResult interpret(const ProviderConfig &provider, int httpStatus, const QByteArray &body,
                                 const QString &apiKey);

    // finished() follows once (also for a provider that cannot be tested).
    void start(const ProviderConfig &provider, const QString &apiKey, int timeoutMs = 15000);

Q_SIGNALS:
    void finished(const sluice::ProbeResult &result);

private:
    QNetworkAccessManager *m_network;
};

} // namespace sluice
