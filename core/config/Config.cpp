#include "Config.h"

namespace sluice {

namespace {
const QLatin1String KeychainPrefix("keychain:");
const QLatin1String EnvPrefix("env:");
constexpr qsizetype MaxKeyNameLength = 128;

bool isAsciiLetter(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'));
}

bool isAsciiDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}
} // namespace

QString SecretRef::toString() const
{
    switch (kind) {
    case Kind::Keychain:
        return KeychainPrefix + name;
    case Kind::Env:
        return EnvPrefix + name;
    case Kind::None:
        break;
    }
    return {};
}

SecretRef SecretRef::parse(const QString &text)
{
    if (text.startsWith(KeychainPrefix)) {
        const QString name = text.mid(KeychainPrefix.size());
        if (isValidKeyName(name))
            return SecretRef {Kind::Keychain, name};
    } else if (text.startsWith(EnvPrefix)) {
        const QString name = text.mid(EnvPrefix.size());
        if (isValidEnvName(name))
            return SecretRef {Kind::Env, name};
    }
    return {};
}

bool SecretRef::isValidKeyName(const QString &name)
{
    if (name.isEmpty() || name.size() > MaxKeyNameLength)
        return false;
    for (const QChar c : name) {
        if (!isAsciiLetter(c) && !isAsciiDigit(c) && c != QLatin1Char('-') && c != QLatin1Char('_')
            && c != QLatin1Char('.'))
            return false;
    }
    return true;
}

bool SecretRef::isValidEnvName(const QString &name)
{
    if (name.isEmpty() || isAsciiDigit(name.front()))
        return false;
    for (const QChar c : name) {
        if (!isAsciiLetter(c) && !isAsciiDigit(c) && c != QLatin1Char('_'))
            return false;
    }
    return true;
}

const ProviderConfig *Config::provider(const QString &name) const
{
    for (const ProviderConfig &p : providers) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

const ModelRoute *Config::model(const QString &name) const
{
    for (const ModelRoute &m : models) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

} // namespace sluice
