#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-crash-token";

QProcessEnvironment environment()
{
    return e2eEnvironment(GatewayToken, "sk-provider-e2e-crash");
}
} // namespace

// kill -9 under load: every request whose answer a client received complete is in the log after the next start.
class TestE2eCrash : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void killUnderLoadLosesNoAnsweredRequest();
};

void TestE2eCrash::killUnderLoadLosesNoAnsweredRequest()
{
    QTemporaryDir dir;
    ListeningProcess mock;
    const QUrl upstream = mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(upstream.isValid(), qPrintable(mock.output()));
    const QString config = dir.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeFile(config,
                      oneProviderConfig("openai", upstream.toString().toUtf8(),
                                        "  - name: work\n"
                                        "    provider: recorded-openai\n"
                                        "    upstream_model: openai-text\n")));
    ListeningProcess sluice;
    const QUrl gateway = startHeadlessSluice(sluice, config, dir.path(), environment());
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));

    // Six clients each keep one request in flight; every complete answer's request id is noted.
    QNetworkAccessManager network;
    QSet<QByteArray> answered;
    int sent = 0;
    bool killed = false;
    std::function<void()> fire = [&] {
        if (killed)
            return;
        QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/chat/completions"))));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Authorization", QByteArray("Bearer ") + GatewayToken);
        QNetworkReply *reply = network.post(
            request, QByteArrayLiteral("{\"model\":\"work\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));
        ++sent;
        QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply] {
            const QByteArray body = reply->readAll();
            if (reply->error() == QNetworkReply::NoError && body.contains("\"choices\"")
                && body.trimmed().endsWith('}'))
                answered.insert(reply->rawHeader("x-sluice-request-id"));
            else if (!killed)
                qWarning("unexpected answer: %d %s", int(reply->error()), body.left(300).constData());
            reply->deleteLater();
            fire();
        });
    };
    for (int i = 0; i < 6; ++i)
        fire();
    QVERIFY(QTest::qWaitFor([&] { return answered.size() >= 400; }, 30000));
    sluice.process().kill(); // SIGKILL, mid-load
    killed = true;
    QVERIFY(sluice.process().waitForFinished(5000));
    QTest::qWait(300); // the replies in flight fail
    const int acknowledged = int(answered.size());
    QVERIFY(sent > acknowledged); // some were in flight when it died

    // The next start writes what the journal kept; then every answered request is in the log.
    ListeningProcess again;
    QVERIFY2(startHeadlessSluice(again, config, dir.path(), environment()).isValid(), qPrintable(again.output()));
    QCOMPARE(again.stop(), 0);
    RequestLogReader reader(dir.filePath(QStringLiteral("sluice.db")));
    QVERIFY(reader.open().ok());
    int missing = 0;
    for (const QByteArray &id : std::as_const(answered)) {
        if (!reader.byId(QString::fromLatin1(id)).ok())
            ++missing;
    }
    QVERIFY2(
        missing == 0,
        qPrintable(QStringLiteral("%1 of %2 answered requests are not in the log").arg(missing).arg(acknowledged)));
    qInfo("%d requests answered before the kill, all in the log; %d sent", acknowledged, sent);
}

QTEST_GUILESS_MAIN(TestE2eCrash)
#include "tst_e2e_crash.moc"
