#pragma once

#include "AppOptions.h"

namespace sluice {

// Serves on the main thread until SIGINT or SIGTERM, then shuts down cleanly (every logged request
// flushed) and returns the process exit code.
int runHeadless(const AppOptions &options);

} // namespace sluice
