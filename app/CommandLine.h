#pragma once

#include <optional>
#include <span>
#include <utility>

#include <QDateTime>
#include <QString>
#include <QStringList>

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

    // Options that take a value, as `--name VALUE` or `--name=VALUE`: an empty value is a mistake.
    using ValueOption = std::pair<const char *, QString *>;
    // Filters whose value may be empty ("" selects the rows with none).
    using FilterOption = std::pair<const char *, std::optional<QString> *>;
    // Reads words into the options and filters. Returns the problem ("--by needs a value", "unknown argument 'x'"),
    // empty when the words were fine; *help is set when one of them asks for the usage (help, --help, -h).
    static QString readOptions(const QStringList &words, std::span<const ValueOption> options,
                               std::span<const FilterOption> filters, bool *help);
    // A --from or --to value: "2026-03-01" is that UTC day's start (or, for --to, the next day's: the day is
    // included); anything else is an ISO 8601 instant, in UTC unless it names an offset.
    static std::optional<QDateTime> parseWhen(const QString &text, bool end);
    // The period of --from and --to (this month so far, in UTC, for what is not given); empty with *problem set on
    // a value that does not read or a --to not after --from.
    // Prints a table indented by two spaces: the first nameColumns columns left-aligned, the numbers after them
    // right-aligned, each as wide as its widest cell.
    static void printTable(QTextStream &out, const QStringList &header, const QList<QStringList> &rows,
                           qsizetype nameColumns);
    static std::optional<std::pair<QDateTime, QDateTime>> period(const QString &fromText, const QString &toText,
                                                                 const QDateTime &now, QString *problem);
};

} // namespace sluice
