#include "AutostartCommand.h"

#include <QDir>
#include <QTextStream>

#include "CommandLine.h"
#include "platform/Autostart.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;
constexpr int ExitOff = 3;

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice autostart on       start Sluice (in the tray) when you log in to your desktop\n"
        "  sluice autostart off      do not start it at login\n"
        "  sluice autostart status   say which; exits 0 when on, 3 when off\n"
        "\n"
        "The entry is $XDG_CONFIG_HOME/autostart/app.sluice.Sluice.desktop (default ~/.config/autostart), a copy of\n"
        "the one Sluice installs. For a server without a desktop, use the systemd user unit instead:\n"
        "  systemctl --user enable --now sluice\n");
}

QLatin1String command()
{
    return QLatin1String("autostart");
}

} // namespace

int runAutostartCommand(const QStringList &args, QTextStream &out, QTextStream &err, const Autostart &autostart)
{
    if (args.size() == 1
        && (args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")
            || args.first() == QLatin1String("help"))) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    if (args.size() != 1) {
        return CommandLine::badUsage(err, command(),
                                     args.isEmpty() ? QStringLiteral("say on, off or status")
                                                    : QStringLiteral("expected one word: on, off or status"),
                                     usage());
    }
    const QString entry = QDir::toNativeSeparators(autostart.entryPath());
    const QString &action = args.first();
    if (action == QLatin1String("on")) {
        if (Result<void> done = autostart.enable(); !done)
            return CommandLine::fail(err, command(), done.errorMessage());
        out << "Sluice will start at login (" << entry << ").\n";
    } else if (action == QLatin1String("off")) {
        if (Result<void> done = autostart.disable(); !done)
            return CommandLine::fail(err, command(), done.errorMessage());
        out << "Sluice will not start at login.\n";
    } else if (action == QLatin1String("status")) {
        const bool on = autostart.isEnabled();
        out << (on ? QStringLiteral("on (%1)\n").arg(entry) : QStringLiteral("off\n"));
        out.flush();
        return on ? ExitOk : ExitOff;
    } else {
        return CommandLine::badUsage(err, command(), QStringLiteral("unknown action '%1'").arg(action), usage());
    }
    out.flush();
    return ExitOk;
}

} // namespace sluice
