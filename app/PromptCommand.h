#pragma once

#include <QStringList>

class QTextStream;

namespace sluice {

// `sluice prompt create|update|label|list|show|diff|render|stats|observed|save-observed ...` with
// [--data-dir DIR] (docs/prompts.md). args are the words after "prompt". Returns 0 done, 1 failed (the message says
// why), 2 bad usage.
int runPromptCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace sluice
