#pragma once

#include <QLoggingCategory>

namespace sluice {

Q_DECLARE_LOGGING_CATEGORY(lcCost)

} // namespace sluice
