#include "ProviderCommand.h"

#include <QDir>
#include <QEventLoop>
#include <QTextStream>

#include "CommandLine.h"
#include "ConfigArguments.h"
#include "KeyCommand.h"
#include "config/ConfigLoader.h"
#include "config/ConfigWriter.h"
#include "config/ProviderPreset.h"
#include "providers/ProviderProbe.h"
#include "secrets/SecretStore.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;

QString usage()
{
    return QStringLiteral(
               "Usage:\n"
               "  sluice provider add NAME --type TYPE [--base-url URL] [--key-ref REF | --no-key] [--config FILE]\n"
               "  sluice provider list [--config FILE]\n"
               "  sluice provider test NAME [--config FILE]\n"
               "  sluice provider remove NAME [--keep-key] [--config FILE]\n"
               "\n"
               "add      adds a provider to the config. Its key is read from stdin (or prompted for, without echo) "
               "and\n"
               "         stored in the OS keychain as NAME, never in the file; local servers (ollama, lmstudio) need\n"
               "         none. --key-ref keychain:NAME or env:VAR uses a key stored before or an environment\n"
               "         variable instead; --no-key adds a provider without a key. --base-url is needed only where\n"
               "         the type has no default (azure, openai-compatible servers of your own).\n"
               "list     the providers, their keys (stored or missing, never the values) and the models they serve\n"
               "test     one real call with the configured key (the provider's model list): what it answered, in\n"
               "         plain words\n"
               "remove   takes the provider out of the config (refused while models use it) and deletes the key\n"
               "         `provider add` stored for it, unless --keep-key\n"
               "\n"
               "A running Sluice applies the change without a restart. The config: --config FILE, else %1.\n"
               "TYPE is one of: %2\n")
        .arg(QDir::toNativeSeparators(ConfigLoader::defaultPath()), ProviderPreset::types().join(QStringLiteral(", ")));
}

QLatin1String command()
{
    return QLatin1String("provider");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, command(), problem, usage());
}

int fail(QTextStream &err, const QString &message)
{
    return CommandLine::fail(err, command(), message);
}

Result<Config> loadConfig(const QString &path)
{
    // A config not written yet reads as the default one (no providers).
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    if (!writer)
        return writer.error();
    return writer->validate();
}

int add(const ConfigArguments &args, QTextStream &in, QTextStream &out, QTextStream &err, SecretStore &store)
{
    if (args.positional.size() != 1)
        return badUsage(err, QStringLiteral("'add' takes exactly one NAME"));
    const QString name = args.positional.first();
    if (!SecretRef::isValidKeyName(name))
        return badUsage(err, QStringLiteral("NAME must be 1 to 128 letters, digits, '-', '_' or '.'"));
    const QString type = args.value(QStringLiteral("type"));
    if (type.isEmpty())
        return badUsage(err, QStringLiteral("--type is missing"));
    const ProviderPreset *preset = ProviderPreset::find(type);
    if (!preset)
        return badUsage(err, QStringLiteral("unknown provider type '%1'").arg(type));
    if (args.flags.contains(QStringLiteral("no-key")) && args.values.contains(QStringLiteral("key-ref")))
        return badUsage(err, QStringLiteral("give --key-ref or --no-key, not both"));

    ProviderEntry entry {name, type, args.value(QStringLiteral("base-url")), {}};
    bool readKey = false;
    if (args.values.contains(QStringLiteral("key-ref"))) {
        entry.apiKey = SecretRef::parse(args.value(QStringLiteral("key-ref")));
        if (entry.apiKey.isNull())
            return badUsage(err, QStringLiteral("--key-ref takes keychain:NAME or env:VAR"));
    } else if (!args.flags.contains(QStringLiteral("no-key")) && !preset->local) {
        entry.apiKey = SecretRef::parse(QStringLiteral("keychain:") + name);
        readKey = true;
    }

    const QString path = args.configPath();
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    if (!writer)
        return fail(err, writer.errorMessage());
    if (Result<void> added = writer.value().addProvider(entry); !added)
        return fail(err, added.errorMessage());
    // Checked before the key is stored, so a refused change leaves nothing behind.
    if (Result<Config> valid = writer->validate(); !valid)
        return fail(err, QStringLiteral("the provider was not added: %1").arg(valid.errorMessage()));
    if (readKey) {
        const Result<QString> key = readSecretInput(in, err, name);
        if (!key)
            return fail(err, QStringLiteral("the provider was not added: %1").arg(key.errorMessage()));
        if (Result<void> stored = store.write(name, *key); !stored)
            return fail(err, QStringLiteral("the provider was not added: %1").arg(stored.errorMessage()));
    }
    const Result<Config> saved = writer.value().save();
    if (!saved)
        return fail(err, saved.errorMessage());
    const ProviderConfig *provider = saved->provider(name);
    out << "Added provider '" << name << "' (" << type << ", " << provider->baseUrl.toString() << ") to "
        << QDir::toNativeSeparators(path) << ".\n";
    if (readKey)
        out << "Its key is in the keychain as '" << name << "' (the config says api_key: keychain:" << name << ").\n";
    out << "A running Sluice applies it now. Check it with: sluice provider test " << name << "\n"
        << "Then give it a model name clients can ask for: sluice model add NAME --provider " << name
        << " --upstream-model MODEL\n";
    out.flush();
    return ExitOk;
}

