#include "SetupCommand.h"

#include <QFile>
#include <QHostAddress>
#include <QTextStream>

#include "CommandLine.h"
#include "TokenCommand.h"
#include "clients/ClientConfigWriter.h"
#include "clients/ClientSetup.h"
#include "clients/ClientToken.h"
#include "config/ConfigLoader.h"
#include "store/TokenStore.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;

QString usage()
{
    QStringList clients;
    for (const auto &writer : ClientConfigWriter::all())
        clients.append(QStringLiteral("  %1 %2").arg(writer->name().leftJustified(12), writer->configPath()));
    return QStringLiteral(
               "Usage:\n"
               "  sluice setup CLIENT [--dry-run] [--undo] [--config FILE] [--data-dir DIR] [--model NAME]\n"
               "\n"
               "Points a coding agent at Sluice: merges Sluice's base URL (from the config in force) into the agent's "
               "own\nconfig file, keeping every other setting, with a gateway token named after the client (made "
               "once, reused\nafterwards), so the spend reports show what each tool costs. The first set-up keeps "
               "the original file as\nFILE.sluice-backup; --undo puts it back byte for byte (or deletes the file if "
               "Sluice created it).\n"
               "\n"
               "  --dry-run       print what would change in which file, and write nothing\n"
               "  --undo          restore the file as it was before the first `sluice setup CLIENT`\n"
               "  --config FILE   the Sluice config whose address to use (default: %1)\n"
               "  --data-dir DIR  the folder of the token database (default: ~/.local/share/sluice)\n"
               "  --model NAME    also make NAME (a Sluice model) the client's default model\n"
               "\n"
               "Clients and their files:\n%2\n")
        .arg(ConfigLoader::defaultPath(), clients.join(QLatin1Char('\n')));
}

QLatin1String command()
{
    return QLatin1String("setup");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, command(), problem, usage());
}

int fail(QTextStream &err, const QString &message)
{
    return CommandLine::fail(err, command(), message);
}

int undo(const ClientConfigWriter &writer, bool dryRun, QTextStream &out, QTextStream &err)
{
    const Result<ClientFileChange> change = ClientSetup::planUndo(writer.configPath());
    if (!change)
        return fail(err, change.errorMessage());
    // The file being undone holds the gateway token (Claude Code, opencode): shown masked, like in the set-up.
    out << ClientSetup::diff(*change, writer.existingSecret(change->before),
                             QStringLiteral("<gateway token '%1'>").arg(writer.name()));
    if (dryRun) {
        out << "Dry run: nothing was written.\n";
        out.flush();
        return ExitOk;
    }
    if (Result<void> done = ClientSetup::applyUndo(*change); !done)
        return fail(err, done.errorMessage());
    out << (change->after ? QStringLiteral("Restored %1 as it was before `sluice setup %2`.\n")
                          : QStringLiteral("Deleted %1: it did not exist before `sluice setup %2`.\n"))
               .arg(change->path, writer.name())
        << "The gateway token '" << writer.name() << "' still exists; `sluice token revoke " << writer.name()
        << "` deletes it.\n";
    out.flush();
    return ExitOk;
}

} // namespace

int runSetupCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("setup"))
        words.removeFirst();
    if (words.size() == 1
        && (words.front() == QLatin1String("--help") || words.front() == QLatin1String("-h")
            || words.front() == QLatin1String("help"))) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    bool dryRun = false;
    bool undoing = false;
    QString configPath;
    QString dataDir;
    QString model;
    QStringList positional;
    for (qsizetype i = 0; i < words.size(); ++i) {
        QString option = words.at(i);
        if (!option.startsWith(QLatin1String("--"))) {
            positional.append(option);
            continue;
        }
        if (option == QLatin1String("--dry-run")) {
            dryRun = true;
            continue;
        }
        if (option == QLatin1String("--undo")) {
            undoing = true;
            continue;
        }
        if (option == QLatin1String("--help"))
            return badUsage(err, QStringLiteral("--help goes alone: sluice setup --help"));
        QString value;
        if (option.contains(QLatin1Char('='))) {
            value = option.section(QLatin1Char('='), 1);
            option = option.section(QLatin1Char('='), 0, 0);
        } else if (i + 1 < words.size()) {
            value = words.at(++i);
        }
        if (value.isEmpty())
            return badUsage(err, QStringLiteral("%1 needs a value").arg(option));
        if (option == QLatin1String("--config"))
            configPath = value;
        else if (option == QLatin1String("--data-dir"))
            dataDir = value;
        else if (option == QLatin1String("--model"))
            model = value;
        else
            return badUsage(err, QStringLiteral("unknown option '%1'").arg(option));
    }
    if (positional.size() != 1)
        return badUsage(err,
                        positional.isEmpty() ? QStringLiteral("say which CLIENT to set up")
                                             : QStringLiteral("expected one CLIENT"));
    const std::shared_ptr<const ClientConfigWriter> writer = ClientConfigWriter::find(positional.front());
    if (!writer)
        return badUsage(err, QStringLiteral("unknown client '%1'").arg(positional.front()));
    if (undoing)
        return undo(*writer, dryRun, out, err);

    // The endpoint from the config in force (the default file's absence means the defaults are in force).
    ClientEndpoint endpoint;
    const QString path = configPath.isEmpty() ? ConfigLoader::defaultPath() : configPath;
    if (!configPath.isEmpty() || QFile::exists(path)) {
        const Result<Config> config = ConfigLoader::loadFile(path);
        if (!config)
            return fail(err, config.errorMessage());
        endpoint = ClientToken::endpointFor(*config);
    } else {
        err << "sluice setup: " << path << " does not exist; using the default address\n";
    }
    if (!model.isEmpty() && !endpoint.models.isEmpty() && !endpoint.models.contains(model))
        return fail(err,
                    QStringLiteral("'%1' is not a model in %2 (models: %3)")
                        .arg(model, path, endpoint.models.join(QStringLiteral(", "))));
    endpoint.model = model;

    // Check the client's file can be merged before making a token.
    const QString mask = QStringLiteral("<gateway token '%1'>").arg(writer->name());
    endpoint.token = mask;
    Result<ClientFileChange> checked = ClientSetup::plan(*writer, endpoint);
    if (!checked)
        return fail(err, checked.errorMessage());
    const QString candidate = writer->existingSecret(checked->before);

    QString tokenNote;
    if (dryRun) {
        endpoint.token = candidate.isEmpty() ? mask : candidate;
    } else {
        TokenStore store;
        if (Result<void> opened = openTokenStore(store, dataDir); !opened)
            return fail(err, opened.errorMessage());
        const Result<ClientToken> token = ClientToken::obtain(*writer, checked->before, store);
        if (!token)
            return fail(err, token.errorMessage());
        endpoint.token = token->secret;
        tokenNote = token->created
            ? QStringLiteral("Made the gateway token '%1' (see `sluice token list`; the spend reports show this "
                             "client under it).")
                  .arg(writer->name())
            : QStringLiteral("Using the existing gateway token '%1'.").arg(writer->name());
    }

    const Result<ClientFileChange> change = ClientSetup::plan(*writer, endpoint);
    if (!change)
        return fail(err, change.errorMessage());
    for (const QString &warning : writer->warnings(change->before))
        err << "sluice setup: warning: " << warning << '\n';
    if (endpoint.models.isEmpty())
        err << "sluice setup: warning: Sluice has no models yet, so " << writer->displayName()
            << " gets no model name to use; add one (sluice model add NAME --provider PROVIDER) and run the set-up "
               "again\n";
    err.flush();
    if (change->changes())
        out << ClientSetup::diff(*change, endpoint.token, mask);
    else
        out << change->path << " already points at Sluice; nothing to change.\n";
    if (dryRun) {
        out << "Dry run: nothing was written and no token was made.\n";
    } else {
        if (change->changes()) {
            if (Result<void> written = ClientSetup::apply(*change); !written)
                return fail(err, written.errorMessage());
            out << "Wrote " << change->path << " (the original is kept; `sluice setup " << writer->name()
                << " --undo` restores it).\n";
        }
        out << tokenNote << '\n';
    }
    if (writer->tokenInFile()) {
        out << "The gateway token is written into " << change->path << ": it is the one secret Sluice puts in that "
            << "file, because " << writer->displayName() << " reads its key from there.\n";
    }
    const QStringList lines = writer->environmentLines(endpoint);
    if (!lines.isEmpty()) {
        out << writer->displayName() << " reads the " << (lines.size() > 1 ? "address and " : "")
            << "token from its environment. Add these lines to your shell profile yourself (Sluice does not edit "
            << "it; they hold the token):\n";
        for (const QString &line : lines)
            out << "  " << line << '\n';
    }
    out.flush();
    return ExitOk;
}

} // namespace sluice
