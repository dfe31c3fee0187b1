#pragma once

#include <QString>

#include "common/Result.h"

namespace sluice {

// "Start at login": the XDG autostart entry. Enabling copies the autostart .desktop file that the package installs
// (share/sluice/autostart/app.sluice.Sluice.desktop) into the user's autostart folder, $XDG_CONFIG_HOME/autostart
// (default ~/.config/autostart); disabling removes that copy. Used by `sluice autostart` and the Settings page.
class Autostart
{
public:
    // The application id: the .desktop file's name without ".desktop", the icon's and the metainfo's name.
    static QString applicationId();
    // "app.sluice.Sluice.desktop": the name of the entry in the autostart folder.
    static QString entryFileName();

    // Reads the installed entry and writes the user's copy where the platform says (see installedEntry() and
    // userAutostartDir()).
    Autostart();
    // Reads the entry from sourceEntry and writes its copy into autostartDir (tests, other layouts).
    Autostart(const QString &sourceEntry, const QString &autostartDir);

    // The autostart entry shipped with Sluice: <exe>/../share/sluice/autostart/, then the XDG data folders. Empty
    // when Sluice is not installed (run from a build folder).
    static QString installedEntry();
    // $XDG_CONFIG_HOME/autostart, or ~/.config/autostart when the variable is unset or not absolute.
    static QString userAutostartDir();

    QString sourceEntry() const { return m_sourceEntry; }
    // Where the user's copy lives (whether or not it exists).
    QString entryPath() const;
    // True when the user's copy exists and is not switched off (Hidden=true, X-GNOME-Autostart-enabled=false).
    bool isEnabled() const;
    // Copies the installed entry into the autostart folder, replacing an older copy.
    Result<void> enable() const;
    // Removes the user's copy; nothing to do when there is none.
    Result<void> disable() const;

private:
    QString m_sourceEntry;
    QString m_autostartDir;
};

} // namespace sluice
