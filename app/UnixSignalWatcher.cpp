#include "UnixSignalWatcher.h"

#include <csignal>
#include <unistd.h>

#include <QSocketNotifier>

#include <sys/socket.h>

namespace sluice {

namespace {
int s_fds[2] = {-1, -1};
}

UnixSignalWatcher::UnixSignalWatcher(QObject *parent)
    : QObject(parent)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s_fds) != 0)
        return;
    m_notifier = new QSocketNotifier(s_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        int signalNumber = 0;
        if (::read(s_fds[1], &signalNumber, sizeof signalNumber) == sizeof signalNumber)
            Q_EMIT terminationRequested(signalNumber);
    });
    struct sigaction action = {};
    action.sa_handler = &UnixSignalWatcher::handle;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

UnixSignalWatcher::~UnixSignalWatcher()
{
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    delete m_notifier;
    for (int &fd : s_fds) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void UnixSignalWatcher::handle(int signalNumber)
{
    const int saved = errno;
    [[maybe_unused]] const auto written = ::write(s_fds[0], &signalNumber, sizeof signalNumber);
    errno = saved;
}

} // namespace sluice
