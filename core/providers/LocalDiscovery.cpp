#include "LocalDiscovery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSet>

namespace sluice {

namespace {
Result<QStringList> namesFrom(const QByteArray &body, QLatin1String listKey, QLatin1String nameKey,
                              const QString &expected)
{
    QJsonParseError parseError {};
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    const QJsonValue list = document.object().value(listKey);
    if (!document.isObject() || !list.isArray())
        return makeError(QStringLiteral("the answer is not %1").arg(expected));
    QStringList names;
    for (const QJsonValue &item : list.toArray()) {
        const QString name = item.toObject().value(nameKey).toString().trimmed();
        if (name.isEmpty() || name.contains(QLatin1Char(' ')))
            continue;
        if (!names.contains(name))
            names.append(name);
    }
    names.sort();
    return names;
}

// YAML double-quoted scalar: model names may contain ':' or '/', which are safe only quoted.
QString quotedYaml(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}
} // namespace

LocalDiscovery::LocalDiscovery(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setProxy(QNetworkProxy::NoProxy); // only this machine is probed; a configured proxy must not answer
}

QList<DiscoveredServer> LocalDiscovery::targets(quint16 ollamaPort, quint16 lmStudioPort)
{
    DiscoveredServer ollama;
    ollama.type = QStringLiteral("ollama");
    ollama.label = QStringLiteral("Ollama");
    ollama.probeUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/api/tags").arg(ollamaPort));
    ollama.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(ollamaPort));
    DiscoveredServer lmStudio;
    lmStudio.type = QStringLiteral("lmstudio");
    lmStudio.label = QStringLiteral("LM Studio");
    lmStudio.probeUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/models").arg(lmStudioPort));
    lmStudio.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(lmStudioPort));
    return {ollama, lmStudio};
}

void LocalDiscovery::start(const QList<DiscoveredServer> &targets, int timeoutMs)
{
    m_servers = targets;
    m_pending = int(m_servers.size());
    if (m_pending == 0) {
        Q_EMIT finished(m_servers);
        return;
    }
    for (qsizetype i = 0; i < m_servers.size(); ++i) {
        QNetworkRequest request(m_servers[i].probeUrl);
        request.setTransferTimeout(timeoutMs);
        request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_network->get(request);
        connect(reply, &QNetworkReply::finished, this, [this, reply, i] {
            reply->deleteLater();
            DiscoveredServer &server = m_servers[i];
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->error() != QNetworkReply::NoError && status == 0) {
                server.problem = reply->error() == QNetworkReply::OperationCanceledError
                        || reply->error() == QNetworkReply::TimeoutError
                    ? QStringLiteral("no answer from %1 in time").arg(server.probeUrl.authority())
                    : QStringLiteral("not running (nothing answers on %1)").arg(server.probeUrl.authority());
            } else if (status != 200) {
                server.problem = QStringLiteral("%1 answered HTTP %2 to GET %3; it may be another program")
                                     .arg(server.probeUrl.authority())
                                     .arg(status)
                                     .arg(server.probeUrl.path());
            } else {
                const QByteArray body = reply->readAll();
                const Result<QStringList> models
                    = server.type == QLatin1String("ollama") ? parseOllamaTags(body) : parseOpenAiModels(body);
                if (models) {
                    server.found = true;
                    server.models = models.value();
                } else {
                    server.problem = QStringLiteral("something answers on %1 but %2; it may be another program")
                                         .arg(server.probeUrl.authority(), models.errorMessage());
                }
            }
            if (--m_pending == 0)
                Q_EMIT finished(m_servers);
        });
    }
}

Result<QStringList> LocalDiscovery::parseOllamaTags(const QByteArray &body)
{
    return namesFrom(body, QLatin1String("models"), QLatin1String("name"),
                     QStringLiteral("Ollama's model list ({\"models\": [...]})"));
}

Result<QStringList> LocalDiscovery::parseOpenAiModels(const QByteArray &body)
{
    return namesFrom(body, QLatin1String("data"), QLatin1String("id"),
                     QStringLiteral("an OpenAI-style model list ({\"data\": [...]})"));
}

QString LocalDiscovery::configSnippet(const QList<DiscoveredServer> &servers)
{
    QStringList providers;
    QStringList models;
    QSet<QString> seen;
    QSet<QString> shared; // model names more than one server offers
    for (const DiscoveredServer &server : servers) {
        if (!server.found)
            continue;
        for (const QString &model : server.models) {
            if (seen.contains(model))
                shared.insert(model);
            seen.insert(model);
        }
    }
    for (const DiscoveredServer &server : servers) {
        if (!server.found)
            continue;
        providers << QStringLiteral("  - name: %1").arg(server.type) << QStringLiteral("    type: %1").arg(server.type)
                  << QStringLiteral("    base_url: %1").arg(server.baseUrl.toString());
        for (const QString &model : server.models) {
            const QString name = shared.contains(model) ? server.type + QLatin1Char('/') + model : model;
            models << QStringLiteral("  - name: %1").arg(quotedYaml(name))
                   << QStringLiteral("    provider: %1").arg(server.type)
                   << QStringLiteral("    upstream_model: %1").arg(quotedYaml(model));
        }
    }
    if (providers.isEmpty())
        return {};
    QString snippet = QStringLiteral("providers:\n") + providers.join(QLatin1Char('\n')) + QLatin1Char('\n');
    if (!models.isEmpty())
        snippet += QStringLiteral("models:\n") + models.join(QLatin1Char('\n')) + QLatin1Char('\n');
    return snippet;
}

} // namespace sluice
