#pragma once

#include <QStringList>

class QTextStream;

namespace sluice {

// `sluice discover [--ollama-port N] [--lmstudio-port N] [--timeout-ms N]`: looks for a local Ollama
// (GET 127.0.0.1:11434/api/tags) and LM Studio (GET 127.0.0.1:1234/v1/models), lists what each serves and prints
// a ready `providers:` / `models:` snippet to add to the config. It never edits the config.
// args are the words after "discover". Returns 0 when a server was found, 1 when none was, 2 on bad usage.
int runDiscoverCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace sluice
