#include "FailureClass.h"

namespace sluice {

QString failureClassName(FailureClass failure)
{
    switch (failure) {
    case FailureClass::None:
        return {};
    case FailureClass::RateLimit:
        return QStringLiteral("rate_limit");
    case FailureClass::ServerError:
        return QStringLiteral("server_error");
    case FailureClass::Timeout:
        return QStringLiteral("timeout");
    case FailureClass::Connection:
        return QStringLiteral("connection");
    case FailureClass::ContextWindowExceeded:
        return QStringLiteral("context_window_exceeded");
    case FailureClass::ContentPolicy:
        return QStringLiteral("content_policy");
    case FailureClass::ClientError:
        return QStringLiteral("client_error");
    case FailureClass::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

std::optional<FailureClass> failureClassFromName(const QString &name)
{
    if (name == QLatin1String("context_window"))
        return FailureClass::ContextWindowExceeded;
    for (FailureClass failure : {FailureClass::RateLimit, FailureClass::ServerError, FailureClass::Timeout,
                                 FailureClass::Connection, FailureClass::ContextWindowExceeded,
                                 FailureClass::ContentPolicy, FailureClass::ClientError, FailureClass::Cancelled}) {
        if (failureClassName(failure) == name)
            return failure;
    }
    return std::nullopt;
}

bool isDeploymentFailure(FailureClass failure)
{
    return failure == FailureClass::RateLimit || failure == FailureClass::ServerError
        || failure == FailureClass::Timeout || failure == FailureClass::Connection;
}

} // namespace sluice
