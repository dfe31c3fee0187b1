#include "ModelCommand.h"

#include <QDir>
#include <QTextStream>

#include "CommandLine.h"
#include "ConfigArguments.h"
#include "config/ConfigLoader.h"
#include "config/ConfigWriter.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;

QString usage()
{
    return QStringLiteral(
               "Usage:\n"
               "  sluice model add NAME --provider PROVIDER [--upstream-model MODEL] [--fallback NAME]... "
               "[--config FILE]\n"
               "  sluice model list [--config FILE]\n"
               "  sluice model remove NAME [--config FILE]\n"
               "\n"
               "add      adds a model name clients can ask for, served by PROVIDER as MODEL (default: NAME);\n"
               "         --fallback names another model tried when this one fails (repeatable, in order).\n"
               "         A NAME that exists already is served by PROVIDER too: one more deployment, balanced\n"
               "         with the others\n"
               "list     every model name, where it is served and its fallbacks\n"
               "remove   takes the model name out of the config (refused while other models fall back to it)\n"
               "\n"
               "Weights, balancing and retries are written by hand (docs/routing.md); these commands keep them.\n"
               "A running Sluice applies the change without a restart. The config: --config FILE, else %1.\n")
        .arg(QDir::toNativeSeparators(ConfigLoader::defaultPath()));
}

QLatin1String command()
{
    return QLatin1String("model");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, command(), problem, usage());
}

int fail(QTextStream &err, const QString &message)
{
    return CommandLine::fail(err, command(), message);
}

int add(const ConfigArguments &args, QTextStream &out, QTextStream &err)
{
    if (args.positional.size() != 1)
        return badUsage(err, QStringLiteral("'add' takes exactly one NAME"));
    const QString provider = args.value(QStringLiteral("provider"));
    if (provider.isEmpty())
        return badUsage(err, QStringLiteral("--provider is missing"));
    const QString path = args.configPath();
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    if (!writer)
        return fail(err, writer.errorMessage());
    const ModelEntry entry {args.positional.first(), provider, args.value(QStringLiteral("upstream-model")),
                            args.values.value(QStringLiteral("fallback"))};
    // An existing name: the provider becomes one more deployment of it.
    if (writer.value().yaml().hasItem(QStringLiteral("models"), entry.name)) {
        if (!entry.fallbacks.isEmpty())
            return fail(err,
                        QStringLiteral("'%1' exists already; its fallbacks are edited in the file "
                                       "(docs/routing.md), or remove it and add it again")
                            .arg(entry.name));
        if (Result<void> added = writer.value().addDeployment(entry.name, provider, entry.upstreamModel); !added)
            return fail(err, added.errorMessage());
        const Result<Config> saved = writer.value().save();
        if (!saved)
            return fail(err, saved.errorMessage());
        QStringList served;
        for (const ModelDeployment &deployment : saved->model(entry.name)->deployments)
            served.append(deployment.provider + QLatin1Char('/') + deployment.upstreamModel);
        out << "Model '" << entry.name << "' is now served by " << served.join(QStringLiteral(", ")) << " ("
            << QDir::toNativeSeparators(path) << "). A running Sluice balances them now.\n";
        out.flush();
        return ExitOk;
    }
    if (Result<void> added = writer.value().addModel(entry); !added)
        return fail(err, added.errorMessage());
    const Result<Config> saved = writer.value().save();
    if (!saved)
        return fail(err, saved.errorMessage());
    const ModelRoute *model = saved->model(entry.name);
    out << "Added model '" << entry.name << "' (" << model->provider << "/" << model->upstreamModel << ") to "
        << QDir::toNativeSeparators(path) << ". A running Sluice serves it now.\n";
    out.flush();
    return ExitOk;
}

int list(const ConfigArguments &args, QTextStream &out, QTextStream &err)
{
    if (!args.positional.isEmpty())
        return badUsage(err, QStringLiteral("'list' takes no NAME"));
    Result<ConfigWriter> writer = ConfigWriter::open(args.configPath());
    if (!writer)
        return fail(err, writer.errorMessage());
    const Result<Config> config = writer->validate();
    if (!config)
        return fail(err, config.errorMessage());
    if (config->models.isEmpty()) {
        err << "No models yet; add one with `sluice model add NAME --provider PROVIDER`\n";
        err.flush();
        return ExitOk;
    }
    for (const ModelRoute &model : config->models) {
        QStringList deployments;
        for (const ModelDeployment &deployment : model.deployments)
            deployments.append(deployment.provider + QLatin1Char('/') + deployment.upstreamModel);
        out << model.name << " -> " << deployments.join(QStringLiteral(", "));
        if (!model.fallbacks.isEmpty())
            out << " (falls back to " << model.fallbacks.join(QStringLiteral(", ")) << ")";
        out << "\n";
    }
    out.flush();
    return ExitOk;
}

int remove(const ConfigArguments &args, QTextStream &out, QTextStream &err)
{
    if (args.positional.size() != 1)
        return badUsage(err, QStringLiteral("'remove' takes exactly one NAME"));
    const QString name = args.positional.first();
    const QString path = args.configPath();
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    if (!writer)
        return fail(err, writer.errorMessage());
    if (const Result<Config> config = writer->validate(); config) {
        QStringList users;
        for (const ModelRoute &model : config->models) {
            if (model.fallbacks.contains(name))
                users.append(model.name);
        }
        if (config->routing.defaultFallbacks.contains(name))
            users.append(QStringLiteral("routing.default_fallbacks"));
        if (!users.isEmpty())
            return fail(err,
                        QStringLiteral("'%1' is a fallback of %2; take it out of their fallbacks first")
                            .arg(name, users.join(QStringLiteral(", "))));
    }
    if (Result<void> removed = writer.value().removeModel(name); !removed)
        return fail(err, removed.errorMessage());
    const Result<Config> saved = writer.value().save();
    if (!saved)
        return fail(err, saved.errorMessage());
    out << "Removed model '" << name << "' from " << QDir::toNativeSeparators(path) << ".\n";
    out.flush();
    return ExitOk;
}

} // namespace

int runModelCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("model"))
        words.removeFirst();
    if (words.isEmpty())
        return badUsage(err, QStringLiteral("missing a command (add, list or remove)"));
    const QString verb = words.takeFirst();
    if (verb == QLatin1String("help") || verb == QLatin1String("--help") || verb == QLatin1String("-h")) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    const ConfigArguments parsed
        = ConfigArguments::parse(words,
                                 {QStringLiteral("config"), QStringLiteral("provider"),
                                  QStringLiteral("upstream-model"), QStringLiteral("fallback")},
                                 {});
    if (!parsed.problem.isEmpty())
        return badUsage(err, parsed.problem);
    if (verb == QLatin1String("add"))
        return add(parsed, out, err);
    if (verb == QLatin1String("list"))
        return list(parsed, out, err);
    if (verb == QLatin1String("remove"))
        return remove(parsed, out, err);
    return badUsage(err, QStringLiteral("unknown command '%1'").arg(verb));
}

} // namespace sluice
