// The mock upstream as a process, for the e2e tests and the benchmark.
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <sys/socket.h>

#include "support/MockUpstream.h"

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sluice-mock-upstream"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Replays recorded provider traffic on 127.0.0.1 (see tests/support/MockUpstream.h)."));
    parser.addHelpOption();
    const QCommandLineOption recordingsOption(QStringLiteral("recordings"),
                                              QStringLiteral("Folder of recorded provider traffic (default: "
                                                             "$SLUICE_RECORDINGS_DIR)."),
                                              QStringLiteral("DIR"),
                                              sluice::test::RecordingLibrary::defaultDirectory());
    const QCommandLineOption portOption(QStringLiteral("port"), QStringLiteral("Port to listen on (default 0: free)."),
                                        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption delayOption(QStringLiteral("event-delay-ms"),
                                         QStringLiteral("Delay before each streamed event (default 0)."),
                                         QStringLiteral("MS"), QStringLiteral("0"));
    parser.addOptions({recordingsOption, portOption, delayOption});
    parser.process(app);

    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    bool delayOk = false;
    const int delay = parser.value(delayOption).toInt(&delayOk);
    if (!portOk || port > 65535 || !delayOk || delay < 0) {
        std::fprintf(stderr, "sluice-mock-upstream: --port needs 0-65535 and --event-delay-ms a number >= 0\n");
        return 2;
    }

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0) {
        std::perror("sluice-mock-upstream: socketpair");
        return 1;
    }
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
    struct sigaction action = {};
    action.sa_handler = &onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    sluice::test::MockUpstream mock(parser.value(recordingsOption));
    mock.setEventDelayMs(delay);
    const auto listening = mock.listen(quint16(port));
    if (!listening) {
        std::fprintf(stderr, "sluice-mock-upstream: %s\n", qPrintable(listening.errorMessage()));
        return 1;
    }
    std::printf("listening on http://127.0.0.1:%u\n", unsigned(mock.port()));
    std::fflush(stdout);
    const int code = app.exec();
    mock.close();
    return code;
}
