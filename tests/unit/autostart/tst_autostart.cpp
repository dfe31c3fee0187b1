#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include "AutostartCommand.h"
#include "platform/Autostart.h"

using namespace sluice;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

// `sluice autostart` and the Autostart class behind it, always in a temporary $XDG_CONFIG_HOME: the real
// ~/.config/autostart is never touched.
class AutostartTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_configHome;
    QByteArray m_savedConfigHome;
    bool m_hadConfigHome = false;

    QString autostartDir() const { return m_configHome.filePath(QStringLiteral("autostart")); }
    QString userEntry() const { return autostartDir() + QStringLiteral("/app.sluice.Sluice.desktop"); }

    static Run run(const QStringList &args, const Autostart &autostart)
    {
        Run result;
        QTextStream out(&result.out);
        QTextStream err(&result.err);
        result.code = runAutostartCommand(args, out, err, autostart);
        return result;
    }

    static Autostart shipped()
    {
        return Autostart(QStringLiteral(SLUICE_AUTOSTART_ENTRY), Autostart::userAutostartDir());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_configHome.isValid());
        m_hadConfigHome = qEnvironmentVariableIsSet("XDG_CONFIG_HOME");
        m_savedConfigHome = qgetenv("XDG_CONFIG_HOME");
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_configHome.path()));
    }

    void cleanupTestCase()
    {
        if (m_hadConfigHome)
            qputenv("XDG_CONFIG_HOME", m_savedConfigHome);
        else
            qunsetenv("XDG_CONFIG_HOME");
    }

    void cleanup() { QFile::remove(userEntry()); }

    void theAutostartFolderFollowsXdgConfigHome()
    {
        QCOMPARE(Autostart::userAutostartDir(), QDir::cleanPath(autostartDir()));
        QCOMPARE(shipped().entryPath(), QDir::cleanPath(userEntry()));

        // A relative XDG_CONFIG_HOME is invalid per the XDG spec: the default ~/.config is used.
        qputenv("XDG_CONFIG_HOME", "relative/config");
        const QString fallback = Autostart::userAutostartDir();
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_configHome.path()));
        QCOMPARE(fallback, QDir::cleanPath(QDir::homePath() + QStringLiteral("/.config/autostart")));
    }

    void onCopiesTheInstalledEntryAndOffRemovesIt()
    {
        const Autostart autostart = shipped();
        QVERIFY(!autostart.isEnabled());
        QCOMPARE(run({QStringLiteral("status")}, autostart).code, 3);

        const Run on = run({QStringLiteral("on")}, autostart);
        QCOMPARE(on.code, 0);
        QVERIFY2(on.err.isEmpty(), qPrintable(on.err));
        QVERIFY(on.out.contains(QDir::toNativeSeparators(QDir::cleanPath(userEntry()))));
        const QByteArray copied = readAll(userEntry());
        QCOMPARE(copied, readAll(QStringLiteral(SLUICE_AUTOSTART_ENTRY)));
        QVERIFY(copied.contains("Exec=sluice --minimized"));
        QVERIFY(autostart.isEnabled());
        const Run status = run({QStringLiteral("status")}, autostart);
        QCOMPARE(status.code, 0);
        QVERIFY(status.out.startsWith(QLatin1String("on (")));

        // Turning it on again replaces the copy; off removes it, and off again has nothing to do.
        QCOMPARE(run({QStringLiteral("on")}, autostart).code, 0);
        QCOMPARE(run({QStringLiteral("off")}, autostart).code, 0);
        QVERIFY(!QFile::exists(userEntry()));
        QCOMPARE(run({QStringLiteral("off")}, autostart).code, 0);
        const Run off = run({QStringLiteral("status")}, autostart);
        QCOMPARE(off.code, 3);
        QCOMPARE(off.out, QStringLiteral("off\n"));
    }

    void anEntrySwitchedOffByTheDesktopCountsAsOffUntilTurnedOnAgain()
    {
        const Autostart autostart = shipped();
        QVERIFY(QDir().mkpath(autostartDir()));
        QVERIFY(writeFile(userEntry(), "[Desktop Entry]\nType=Application\nName=Sluice\nExec=sluice\nHidden=true\n"));
        QVERIFY(!autostart.isEnabled());
        QVERIFY(writeFile(userEntry(),
                          "[Desktop Entry]\nType=Application\nName=Sluice\nExec=sluice\n"
                          "X-GNOME-Autostart-enabled=false\n"));
        QVERIFY(!autostart.isEnabled());
        // A key of another group does not count.
        QVERIFY(writeFile(userEntry(),
                          "[Desktop Entry]\nType=Application\nName=Sluice\nExec=sluice\n"
                          "[Desktop Action x]\nHidden=true\n"));
        QVERIFY(autostart.isEnabled());
        QVERIFY(writeFile(userEntry(), "[Desktop Entry]\nHidden=true\n"));
        QVERIFY(autostart.enable().ok());
        QVERIFY(autostart.isEnabled());
    }

    void withoutAnInstalledEntryOnFailsAndSaysWhy()
    {
        const Autostart missing(QString(), Autostart::userAutostartDir());
        const Run on = run({QStringLiteral("on")}, missing);
        QCOMPARE(on.code, 1);
        QVERIFY2(on.err.startsWith(QLatin1String("sluice autostart: ")), qPrintable(on.err));
        QVERIFY2(on.err.contains(QLatin1String("not installed")), qPrintable(on.err));
        QVERIFY(!QFile::exists(userEntry()));

        QTemporaryDir other;
        const QString notAnEntry = other.filePath(QStringLiteral("notes.txt"));
        QVERIFY(writeFile(notAnEntry, "hello\n"));
        const Result<void> refused = Autostart(notAnEntry, Autostart::userAutostartDir()).enable();
        QVERIFY(!refused.ok());
        QVERIFY(refused.errorMessage().contains(QLatin1String("not a desktop entry")));
        QVERIFY(!QFile::exists(userEntry()));
    }

    void badUsageExitsTwoWithTheUsage()
    {
        const Run none = run({}, shipped());
        QCOMPARE(none.code, 2);
        QVERIFY(none.err.contains(QLatin1String("Usage:")));
        QCOMPARE(run({QStringLiteral("maybe")}, shipped()).code, 2);
        QCOMPARE(run({QStringLiteral("on"), QStringLiteral("off")}, shipped()).code, 2);
        const Run help = run({QStringLiteral("--help")}, shipped());
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains(QLatin1String("systemctl --user enable --now sluice")));
        QVERIFY(!QFile::exists(userEntry()));
    }

    void theDefaultInstanceLooksBesideTheExecutable()
    {
        // From a build folder nothing is installed beside the test: the installed entry is found only under share/.
        const QString found = Autostart::installedEntry();
        QVERIFY(found.isEmpty() || found.endsWith(QLatin1String("/sluice/autostart/app.sluice.Sluice.desktop")));
        QCOMPARE(Autostart().entryPath(), shipped().entryPath());
    }
};

QTEST_GUILESS_MAIN(AutostartTest)
#include "tst_autostart.moc"
