#include "CanonicalError.h"

namespace sluice {

CanonicalError::Kind CanonicalError::kindForStatus(int status)
{
    switch (status) {
    case 401:
        return Kind::Authentication;
    case 402:
    case 403:
        return Kind::Permission;
    case 404:
        return Kind::NotFound;
    case 408:
    case 504:
        return Kind::Timeout;
    case 413:
        return Kind::RequestTooLarge;
    case 429:
        return Kind::RateLimit;
    case 503:
    case 529:
        return Kind::Overloaded;
    default:
        break;
    }
    return status >= 400 && status < 500 ? Kind::InvalidRequest : Kind::Server;
}

int CanonicalError::statusForKind(Kind kind)
{
    switch (kind) {
    case Kind::InvalidRequest:
        return 400;
    case Kind::Authentication:
        return 401;
    case Kind::Permission:
        return 403;
    case Kind::NotFound:
        return 404;
    case Kind::RequestTooLarge:
        return 413;
    case Kind::RateLimit:
        return 429;
    case Kind::Overloaded:
        return 503;
    case Kind::Timeout:
        return 504;
    case Kind::Server:
        break;
    }
    return 500;
}

CanonicalError CanonicalError::make(int status, const QString &message, const QString &code)
{
    CanonicalError error;
    error.status = status;
    error.kind = kindForStatus(status);
    error.message = message;
    error.code = code;
    return error;
}

} // namespace sluice
