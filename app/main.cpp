#include "AppOptions.h"
#include "AutostartCommand.h"
#include "CompareCommand.h"
#include "DiscoverCommand.h"
#include "HeadlessRunner.h"
#include "KeyCommand.h"
#include "ModelCommand.h"
#include "PricesCommand.h"
#include "PromptCommand.h"
#include "ProviderCommand.h"
#include "RepriceCommand.h"
#include "SetupCommand.h"
#include "SpendCommand.h"
#include "TokenCommand.h"
#include "platform/Autostart.h"
#include "secrets/SecretStore.h"

#ifdef SLUICE_WITH_GUI
#include <QApplication>

#include "DesktopRunner.h"
#endif

#include <cstdio>

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    const sluice::AppOptions options = sluice::AppOptions::parse(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    switch (options.mode) {
    case sluice::AppOptions::Mode::Help:
        out << sluice::AppOptions::usage();
        return 0;
    case sluice::AppOptions::Mode::Version:
        out << "sluice " << SLUICE_VERSION << Qt::endl;
        return 0;
    case sluice::AppOptions::Mode::Invalid:
        err << "sluice: " << options.error << "\n\n" << sluice::AppOptions::usage();
        return 2;
    case sluice::AppOptions::Mode::Subcommand: {
        QCoreApplication app(argc, argv);
        // A command's output is its answer: the modules' debug lines (config loaded, ...) stay out of it.
        QLoggingCategory::setFilterRules(QStringLiteral("sluice.*.debug=false"));
        if (options.subcommand == QLatin1String("spend"))
            return sluice::runSpendCommand(options.subcommandArgs, out, err);
        if (options.subcommand == QLatin1String("prices"))
            return sluice::runPricesCommand(options.subcommandArgs, out, err);
        if (options.subcommand == QLatin1String("discover"))
            return sluice::runDiscoverCommand(options.subcommandArgs, out, err);
        if (options.subcommand == QLatin1String("token"))
            return sluice::runTokenCommand(options.subcommandArgs, out, err);
        if (options.subcommand == QLatin1String("prompt"))
            return sluice::runPromptCommand(options.subcommandArgs, out, err);
        if (options.subcommand == QLatin1String("setup"))
            return sluice::runSetupCommand(options.subcommandArgs, out, err);
        if (options.subcommand == QLatin1String("autostart"))
            return sluice::runAutostartCommand(options.subcommandArgs, out, err, sluice::Autostart());
        if (options.subcommand == QLatin1String("model"))
            return sluice::runModelCommand(options.subcommandArgs, out, err);
        if (options.subcommand == QLatin1String("compare")) {
            // `sluice compare --reprice MODEL ...` (the what-if cost) is a command of its own.
            if (sluice::isRepriceCommand(options.subcommandArgs))
                return sluice::runRepriceCommand(options.subcommandArgs, out, err);
            return sluice::runCompareCommand(options.subcommandArgs, out, err);
        }
        QTextStream in(stdin);
        sluice::SecretStore store;
        if (options.subcommand == QLatin1String("provider"))
            return sluice::runProviderCommand(options.subcommandArgs, in, out, err, store);
        return sluice::runKeyCommand(options.subcommandArgs, in, out, err, store);
    }
    case sluice::AppOptions::Mode::Headless: {
        // Qt's own event loop makes fewer wake-up syscalls per socket write than the GLib one (docs/performance.md).
        if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
            qputenv("QT_NO_GLIB", "1");
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("sluice"));
        QCoreApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));
        return sluice::runHeadless(options);
    }
    case sluice::AppOptions::Mode::Desktop:
        break;
    }
#ifdef SLUICE_WITH_GUI
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sluice"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Sluice"));
    // The application id: names the .desktop file, so the window and the tray group with the installed entry.
    QGuiApplication::setDesktopFileName(sluice::Autostart::applicationId());
    return sluice::runDesktop(options);
#else
    err << "sluice: this build has no desktop UI; run it with --headless\n";
    return 2;
#endif
}
