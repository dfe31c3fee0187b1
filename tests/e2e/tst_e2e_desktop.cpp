#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"

using namespace sluice;
using namespace sluice::test;

// The desktop app (offscreen) is one per data folder: a second launch shows the first one's window and exits 0;
// once the first is gone, or was killed, the next launch runs; the window's geometry is kept for the next start.
class TestE2eDesktop : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oneInstancePerDataFolder();
};

namespace {

QStringList desktopArguments(const QTemporaryDir &dir)
{
    return {QStringLiteral("--config"),   dir.filePath(QStringLiteral("sluice.yaml")),
            QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")),
            QStringLiteral("--port"),     QStringLiteral("0")};
}

bool startDesktop(QProcess &process, const QTemporaryDir &dir, const QProcessEnvironment &env)
{
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(SLUICE_BINARY), desktopArguments(dir));
    // Running once it holds the lock (and its local server listens).
    return process.waitForStarted(5000)
        && QTest::qWaitFor(
               [&] {
                   return QFile::exists(dir.filePath(QStringLiteral("data/sluice-desktop.lock")))
                       || process.state() == QProcess::NotRunning;
               },
               10000)
        && process.state() == QProcess::Running;
}

} // namespace

void TestE2eDesktop::oneInstancePerDataFolder()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(QStringLiteral("sluice.yaml")), "gateway:\n  port: 0\n"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), dir.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));

    QProcess first;
    QVERIFY2(startDesktop(first, dir, env), first.readAllStandardError().constData());
    QTest::qWait(300); // the window is up and the event loop runs

    QProcess second;
    second.setProcessEnvironment(env);
    second.start(QStringLiteral(SLUICE_BINARY), desktopArguments(dir));
    QVERIFY(second.waitForFinished(10000));
    QCOMPARE(second.exitCode(), 0);
    QVERIFY2(second.readAllStandardError().contains("already running"), "the second launch did not say why it left");
    QByteArray firstOutput;
    QVERIFY(QTest::qWaitFor(
        [&] {
            firstOutput += first.readAllStandardError();
            return firstOutput.contains("another launch asked for the window");
        },
        5000));
    QCOMPARE(first.state(), QProcess::Running);

    // A first instance killed outright leaves its lock; the next launch takes it over and runs.
    first.kill();
    QVERIFY(first.waitForFinished(5000));
    QProcess third;
    QVERIFY2(startDesktop(third, dir, env), third.readAllStandardError().constData());
    QTest::qWait(500);
    QCOMPARE(third.state(), QProcess::Running);
    QVERIFY(!third.readAllStandardError().contains("already running"));
    third.terminate();
    QVERIFY(third.waitForFinished(15000));
    // The window's geometry is remembered for the next start, in the user's config folder.
    QFile settings(dir.filePath(QStringLiteral("config/sluice/desktop.conf")));
    QVERIFY(settings.open(QIODevice::ReadOnly));
    QVERIFY(settings.readAll().contains("geometry="));
}

QTEST_GUILESS_MAIN(TestE2eDesktop)
#include "tst_e2e_desktop.moc"
