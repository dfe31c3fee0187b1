#pragma once

#include <memory>

#include <QLocalServer>
#include <QLockFile>
#include <QObject>

namespace sluice {

// One desktop Sluice per data folder (per user, unless --data-dir says otherwise): two would share one request log
// and fight over one port. The first holds a QLockFile in the data folder and listens on a QLocalServer named after
// it; a second launch finds the lock taken, asks the first to show its window, and exits. A lock left by a crash is
// taken over (QLockFile notices its process is gone).
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(const QString &dataDir, QObject *parent = nullptr);
    ~SingleInstance() override;

    // True when this is the only instance (it now holds the lock); false when another runs, which was asked to
    // raise its window.
    bool claim();
    QString serverName() const { return m_serverName; }

Q_SIGNALS:
    // Another launch asked for the window.
    void raiseRequested();

private:
    QString m_lockPath;
    QString m_serverName;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer m_server;
};

} // namespace sluice
