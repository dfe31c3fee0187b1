#pragma once

#include <optional>

#include <QString>

namespace sluice {

// Why one upstream attempt failed, as far as routing is concerned.
enum class FailureClass {
    None, // it succeeded
    RateLimit, // 429
    ServerError, // 5xx, 529 overloaded, an answer that could not be read
    Timeout, // connect, first byte, idle or total timeout; 408, 504
    Connection, // could not connect, or the connection broke before the answer was complete
    ContextWindowExceeded, // the prompt does not fit the model's context window
    ContentPolicy, // the provider refused the request or the answer on policy grounds
    ClientError, // 400/401/403/404 and other 4xx: the same request fails the same way elsewhere
    Cancelled, // the client went away; nothing to decide
};

// "rate_limit", "server_error", "timeout", "connection", "context_window_exceeded", "content_policy",
// "client_error", "cancelled"; empty for None. These names appear in the log, the UI and fallback_on.
QString failureClassName(FailureClass failure);
// Accepts the names above, and "context_window" for context_window_exceeded.
std::optional<FailureClass> failureClassFromName(const QString &name);
// Failures that say something about the deployment's health: they count toward its circuit breaker, and
// trying the same deployment again later may succeed.
bool isDeploymentFailure(FailureClass failure);

} // namespace sluice
