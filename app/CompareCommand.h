#pragma once

#include <QStringList>

class QTextStream;

namespace sluice {

// `sluice compare --models A,B[,...] (--prompt-file F | --request ID | --prompt NAME[@LABEL] --var K=V ...)
// [--config FILE] [--data-dir DIR] [--format table|json]` (docs/compare.md): starts the gateway in this process on a
// free loopback port, sends the request to every model at once through it (routing, keys, budgets, pricing and the
// log apply; rows marked with the run), prints each model's output, tool calls, status, time to first token,
// latency, tokens and cost, and saves the run. Returns 0 when at least one model answered, 1 when none did or the
// gateway could not start, 2 on bad usage.
int runCompareCommand(const QStringList &args, QTextStream &out, QTextStream &err);

// `sluice compare --reprice ...` is the what-if cost, a command of its own (RepriceCommand.h); main() routes it.

} // namespace sluice
