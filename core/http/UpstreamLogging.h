#pragma once

#include <QLoggingCategory>

namespace sluice {

// "sluice.upstream": names host:port only, never header values, URLs (keys may ride in queries) or bodies.
Q_DECLARE_LOGGING_CATEGORY(lcUpstream)

} // namespace sluice
