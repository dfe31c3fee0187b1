#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "config/DefaultConfig.h"

using namespace sluice;
using namespace sluice::test;

// A first run with no config: `sluice --headless` writes the commented default config where it looks for one,
// serves at once, and says how to go on, both on its output and to the first request.
class TestE2eFirstRun : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writesADefaultConfigAndServes();
};

void TestE2eFirstRun::writesADefaultConfigAndServes()
{
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    const QString configPath = home.filePath(QStringLiteral("config/sluice/sluice.yaml"));

    ListeningProcess sluice;
    const QUrl gateway
        = sluice.start(QStringLiteral(SLUICE_BINARY),
                       {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0")}, env);
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));
    QFile written(configPath);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.readAll(), DefaultConfig::text());

    QNetworkAccessManager network;
    QNetworkReply *reply = network.get(QNetworkRequest(gateway.resolved(QUrl(QStringLiteral("/v1/models")))));
    QVERIFY(QTest::qWaitFor([reply] { return reply->isFinished(); }, 5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
    QVERIFY(reply->readAll().contains("sluice token create"));
    reply->deleteLater();

    // With a gateway token but no provider yet, a request is told how to add one (and that no restart is needed).
    const ProgramRun created = runProgram(QStringLiteral(SLUICE_BINARY),
                                          {QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("first")},
                                          env, home.path(), 30);
    QVERIFY2(created.exitCode == 0, created.err.constData());
    const QByteArray token = created.out.trimmed();
    QNetworkRequest chat(gateway.resolved(QUrl(QStringLiteral("/v1/chat/completions"))));
    chat.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    chat.setRawHeader("Authorization", "Bearer " + token);
    QByteArray answer;
    int status = 0;
    // The gateway reads new tokens within a second.
    QVERIFY(QTest::qWaitFor(
        [&] {
            std::unique_ptr<QNetworkReply> posted(network.post(
                chat, QByteArrayLiteral(R"({"model":"gpt-4.1-mini","messages":[{"role":"user","content":"Hi"}]})")));
            if (!QTest::qWaitFor([&] { return posted->isFinished(); }, 5000))
                return false;
            status = posted->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            answer = posted->readAll();
            return status != 401;
        },
        5000));
    QVERIFY2(status == 404 || status == 400, answer.constData());
    QVERIFY2(answer.contains("sluice provider add") && answer.contains("Providers & keys"), answer.constData());
    QCOMPARE(sluice.stop(), 0);
    QVERIFY2(sluice.output().contains(QLatin1String("first run: wrote a default config")), qPrintable(sluice.output()));

    // The user's edits are never overwritten: the next start uses the file as it is.
    QVERIFY(writeFile(configPath, DefaultConfig::text() + "# mine\n"));
    ListeningProcess again;
    QVERIFY2(again
                 .start(QStringLiteral(SLUICE_BINARY),
                        {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0")}, env)
                 .isValid(),
             qPrintable(again.output()));
    QCOMPARE(again.stop(), 0);
    QVERIFY(!again.output().contains(QLatin1String("first run")));
    QFile kept(configPath);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QVERIFY(kept.readAll().endsWith("# mine\n"));

    // A config named on the command line must exist: a typo does not start an empty gateway.
    ListeningProcess typo;
    typo.start(QStringLiteral(SLUICE_BINARY),
               {QStringLiteral("--headless"), QStringLiteral("--config"), home.filePath(QStringLiteral("typo.yaml")),
                QStringLiteral("--port"), QStringLiteral("0")},
               env);
    QTRY_VERIFY_WITH_TIMEOUT(typo.process().state() == QProcess::NotRunning, 10000);
    QCOMPARE(typo.process().exitCode(), 2);
    QVERIFY(!QFile::exists(home.filePath(QStringLiteral("typo.yaml"))));
}

QTEST_GUILESS_MAIN(TestE2eFirstRun)
#include "tst_e2e_firstrun.moc"
