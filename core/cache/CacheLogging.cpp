#include "CacheLogging.h"

namespace sluice {

Q_LOGGING_CATEGORY(lcCache, "sluice.cache")

} // namespace sluice
