#include "StoreLogging.h"

namespace sluice {

Q_LOGGING_CATEGORY(lcStore, "sluice.store", QtInfoMsg)

} // namespace sluice
