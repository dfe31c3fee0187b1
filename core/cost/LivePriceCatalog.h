#pragma once

#include <memory>

#include <QFileSystemWatcher>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include "cost/PriceCatalog.h"

namespace sluice {

// The price catalog a running Sluice prices requests with, replaced without a restart when
// `sluice prices update` installs a new one: a QFileSystemWatcher on the data folder's prices/ folder (created if
// missing) reloads it shortly after a change. A file that does not validate leaves the current catalog in use.
// Lives on the thread that created it (the watcher's); current() may be called from any thread.
class LivePriceCatalog : public QObject
{
    Q_OBJECT
public:
    explicit LivePriceCatalog(const QString &dataDir, QObject *parent = nullptr);

    std::shared_ptr<const PriceCatalog> current() const;
    QString loadWarning() const { return m_loadWarning; } // from the first load (PriceCatalog::load)
    // Re-reads the installed catalog now (the watcher calls it after a change settles).
    void reload();

    static constexpr int SettleMs = 250;

Q_SIGNALS:
    void catalogChanged(const QString &version);
    void reloadFailed(const QString &message);

private:
    void watch();

    QString m_dataDir;
    QString m_loadWarning;
    QFileSystemWatcher m_watcher;
    QTimer m_settle;
    mutable QMutex m_mutex;
    std::shared_ptr<const PriceCatalog> m_current;
};

} // namespace sluice
