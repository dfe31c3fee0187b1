#include "PricesCommand.h"

#include <QDir>
#include <QFileInfo>
#include <QTextStream>

#include "CommandLine.h"
#include "config/ConfigLoader.h"
#include "cost/CatalogDownload.h"
#include "cost/PriceCatalog.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitUsage = 2;

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice prices show MODEL [--provider NAME] [--config FILE] [--data-dir DIR]\n"
        "                             the price of MODEL (the name sent upstream) and the catalog's date\n"
        "  sluice prices update FILE|URL [--data-dir DIR]\n"
        "                             check a genai-prices data.json (a file, or downloaded from an https URL)\n"
        "                             and install it as the price catalog; a running Sluice switches to it\n"
        "  sluice prices info [--data-dir DIR]\n"
        "                             the price catalog in use\n"
        "\n"
        "--provider names a provider of the config (its base URL tells who bills), or a catalog provider such as\n"
        "openai or anthropic. Prices are in USD per million tokens (/M). See docs/costs.md.\n");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, QLatin1String("prices"), problem, usage());
}

int fail(QTextStream &err, const QString &message)
{
    return CommandLine::fail(err, QLatin1String("prices"), message);
}

struct Options
{
    QStringList positional;
    QString dataDir;
    QString configPath;
    QString provider;
    QString error;
};

Options parseOptions(const QStringList &words)
{
    Options options;
    for (qsizetype i = 0; i < words.size(); ++i) {
        QString name = words.at(i);
        QString value;
        bool inlineValue = false;
        if (name.startsWith(QLatin1String("--")) && name.contains(QLatin1Char('='))) {
            value = name.section(QLatin1Char('='), 1);
            name = name.section(QLatin1Char('='), 0, 0);
            inlineValue = true;
        }
        QString *target = nullptr;
        if (name == QLatin1String("--data-dir"))
            target = &options.dataDir;
        else if (name == QLatin1String("--config"))
            target = &options.configPath;
        else if (name == QLatin1String("--provider"))
            target = &options.provider;
        if (!target) {
            if (name.startsWith(QLatin1String("--"))) {
                options.error = QStringLiteral("unknown option '%1'").arg(name);
                return options;
            }
            options.positional.append(words.at(i));
            continue;
        }
        if (!inlineValue) {
            if (i + 1 >= words.size()) {
                options.error = QStringLiteral("%1 needs a value").arg(name);
                return options;
            }
            value = words.at(++i);
        }
        if (value.isEmpty()) {
            options.error = QStringLiteral("%1 needs a value").arg(name);
            return options;
        }
        *target = value;
    }
    return options;
}

QString dataDirOf(const Options &options)
{
    return CommandLine::dataDirOr(options.dataDir);
}

QString describeCatalog(const PriceCatalog &catalog)
{
    const qsizetype providers = catalog.providers().size();
    const qsizetype models = catalog.modelCount();
    return QStringLiteral("%1 (%2; %3 %4, %5 %6)")
        .arg(catalog.version(), catalog.origin(), formatCount(providers),
             providers == 1 ? QStringLiteral("provider") : QStringLiteral("providers"), formatCount(models),
             models == 1 ? QStringLiteral("model") : QStringLiteral("models"));
}

