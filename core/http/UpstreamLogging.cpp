#include "UpstreamLogging.h"

namespace sluice {

Q_LOGGING_CATEGORY(lcUpstream, "sluice.upstream", QtInfoMsg)

} // namespace sluice
