#pragma once

#include <QStringList>

class QTextStream;

namespace sluice {

// `sluice setup CLIENT [--dry-run] [--undo] [--config FILE] [--data-dir DIR] [--model NAME]`: points a coding
// agent (claude-code, codex, gemini-cli, opencode) at Sluice by merging into its own config file, with a gateway
// token named after the client. args are the words after "setup". Returns 0 done, 1 failed (nothing changed),
// 2 bad usage.
int runSetupCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace sluice
