#pragma once

#include <QString>

namespace sluice {

// A duration for the attempt timeline: "250 ms", "1.5 s", "34 s".
QString durationText(qint64 ms);

} // namespace sluice
