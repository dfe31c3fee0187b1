#pragma once

#include <QLoggingCategory>

namespace sluice {

// "sluice.http" for the server side; never log header values (they carry tokens) or bodies.
Q_DECLARE_LOGGING_CATEGORY(lcHttpServer)

} // namespace sluice
