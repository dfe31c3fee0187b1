#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace sluice {

// The words of a `sluice provider|model ...` command: positional words, `--name VALUE` options (repeatable ones
// keep every value) and bare flags; problem says what was wrong (an unknown option, a missing value).
struct ConfigArguments
{
    QStringList positional;
    QHash<QString, QStringList> values;
    QSet<QString> flags;
    QString problem;

    QString value(const QString &name) const { return values.value(name).value(0); }
    // --config FILE, or the platform's default config.
    QString configPath() const;

    static ConfigArguments parse(const QStringList &words, const QStringList &withValue, const QStringList &flags);
};

} // namespace sluice
