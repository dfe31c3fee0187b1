#pragma once

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QObject>
#include <QTimer>

#include "config/Config.h"

namespace sluice {

// Follows the config file while Sluice runs. A change (a hand edit, an editor's save-by-rename, ConfigWriter) is
// read once it settles; a valid config is announced with changed(), a broken one with invalid() (the loader's
// message: file, line, field) and the caller keeps the config in force. A save that leaves the text as it was
// announces nothing.
class ConfigWatcher : public QObject
{
    Q_OBJECT
public:
    // current: the text of the config now in force (a change is measured against it).
    ConfigWatcher(const QString &path, const QByteArray &current, QObject *parent = nullptr);

    QString path() const { return m_path; }
    // Reads the file now instead of waiting for the file system's notice.
    void check();

Q_SIGNALS:
    void changed(const sluice::Config &config);
    void invalid(const QString &message);

private:
    void watch();

    QString m_path;
    QByteArray m_current;
    QByteArray m_lastInvalid; // reported once, not again on every touch
    QFileSystemWatcher m_watcher;
    QTimer m_settle;
};

} // namespace sluice
