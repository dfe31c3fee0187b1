#pragma once

#include <QByteArray>
#include <QString>

namespace sluice {

// A provider's error, provider-neutral: decoded from the provider's body and re-encoded in the client's format.
struct CanonicalError
{
    enum class Kind {
        InvalidRequest,
        Authentication,
        Permission,
        NotFound,
        RequestTooLarge,
        RateLimit,
        Overloaded,
        Timeout,
        Server,
    };

    int status = 500; // the provider's HTTP status (kept for the client)
    Kind kind = Kind::Server;
    QString message; // the provider's own words
    QString code; // the provider's machine-readable code or type, e.g. "unsupported_parameter"
    QString param; // the offending request field, when the provider names one
    qint64 retryAfterMs = -1; // when the provider says how long to wait (Gemini RetryInfo)

    static Kind kindForStatus(int status);
    // A typical status for a kind (errors inside a stream carry a kind but no status).
    static int statusForKind(Kind kind);
    // Builds an error from status and message, the kind derived from the status.
    static CanonicalError make(int status, const QString &message, const QString &code = {});
};

// An error body ready for the client, with the status to send it with.
struct EncodedError
{
    int status = 500;
    QByteArray body;
};

} // namespace sluice
