#pragma once

#include "AppOptions.h"

namespace sluice {

// The desktop app: tray icon and dashboard window on the GUI thread, the gateway on a worker thread, the
// request log on its writer thread. Returns the process exit code.
int runDesktop(const AppOptions &options);

} // namespace sluice
