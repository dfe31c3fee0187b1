#include "CostLogging.h"

namespace sluice {

Q_LOGGING_CATEGORY(lcCost, "sluice.cost", QtInfoMsg)

} // namespace sluice
