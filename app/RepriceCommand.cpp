#include "RepriceCommand.h"

#include <optional>

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QTextStream>

#include "CommandLine.h"
#include "StoreConfig.h"
#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "cost/SpendExport.h"
#include "cost/WhatIfCost.h"
#include "cost/WhatIfExport.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;
constexpr qsizetype MaxNameWidth = 36;

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice compare --reprice MODEL [--from DATE] [--to DATE] [--by client|model|tag]\n"
        "                 [--format table|json|csv] [--client NAME] [--tag TAG] [--model NAME] [--token NAME]\n"
        "                 [--project NAME] [--config FILE] [--data-dir DIR]\n"
        "                                  what the period's logged requests would have cost on MODEL (an estimate\n"
        "                                  from their token counts), against what they cost\n"
        "\n"
        "--reprice MODEL a model of the config (priced as its first deployment) or of the price catalog\n"
        "--from DATE    first day (YYYY-MM-DD) or instant (ISO 8601, UTC unless it says); default: the 1st of this "
        "month\n"
        "--to DATE      last day, included (YYYY-MM-DD), or instant, excluded (ISO 8601); default: today\n"
        "--by WHAT      group by client (the tool that sent the request), model (the one that answered) or tag;\n"
        "               default: model\n"
        "--client, --tag, --model, --token, --project   only the requests of that client, tag, model, gateway token\n"
        "               or project (\"\" for none: no client recognised, untagged)\n"
        "--format F     table (default), json or csv; costs in USD\n"
        "--config FILE  the config (its models, price overrides and store: with store.postgresql, the team's\n"
        "               database is read; default: ~/.config/sluice/sluice.yaml)\n"
        "--data-dir DIR the folder of the request log and price catalog (default: ~/.local/share/sluice)\n"
        "Token counts differ between model families' tokenizers: see docs/spend.md#what-if-cost.\n");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, QLatin1String("compare"), problem, usage());
}

int fail(QTextStream &err, const QString &message)
{
    return CommandLine::fail(err, QLatin1String("compare"), message);
}

QString shortened(const QString &name)
{
    if (name.size() <= MaxNameWidth)
        return name;
    return name.left(MaxNameWidth - 1) + QChar(0x2026);
}

QString signedMoney(double usd)
{
    if (usd > 0)
        return QLatin1Char('+') + SpendExport::money(usd);
    if (usd < 0)
        return QLatin1Char('-') + SpendExport::money(-usd);
    return SpendExport::money(0);
}

QStringList cells(const WhatIfLine &line)
{
    // Nothing priced both ways: no money to show, rather than $0 against $0.
    const QString none = QStringLiteral("-");
    const bool compared = line.compared > 0;
    return {formatCount(line.requests),
            formatCount(line.inputTokens),
            formatCount(line.cachedTokens),
            formatCount(line.cacheWriteTokens),
            formatCount(line.outputTokens),
            formatCount(line.reasoningTokens),
            !compared ? none
                      : (line.estimated > 0 ? QStringLiteral("~") : QString()) + SpendExport::money(line.actualUsd),
            !compared ? none : QLatin1Char('~') + SpendExport::money(line.whatIfUsd),
            !compared ? none : signedMoney(line.differenceUsd()),
            WhatIfExport::ratioText(line),
            line.requests == line.compared ? QStringLiteral("-") : formatCount(line.requests - line.compared)};
}

QString requests(qint64 count)
{
    return formatCount(count) + (count == 1 ? QStringLiteral(" request") : QStringLiteral(" requests"));
}

void printReport(QTextStream &out, const WhatIfReport &report, const QString &databasePath)
{
    const QLocale c = QLocale::c();
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm");
    out << "What-if cost (an estimate) on " << report.target.label << ", by " << WhatIfCost::nameOf(report.by) << ", "
        << c.toString(report.from, format) << " to " << c.toString(report.to, format) << " UTC, from "
        << QDir::toNativeSeparators(databasePath) << '\n';
    if (!report.filter.isEmpty())
        out << "Only requests with " << report.filter.describe() << '\n';
    out << '\n';
    const WhatIfLine &total = report.total;
    if (total.requests == 0) {
        out << "  no requests\n";
        return;
    }
    QString title = WhatIfCost::nameOf(report.by);
    title[0] = title.at(0).toUpper();
    const QStringList header = {title,
                                QStringLiteral("Requests"),
                                QStringLiteral("Input"),
                                QStringLiteral("Cached"),
                                QStringLiteral("Cache write"),
                                QStringLiteral("Output"),
                                QStringLiteral("Reasoning"),
                                QStringLiteral("Actual"),
                                QStringLiteral("What-if"),
                                QStringLiteral("Difference"),
                                QStringLiteral("Ratio"),
                                QStringLiteral("Not compared")};
    QList<QStringList> rows;
    for (const WhatIfLine &line : report.lines)
        rows.append(QStringList {shortened(WhatIfExport::displayName(report.by, line.name))} + cells(line));
    rows.append(QStringList {QStringLiteral("Total")} + cells(total));
    CommandLine::printTable(out, header, rows, 1);
    if (report.by == WhatIfGrouping::Tag)
        out << "  A request with several tags counts under each of them; the total counts it once.\n";
    out << "  Tokens, Actual and What-if cover the " << requests(total.compared)
        << " priced both ways; the others are counted apart below, never as $0.\n";
    if (total.estimated > 0)
        out << "  ~ the actual cost of " << requests(total.estimated)
            << " is itself an estimate (streams cut before the provider reported usage).\n";
    if (total.unpricedActual > 0)
        out << "  " << requests(total.unpricedActual) << " had no logged price (not compared); on "
            << report.target.model << " they would cost ~" << SpendExport::money(total.unpricedActualWhatIfUsd)
            << ".\n";
    if (total.noTokenCounts > 0)
        out << "  " << requests(total.noTokenCounts)
            << " cannot be repriced: the provider reported no token counts (their cost was estimated from sizes).\n";
    if (total.missingTargetPrice > 0)
        out << "  " << requests(total.missingTargetPrice) << " cannot be repriced: they have tokens of a kind "
            << report.target.model << " has no price for.\n";
    if (total.cacheHits > 0)
        out << "  " << requests(total.cacheHits)
            << " answered from Sluice's response cache cost $0 either way (not compared).\n";
    out << "  " << report.tokenizerNote() << '\n';
}

} // namespace

