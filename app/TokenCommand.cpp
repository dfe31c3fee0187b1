#include "TokenCommand.h"

#include <QDir>
#include <QLoggingCategory>
#include <QTextStream>

#include "CommandLine.h"
#include "StoreConfig.h"
#include "config/ConfigLoader.h"
#include "cost/ModelPrice.h"
#include "secrets/SecretStore.h"
#include "store/TokenStore.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitUsage = 2;

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice token create NAME [--models A,B] [--rpm N] [--tpm N] [--budget PERIOD:USD ...]\n"
        "                                 make a gateway token; its secret is printed once, only its SHA-256 is kept\n"
        "  sluice token list              the tokens, their limits and budgets (never a secret)\n"
        "  sluice token revoke NAME       delete a token; the running gateway refuses it within a second\n"
        "\n"
        "  --models A,B        client-facing model names the token may use (default: every model)\n"
        "  --rpm N             requests per minute (default: no limit)\n"
        "  --tpm N             input + output tokens per minute (default: no limit)\n"
        "  --budget P:USD      a hard spend limit per UTC period: daily, weekly or monthly, e.g. --budget daily:5\n"
        "  --data-dir DIR      the folder of the database (default: ~/.local/share/sluice)\n"
        "  --config FILE       use the store FILE names: with store.postgresql, the team's database\n"
        "\n"
        "Example: TOKEN=$(sluice token create ci --models gpt-4.1-mini --rpm 60 --budget monthly:20)\n");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, QLatin1String("token"), problem, usage());
}

int fail(QTextStream &err, const QString &message)
{
    return CommandLine::fail(err, QLatin1String("token"), message);
}

QString budgetsText(const StoredToken &token)
{
    QStringList parts;
    if (token.dailyUsd > 0)
        parts.append(QStringLiteral("daily ") + formatUsd(token.dailyUsd));
    if (token.weeklyUsd > 0)
        parts.append(QStringLiteral("weekly ") + formatUsd(token.weeklyUsd));
    if (token.monthlyUsd > 0)
        parts.append(QStringLiteral("monthly ") + formatUsd(token.monthlyUsd));
    return parts.isEmpty() ? QStringLiteral("-") : parts.join(QStringLiteral(", "));
}

int list(TokenStore &store, QTextStream &out, QTextStream &err)
{
    const Result<QList<StoredToken>> tokens = store.list();
    if (!tokens)
        return fail(err, tokens.errorMessage());
    if (tokens->isEmpty()) {
        err << "No tokens yet; make one with `sluice token create NAME`\n";
        err.flush();
        return ExitOk;
    }
    QList<QStringList> rows = {{QStringLiteral("Name"), QStringLiteral("Models"), QStringLiteral("RPM"),
                                QStringLiteral("TPM"), QStringLiteral("Budgets"), QStringLiteral("Created (UTC)")}};
    for (const StoredToken &token : *tokens) {
        rows.append({token.name, token.models.isEmpty() ? QStringLiteral("all") : token.models.join(QLatin1Char(',')),
                     token.rpm > 0 ? QString::number(token.rpm) : QStringLiteral("-"),
                     token.tpm > 0 ? QString::number(token.tpm) : QStringLiteral("-"), budgetsText(token),
                     token.createdAt.toString(QStringLiteral("yyyy-MM-dd HH:mm"))});
    }
    QList<qsizetype> widths(rows.first().size(), 0);
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = qMax(widths[i], row.at(i).size());
    }
    for (const QStringList &row : rows) {
        QStringList cells;
        for (qsizetype i = 0; i < row.size(); ++i)
            cells.append(row.at(i).leftJustified(widths.at(i)));
        out << cells.join(QStringLiteral("  ")).trimmed() << '\n';
    }
    out.flush();
    return ExitOk;
}

} // namespace

Result<void> openTokenStore(TokenStore &store, const QString &dataDir)
{
    // The database's upgrade notes are for the gateway's log, not for a command whose output may be captured.
    QLoggingCategory::setFilterRules(QStringLiteral("sluice.store.info=false"));
    return store.open(QDir(CommandLine::dataDirOr(dataDir)).filePath(QStringLiteral("sluice.db")));
}

Result<void> openTokenStore(TokenStore &store, const QString &dataDir, const QString &configPath)
{
    if (configPath.isEmpty())
        return openTokenStore(store, dataDir);
    QLoggingCategory::setFilterRules(QStringLiteral("sluice.store.info=false"));
    const Result<Config> config = ConfigLoader::loadFile(configPath);
    if (!config)
        return config.error();
    const QString folder = CommandLine::dataDirOr(dataDir);
    SecretStore secrets;
    SecretResolver resolver(&secrets);
    const Result<StoreLocation> location
        = storeLocationOf(*config, QDir(folder).filePath(QStringLiteral("sluice.db")), folder, resolver);
    if (!location)
        return location.error();
    return store.open(*location);
}

int runTokenCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("token"))
        words.removeFirst();
    if (words.isEmpty())
        return badUsage(err, QStringLiteral("missing a command (create, list or revoke)"));
    const QString command = words.takeFirst();
    if (command == QLatin1String("help") || command == QLatin1String("--help") || command == QLatin1String("-h")) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    if (command != QLatin1String("create") && command != QLatin1String("list") && command != QLatin1String("revoke"))
        return badUsage(err, QStringLiteral("unknown command '%1'").arg(command));

    QString dataDir;
    QString configPath;
    QStringList positional;
    StoredToken token;
    for (qsizetype i = 0; i < words.size(); ++i) {
        QString option = words.at(i);
        QString value;
        if (!option.startsWith(QLatin1String("--"))) {
            positional.append(option);
            continue;
        }
        if (option.contains(QLatin1Char('='))) {
            value = option.section(QLatin1Char('='), 1);
            option = option.section(QLatin1Char('='), 0, 0);
        } else if (i + 1 < words.size()) {
            value = words.at(++i);
        }
        if (value.isEmpty())
            return badUsage(err, QStringLiteral("%1 needs a value").arg(option));
        const bool createOption = option != QLatin1String("--data-dir") && option != QLatin1String("--config");
        if (createOption && command != QLatin1String("create"))
            return badUsage(err, QStringLiteral("'%1' takes no %2").arg(command, option));
        bool ok = true;
        if (option == QLatin1String("--data-dir")) {
            dataDir = value;
        } else if (option == QLatin1String("--config")) {
            configPath = value;
        } else if (option == QLatin1String("--models")) {
            for (const QString &model : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
                token.models.append(model.trimmed());
        } else if (option == QLatin1String("--rpm")) {
            token.rpm = value.toInt(&ok);
            ok = ok && token.rpm > 0;
        } else if (option == QLatin1String("--tpm")) {
            token.tpm = value.toLongLong(&ok);
            ok = ok && token.tpm > 0;
        } else if (option == QLatin1String("--budget")) {
            const QString period = value.section(QLatin1Char(':'), 0, 0).toLower();
            const double usd = value.section(QLatin1Char(':'), 1).toDouble(&ok);
            ok = ok && usd > 0 && value.count(QLatin1Char(':')) == 1;
            if (ok && period == QLatin1String("daily"))
                token.dailyUsd = usd;
            else if (ok && period == QLatin1String("weekly"))
                token.weeklyUsd = usd;
            else if (ok && period == QLatin1String("monthly"))
                token.monthlyUsd = usd;
            else
                return badUsage(err,
                                QStringLiteral("--budget takes daily:USD, weekly:USD or monthly:USD (e.g. "
                                               "daily:5), not '%1'")
                                    .arg(value));
        } else {
            return badUsage(err, QStringLiteral("unknown option '%1'").arg(option));
        }
        if (!ok)
            return badUsage(err, QStringLiteral("%1 takes a whole number above 0, not '%2'").arg(option, value));
    }
    if (command == QLatin1String("list") ? !positional.isEmpty() : positional.size() != 1)
        return badUsage(err,
                        command == QLatin1String("list") ? QStringLiteral("'list' takes no NAME")
                                                         : QStringLiteral("'%1' takes one NAME").arg(command));
    if (command == QLatin1String("create") && !TokenStore::isValidName(positional.front()))
        return badUsage(err, QStringLiteral("NAME must be 1 to 64 letters, digits, '-', '_' or '.'"));

    TokenStore store;
    if (Result<void> opened = openTokenStore(store, dataDir, configPath); !opened)
        return fail(err, opened.errorMessage());

    if (command == QLatin1String("list"))
        return list(store, out, err);
    if (command == QLatin1String("revoke")) {
        if (Result<void> revoked = store.revoke(positional.front()); !revoked)
            return fail(err, revoked.errorMessage());
        out << "Revoked token '" << positional.front() << "'; a running Sluice refuses it within a second\n";
        out.flush();
        return ExitOk;
    }
    token.name = positional.front();
    const Result<QString> secret = store.create(token);
    if (!secret)
        return fail(err, secret.errorMessage());
    err << "Created token '" << token.name << "'. Its secret follows, shown only this once (Sluice keeps only its "
        << "SHA-256); use it as the API key (Authorization: Bearer ... or x-api-key):\n";
    err.flush();
    out << secret.value() << '\n';
    out.flush();
    return ExitOk;
}

} // namespace sluice
