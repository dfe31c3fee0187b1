#pragma once

#include <QDateTime>
#include <QStringList>

class QTextStream;

namespace sluice {

// `sluice spend [--data-dir DIR]`: today's and this month's spend (local time) from the request log, by model
// and by gateway token, with token counts. `sluice spend --by day|hour|model|provider|client|token|tag|project
// [--from DATE] [--to DATE] [--format table|csv|json]`: a period (UTC) grouped by one dimension (docs/spend.md);
// unpriced requests are counted, never added as $0. Reads the log through a read-only connection, so it is safe while
// Sluice runs. args are the words after "spend". Returns the exit code: 0 done, 1 failed (message on err), 2 bad usage.
int runSpendCommand(const QStringList &args, QTextStream &out, QTextStream &err,
                    const QDateTime &now = QDateTime::currentDateTime());

} // namespace sluice
