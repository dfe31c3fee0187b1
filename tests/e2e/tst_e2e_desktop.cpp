#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "config/DefaultConfig.h"

using namespace sluice;
using namespace sluice::test;

// The desktop app (offscreen) is one per data folder: a second launch shows the first one's window and exits 0;
// once the first is gone, or was killed, the next launch runs; the window's geometry is kept for the next start.
// A config that does not load at start is reported, and the gateway starts once the file is fixed.
class TestE2eDesktop : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oneInstancePerDataFolder();
    void startsServingOnceTheConfigIsFixed();
    void firstRunWritesTheDefaultConfigAndServes();
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

QProcessEnvironment desktopEnvironment(const QTemporaryDir &dir)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), dir.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    return env;
}

} // namespace

void TestE2eDesktop::startsServingOnceTheConfigIsFixed()
{
    QTemporaryDir dir;
    const QString config = dir.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeFile(config, "gateway:\n  listen: 127.0.0.1\nmodels:\n  - name: [\n"));
    QProcess desktop;
    QVERIFY2(startDesktop(desktop, dir, desktopEnvironment(dir)), desktop.readAllStandardError().constData());
    QByteArray output;
    const auto saw = [&](const char *text) {
        return QTest::qWaitFor(
            [&] {
                output += desktop.readAllStandardError();
                return output.contains(text);
            },
            10000);
    };
    // Reported with the file and line, and nothing listens.
    QVERIFY2(saw("The gateway is not serving"), output.constData());
    QVERIFY2(output.contains("sluice.yaml:"), output.constData());
    QVERIFY2(output.contains("starts as soon as this is fixed"), output.constData());

    // Still broken in another way: said again, still not serving.
    QVERIFY(writeFile(config, "gateway:\n  listen: 127.0.0.1\nproviders: 7\n"));
    output.clear();
    QVERIFY2(saw("The gateway is not serving"), output.constData());
    QVERIFY2(!output.contains("listening on"), output.constData());

    // Fixed by hand: the gateway starts, without a restart of the app.
    QVERIFY(writeFile(config, "gateway:\n  listen: 127.0.0.1\n"));
    QVERIFY2(saw("listening on"), output.constData());
    QTest::qWait(100);
    output += desktop.readAllStandardError();
    static const QRegularExpression listening(QStringLiteral("listening on (http://\\S+)"));
    const QUrl gateway(listening.match(QString::fromUtf8(output)).captured(1));
    QVERIFY2(gateway.isValid() && gateway.port() > 0, output.constData());
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(
        network.get(QNetworkRequest(gateway.resolved(QUrl(QStringLiteral("/health"))))));
    QVERIFY(QTest::qWaitFor([&] { return reply->isFinished(); }, 5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    // From then on the running gateway follows the file as usual: a broken edit leaves it serving.
    QVERIFY(writeFile(config, "gateway:\n  listen: 127.0.0.1\nmodels: [\n"));
    QVERIFY2(saw("was not applied"), output.constData());
    std::unique_ptr<QNetworkReply> still(
        network.get(QNetworkRequest(gateway.resolved(QUrl(QStringLiteral("/health"))))));
    QVERIFY(QTest::qWaitFor([&] { return still->isFinished(); }, 5000));
    QCOMPARE(still->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    desktop.terminate();
    QVERIFY(desktop.waitForFinished(15000));
}

void TestE2eDesktop::firstRunWritesTheDefaultConfigAndServes()
{
    // A fresh home: no config, no data; the platform's locations come from XDG_CONFIG_HOME and XDG_DATA_HOME.
    QTemporaryDir home;
    QProcessEnvironment env = desktopEnvironment(home);
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    QProcess desktop;
    desktop.setProcessEnvironment(env);
    desktop.start(QStringLiteral(SLUICE_BINARY), {QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(desktop.waitForStarted(5000));
    QByteArray output;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     output += desktop.readAllStandardError();
                     return output.contains("listening on") || desktop.state() == QProcess::NotRunning;
                 },
                 15000),
             output.constData());
    QVERIFY2(output.contains("first run: wrote a default config"), output.constData());
    QFile written(home.filePath(QStringLiteral("config/sluice/sluice.yaml")));
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.readAll(), DefaultConfig::text());
    QVERIFY(QFile::exists(home.filePath(QStringLiteral("data/sluice/sluice.db"))));

    // Serving with nothing configured: a request is told what to add.
    QTest::qWait(100);
    output += desktop.readAllStandardError();
    static const QRegularExpression listening(QStringLiteral("listening on (http://\\S+)"));
    const QUrl gateway(listening.match(QString::fromUtf8(output)).captured(1));
    QVERIFY2(gateway.isValid(), output.constData());
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(
        network.get(QNetworkRequest(gateway.resolved(QUrl(QStringLiteral("/v1/models"))))));
    QVERIFY(QTest::qWaitFor([&] { return reply->isFinished(); }, 5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
    QVERIFY(reply->readAll().contains("sluice token create"));
    desktop.terminate();
    QVERIFY(desktop.waitForFinished(15000));
    QCOMPARE(desktop.exitCode(), 0);
}

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