bool isRepriceCommand(const QStringList &args)
{
    for (const QString &word : args) {
        if (word == QLatin1String("--reprice") || word.startsWith(QLatin1String("--reprice=")))
            return true;
    }
    return false;
}

int runRepriceCommand(const QStringList &args, QTextStream &out, QTextStream &err, const QDateTime &now)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("compare"))
        words.removeFirst();
    QString target;
    QString dataDir;
    QString configPath;
    QString byName;
    QString fromText;
    QString toText;
    QString formatName;
    std::optional<QString> client;
    std::optional<QString> tag;
    std::optional<QString> model;
    std::optional<QString> token;
    std::optional<QString> project;
    const CommandLine::ValueOption options[] = {
        {"--reprice", &target}, {"--data-dir", &dataDir}, {"--config", &configPath}, {"--by", &byName},
        {"--from", &fromText},  {"--to", &toText},        {"--format", &formatName},
    };
    // Filters may be empty: "" selects the requests with none (no client recognised, untagged).
    const CommandLine::FilterOption filters[] = {
        {"--client", &client}, {"--tag", &tag}, {"--model", &model}, {"--token", &token}, {"--project", &project},
    };
    bool help = false;
    if (const QString problem = CommandLine::readOptions(words, options, filters, &help); !problem.isEmpty())
        return badUsage(err, problem);
    if (help) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    if (target.isEmpty())
        return badUsage(err, QStringLiteral("--reprice MODEL is needed: the model to price the logged requests on"));
    const std::optional<WhatIfGrouping> by = WhatIfCost::fromName(byName.isEmpty() ? QStringLiteral("model") : byName);
    if (!by)
        return badUsage(err, QStringLiteral("--by takes client, model or tag, not '%1'").arg(byName));
    if (formatName.isEmpty())
        formatName = QStringLiteral("table");
    if (formatName != QLatin1String("table") && formatName != QLatin1String("csv")
        && formatName != QLatin1String("json"))
        return badUsage(err, QStringLiteral("--format takes table, json or csv, not '%1'").arg(formatName));
    QString problem;
    const std::optional<std::pair<QDateTime, QDateTime>> period = CommandLine::period(fromText, toText, now, &problem);
    if (!period)
        return badUsage(err, problem);
    const auto &[from, to] = *period;

    // The config names the models and their providers, and may override prices; without one the catalog answers.
    Config config;
    const QString configFile = configPath.isEmpty() ? ConfigLoader::defaultPath() : configPath;
    if (!configPath.isEmpty() || QFileInfo::exists(configFile)) {
        Result<Config> loaded = ConfigLoader::loadFile(configFile);
        if (!loaded)
            return fail(err, loaded.errorMessage());
        config = std::move(loaded).value();
    }
    const QString folder = CommandLine::dataDirOr(dataDir);
    QString warning;
    const PriceCatalog catalog = PriceCatalog::load(folder, &warning);
    if (!warning.isEmpty())
        err << "sluice compare: " << warning << '\n';
    const Result<WhatIfTarget> resolved = WhatIfTarget::resolve(config, catalog, target, now);
    if (!resolved)
        return fail(err, resolved.errorMessage());

    const Result<StoreLocation> store = reportStoreOf(config, folder);
    if (!store)
        return fail(err, store.errorMessage());
    const QString databasePath = store->isPostgres() ? store->describe() : store->sqlitePath();
    WhatIfCost whatIf(*store);
    WhatIfFilter filter;
    filter.client = client;
    filter.tag = tag;
    filter.model = model;
    filter.token = token;
    filter.project = project;
    const Result<WhatIfReport> report = whatIf.compute(*resolved, *by, from, to, filter, &catalog);
    if (!report)
        return fail(err, report.errorMessage());
    if (formatName == QLatin1String("json"))
        out << QString::fromUtf8(WhatIfExport::json(*report));
    else if (formatName == QLatin1String("csv"))
        out << QString::fromUtf8(WhatIfExport::csv(*report));
    else
        printReport(out, *report, databasePath);
    out.flush();
    return ExitOk;
}

} // namespace sluice
