#include "AppOptions.h"

namespace sluice {

QString AppOptions::usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice [--config FILE] [--data-dir DIR] [--port N] [--minimized] desktop app (tray + window)\n"
        "  sluice --headless [--config FILE] [--data-dir DIR] [--port N]   serve without a window until "
        "SIGINT/SIGTERM\n"
        "  sluice key set NAME | key list | key delete NAME                 manage keys in the OS keychain\n"
        "  sluice provider add NAME --type TYPE | list | test NAME | remove NAME   providers and their keys\n"
        "  sluice model add NAME --provider P | list | remove NAME          the model names clients ask for\n"
        "  sluice spend [--data-dir DIR]                                    today's and this month's spend\n"
        "  sluice compare --reprice MODEL [--from D] [--to D] [--by client|model|tag]   what-if cost on another "
        "model\n"
        "  sluice token create NAME [...] | token list | token revoke NAME  gateway tokens (sluice token help)\n"
        "  sluice prices show MODEL | prices update FILE|URL | prices info   the price catalog\n"
        "  sluice discover [--ollama-port N] [--lmstudio-port N]            find local Ollama / LM Studio, print "
        "config\n"
        "  sluice setup CLIENT [--dry-run] [--undo] [--config FILE]        point a coding agent or editor at "
        "Sluice (claude-code, codex, gemini-cli, opencode, continue, aider, zed)\n"
        "  sluice autostart on | off | status                               start the desktop app at login\n"
        "  sluice prompt create|update|label|list|show|diff|render|stats|observed  prompt versions (sluice prompt "
        "help)\n"
        "  sluice compare --models A,B[,...] (--prompt-file F | --request ID | --prompt NAME[@LABEL] --var K=V)\n"
        "                 [--format table|json]                          one request on several models side by "
        "side\n"
        "  sluice --help | --version\n"
        "\n"
        "Options:\n"
        "  --config FILE   config file (default: the platform config location, e.g. ~/.config/sluice/sluice.yaml)\n"
        "  --data-dir DIR  where the request log database lives (default: ~/.local/share/sluice)\n"
        "  --port N        listen on port N instead of gateway.port (0 picks a free port)\n"
        "  --minimized     start in the tray without opening the window (the window opens if there is no tray)\n");
}

AppOptions AppOptions::parse(const QStringList &arguments)
{
    AppOptions options;
    const QStringList args = arguments.mid(1);
    static const QStringList subcommands
        = {QStringLiteral("key"),   QStringLiteral("prices"),    QStringLiteral("spend"),  QStringLiteral("discover"),
           QStringLiteral("token"), QStringLiteral("autostart"), QStringLiteral("setup"),  QStringLiteral("provider"),
           QStringLiteral("model"), QStringLiteral("prompt"),    QStringLiteral("compare")};
    if (!args.isEmpty() && subcommands.contains(args.first())) {
        options.mode = Mode::Subcommand;
        options.subcommand = args.first();
        options.subcommandArgs = args.mid(1);
        return options;
    }
    auto invalid = [&options](const QString &message) {
        options.mode = Mode::Invalid;
        options.error = message;
        return options;
    };
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        // Accept both "--opt value" and "--opt=value".
        QString name = arg;
        QString value;
        bool hasInlineValue = false;
        if (arg.startsWith(QLatin1String("--")) && arg.contains(QLatin1Char('='))) {
            name = arg.section(QLatin1Char('='), 0, 0);
            value = arg.section(QLatin1Char('='), 1);
            hasInlineValue = true;
        }
        auto takeValue = [&]() -> bool {
            if (hasInlineValue)
                return true;
            if (i + 1 >= args.size())
                return false;
            value = args.at(++i);
            return true;
        };
        if (name == QLatin1String("--headless")) {
            options.mode = Mode::Headless;
        } else if (name == QLatin1String("--minimized") && !hasInlineValue) {
            options.minimized = true;
        } else if (name == QLatin1String("--help") || name == QLatin1String("-h")) {
            options.mode = Mode::Help;
            return options;
        } else if (name == QLatin1String("--version")) {
            options.mode = Mode::Version;
            return options;
        } else if (name == QLatin1String("--config")) {
            if (!takeValue() || value.isEmpty())
                return invalid(QStringLiteral("--config needs a file name"));
            options.configPath = value;
        } else if (name == QLatin1String("--data-dir")) {
            if (!takeValue() || value.isEmpty())
                return invalid(QStringLiteral("--data-dir needs a directory"));
            options.dataDir = value;
        } else if (name == QLatin1String("--port")) {
            bool ok = false;
            const int port = takeValue() ? value.toInt(&ok) : -1;
            if (!ok || port < 0 || port > 65535)
                return invalid(QStringLiteral("--port needs a number from 0 to 65535"));
            options.port = port;
        } else {
            return invalid(QStringLiteral("unknown argument '%1'").arg(arg));
        }
    }
    return options;
}

} // namespace sluice
