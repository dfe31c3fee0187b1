#pragma once

#include <QStringList>

class QTextStream;

namespace sluice {

class SecretStore;

// `sluice provider add|list|test|remove`: the config's providers, changed through ConfigWriter (comments and
// hand-written fields stay; a running Sluice applies the change), keys straight into the keychain. args are the
// words after "provider". Needs a running QCoreApplication. Returns 0 done, 1 failed (message on err), 2 bad usage.
int runProviderCommand(const QStringList &args, QTextStream &in, QTextStream &out, QTextStream &err,
                       SecretStore &store);

} // namespace sluice