QString keyState(const SecretRef &ref, SecretStore &store)
{
    switch (ref.kind) {
    case SecretRef::Kind::None:
        return QStringLiteral("no key");
    case SecretRef::Kind::Env:
        return ref.toString()
            + (qEnvironmentVariableIsEmpty(qPrintable(ref.name)) ? QStringLiteral(" (not set here)")
                                                                 : QStringLiteral(" (set)"));
    case SecretRef::Kind::Keychain: {
        const Result<QString> value = store.read(ref.name);
        return ref.toString() + (value ? QStringLiteral(" (stored)") : QStringLiteral(" (missing)"));
    }
    }
    return {};
}

int list(const ConfigArguments &args, QTextStream &out, QTextStream &err, SecretStore &store)
{
    if (!args.positional.isEmpty())
        return badUsage(err, QStringLiteral("'list' takes no NAME"));
    const Result<Config> config = loadConfig(args.configPath());
    if (!config)
        return fail(err, config.errorMessage());
    if (config->providers.isEmpty()) {
        err << "No providers yet; add one with `sluice provider add NAME --type TYPE`\n";
        err.flush();
        return ExitOk;
    }
    for (const ProviderConfig &provider : config->providers) {
        QStringList models;
        for (const ModelRoute &model : config->models) {
            for (const ModelDeployment &deployment : model.deployments) {
                if (deployment.provider == provider.name && !models.contains(model.name))
                    models.append(model.name);
            }
        }
        out << provider.name << "\n"
            << "  type:   " << provider.type << "\n"
            << "  url:    " << provider.baseUrl.toString() << "\n"
            << "  key:    " << keyState(provider.apiKey, store) << "\n"
            << "  models: " << (models.isEmpty() ? QStringLiteral("none yet") : models.join(QStringLiteral(", ")))
            << "\n";
    }
    out.flush();
    return ExitOk;
}

