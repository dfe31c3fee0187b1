#include "CommandLine.h"

#include <QStandardPaths>
#include <QTextStream>

namespace sluice {

int CommandLine::badUsage(QTextStream &err, QLatin1String command, const QString &problem, const QString &usage)
{
    err << "sluice " << command << ": " << problem << "\n\n" << usage;
    err.flush();
    return ExitUsage;
}

int CommandLine::fail(QTextStream &err, QLatin1String command, const QString &message)
{
    err << "sluice " << command << ": " << message << '\n';
    err.flush();
    return ExitFailed;
}

QString CommandLine::dataDirOr(const QString &given)
{
    return given.isEmpty() ? defaultDataDir() : given;
}

QString CommandLine::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/sluice");
}

QString CommandLine::readOptions(const QStringList &words, std::span<const ValueOption> options,
                                 std::span<const FilterOption> filters, bool *help)
{
    *help = false;
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QString &word = words.at(i);
        if (word == QLatin1String("--help") || word == QLatin1String("-h") || word == QLatin1String("help")) {
            *help = true;
            return {};
        }
        bool known = false;
        for (const auto &[option, value] : options) {
            const QLatin1String name(option);
            if (word == name) {
                if (i + 1 >= words.size() || words.at(i + 1).isEmpty())
                    return QStringLiteral("%1 needs a value").arg(name);
                *value = words.at(++i);
                known = true;
            } else if (word.startsWith(name + QLatin1Char('='))) {
                *value = word.mid(name.size() + 1);
                if (value->isEmpty())
                    return QStringLiteral("%1 needs a value").arg(name);
                known = true;
            }
        }
        for (const auto &[option, value] : filters) {
            const QLatin1String name(option);
            if (word == name) {
                if (i + 1 >= words.size())
                    return QStringLiteral("%1 needs a value (\"\" for none)").arg(name);
                *value = words.at(++i);
                known = true;
            } else if (word.startsWith(name + QLatin1Char('='))) {
                *value = word.mid(name.size() + 1);
                known = true;
            }
        }
        if (!known)
            return QStringLiteral("unknown argument '%1'").arg(word);
    }
    return {};
}

std::optional<QDateTime> CommandLine::parseWhen(const QString &text, bool end)
{
    const QDate date = QDate::fromString(text, Qt::ISODate);
    if (date.isValid() && text.size() == 10)
        return QDateTime(end ? date.addDays(1) : date, QTime(0, 0), Qt::UTC);
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    if (time.timeSpec() == Qt::LocalTime)
        time.setTimeSpec(Qt::UTC);
    return time.toUTC();
}

std::optional<std::pair<QDateTime, QDateTime>> CommandLine::period(const QString &fromText, const QString &toText,
                                                                   const QDateTime &now, QString *problem)
{
    const QDate today = now.toUTC().date();
    const std::optional<QDateTime> from = fromText.isEmpty()
        ? std::optional(QDateTime(QDate(today.year(), today.month(), 1), QTime(0, 0), Qt::UTC))
        : parseWhen(fromText, false);
    const std::optional<QDateTime> to
        = toText.isEmpty() ? std::optional(QDateTime(today.addDays(1), QTime(0, 0), Qt::UTC)) : parseWhen(toText, true);
    if (!from) {
        *problem = QStringLiteral("--from takes a date (2026-03-01) or an ISO 8601 time, not '%1'").arg(fromText);
        return std::nullopt;
    }
    if (!to) {
        *problem = QStringLiteral("--to takes a date (2026-03-31) or an ISO 8601 time, not '%1'").arg(toText);
        return std::nullopt;
    }
    if (*to <= *from) {
        *problem = QStringLiteral("--to must come after --from");
        return std::nullopt;
    }
    return std::pair(*from, *to);
}

void CommandLine::printTable(QTextStream &out, const QStringList &header, const QList<QStringList> &rows,
                             qsizetype nameColumns)
{
    QList<qsizetype> widths;
    for (const QString &cell : header)
        widths.append(cell.size());
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = qMax(widths[i], row.at(i).size());
    }
    const auto print = [&](const QStringList &row) {
        QStringList cells;
        for (qsizetype i = 0; i < row.size(); ++i)
            cells.append(i < nameColumns ? row.at(i).leftJustified(widths.at(i))
                                         : row.at(i).rightJustified(widths.at(i)));
        out << "  " << cells.join(QStringLiteral("  ")).trimmed() << '\n';
    };
    print(header);
    for (const QStringList &row : rows)
        print(row);
}

} // namespace sluice
