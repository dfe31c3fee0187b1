#pragma once

#include "common/Result.h"

#include <QString>
#include <QStringList>

namespace sluice {

struct SecretRef;

// Provider keys and gateway tokens in the OS keychain (QtKeychain: Secret Service, macOS Keychain,
// Windows Credential Store). Never falls back to plaintext: without a keychain backend every call returns
// an error that says what to install or start. Calls block until the backend answers (they run their own
// event loop); do not call them on the GUI thread.
class SecretStore
{
public:
    explicit SecretStore(QString service = QStringLiteral("sluice"));

    Result<void> write(const QString &name, const QString &secret);
    Result<QString> read(const QString &name);
    Result<void> remove(const QString &name);
    // Names of stored secrets (kept in an index entry, since keychains cannot list portably).
    Result<QStringList> list();

    QString service() const { return m_service; }

private:
    QString m_service;
};

// Resolves "keychain:NAME" through a SecretStore and "env:VAR" through the environment. Errors name the
// reference (never the value).
class SecretResolver
{
public:
    explicit SecretResolver(SecretStore *store);
    Result<QString> resolve(const SecretRef &ref);

private:
    SecretStore *m_store;
};

} // namespace sluice
