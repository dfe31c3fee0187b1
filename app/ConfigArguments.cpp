#include "ConfigArguments.h"

#include "config/ConfigLoader.h"

namespace sluice {

QString ConfigArguments::configPath() const
{
    const QString given = value(QStringLiteral("config"));
    return given.isEmpty() ? ConfigLoader::defaultPath() : given;
}

ConfigArguments ConfigArguments::parse(const QStringList &words, const QStringList &withValue, const QStringList &flags)
{
    ConfigArguments parsed;
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QString &word = words.at(i);
        if (!word.startsWith(QLatin1String("--"))) {
            parsed.positional.append(word);
            continue;
        }
        QString name = word.mid(2);
        QString value;
        const qsizetype equals = name.indexOf(QLatin1Char('='));
        const bool inline_ = equals >= 0;
        if (inline_) {
            value = name.mid(equals + 1);
            name = name.left(equals);
        }
        if (flags.contains(name) && !inline_) {
            parsed.flags.insert(name);
        } else if (withValue.contains(name)) {
            if (!inline_) {
                if (i + 1 >= words.size()) {
                    parsed.problem = QStringLiteral("--%1 needs a value").arg(name);
                    return parsed;
                }
                value = words.at(++i);
            }
            parsed.values[name].append(value);
        } else {
            parsed.problem = QStringLiteral("unknown option --%1").arg(name);
            return parsed;
        }
    }
    return parsed;
}

} // namespace sluice
