#pragma once

#include <QDateTime>
#include <QStringList>

class QTextStream;

namespace sluice {

// `sluice prices show MODEL [--provider NAME] [--config FILE] [--data-dir DIR]`: the price Sluice would charge
// for MODEL (config overrides first, then the catalog) and the catalog's date.
// `sluice prices update FILE|URL [--data-dir DIR]`: validates a genai-prices data.json (a file, or downloaded from
// an https URL; http only from a loopback address) and installs it atomically as the data folder's catalog; a
// running Sluice watches that file and switches to it (LivePriceCatalog).
// `sluice prices info [--data-dir DIR]`: which catalog is in use, its date and size.
// args are the words after "prices". Returns the exit code: 0 done, 1 failed (message on err), 2 bad usage.
int runPricesCommand(const QStringList &args, QTextStream &out, QTextStream &err,
                     const QDateTime &now = QDateTime::currentDateTime());

} // namespace sluice
