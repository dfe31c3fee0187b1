#include "CatalogDownload.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace sluice {

namespace {

bool isLoopback(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

bool CatalogDownload::looksLikeUrl(const QString &text)
{
    return text.startsWith(QLatin1String("https://"), Qt::CaseInsensitive)
        || text.startsWith(QLatin1String("http://"), Qt::CaseInsensitive);
}

QString CatalogDownload::refusal(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("'%1' is not a valid URL").arg(url.toDisplayString());
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return {};
    if (scheme == QLatin1String("http") && isLoopback(url.host()))
        return {};
    if (scheme == QLatin1String("http"))
        return QStringLiteral("prices are only downloaded over https (plain http only from this machine, e.g. "
                              "http://127.0.0.1); use an https URL");
    return QStringLiteral("'%1' URLs are not supported; use https").arg(url.scheme());
}

Result<QByteArray> CatalogDownload::fetch(const QUrl &url, int timeoutMs)
{
    if (const QString why = refusal(url); !why.isEmpty())
        return makeError(why);
    const QString shown = url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    // Plain http is allowed for loopback only, so it may not be redirected anywhere else.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0
                             ? QNetworkRequest::NoLessSafeRedirectPolicy
                             : QNetworkRequest::SameOriginRedirectPolicy);
    request.setTransferTimeout(timeoutMs);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("sluice/" SLUICE_VERSION));
    QNetworkReply *reply = network.get(request);
    QEventLoop loop;
    bool tooLarge = false;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(reply, &QNetworkReply::downloadProgress, &loop, [&](qint64 received, qint64 total) {
        if (received > MaxBytes || total > MaxBytes) {
            tooLarge = true;
            reply->abort();
        }
    });
    QTimer::singleShot(timeoutMs, &loop, [reply] { reply->abort(); });
    if (!reply->isFinished())
        loop.exec();
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError error = reply->error();
    const QString errorText = reply->errorString();
    reply->deleteLater();
    if (tooLarge) {
        return makeError(QStringLiteral("%1 is larger than %2 MiB; is it really a genai-prices data.json?")
                             .arg(shown)
                             .arg(MaxBytes / (1024 * 1024)));
    }
    if (status != 0 && status != 200) {
        return makeError(
            QStringLiteral("downloading %1 failed: the server answered HTTP %2; check the URL").arg(shown).arg(status));
    }
    if (error != QNetworkReply::NoError)
        return makeError(QStringLiteral("downloading %1 failed: %2").arg(shown, errorText));
    return body;
}

} // namespace sluice
