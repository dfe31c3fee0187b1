#include "ProviderProbe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include "common/SecretScrubber.h"
#include "config/ProviderPreset.h"

namespace sluice {

namespace {

QUrl withPath(const QUrl &base, const QString &path)
{
    QUrl url = base;
    QString prefix = url.path();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + path);
    return url;
}

// The provider's own words from an error body: error.message (OpenAI, Anthropic, Gemini), message, or the text.
QString providerMessage(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QJsonValue error = object.value(QLatin1String("error"));
    QString message = error.toObject().value(QLatin1String("message")).toString();
    if (message.isEmpty() && error.isString())
        message = error.toString();
    if (message.isEmpty())
        message = object.value(QLatin1String("message")).toString();
    if (message.isEmpty() && object.isEmpty())
        message = QString::fromUtf8(body.left(300)).simplified();
    return message;
}

} // namespace

ProviderProbe::ProviderProbe(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{ }

QNetworkRequest ProviderProbe::listRequest(const ProviderConfig &provider, const QString &apiKey)
{
    const ProviderPreset *preset = ProviderPreset::find(provider.type);
    if (!preset || preset->wire == ProviderPreset::Wire::BedrockConverse)
        return QNetworkRequest();
    const QByteArray key = apiKey.toUtf8();
    QNetworkRequest request;
    switch (preset->wire) {
    case ProviderPreset::Wire::OpenAiChat:
        if (preset->azure) {
            QUrl url = withPath(provider.baseUrl, QStringLiteral("/openai/models"));
            url.setQuery(QStringLiteral("api-version=") + provider.apiVersion);
            request.setUrl(url);
            if (!key.isEmpty())
                request.setRawHeader("api-key", key);
        } else {
            request.setUrl(withPath(provider.baseUrl, QStringLiteral("/models")));
            if (!key.isEmpty())
                request.setRawHeader("Authorization", "Bearer " + key);
        }
        break;
    case ProviderPreset::Wire::AnthropicMessages:
        request.setUrl(withPath(provider.baseUrl,
                                provider.baseUrl.path().endsWith(QLatin1String("/v1")) ? QStringLiteral("/models")
                                                                                       : QStringLiteral("/v1/models")));
        request.setRawHeader("anthropic-version", "2023-06-01");
        if (!key.isEmpty())
            request.setRawHeader("x-api-key", key);
        break;
    case ProviderPreset::Wire::Gemini:
        request.setUrl(withPath(provider.baseUrl,
                                provider.baseUrl.path().endsWith(QLatin1String("/v1beta"))
                                    ? QStringLiteral("/models")
                                    : QStringLiteral("/v1beta/models")));
        if (!key.isEmpty())
            request.setRawHeader("x-goog-api-key", key);
        break;
    case ProviderPreset::Wire::BedrockConverse:
        break;
    }
    request.setRawHeader("Accept", "application/json");
    return request;
}

ProbeResult ProviderProbe::interpret(const ProviderConfig &provider, int httpStatus, const QByteArray &body,
                                     const QString &apiKey)
{
    SecretScrubber scrubber;
    scrubber.add(apiKey);
    ProbeResult result;
    result.httpStatus = httpStatus;
    if (httpStatus >= 200 && httpStatus < 300) {
        const QJsonObject object = QJsonDocument::fromJson(body).object();
        // OpenAI, Anthropic and the compatible family: data[].id; Gemini: models[].name ("models/gemini-...").
        for (const QJsonValue &item : object.value(QLatin1String("data")).toArray())
            result.models.append(item.toObject().value(QLatin1String("id")).toString());
        for (const QJsonValue &item : object.value(QLatin1String("models")).toArray()) {
            QString name = item.toObject().value(QLatin1String("name")).toString();
            if (name.startsWith(QLatin1String("models/")))
                name.remove(0, 7);
            result.models.append(name);
        }
        result.models.removeAll(QString());
        if (object.isEmpty()) {
            result.message = QStringLiteral("%1 answered, but not with a model list (is base_url %2 the API's "
                                            "address?)")
                                 .arg(provider.name, provider.baseUrl.toString());
            return result;
        }
        result.ok = true;
        result.message = QStringLiteral("%1 works: the key was accepted and it lists %2 models")
                             .arg(provider.name)
                             .arg(result.models.size());
        return result;
    }
    const QString said = scrubber.scrub(providerMessage(body));
    const QString quoted = said.isEmpty() ? QString() : QStringLiteral(" It said: \"%1\"").arg(said);
    QString advice;
    switch (httpStatus) {
    case 401:
    case 403:
        advice = QStringLiteral("The provider refused the key (HTTP %1). Store the right one with `sluice key set "
                                "%2` (or check the env: variable it names), then test again.")
                     .arg(httpStatus)
                     .arg(provider.apiKey.kind == SecretRef::Kind::Keychain ? provider.apiKey.name : provider.name);
        break;
    case 404:
        advice = QStringLiteral("The provider has no model list at this address (HTTP 404): check base_url (%1).")
                     .arg(provider.baseUrl.toString());
        break;
    case 429:
        advice = QStringLiteral("The provider is rate limiting this key (HTTP 429); the key itself was accepted. "
                                "Check the account's limits or credit.");
        break;
    default:
        advice = httpStatus >= 500
            ? QStringLiteral("The provider had a problem of its own (HTTP %1); try again later.").arg(httpStatus)
            : QStringLiteral("The provider refused the request (HTTP %1).").arg(httpStatus);
    }
    result.message = advice + quoted;
    return result;
}

void ProviderProbe::start(const ProviderConfig &provider, const QString &apiKey, int timeoutMs)
{
    const QNetworkRequest request = listRequest(provider, apiKey);
    if (request.url().isEmpty()) {
        ProbeResult result;
        result.message = QStringLiteral("%1 is a %2 provider, which cannot be tested with a model list yet: send a "
                                        "request through one of its models instead")
                             .arg(provider.name, provider.type);
        QTimer::singleShot(0, this, [this, result] { Q_EMIT finished(result); });
        return;
    }
    QNetworkRequest timed = request;
    timed.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = m_network->get(timed);
    connect(reply, &QNetworkReply::finished, this, [this, reply, provider, apiKey] {
        reply->deleteLater();
        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!status.isValid()) {
            ProbeResult result;
            const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError
                || reply->error() == QNetworkReply::TimeoutError;
            result.message = timedOut
                ? QStringLiteral("%1 did not answer in time at %2: is the address right and reachable?")
                      .arg(provider.name, provider.baseUrl.toString())
                : QStringLiteral("Cannot reach %1 at %2: %3. Is the server running and base_url right?")
                      .arg(provider.name, provider.baseUrl.toString(), reply->errorString());
            Q_EMIT finished(result);
            return;
        }
        Q_EMIT finished(interpret(provider, status.toInt(), reply->readAll(), apiKey));
    });
}

} // namespace sluice
