#include <atomic>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include "KeyCommand.h"
#include "TestKeyring.h"
#include "secrets/SecretStore.h"

using namespace sluice;

namespace {
const char ProbeNoBackend[] = "--probe-no-backend";

// One run of `sluice key ...` with stdin taken from a byte array and stdout/stderr captured.
struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runKey(const QStringList &args, SecretStore &store, const QByteArray &stdinBytes = {})
{
    QByteArray inBytes = stdinBytes;
    QByteArray outBytes;
    QByteArray errBytes;
    Run run;
    {
        QTextStream in(&inBytes, QIODevice::ReadOnly);
        QTextStream out(&outBytes, QIODevice::WriteOnly);
        QTextStream err(&errBytes, QIODevice::WriteOnly);
        run.exitCode = runKeyCommand(args, in, out, err, store);
    }
    run.out = QString::fromUtf8(outBytes);
    run.err = QString::fromUtf8(errBytes);
    return run;
}

int probeNoBackend()
{
    SecretStore store(test::uniqueService());
    const Run run = runKey({QStringLiteral("list")}, store);
    std::printf("%d\n%s", run.exitCode, qPrintable(run.err));
    return 0;
}
} // namespace

class TestKeyCommand : public QObject
{
    Q_OBJECT

private slots:
    void setReadsPipedSecretAndStripsOneNewline();
    void setRefusesEmptyAndMultiLineSecrets();
    void listShowsNamesNeverValues();
    void deleteRemovesAndReportsMissing();
    void badArgumentsPrintUsage_data();
    void badArgumentsPrintUsage();
    void invalidNameIsNotEchoed();
    void helpPrintsUsage();
    void terminalPromptDoesNotEcho();
    void keychainErrorExitsOne();
};

void TestKeyCommand::setReadsPipedSecretAndStripsOneNewline()
{
    SecretStore store(test::uniqueService());
    const Run run = runKey({QStringLiteral("set"), QStringLiteral("openai")}, store, "sk-piped-secret\n");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("keychain:openai")), qPrintable(run.out));
    QVERIFY(!run.out.contains(QLatin1String("sk-piped-secret")));
    QVERIFY(!run.err.contains(QLatin1String("sk-piped-secret")));
    QCOMPARE(store.read(QStringLiteral("openai")).value(), QStringLiteral("sk-piped-secret"));

    // A leading "key" (the whole command line after the program name) works the same; CRLF counts as one newline.
    QCOMPARE(
        runKey({QStringLiteral("key"), QStringLiteral("set"), QStringLiteral("openai")}, store, "sk-crlf\r\n").exitCode,
        0);
    QCOMPARE(store.read(QStringLiteral("openai")).value(), QStringLiteral("sk-crlf"));

    // Without a trailing newline the input is taken as is, spaces included.
    QCOMPARE(runKey({QStringLiteral("set"), QStringLiteral("spaced")}, store, " sk with spaces ").exitCode, 0);
    QCOMPARE(store.read(QStringLiteral("spaced")).value(), QStringLiteral(" sk with spaces "));
}

void TestKeyCommand::setRefusesEmptyAndMultiLineSecrets()
{
    SecretStore store(test::uniqueService());
    Run run = runKey({QStringLiteral("set"), QStringLiteral("openai")}, store, "\n");
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("empty")), qPrintable(run.err));

    run = runKey({QStringLiteral("set"), QStringLiteral("openai")}, store, "line-one\nline-two\n");
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("several lines")), qPrintable(run.err));
    QVERIFY(!run.err.contains(QLatin1String("line-one")));

    QVERIFY(!store.read(QStringLiteral("openai")).ok());
    QCOMPARE(store.list().value(), QStringList());
}

void TestKeyCommand::listShowsNamesNeverValues()
{
    SecretStore store(test::uniqueService());
    Run run = runKey({QStringLiteral("list")}, store);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QString());
    QVERIFY(run.err.contains(QLatin1String("sluice key set NAME")));

    QCOMPARE(runKey({QStringLiteral("set"), QStringLiteral("openai")}, store, "sk-value-one").exitCode, 0);
    QCOMPARE(runKey({QStringLiteral("set"), QStringLiteral("token-editor")}, store, "tok-value-two").exitCode, 0);
    run = runKey({QStringLiteral("list")}, store);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("openai\ntoken-editor\n"));
    QVERIFY(!run.err.contains(QLatin1String("value")));
}

void TestKeyCommand::deleteRemovesAndReportsMissing()
{
    SecretStore store(test::uniqueService());
    QCOMPARE(runKey({QStringLiteral("set"), QStringLiteral("openai")}, store, "sk-to-delete").exitCode, 0);

    Run run = runKey({QStringLiteral("delete"), QStringLiteral("openai")}, store);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QLatin1String("openai")));
    QVERIFY(!store.read(QStringLiteral("openai")).ok());
    QCOMPARE(runKey({QStringLiteral("list")}, store).out, QString());

    run = runKey({QStringLiteral("delete"), QStringLiteral("openai")}, store);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("No key named 'openai'")), qPrintable(run.err));
}

