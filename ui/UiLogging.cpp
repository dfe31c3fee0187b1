#include "UiLogging.h"

namespace sluice {
Q_LOGGING_CATEGORY(lcUi, "sluice.ui")
} // namespace sluice
