#include "RoutingLogging.h"

namespace sluice {

Q_LOGGING_CATEGORY(lcRouter, "sluice.router")

} // namespace sluice
