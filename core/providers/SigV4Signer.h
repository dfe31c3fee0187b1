#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QUrl>

#include "common/HttpHeaders.h"

namespace sluice {

struct UpstreamRequest;

struct AwsCredentials
{
    QString accessKeyId;
    QString secretAccessKey;
    QString sessionToken; // temporary credentials (STS) only
};

// AWS Signature Version 4 for request headers: canonical request, string to sign, the HMAC-SHA256 key chain
// (date, region, service, "aws4_request") and the Authorization header.
class SigV4Signer
{
public:
    SigV4Signer(AwsCredentials credentials, QString region, QString service);

    struct Signature
    {
        QByteArray canonicalRequest;
        QByteArray stringToSign;
        QByteArray signedHeaders; // "host;x-amz-date"
        QByteArray signature; // lowercase hex
        QByteArray authorization; // the Authorization header value
    };

    // Signs exactly `headers` (names any case; host included by the caller) for a request to `url` whose
    // body hashes to payloadSha256Hex. `url`'s path and query are taken as they go on the wire.
    Signature sign(const QByteArray &method, const QUrl &url, const HttpHeaders &headers,
                   const QByteArray &payloadSha256Hex, const QDateTime &when) const;

    // Adds x-amz-date, x-amz-content-sha256, x-amz-security-token (with a session token) and Authorization
    // to an outbound request, signing those, Host and Content-Type.
    void signRequest(UpstreamRequest &request, const QDateTime &now) const;

    static QByteArray amzDate(const QDateTime &when); // 20150830T123600Z
    static QByteArray sha256Hex(const QByteArray &bytes);
    // RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX (uppercase).
    static QByteArray uriEncode(const QByteArray &bytes, bool keepSlash);

private:
    AwsCredentials m_credentials;
    QString m_region;
    QString m_service;
};

} // namespace sluice
