#include "KeyCommand.h"

#include <cerrno>
#include <csignal>
#include <termios.h>
#include <unistd.h>

#include <QFile>
#include <QTextStream>

#include "CommandLine.h"
#include "config/Config.h"
#include "secrets/SecretStore.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitUsage = 2;

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice key set NAME      store a secret in the OS keychain (read from stdin, or prompted for)\n"
        "  sluice key list          list the names of stored secrets (never their values)\n"
        "  sluice key delete NAME   remove a secret from the keychain\n"
        "\n"
        "NAME uses letters, digits, '-', '_' and '.'. Reference a stored secret in the config as keychain:NAME,\n"
        "e.g. api_key: keychain:openai. Example: printf '%s' \"$OPENAI_API_KEY\" | sluice key set openai\n");
}

// The file descriptor behind in when it is an interactive terminal, else -1.
int terminalOf(QTextStream &in)
{
    auto *file = qobject_cast<QFile *>(in.device());
    if (!file)
        return -1;
    const int fd = file->handle();
    return fd >= 0 && ::isatty(fd) ? fd : -1;
}

// Restores the terminal if the user interrupts the prompt, so the shell is not left without echo.
int g_promptFd = -1;
struct termios g_savedTerminal;

void restoreTerminalAndExit(int signal)
{
    if (g_promptFd >= 0)
        ::tcsetattr(g_promptFd, TCSAFLUSH, &g_savedTerminal);
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

// Reads straight from the descriptor: a buffered read would wait for more than one line from a terminal.
QString readTerminalLine(int fd)
{
    QByteArray line;
    char c = 0;
    for (;;) {
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || c == '\n')
            break;
        line.append(c);
    }
    if (line.endsWith('\r'))
        line.chop(1);
    return QString::fromUtf8(line);
}

QString promptWithoutEcho(int fd)
{
    if (::tcgetattr(fd, &g_savedTerminal) != 0)
        return readTerminalLine(fd);
    struct termios silent = g_savedTerminal;
    silent.c_lflag &= ~tcflag_t(ECHO);
    silent.c_lflag |= ECHONL;

    struct sigaction handler = {};
    handler.sa_handler = restoreTerminalAndExit;
    sigemptyset(&handler.sa_mask);
    struct sigaction previous[3];
    const int promptSignals[3] = {SIGINT, SIGTERM, SIGHUP};
    g_promptFd = fd;
    for (int i = 0; i < 3; ++i)
        ::sigaction(promptSignals[i], &handler, &previous[i]);

    ::tcsetattr(fd, TCSAFLUSH, &silent);
    const QString line = readTerminalLine(fd);
    ::tcsetattr(fd, TCSAFLUSH, &g_savedTerminal);

    for (int i = 0; i < 3; ++i)
        ::sigaction(promptSignals[i], &previous[i], nullptr);
    g_promptFd = -1;
    return line;
}

int fail(QTextStream &err, const QString &message)
{
    err << message << '\n';
    err.flush();
    return ExitFailed;
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, QLatin1String("key"), problem, usage());
}

int setKey(const QString &name, QTextStream &in, QTextStream &out, QTextStream &err, SecretStore &store)
{
    const Result<QString> secret = readSecretInput(in, err, name);
    if (!secret)
        return fail(err, QStringLiteral("sluice key set: %1").arg(secret.errorMessage()));
    if (const Result<void> stored = store.write(name, *secret); !stored)
        return fail(err, stored.errorMessage());
    out << "Stored '" << name << "' in the keychain; reference it in the config as keychain:" << name << '\n';
    out.flush();
    return ExitOk;
}

} // namespace

Result<QString> readSecretInput(QTextStream &in, QTextStream &err, const QString &name)
{
    QString secret;
    if (const int fd = terminalOf(in); fd >= 0) {
        err << "Secret for " << name << ": ";
        err.flush();
        secret = promptWithoutEcho(fd);
    } else {
        secret = in.readAll();
        if (secret.endsWith(QLatin1Char('\n'))) {
            secret.chop(1);
            if (secret.endsWith(QLatin1Char('\r')))
                secret.chop(1);
        }
    }
    if (secret.isEmpty())
        return makeError(QStringLiteral("the secret is empty; nothing was stored"));
    if (secret.contains(QLatin1Char('\n')) || secret.contains(QLatin1Char('\r')))
        return makeError(
            QStringLiteral("the secret spans several lines; pass only the key itself (nothing was stored)"));
    return secret;
}

int runKeyCommand(const QStringList &args, QTextStream &in, QTextStream &out, QTextStream &err, SecretStore &store)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("key"))
        words.removeFirst();
    if (words.isEmpty())
        return badUsage(err, QStringLiteral("missing a command (set, list or delete)"));

    const QString command = words.takeFirst();
    if (command == QLatin1String("help") || command == QLatin1String("--help") || command == QLatin1String("-h")) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    if (command == QLatin1String("list")) {
        if (!words.isEmpty())
            return badUsage(err, QStringLiteral("'list' takes no arguments"));
        const Result<QStringList> names = store.list();
        if (!names)
            return fail(err, names.errorMessage());
        if (names->isEmpty()) {
            err << "No keys stored yet; add one with `sluice key set NAME`\n";
            err.flush();
        }
        for (const QString &name : *names)
            out << name << '\n';
        out.flush();
        return ExitOk;
    }
    if (command != QLatin1String("set") && command != QLatin1String("delete"))
        return badUsage(err, QStringLiteral("unknown command '%1'").arg(command));
    if (words.size() != 1)
        return badUsage(err, QStringLiteral("'%1' takes exactly one NAME").arg(command));
    const QString name = words.front();
    if (!SecretRef::isValidKeyName(name)) {
        // Not echoed: a mistyped command line may carry the secret itself in NAME's place.
        return badUsage(err, QStringLiteral("NAME must be 1 to 128 letters, digits, '-', '_' or '.'"));
    }
    if (command == QLatin1String("set"))
        return setKey(name, in, out, err, store);

    if (const Result<void> removed = store.remove(name); !removed)
        return fail(err, removed.errorMessage());
    out << "Deleted '" << name << "' from the keychain\n";
    out.flush();
    return ExitOk;
}

} // namespace sluice
