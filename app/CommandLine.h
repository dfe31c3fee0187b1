#pragma once

#include <QString>

class QTextStream;

namespace sluice {

// What the `sluice <command>` subcommands share: how they report a mistake, and their default data folder.
class CommandLine
{
public:
    static constexpr int ExitFailed = 1;
    static constexpr int ExitUsage = 2;

    // Prints "sluice COMMAND: problem", a blank line and the usage to err; returns ExitUsage.
    static int badUsage(QTextStream &err, QLatin1String command, const QString &problem, const QString &usage);
    // Prints "sluice COMMAND: message" to err; returns ExitFailed.
    static int fail(QTextStream &err, QLatin1String command, const QString &message);
    // The folder given with --data-dir, or else ~/.local/share/sluice (where the desktop app keeps its data).
    static QString dataDirOr(const QString &given);
    static QString defaultDataDir();
};

} // namespace sluice
