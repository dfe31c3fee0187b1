#pragma once

#include <memory>

#include <QHash>
#include <QList>
#include <QString>

#include "config/Config.h"
#include "routing/Clock.h"

namespace sluice {

// The keys of each provider: one is current; a 429 on it rests it and makes the next key current. Deals
// in key references only, never key values.
class KeyRotator
{
public:
    struct KeyStatus
    {
        QString key; // the reference, e.g. "keychain:openai-2"
        bool current = false;
        qint64 restingForMs = 0; // 0: usable
    };

    explicit KeyRotator(std::shared_ptr<const Clock> clock);

    // Keeps which key is current and which rest, for keys that stay.
    void setKeys(const QString &provider, const QList<SecretRef> &keys);
    void retainProviders(const QStringList &providers);
    QList<SecretRef> keys(const QString &provider) const;

    // The key to send: the current one, or when it rests the next that does not (the one resting the
    // shortest when all do). Null when the provider has no key.
    SecretRef current(const QString &provider) const;
    // `key` was answered 429: it rests for `restMs`, and the next key that does not rest becomes current.
    // Returns the key to use now.
    SecretRef rateLimited(const QString &provider, const SecretRef &key, qint64 restMs);
    bool isResting(const QString &provider, const SecretRef &key) const;
    QList<KeyStatus> status(const QString &provider) const;

    // How long a key rests after a 429 that did not say how long to wait.
    static constexpr qint64 DefaultRestMs = 60'000;

private:
    struct ProviderKeys
    {
        QList<SecretRef> keys;
        qsizetype current = 0;
        QHash<QString, qint64> restUntilMs; // by key reference
    };

    qsizetype usableIndex(const ProviderKeys &entry) const;

    std::shared_ptr<const Clock> m_clock;
    QHash<QString, ProviderKeys> m_providers;
};

} // namespace sluice
