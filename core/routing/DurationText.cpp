#include "DurationText.h"

namespace sluice {

QString durationText(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 10'000 && ms % 1000 != 0)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    return QStringLiteral("%1 s").arg((ms + 500) / 1000);
}

} // namespace sluice