int test(const ConfigArguments &args, QTextStream &out, QTextStream &err, SecretStore &store)
{
    if (args.positional.size() != 1)
        return badUsage(err, QStringLiteral("'test' takes exactly one NAME"));
    const Result<Config> config = loadConfig(args.configPath());
    if (!config)
        return fail(err, config.errorMessage());
    const ProviderConfig *provider = config->provider(args.positional.first());
    if (!provider)
        return fail(err, QStringLiteral("there is no provider named '%1'").arg(args.positional.first()));
    SecretResolver resolver(&store);
    const Result<QString> key = resolver.resolve(provider->apiKey);
    if (!key)
        return fail(err, key.errorMessage());
    ProviderProbe probe;
    ProbeResult result;
    QEventLoop loop;
    QObject::connect(&probe, &ProviderProbe::finished, &loop, [&](const ProbeResult &probed) {
        result = probed;
        loop.quit();
    });
    probe.start(*provider, *key);
    loop.exec();
    if (!result.ok)
        return fail(err, result.message);
    out << result.message << "\n";
    constexpr qsizetype Shown = 20;
    for (const QString &model : result.models.mid(0, Shown))
        out << "  " << model << "\n";
    if (result.models.size() > Shown)
        out << "  ... and " << result.models.size() - Shown << " more\n";
    out.flush();
    return ExitOk;
}

int remove(const ConfigArguments &args, QTextStream &out, QTextStream &err, SecretStore &store)
{
    if (args.positional.size() != 1)
        return badUsage(err, QStringLiteral("'remove' takes exactly one NAME"));
    const QString name = args.positional.first();
    const QString path = args.configPath();
    Result<ConfigWriter> writer = ConfigWriter::open(path);
    if (!writer)
        return fail(err, writer.errorMessage());
    const Result<Config> before = writer->validate();
    if (Result<void> removed = writer.value().removeProvider(name); !removed)
        return fail(err, removed.errorMessage());
    const Result<Config> saved = writer.value().save();
    if (!saved)
        return fail(err, saved.errorMessage());
    out << "Removed provider '" << name << "' from " << QDir::toNativeSeparators(path) << ".\n";
    // The key `provider add` stored (keychain:NAME), unless something else still uses it.
    const ProviderConfig *was = before ? before->provider(name) : nullptr;
    const SecretRef own = SecretRef::parse(QStringLiteral("keychain:") + name);
    bool stillUsed = false;
    for (const ProviderConfig &provider : saved->providers)
        stillUsed = stillUsed || provider.apiKeys.contains(own);
    for (const GatewayToken &token : saved->tokens)
        stillUsed = stillUsed || token.secret == own;
    if (was && was->apiKeys.contains(own) && !stillUsed && !args.flags.contains(QStringLiteral("keep-key"))) {
        if (Result<void> deleted = store.remove(name); deleted)
            out << "Deleted its key '" << name << "' from the keychain.\n";
        else
            err << "sluice provider: its key '" << name << "' stays in the keychain: " << deleted.errorMessage()
                << "\n";
    }
    out.flush();
    err.flush();
    return ExitOk;
}

} // namespace

int runProviderCommand(const QStringList &args, QTextStream &in, QTextStream &out, QTextStream &err, SecretStore &store)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("provider"))
        words.removeFirst();
    if (words.isEmpty())
        return badUsage(err, QStringLiteral("missing a command (add, list, test or remove)"));
    const QString verb = words.takeFirst();
    if (verb == QLatin1String("help") || verb == QLatin1String("--help") || verb == QLatin1String("-h")) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    const ConfigArguments parsed = ConfigArguments::parse(
        words,
        {QStringLiteral("config"), QStringLiteral("type"), QStringLiteral("base-url"), QStringLiteral("key-ref")},
        {QStringLiteral("no-key"), QStringLiteral("keep-key")});
    if (!parsed.problem.isEmpty())
        return badUsage(err, parsed.problem);
    if (verb == QLatin1String("add"))
        return add(parsed, in, out, err, store);
    if (verb == QLatin1String("list"))
        return list(parsed, out, err, store);
    if (verb == QLatin1String("test"))
        return test(parsed, out, err, store);
    if (verb == QLatin1String("remove"))
        return remove(parsed, out, err, store);
    return badUsage(err, QStringLiteral("unknown command '%1'").arg(verb));
}

} // namespace sluice
