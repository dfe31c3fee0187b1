#include "LivePriceCatalog.h"

#include <QDir>
#include <QFileInfo>

#include "cost/CostLogging.h"

namespace sluice {

LivePriceCatalog::LivePriceCatalog(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(dataDir)
    , m_current(std::make_shared<const PriceCatalog>(PriceCatalog::load(dataDir, &m_loadWarning)))
{
    m_settle.setSingleShot(true);
    m_settle.setInterval(SettleMs);
    connect(&m_settle, &QTimer::timeout, this, &LivePriceCatalog::reload);
    // An update writes data.json then VERSION (each an atomic rename): one reload once both are in place.
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, &m_settle, qOverload<>(&QTimer::start));
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, &m_settle, qOverload<>(&QTimer::start));
    watch();
}

std::shared_ptr<const PriceCatalog> LivePriceCatalog::current() const
{
    QMutexLocker lock(&m_mutex);
    return m_current;
}

void LivePriceCatalog::watch()
{
    const QString file = PriceCatalog::installedPath(m_dataDir);
    const QString folder = QFileInfo(file).absolutePath();
    if (!QDir().mkpath(folder)) {
        qCWarning(lcCost) << "Cannot create" << folder << "; price catalog updates need a restart to apply";
        return;
    }
    if (!m_watcher.directories().contains(folder))
        m_watcher.addPath(folder);
    // Also edits in place, which a folder watch does not report; a rename drops the file's watch, so re-add it.
    if (QFileInfo::exists(file) && !m_watcher.files().contains(file))
        m_watcher.addPath(file);
}

void LivePriceCatalog::reload()
{
    watch();
    const QString file = PriceCatalog::installedPath(m_dataDir);
    std::shared_ptr<const PriceCatalog> next;
    if (QFileInfo::exists(file)) {
        Result<PriceCatalog> loaded = PriceCatalog::fromFile(file);
        if (!loaded) {
            const QString message = QStringLiteral("The new price catalog is not usable (%1); Sluice keeps pricing "
                                                   "with %2.")
                                        .arg(loaded.errorMessage(), current()->version());
            qCWarning(lcCost).noquote() << message;
            Q_EMIT reloadFailed(message);
            return;
        }
        next = std::make_shared<const PriceCatalog>(std::move(loaded).value());
    } else {
        next = std::make_shared<const PriceCatalog>(PriceCatalog::load(m_dataDir));
    }
    {
        QMutexLocker lock(&m_mutex);
        m_current = next;
    }
    qCInfo(lcCost).noquote() << "Now pricing with the catalog" << next->version();
    Q_EMIT catalogChanged(next->version());
}

} // namespace sluice
