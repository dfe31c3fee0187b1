#include "DiscoverCommand.h"

#include <QEventLoop>
#include <QTextStream>

#include "CommandLine.h"
#include "providers/LocalDiscovery.h"

namespace sluice {

namespace {

constexpr int ExitFound = 0;
constexpr int ExitNoneFound = 1;

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice discover [--ollama-port N] [--lmstudio-port N] [--timeout-ms N]\n"
        "\n"
        "Looks for Ollama (127.0.0.1:11434) and LM Studio (127.0.0.1:1234) on this machine, lists their models and\n"
        "prints the config to add for them. Sluice never edits your config itself.\n");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, QLatin1String("discover"), problem, usage());
}

} // namespace

int runDiscoverCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    quint16 ollamaPort = LocalDiscovery::DefaultOllamaPort;
    quint16 lmStudioPort = LocalDiscovery::DefaultLmStudioPort;
    int timeoutMs = 2000;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            out << usage();
            out.flush();
            return ExitFound;
        }
        const bool portFlag = arg == QLatin1String("--ollama-port") || arg == QLatin1String("--lmstudio-port");
        if (!portFlag && arg != QLatin1String("--timeout-ms"))
            return badUsage(err, QStringLiteral("unknown argument '%1'").arg(arg));
        bool ok = false;
        const int value = i + 1 < args.size() ? args.at(++i).toInt(&ok) : 0;
        if (portFlag && (!ok || value < 1 || value > 65535))
            return badUsage(err, QStringLiteral("%1 needs a port number from 1 to 65535").arg(arg));
        if (!portFlag && (!ok || value < 1 || value > 60'000))
            return badUsage(err, QStringLiteral("--timeout-ms needs a number of milliseconds from 1 to 60000"));
        if (arg == QLatin1String("--ollama-port"))
            ollamaPort = quint16(value);
        else if (arg == QLatin1String("--lmstudio-port"))
            lmStudioPort = quint16(value);
        else
            timeoutMs = value;
    }

    LocalDiscovery discovery;
    QList<DiscoveredServer> servers;
    QEventLoop loop;
    QObject::connect(&discovery, &LocalDiscovery::finished, &loop, [&](const QList<DiscoveredServer> &result) {
        servers = result;
        loop.quit();
    });
    discovery.start(LocalDiscovery::targets(ollamaPort, lmStudioPort), timeoutMs);
    if (servers.isEmpty())
        loop.exec();

    bool anyFound = false;
    for (const DiscoveredServer &server : std::as_const(servers)) {
        const QString where = server.probeUrl.authority();
        if (!server.found) {
            out << server.label << " (" << where << "): " << server.problem << '\n';
            continue;
        }
        anyFound = true;
        out << server.label << " (" << where << "): found, " << server.models.size()
            << (server.models.size() == 1 ? " model" : " models") << '\n';
        for (const QString &model : server.models)
            out << "  " << model << '\n';
    }
    if (!anyFound) {
        out << "\nNo local model server found. Start Ollama or LM Studio's server (or pass --ollama-port / "
               "--lmstudio-port) and run `sluice discover` again.\n";
        out.flush();
        return ExitNoneFound;
    }
    out << "\nTo use them through Sluice, add this to your config (sluice never edits it for you):\n\n"
        << LocalDiscovery::configSnippet(servers);
    out.flush();
    return ExitFound;
}

} // namespace sluice
