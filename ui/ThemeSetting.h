#pragma once

#include <QPalette>
#include <QString>

class QSettings;

namespace sluice {

// The window's colours as chosen on the Settings page: the desktop's own (light or dark, followed as it
// changes), or always light, or always dark. Kept in the desktop settings file (never in the YAML) and applied to
// the whole application at once.
class ThemeSetting
{
public:
    enum class Choice { System, Light, Dark };

    static QString name(Choice choice); // "system", "light", "dark": as stored
    static Choice fromName(const QString &name); // unknown names: System

    static Choice load(const QSettings &settings);
    static void save(QSettings &settings, Choice choice);

    // Sets the application's palette; System hands colours back to the desktop.
    static void apply(Choice choice);
    static QPalette lightPalette();
    static QPalette darkPalette();
};

} // namespace sluice
