#pragma once

#include <QStringList>

class QTextStream;

namespace sluice {

// `sluice model add|list|remove`: the model names clients ask for (the config's models:), changed through
// ConfigWriter. args are the words after "model". Returns 0 done, 1 failed (message on err), 2 bad usage.
int runModelCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace sluice