void TestKeyCommand::badArgumentsPrintUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("nothing") << QStringList();
    QTest::newRow("only key") << QStringList {QStringLiteral("key")};
    QTest::newRow("unknown command") << QStringList {QStringLiteral("add"), QStringLiteral("openai")};
    QTest::newRow("set without name") << QStringList {QStringLiteral("set")};
    QTest::newRow("set with two names") << QStringList {QStringLiteral("set"), QStringLiteral("a"),
                                                        QStringLiteral("b")};
    QTest::newRow("delete without name") << QStringList {QStringLiteral("delete")};
    QTest::newRow("list with argument") << QStringList {QStringLiteral("list"), QStringLiteral("openai")};
}

void TestKeyCommand::badArgumentsPrintUsage()
{
    QFETCH(QStringList, args);
    SecretStore store(test::uniqueService());
    const Run run = runKey(args, store, "sk-should-not-be-stored");
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("Usage:")), qPrintable(run.err));
    QVERIFY(run.err.contains(QLatin1String("sluice key set NAME")));
    QCOMPARE(run.out, QString());
    QCOMPARE(store.list().value(), QStringList());
}

void TestKeyCommand::invalidNameIsNotEchoed()
{
    SecretStore store(test::uniqueService());
    const Run run = runKey({QStringLiteral("set"), QStringLiteral("sk-proj/abc+def")}, store, "value");
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QLatin1String("NAME must be")));
    QVERIFY(!run.err.contains(QLatin1String("sk-proj")));
}

void TestKeyCommand::helpPrintsUsage()
{
    SecretStore store(test::uniqueService());
    const Run run = runKey({QStringLiteral("--help")}, store);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QLatin1String("sluice key delete NAME")));
}

void TestKeyCommand::terminalPromptDoesNotEcho()
{
    int master = -1;
    int slave = -1;
    QVERIFY(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    struct termios initial;
    QVERIFY(::tcgetattr(slave, &initial) == 0);
    QVERIFY(initial.c_lflag & ECHO);

    // Types the secret once the command has turned echo off (or after 5 s regardless, so a failure cannot hang).
    std::atomic<bool> echoWasOff = false;
    std::atomic<bool> typed = false;
    QByteArray shown;
    std::thread typist([&] {
        for (int i = 0; i < 500 && !echoWasOff; ++i) {
            struct termios now;
            echoWasOff = ::tcgetattr(slave, &now) == 0 && !(now.c_lflag & ECHO);
            if (!echoWasOff)
                ::usleep(10'000);
        }
        const QByteArray line = "sk-typed-secret\n";
        typed = ::write(master, line.constData(), size_t(line.size())) == line.size();
    });

    SecretStore store(test::uniqueService());
    QFile terminal;
    QVERIFY(terminal.open(slave, QIODevice::ReadOnly | QIODevice::Unbuffered));
    QByteArray outBytes;
    QByteArray errBytes;
    int exitCode = -1;
    {
        QTextStream in(&terminal);
        QTextStream out(&outBytes, QIODevice::WriteOnly);
        QTextStream err(&errBytes, QIODevice::WriteOnly);
        exitCode = runKeyCommand({QStringLiteral("set"), QStringLiteral("typed")}, in, out, err, store);
    }
    typist.join();
    QVERIFY(typed);
    QVERIFY2(echoWasOff, "the terminal's echo was never turned off");
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
    char buffer[256];
    for (ssize_t n; (n = ::read(master, buffer, sizeof(buffer))) > 0;)
        shown.append(buffer, n);

    QCOMPARE(exitCode, 0);
    QCOMPARE(QString::fromUtf8(errBytes), QStringLiteral("Secret for typed: "));
    QVERIFY2(!shown.contains("sk-typed-secret"), shown.constData());
    QCOMPARE(store.read(QStringLiteral("typed")).value(), QStringLiteral("sk-typed-secret"));

    struct termios after;
    QVERIFY(::tcgetattr(slave, &after) == 0);
    QVERIFY2(after.c_lflag & ECHO, "the terminal's echo was not restored");
    terminal.close();
    ::close(slave);
    ::close(master);
}

void TestKeyCommand::keychainErrorExitsOne()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
               QStringLiteral("unix:path=") + dir.filePath(QStringLiteral("no-bus")));
    env.remove(QStringLiteral("DISPLAY"));
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(), {QString::fromLatin1(ProbeNoBackend)});
    QVERIFY(child.waitForFinished(60'000));
    const QString output = QString::fromUtf8(child.readAllStandardOutput());
    QVERIFY2(output.startsWith(QLatin1String("1\n")), qPrintable(output));
    QVERIFY2(output.contains(QLatin1String("No OS keychain is available")), qPrintable(output));
}

int main(int argc, char **argv)
{
    test::ensureTestKeyring(argc, argv);
    QCoreApplication app(argc, argv);
    if (argc == 2 && qstrcmp(argv[1], ProbeNoBackend) == 0)
        return probeNoBackend();
    TestKeyCommand test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keycommand.moc"
