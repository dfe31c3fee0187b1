#include "ServerLogging.h"

namespace sluice {

Q_LOGGING_CATEGORY(lcHttpServer, "sluice.http", QtInfoMsg)

} // namespace sluice
