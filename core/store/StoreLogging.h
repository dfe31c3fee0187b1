#pragma once

#include <QLoggingCategory>

namespace sluice {

Q_DECLARE_LOGGING_CATEGORY(lcStore)

} // namespace sluice
