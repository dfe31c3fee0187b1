#pragma once

#include <QString>
#include <QStringList>

namespace sluice {

// What the command line asked for (see `sluice --help`).
struct AppOptions
{
    enum class Mode { Desktop, Headless, Subcommand, Help, Version, Invalid };
    Mode mode = Mode::Desktop;
    QString configPath; // empty: the platform's default location
    QString dataDir; // empty: the platform's data location
    int port = -1; // -1: from the config
    bool minimized = false; // desktop: start in the tray, the window closed (as the autostart entry does)
    QString subcommand; // for Mode::Subcommand: "key", "prices", "spend", "discover", "token", "autostart"
    QStringList subcommandArgs; // everything after the subcommand's name
    QString error; // for Mode::Invalid

    static AppOptions parse(const QStringList &arguments);
    static QString usage();
};

} // namespace sluice
