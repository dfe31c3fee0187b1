#pragma once

#include <QStringList>

#include "common/Result.h"

class QTextStream;

namespace sluice {

class SecretStore;

// `sluice key set NAME | list | delete NAME`. args are the words after "key" (a leading "key" is skipped too).
// `set` reads the secret from in: with echo off after a prompt when in is a terminal, else all of it minus one
// trailing newline. Needs a running QCoreApplication (the keychain answers through its event loop).
// Returns the exit code: 0 done, 1 keychain or input error (message on err), 2 bad usage (usage on err).
int runKeyCommand(const QStringList &args, QTextStream &in, QTextStream &out, QTextStream &err, SecretStore &store);
// A secret typed at a prompt (echo off, "Secret for NAME: " on err) or piped in, minus one trailing newline;
// an error when it is empty or spans several lines. Shared by `sluice key set` and `sluice provider add`.
Result<QString> readSecretInput(QTextStream &in, QTextStream &err, const QString &name);

} // namespace sluice
