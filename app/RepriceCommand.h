#pragma once

#include <QDateTime>
#include <QStringList>

class QTextStream;

namespace sluice {

// Whether the words after "compare" ask for the what-if cost (`--reprice MODEL`), which runRepriceCommand answers.
bool isRepriceCommand(const QStringList &args);

// `sluice compare --reprice MODEL [--from DATE] [--to DATE] [--by client|model|tag] [--format table|json|csv]
// [--client NAME] [--tag TAG] [--model NAME] [--token NAME] [--project NAME] [--config FILE] [--data-dir DIR]`:
// what the period's logged traffic (UTC) would have cost on MODEL, from its stored token counts and the price
// catalog, against what it cost (docs/spend.md#what-if-cost). An estimate; requests that cannot be priced both
// ways are counted apart, never as $0. Read-only, so safe while Sluice runs. args are the words after "compare".
// Returns the exit code: 0 done, 1 failed (message on err), 2 bad usage.
int runRepriceCommand(const QStringList &args, QTextStream &out, QTextStream &err,
                      const QDateTime &now = QDateTime::currentDateTimeUtc());

} // namespace sluice
