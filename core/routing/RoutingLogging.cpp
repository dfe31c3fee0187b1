#include "RoutingLogging.h"

namespace sluice {

// Debug lines (one per answered request, one per config applied) only when asked for:
// QT_LOGGING_RULES="sluice.router.debug=true".
Q_LOGGING_CATEGORY(lcRouter, "sluice.router", QtInfoMsg)

} // namespace sluice
