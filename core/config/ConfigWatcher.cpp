#include "ConfigWatcher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "config/ConfigLoader.h"

namespace sluice {

ConfigWatcher::ConfigWatcher(const QString &path, const QByteArray &current, QObject *parent)
    : QObject(parent)
    , m_path(QFileInfo(path).absoluteFilePath())
    , m_current(current)
{
    // Editors write several times in a row or replace the file by a rename: read once things are quiet.
    m_settle.setSingleShot(true);
    m_settle.setInterval(200);
    connect(&m_settle, &QTimer::timeout, this, &ConfigWatcher::check);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, &m_settle, qOverload<>(&QTimer::start));
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, &m_settle, qOverload<>(&QTimer::start));
    watch();
}

void ConfigWatcher::watch()
{
    // The folder too: a file replaced by a rename (QSaveFile, most editors) is a new file the old watch lost.
    const QString folder = QFileInfo(m_path).absolutePath();
    if (!m_watcher.directories().contains(folder))
        m_watcher.addPath(folder);
    if (!m_watcher.files().contains(m_path) && QFileInfo::exists(m_path))
        m_watcher.addPath(m_path);
}

void ConfigWatcher::check()
{
    watch();
    QFile file(m_path);
    if (!file.exists()) {
        const QByteArray gone = "<missing>";
        if (m_lastInvalid != gone) {
            m_lastInvalid = gone;
            Q_EMIT invalid(QStringLiteral("%1 was removed; the config in force stays until it is back")
                               .arg(QDir::toNativeSeparators(m_path)));
        }
        return;
    }
    if (!file.open(QIODevice::ReadOnly))
        return; // being replaced: the rename's own notice follows
    const QByteArray text = file.readAll();
    if (text == m_current) {
        m_lastInvalid.clear();
        return;
    }
    if (text == m_lastInvalid)
        return;
    Result<Config> config = ConfigLoader::loadString(text, QDir::toNativeSeparators(m_path));
    if (!config) {
        m_lastInvalid = text;
        Q_EMIT invalid(config.errorMessage());
        return;
    }
    m_current = text;
    m_lastInvalid.clear();
    config.value().sourcePath = m_path;
    Q_EMIT changed(config.value());
}

} // namespace sluice
