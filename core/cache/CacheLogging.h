#pragma once

#include <QLoggingCategory>

namespace sluice {

Q_DECLARE_LOGGING_CATEGORY(lcCache)

} // namespace sluice
