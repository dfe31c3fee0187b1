#include "SpendCommand.h"

#include <QDir>
#include <QLocale>
#include <QTextStream>

#include "CommandLine.h"
#include "cost/ModelPrice.h"
#include "cost/SpendReport.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitUsage = 2;
constexpr qsizetype MaxNameWidth = 36;

QString usage()
{
    return QStringLiteral("Usage:\n"
                          "  sluice spend [--data-dir DIR]   today's and this month's spend, by model and by gateway "
                          "token\n"
                          "\n"
                          "--data-dir DIR  the folder of the request log (default: ~/.local/share/sluice)\n");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, QLatin1String("spend"), problem, usage());
}

// "~$0.0123 + 2 unpriced": the cost Sluice knows, whether part of it is estimated, and what it cannot price.
QString costText(const SpendLine &line)
{
    const qint64 priced = line.requests - line.unpriced;
    QString text;
    if (priced == 0)
        text = QStringLiteral("unpriced");
    else if (priced == line.free)
        text = QStringLiteral("free");
    else
        text = (line.estimated > 0 ? QStringLiteral("~") : QString()) + formatUsd(line.costUsd);
    if (priced > 0 && line.unpriced > 0)
        text += QStringLiteral(" + %1 unpriced").arg(line.unpriced);
    return text;
}

QString shortened(const QString &name)
{
    if (name.size() <= MaxNameWidth)
        return name;
    return name.left(MaxNameWidth - 1) + QChar(0x2026);
}

// Name columns left-aligned, numbers right-aligned.
void printTable(QTextStream &out, const QStringList &header, const QList<QStringList> &rows, qsizetype nameColumns)
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

QStringList tokenCells(const SpendLine &line)
{
    return {formatCount(line.requests),
            formatCount(line.inputTokens),
            formatCount(line.cachedTokens),
            formatCount(line.cacheWriteTokens),
            formatCount(line.outputTokens),
            formatCount(line.reasoningTokens),
            costText(line)};
}

void printPeriod(QTextStream &out, const QString &title, const SpendSummary &summary)
{
    const SpendLine &total = summary.total;
    out << title << ": ";
    if (total.requests == 0) {
        out << "no requests\n\n";
        return;
    }
    out << costText(total) << " from " << formatCount(total.requests)
        << (total.requests == 1 ? " request" : " requests") << '\n';
    const QStringList tokenHeader
        = {QStringLiteral("Requests"),    QStringLiteral("Input"),  QStringLiteral("Cached"),
           QStringLiteral("Cache write"), QStringLiteral("Output"), QStringLiteral("Reasoning"),
           QStringLiteral("Cost")};
    QList<QStringList> rows;
    for (const SpendLine &line : summary.byModel)
        rows.append(QStringList {shortened(line.name), line.provider} + tokenCells(line));
    rows.append(QStringList {QStringLiteral("Total"), QString()} + tokenCells(total));
    printTable(out, QStringList {QStringLiteral("Model"), QStringLiteral("Provider")} + tokenHeader, rows, 2);
    out << '\n';
    rows.clear();
    for (const SpendLine &line : summary.byToken) {
        const QString name = line.name.isEmpty() ? QStringLiteral("(no token)") : shortened(line.name);
        rows.append(QStringList {name} + tokenCells(line));
    }
    printTable(out, QStringList {QStringLiteral("Gateway token")} + tokenHeader, rows, 1);
    if (total.estimated > 0) {
        out << "  ~ includes " << formatUsd(total.estimatedUsd) << " estimated for " << formatCount(total.estimated)
            << (total.estimated == 1 ? " request" : " requests")
            << " whose provider reported no final usage (cut or cancelled streams)\n";
    }
    if (total.unpriced > 0) {
        out << "  " << formatCount(total.unpriced) << (total.unpriced == 1 ? " request has" : " requests have")
            << " no price and " << (total.unpriced == 1 ? "is" : "are")
            << " not in the totals: add prices under prices.overrides in the config (docs/costs.md)\n";
    }
    out << '\n';
}

} // namespace

int runSpendCommand(const QStringList &args, QTextStream &out, QTextStream &err, const QDateTime &now)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("spend"))
        words.removeFirst();
    QString dataDir;
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QString &word = words.at(i);
        if (word == QLatin1String("--help") || word == QLatin1String("-h") || word == QLatin1String("help")) {
            out << usage();
            out.flush();
            return ExitOk;
        }
        if (word == QLatin1String("--data-dir")) {
            if (i + 1 >= words.size() || words.at(i + 1).isEmpty())
                return badUsage(err, QStringLiteral("--data-dir needs a directory"));
            dataDir = words.at(++i);
        } else if (word.startsWith(QLatin1String("--data-dir="))) {
            dataDir = word.section(QLatin1Char('='), 1);
            if (dataDir.isEmpty())
                return badUsage(err, QStringLiteral("--data-dir needs a directory"));
        } else {
            return badUsage(err, QStringLiteral("unknown argument '%1'").arg(word));
        }
    }
    const QString databasePath = QDir(CommandLine::dataDirOr(dataDir)).filePath(QStringLiteral("sluice.db"));

    SpendReport report(databasePath);
    if (Result<void> opened = report.open(); !opened) {
        err << "sluice spend: " << opened.errorMessage() << '\n';
        err.flush();
        return ExitFailed;
    }
    const auto [dayStart, dayEnd] = SpendReport::day(now);
    const auto [monthStart, monthEnd] = SpendReport::month(now);
    const Result<SpendSummary> today = report.summarize(dayStart, dayEnd);
    const Result<SpendSummary> month = today ? report.summarize(monthStart, monthEnd) : today;
    if (!today || !month) {
        err << "sluice spend: " << (today ? month.errorMessage() : today.errorMessage()) << '\n';
        err.flush();
        return ExitFailed;
    }
    const QLocale c = QLocale::c();
    out << "Spend in USD from " << QDir::toNativeSeparators(databasePath) << " (local time)\n\n";
    printPeriod(out, QStringLiteral("Today, ") + c.toString(dayStart.date(), QStringLiteral("ddd d MMM yyyy")), *today);
    printPeriod(out, QStringLiteral("This month, ") + c.toString(monthStart.date(), QStringLiteral("MMMM yyyy")),
                *month);
    out.flush();
    return ExitOk;
}

} // namespace sluice
