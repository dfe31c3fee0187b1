#include "SigV4Signer.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

#include "http/UpstreamOrigin.h"
#include "http/UpstreamRequest.h"

namespace sluice {

namespace {
QByteArray hmac(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

// Header values are trimmed and inner runs of spaces collapse to one.
QByteArray canonicalValue(const QByteArray &value)
{
    return value.simplified();
}

QByteArray canonicalQuery(const QUrl &url)
{
    const QByteArray query = url.query(QUrl::FullyEncoded).toLatin1();
    if (query.isEmpty())
        return {};
    QList<QPair<QByteArray, QByteArray>> pairs;
    for (const QByteArray &item : query.split('&')) {
        if (item.isEmpty())
            continue;
        const qsizetype eq = item.indexOf('=');
        const QByteArray name = QByteArray::fromPercentEncoding(eq < 0 ? item : item.left(eq));
        const QByteArray value = eq < 0 ? QByteArray() : QByteArray::fromPercentEncoding(item.mid(eq + 1));
        pairs.append({SigV4Signer::uriEncode(name, false), SigV4Signer::uriEncode(value, false)});
    }
    std::sort(pairs.begin(), pairs.end());
    QByteArrayList parts;
    for (const auto &[name, value] : std::as_const(pairs))
        parts.append(name + '=' + value);
    return parts.join('&');
}
} // namespace

SigV4Signer::SigV4Signer(AwsCredentials credentials, QString region, QString service)
    : m_credentials(std::move(credentials))
    , m_region(std::move(region))
    , m_service(std::move(service))
{ }

QByteArray SigV4Signer::amzDate(const QDateTime &when)
{
    return when.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")).toLatin1();
}

QByteArray SigV4Signer::sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

QByteArray SigV4Signer::uriEncode(const QByteArray &bytes, bool keepSlash)
{
    QByteArray out;
    out.reserve(bytes.size() * 3);
    static const char hex[] = "0123456789ABCDEF";
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '_'
            || u == '.' || u == '~' || (keepSlash && u == '/')) {
            out.append(c);
        } else {
            out.append('%').append(hex[u >> 4]).append(hex[u & 15]);
        }
    }
    return out;
}

SigV4Signer::Signature SigV4Signer::sign(const QByteArray &method, const QUrl &url, const HttpHeaders &headers,
                                         const QByteArray &payloadSha256Hex, const QDateTime &when) const
{
    const QByteArray dateTime = amzDate(when);
    const QByteArray date = dateTime.left(8);

    // Every service but S3 signs the path as sent, encoded once more (so "%3A" is signed as "%253A").
    QByteArray path = url.path(QUrl::FullyEncoded).toLatin1();
    if (path.isEmpty())
        path = "/";

    QList<QPair<QByteArray, QByteArray>> fields;
    for (const auto &[name, value] : headers.fields()) {
        const QByteArray lower = name.toLower();
        auto existing = std::find_if(fields.begin(), fields.end(), [&](const auto &f) { return f.first == lower; });
        if (existing != fields.end())
            existing->second += ',' + canonicalValue(value);
        else
            fields.append({lower, canonicalValue(value)});
    }
    std::sort(fields.begin(), fields.end());
    QByteArray canonicalHeaders;
    QByteArrayList names;
    for (const auto &[name, value] : std::as_const(fields)) {
        canonicalHeaders += name + ':' + value + '\n';
        names.append(name);
    }

    Signature result;
    result.signedHeaders = names.join(';');
    result.canonicalRequest = method + '\n' + uriEncode(path, true) + '\n' + canonicalQuery(url) + '\n'
        + canonicalHeaders + '\n' + result.signedHeaders + '\n' + payloadSha256Hex;
    const QByteArray scope
        = date + '/' + m_region.toUtf8() + '/' + m_service.toUtf8() + QByteArrayLiteral("/aws4_request");
    result.stringToSign
        = QByteArrayLiteral("AWS4-HMAC-SHA256\n") + dateTime + '\n' + scope + '\n' + sha256Hex(result.canonicalRequest);
    const QByteArray dateKey = hmac("AWS4" + m_credentials.secretAccessKey.toUtf8(), date);
    const QByteArray regionKey = hmac(dateKey, m_region.toUtf8());
    const QByteArray serviceKey = hmac(regionKey, m_service.toUtf8());
    const QByteArray signingKey = hmac(serviceKey, QByteArrayLiteral("aws4_request"));
    result.signature = hmac(signingKey, result.stringToSign).toHex();
    result.authorization = QByteArrayLiteral("AWS4-HMAC-SHA256 Credential=") + m_credentials.accessKeyId.toUtf8() + '/'
        + scope + QByteArrayLiteral(", SignedHeaders=") + result.signedHeaders + QByteArrayLiteral(", Signature=")
        + result.signature;
    return result;
}

void SigV4Signer::signRequest(UpstreamRequest &request, const QDateTime &now) const
{
    const QByteArray payloadHash = sha256Hex(request.body);
    const QByteArray dateTime = amzDate(now);
    request.headers.set(QByteArrayLiteral("x-amz-date"), dateTime);
    request.headers.set(QByteArrayLiteral("x-amz-content-sha256"), payloadHash);
    if (!m_credentials.sessionToken.isEmpty())
        request.headers.set(QByteArrayLiteral("x-amz-security-token"), m_credentials.sessionToken.toUtf8());

    HttpHeaders signedFields;
    const Result<UpstreamOrigin> origin = UpstreamOrigin::fromUrl(request.url);
    // The Host header the client will write, so that what is signed is what is sent.
    signedFields.append(QByteArrayLiteral("host"), origin ? origin->hostHeader() : request.url.host().toUtf8());
    for (const auto &[name, value] : request.headers.fields()) {
        const QByteArray lower = name.toLower();
        if (lower.startsWith("x-amz-") || lower == "content-type")
            signedFields.append(lower, value);
    }
    const Signature signature = sign(request.method, request.url, signedFields, payloadHash, now);
    request.headers.set(QByteArrayLiteral("Authorization"), signature.authorization);
}

} // namespace sluice