int showPrice(const Options &options, QTextStream &out, QTextStream &err, const QDateTime &now)
{
    if (options.positional.size() != 1)
        return badUsage(err, QStringLiteral("'show' takes exactly one MODEL"));
    const QString model = options.positional.first();

    // The config gives provider base URLs and price overrides; without one, the catalog alone answers.
    Config config;
    const QString configPath = options.configPath.isEmpty() ? ConfigLoader::defaultPath() : options.configPath;
    if (!options.configPath.isEmpty() || QFileInfo::exists(configPath)) {
        Result<Config> loaded = ConfigLoader::loadFile(configPath);
        if (!loaded)
            return fail(err, loaded.errorMessage());
        config = std::move(loaded).value();
    }
    QString warning;
    const PriceCatalog catalog = PriceCatalog::load(dataDirOf(options), &warning);
    if (!warning.isEmpty())
        err << "sluice prices: " << warning << '\n';

    const ProviderConfig *provider = config.provider(options.provider);
    if (provider && provider->free) {
        out << model << ": free (provider '" << provider->name << "' is configured with free: true)\n";
        out.flush();
        return ExitOk;
    }
    const std::optional<PriceMatch> match = catalog.find(config, options.provider, model, now);
    if (!match) {
        return fail(
            err,
            QStringLiteral("no price for '%1'%2 in the price catalog %3. Its requests are logged as "
                           "unpriced; give it a price under prices.overrides in the config "
                           "(docs/costs.md), or mark a local provider free: true.")
                .arg(model,
                     options.provider.isEmpty() ? QString() : QStringLiteral(" (provider '%1')").arg(options.provider),
                     catalog.version()));
    }
    if (match->providerId.isEmpty()) {
        out << model << ": price override " << match->origin << '\n';
    } else {
        const CatalogProvider *owner = catalog.provider(match->providerId);
        out << model << ": " << match->modelName << " (" << (owner ? owner->name : match->providerId) << ", model id "
            << match->modelId << ")\n";
    }
    for (const QString &line : match->price.describe())
        out << "  " << line << '\n';
    if (!match->schedule.isEmpty()) {
        out << "  This model's price depends on the date or time of day; the lines above apply now ("
            << now.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) << " UTC). All its prices:\n";
        for (const CatalogModel::Conditional &entry : match->schedule) {
            const QStringList lines = entry.price.describe();
            out << "    " << entry.condition.describe() << ": " << lines.join(QStringLiteral("; ")) << '\n';
        }
    }
    out << "Price catalog: " << describeCatalog(catalog) << '\n';
    out.flush();
    return ExitOk;
}

int updateCatalog(const Options &options, QTextStream &out, QTextStream &err, const QDateTime &now)
{
    if (options.positional.size() != 1)
        return badUsage(err, QStringLiteral("'update' takes exactly one FILE or URL (a genai-prices data.json)"));
    const QString dataDir = dataDirOf(options);
    const PriceCatalog previous = PriceCatalog::load(dataDir);
    const QString source = options.positional.first();
    Result<PriceCatalog> installed = makeError(QString());
    if (CatalogDownload::looksLikeUrl(source)) {
        const QUrl url(source);
        Result<QByteArray> downloaded = CatalogDownload::fetch(url);
        if (!downloaded)
            return fail(err, downloaded.errorMessage() + QStringLiteral("; the price catalog was not changed."));
        const QString shown = url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
        installed = PriceCatalog::installData(*downloaded, shown, shown, dataDir, now.date());
    } else {
        installed = PriceCatalog::install(source, dataDir, now.date());
    }
    if (!installed)
        return fail(err, installed.errorMessage() + QStringLiteral("; the price catalog was not changed."));
    out << "Installed the price catalog " << describeCatalog(*installed) << ", dated "
        << installed->date().toString(Qt::ISODate) << ".\n"
        << "It replaces " << previous.version() << " (" << formatCount(previous.modelCount())
        << " models). A running Sluice with this data folder switches to it within a second.\n";
    out.flush();
    return ExitOk;
}

int showInfo(const Options &options, QTextStream &out, QTextStream &err)
{
    if (!options.positional.isEmpty())
        return badUsage(err, QStringLiteral("'info' takes no arguments"));
    QString warning;
    const PriceCatalog catalog = PriceCatalog::load(dataDirOf(options), &warning);
    if (!warning.isEmpty())
        err << "sluice prices: " << warning << '\n';
    if (catalog.isEmpty())
        return fail(err, QStringLiteral("no price catalog is available"));
    out << "Price catalog: " << describeCatalog(catalog) << '\n';
    out.flush();
    return ExitOk;
}

} // namespace

int runPricesCommand(const QStringList &args, QTextStream &out, QTextStream &err, const QDateTime &now)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("prices"))
        words.removeFirst();
    if (words.isEmpty())
        return badUsage(err, QStringLiteral("missing a command (show, update or info)"));
    const QString command = words.takeFirst();
    if (command == QLatin1String("help") || command == QLatin1String("--help") || command == QLatin1String("-h")) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    const Options options = parseOptions(words);
    if (!options.error.isEmpty())
        return badUsage(err, options.error);
    if (command == QLatin1String("show"))
        return showPrice(options, out, err, now);
    if (command == QLatin1String("update"))
        return updateCatalog(options, out, err, now);
    if (command == QLatin1String("info"))
        return showInfo(options, out, err);
    return badUsage(err, QStringLiteral("unknown command '%1'").arg(command));
}

} // namespace sluice
