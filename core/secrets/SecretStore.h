#pragma once

#include <QString>
#include <QStringList>

#include "common/Result.h"

namespace sluice {

struct SecretRef;

// Provider keys and gateway tokens in the OS keychain (QtKeychain: Secret Service, macOS Keychain,
// Windows Credential Store). Never falls back to plaintext: without a keychain backend every call returns
// an error that says what to install or start. Calls block until the backend answers. The keychain work always
// runs on the application's (main) thread: called there, a call spins a local event loop (fine at start-up, in
// headless mode and the CLI, but not from GUI event handlers); called from a worker thread, it waits while the
// main thread's event loop runs the job. Needs a QCoreApplication.
class SecretStore
{
public:
    explicit SecretStore(QString service = QStringLiteral("sluice"));

    Result<void> write(const QString &name, const QString &secret);
    Result<QString> read(const QString &name);
    Result<void> remove(const QString &name);
    // Sorted names of stored secrets (kept in an index entry, since keychains cannot list portably).
    Result<QStringList> list();

    QString service() const { return m_service; }

private:
    // *missing tells "no such entry" apart from other failures.
    Result<QString> readEntry(const QString &name, bool *missing);
    Result<void> writeIndex(const QStringList &names);

    QString m_service;
};

// Resolves "keychain:NAME" through a SecretStore and "env:VAR" through the environment. Errors name the
// reference (never the value).
class SecretResolver
{
public:
    // store may be null when no keychain is in use; keychain: references then fail with a clear error.
    explicit SecretResolver(SecretStore *store);
    // An empty string for a SecretRef of Kind::None (a provider without a key); an error when an env: variable is
    // missing or empty, or the keychain entry cannot be read.
    Result<QString> resolve(const SecretRef &ref);

private:
    SecretStore *m_store;
};

} // namespace sluice
