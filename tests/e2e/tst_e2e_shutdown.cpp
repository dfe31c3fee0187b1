#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-shutdown-token";

QProcessEnvironment environment()
{
    return e2eEnvironment(GatewayToken, "sk-provider-e2e-shutdown");
}
} // namespace

// SIGTERM to `sluice --headless` with streams in flight: those that finish within gateway.shutdown_timeout_ms
// finish, the rest end with an explicit error event, a request arriving meanwhile gets a 503, the process exits 0,
// and every one of them is in the log.
class TestE2eShutdown : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void drainsThenEndsWhatIsLeft();
};

void TestE2eShutdown::drainsThenEndsWhatIsLeft()
{
    QTemporaryDir dir;
    ListeningProcess mock;
    const QUrl upstream = mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(upstream.isValid(), qPrintable(mock.output()));
    const QString config = dir.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeFile(config,
                      oneProviderConfig("anthropic", upstream.toString().toUtf8(),
                                        "  - name: slow\n" // 11 events 600 ms apart: longer than the grace
                                        "    provider: recorded-anthropic\n"
                                        "    upstream_model: \"anthropic-text~slow-stream;delay=600\"\n"
                                        "  - name: brisk\n" // 11 events 60 ms apart: done within the grace
                                        "    provider: recorded-anthropic\n"
                                        "    upstream_model: \"anthropic-text~slow-stream;delay=60\"\n",
                                        "  shutdown_timeout_ms: 1500\n")));
    ListeningProcess sluice;
    const QUrl gateway = startHeadlessSluice(sluice, config, dir.path(), environment());
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));

    QNetworkAccessManager network;
    const auto post = [&](const QString &model) {
        QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/messages"))));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("x-api-key", GatewayToken);
        return network.post(request,
                            "{\"model\":\"" + model.toUtf8()
                                + "\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\","
                                  "\"content\":\"Hello\"}]}");
    };
    QNetworkReply *slow = post(QStringLiteral("slow"));
    QVERIFY(QTest::qWaitFor([slow] { return slow->bytesAvailable() > 0; }, 5000)); // the stream is under way
    QNetworkReply *brisk = post(QStringLiteral("brisk"));
    QVERIFY(QTest::qWaitFor([brisk] { return brisk->bytesAvailable() > 0; }, 5000));

    sluice.process().terminate();
    QTest::qWait(200);
    QNetworkReply *late = post(QStringLiteral("brisk")); // on a new connection: nobody is listening any more
    QVERIFY(QTest::qWaitFor([&] { return slow->isFinished() && brisk->isFinished() && late->isFinished(); }, 10000));
    QVERIFY(sluice.process().waitForFinished(5000));
    QCOMPARE(sluice.process().exitCode(), 0);

    const QByteArray briskBody = brisk->readAll();
    QVERIFY2(briskBody.contains("event: message_stop"), briskBody.constData()); // finished in the grace
    QVERIFY(!briskBody.contains("event: error"));
    const QByteArray slowBody = slow->readAll();
    QVERIFY2(slowBody.contains("event: error"), slowBody.constData()); // ended explicitly, not cut
    QVERIFY(slowBody.contains("shutting down"));
    QVERIFY(!slowBody.contains("event: message_stop"));
    QVERIFY(late->error() != QNetworkReply::NoError);

    RequestLogReader reader(dir.filePath(QStringLiteral("sluice.db")));
    QVERIFY(reader.open().ok());
    const Result<RequestRecords> logged = reader.recent(10);
    QVERIFY2(logged.ok(), qPrintable(logged.errorMessage()));
    QCOMPARE(logged->size(), 2);
    for (const RequestRecord &record : *logged) {
        QCOMPARE(record.httpStatus, 200);
        if (record.requestedModel == QLatin1String("slow"))
            QCOMPARE(record.errorClass, QStringLiteral("shutting_down"));
        else
            QCOMPARE(record.errorClass, QString());
    }
    slow->deleteLater();
    brisk->deleteLater();
    late->deleteLater();
}

QTEST_GUILESS_MAIN(TestE2eShutdown)
#include "tst_e2e_shutdown.moc"
