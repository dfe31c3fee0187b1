#pragma once

#include <QWidget>

#include "common/Result.h"
#include "platform/Autostart.h"
#include "ui/ThemeSetting.h"

class QCheckBox;
class QComboBox;
class QSettings;
class QLabel;
class QPushButton;
class QSpinBox;

namespace sluice {

// What the Settings page shows and writes (the config's gateway.port and logging: retention fields).
struct SettingsValues
{
    int port = 7341;
    bool storeBodies = true;
    int retentionDays = 0;
    int maxDatabaseMb = 0;
    qint64 databaseBytes = -1; // data in the request log; -1 unknown
    QString error; // the config does not load
};

// The Settings page: the gateway's port, whether bodies are stored, how long the log is kept and how large it may
// grow (with the database's size now), and start at login. Settings in the config file are written through
// ConfigWriter off the GUI thread (a running gateway applies them; the port at the next start). The theme (the
// desktop's, light or dark) applies at once and is kept in the desktop settings file, not in the config.
class SettingsPage : public QWidget
{
    Q_OBJECT
public:
    explicit SettingsPage(QWidget *parent = nullptr);

    void setPaths(const QString &configPath, const QString &databasePath);
    // Start at login; tests give one with their own folders.
    void setAutostart(const Autostart &autostart);
    // Where the theme choice is kept (the desktop settings file; tests give their own). Without one the theme
    // still applies, for this run only.
    void setDesktopSettings(QSettings *settings);
    void reload();

Q_SIGNALS:
    void idle();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void setValues(const SettingsValues &values);
    void save();
    void toggleAutostart(bool on);
    void chooseTheme();
    void showStatus(const QString &text, bool ok);

    QString m_configPath;
    QString m_databasePath;
    Autostart m_autostart;
    QSettings *m_desktopSettings = nullptr;
    SettingsValues m_values;
    bool m_loading = false;

    QLabel *m_status = nullptr;
    QSpinBox *m_port = nullptr;
    QCheckBox *m_storeBodies = nullptr;
    QSpinBox *m_retentionDays = nullptr;
    QSpinBox *m_maxDatabaseMb = nullptr;
    QLabel *m_databaseSize = nullptr;
    QCheckBox *m_startAtLogin = nullptr;
    QLabel *m_autostartNote = nullptr;
    QComboBox *m_theme = nullptr;
    QPushButton *m_save = nullptr;
};

} // namespace sluice
