#include "KeyRotator.h"

#include <limits>

namespace sluice {

KeyRotator::KeyRotator(std::shared_ptr<const Clock> clock)
    : m_clock(std::move(clock))
{ }

void KeyRotator::setKeys(const QString &provider, const QList<SecretRef> &keys)
{
    ProviderKeys &entry = m_providers[provider];
    const SecretRef previous = entry.keys.value(entry.current);
    entry.keys = keys;
    entry.current = qMax<qsizetype>(0, keys.indexOf(previous));
    QHash<QString, qint64> rest;
    for (const SecretRef &key : keys) {
        if (entry.restUntilMs.contains(key.toString()))
            rest.insert(key.toString(), entry.restUntilMs.value(key.toString()));
    }
    entry.restUntilMs = rest;
}

void KeyRotator::retainProviders(const QStringList &providers)
{
    for (auto it = m_providers.begin(); it != m_providers.end();) {
        if (providers.contains(it.key()))
            ++it;
        else
            it = m_providers.erase(it);
    }
}

QList<SecretRef> KeyRotator::keys(const QString &provider) const
{
    return m_providers.value(provider).keys;
}

qsizetype KeyRotator::usableIndex(const ProviderKeys &entry) const
{
    const qint64 now = m_clock->nowMs();
    const qsizetype count = entry.keys.size();
    qsizetype soonest = entry.current;
    qint64 soonestUntil = std::numeric_limits<qint64>::max();
    for (qsizetype step = 0; step < count; ++step) {
        const qsizetype index = (entry.current + step) % count;
        const qint64 until = entry.restUntilMs.value(entry.keys.at(index).toString(), 0);
        if (until <= now)
            return index;
        if (until < soonestUntil) {
            soonest = index;
            soonestUntil = until;
        }
    }
    return soonest;
}

SecretRef KeyRotator::current(const QString &provider) const
{
    const auto it = m_providers.constFind(provider);
    if (it == m_providers.constEnd() || it->keys.isEmpty())
        return {};
    return it->keys.at(usableIndex(*it));
}

SecretRef KeyRotator::rateLimited(const QString &provider, const SecretRef &key, qint64 restMs)
{
    const auto it = m_providers.find(provider);
    if (it == m_providers.end() || it->keys.isEmpty())
        return {};
    const qsizetype index = it->keys.indexOf(key);
    if (index >= 0) {
        it->restUntilMs.insert(key.toString(), m_clock->nowMs() + qMax<qint64>(0, restMs));
        if (index == it->current)
            it->current = (index + 1) % it->keys.size();
    }
    it->current = usableIndex(*it);
    return it->keys.at(it->current);
}

bool KeyRotator::isResting(const QString &provider, const SecretRef &key) const
{
    const auto it = m_providers.constFind(provider);
    return it != m_providers.constEnd() && it->restUntilMs.value(key.toString(), 0) > m_clock->nowMs();
}

QList<KeyRotator::KeyStatus> KeyRotator::status(const QString &provider) const
{
    QList<KeyStatus> result;
    const auto it = m_providers.constFind(provider);
    if (it == m_providers.constEnd())
        return result;
    const qint64 now = m_clock->nowMs();
    const qsizetype currentIndex = it->keys.isEmpty() ? -1 : usableIndex(*it);
    for (qsizetype i = 0; i < it->keys.size(); ++i) {
        const QString name = it->keys.at(i).toString();
        result.append({name, i == currentIndex, qMax<qint64>(0, it->restUntilMs.value(name, 0) - now)});
    }
    return result;
}

} // namespace sluice
