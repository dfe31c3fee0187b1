#pragma once

#include <QObject>

class QSocketNotifier;

namespace sluice {

// Turns SIGINT and SIGTERM into a Qt signal on the thread that created the watcher (self-pipe trick:
// the handler only writes a byte).
class UnixSignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    static void handle(int signalNumber);
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace sluice
