#include "SpendCommand.h"

#include <optional>

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QTextStream>

#include "CommandLine.h"
#include "StoreConfig.h"
#include "config/ConfigLoader.h"
#include "cost/ModelPrice.h"
#include "cost/SpendBreakdown.h"
#include "cost/SpendExport.h"
#include "cost/SpendReport.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitUsage = 2;
constexpr qsizetype MaxNameWidth = 36;

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice spend [--config FILE] [--data-dir DIR]\n"
        "                                  today's and this month's spend (local time), by model and by gateway "
        "token\n"
        "  sluice spend --by day|hour|model|provider|client|token|tag|project [--from DATE] [--to DATE]\n"
        "               [--format table|csv|json] [--config FILE] [--data-dir DIR]\n"
        "                                  spend over a period (UTC) grouped by one dimension\n"
        "\n"
        "--by WHAT      group by UTC day or hour, model, provider, client (the tool that sent the request),\n"
        "               gateway token, tag (x-sluice-tags; a request counts under each of its tags) or project\n"
        "--from DATE    first day (YYYY-MM-DD) or instant (ISO 8601, UTC unless it says); default: the 1st of this "
        "month\n"
        "--to DATE      last day, included (YYYY-MM-DD), or instant, excluded (ISO 8601); default: today\n"
        "--format F     table (default), csv or json; costs in USD, unpriced requests counted apart, never $0\n"
        "--config FILE  the config; with a store: postgresql section, the team's database is read (default:\n"
        "               ~/.config/sluice/sluice.yaml when it exists)\n"
        "--data-dir DIR the folder of the request log (default: ~/.local/share/sluice)\n");
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
    CommandLine::printTable(out, QStringList {QStringLiteral("Model"), QStringLiteral("Provider")} + tokenHeader, rows,
                            2);
    out << '\n';
    rows.clear();
    for (const SpendLine &line : summary.byToken) {
        const QString name = line.name.isEmpty() ? QStringLiteral("(no token)") : shortened(line.name);
        rows.append(QStringList {name} + tokenCells(line));
    }
    CommandLine::printTable(out, QStringList {QStringLiteral("Gateway token")} + tokenHeader, rows, 1);
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

QStringList lineCells(const SpendLine &line)
{
    QStringList cells = tokenCells(line);
    cells.last() = SpendExport::costText(line);
    cells.append(line.cacheHits > 0
                     ? SpendExport::money(line.savedUsd) + QStringLiteral(" (%1)").arg(formatCount(line.cacheHits))
                     : QStringLiteral("-"));
    return cells;
}

void printBreakdown(QTextStream &out, SpendDimension by, const QDateTime &from, const QDateTime &to,
                    const QString &databasePath, const QList<SpendLine> &lines, const SpendLine &total)
{
    const QLocale c = QLocale::c();
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm");
    out << "Spend in USD by " << SpendBreakdown::nameOf(by) << ", " << c.toString(from.toUTC(), format) << " to "
        << c.toString(to.toUTC(), format) << " UTC, from " << QDir::toNativeSeparators(databasePath) << "\n\n";
    if (total.requests == 0) {
        out << "  no requests\n";
        return;
    }
    QString title = SpendBreakdown::nameOf(by);
    title[0] = title.at(0).toUpper();
    const QStringList header = {title,
                                QStringLiteral("Requests"),
                                QStringLiteral("Input"),
                                QStringLiteral("Cached"),
                                QStringLiteral("Cache write"),
                                QStringLiteral("Output"),
                                QStringLiteral("Reasoning"),
                                QStringLiteral("Cost"),
                                QStringLiteral("Cache saved")};
    QList<QStringList> rows;
    for (const SpendLine &line : lines)
        rows.append(QStringList {shortened(SpendExport::displayName(by, line.name))} + lineCells(line));
    rows.append(QStringList {QStringLiteral("Total")} + lineCells(total));
    CommandLine::printTable(out, header, rows, 1);
    if (by == SpendDimension::Tag)
        out << "  A request with several tags counts under each of them; the total counts it once.\n";
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
}

} // namespace

int runSpendCommand(const QStringList &args, QTextStream &out, QTextStream &err, const QDateTime &now)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("spend"))
        words.removeFirst();
    QString dataDir;
    QString configPath;
    QString byName;
    QString fromText;
    QString toText;
    QString formatName;
    const CommandLine::ValueOption options[]
        = {{"--data-dir", &dataDir}, {"--config", &configPath}, {"--by", &byName},
           {"--from", &fromText},    {"--to", &toText},         {"--format", &formatName}};
    bool help = false;
    if (const QString problem = CommandLine::readOptions(words, options, {}, &help); !problem.isEmpty())
        return badUsage(err, problem);
    if (help) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    // The config says where the log is: a team's PostgreSQL database (store.postgresql), else the data folder's.
    Config config;
    const QString configFile = configPath.isEmpty() ? ConfigLoader::defaultPath() : configPath;
    if (!configPath.isEmpty() || QFileInfo::exists(configFile)) {
        Result<Config> loaded = ConfigLoader::loadFile(configFile);
        if (!loaded)
            return CommandLine::fail(err, QLatin1String("spend"), loaded.errorMessage());
        config = std::move(loaded).value();
    }
    const Result<StoreLocation> store = reportStoreOf(config, CommandLine::dataDirOr(dataDir));
    if (!store)
        return CommandLine::fail(err, QLatin1String("spend"), store.errorMessage());
    const QString databasePath = store->isPostgres() ? store->describe() : store->sqlitePath();
    if (!byName.isEmpty() || !fromText.isEmpty() || !toText.isEmpty() || !formatName.isEmpty()) {
        const std::optional<SpendDimension> by
            = SpendBreakdown::fromName(byName.isEmpty() ? QStringLiteral("model") : byName);
        if (!by)
            return badUsage(err,
                            QStringLiteral("--by takes day, hour, model, provider, client, token, tag or "
                                           "project, not '%1'")
                                .arg(byName));
        if (formatName.isEmpty())
            formatName = QStringLiteral("table");
        if (formatName != QLatin1String("table") && formatName != QLatin1String("csv")
            && formatName != QLatin1String("json"))
            return badUsage(err, QStringLiteral("--format takes table, csv or json, not '%1'").arg(formatName));
        QString problem;
        const std::optional<std::pair<QDateTime, QDateTime>> period
            = CommandLine::period(fromText, toText, now, &problem);
        if (!period)
            return badUsage(err, problem);
        const auto &[from, to] = *period;

        SpendBreakdown breakdown(*store);
        Result<QList<SpendLine>> lines = breakdown.breakdown(*by, from, to);
        const Result<SpendLine> total = lines ? breakdown.total(from, to) : Result<SpendLine>(lines.error());
        if (!lines || !total) {
            err << "sluice spend: " << (lines ? total.errorMessage() : lines.errorMessage()) << '\n';
            err.flush();
            return ExitFailed;
        }
        if (formatName == QLatin1String("csv"))
            out << QString::fromUtf8(SpendExport::csv(*by, *lines));
        else if (formatName == QLatin1String("json"))
            out << QString::fromUtf8(SpendExport::json(*by, from, to, *lines, *total));
        else
            printBreakdown(out, *by, from, to, databasePath, *lines, *total);
        out.flush();
        return ExitOk;
    }

    SpendReport report(*store);
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
