#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTemporaryDir>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-not-a-real-token";

QProcessEnvironment environment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLUICE_E2E_GATEWAY_TOKEN"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_PROVIDER_KEY"), QStringLiteral("sk-provider-e2e-fake"));
    return env;
}
} // namespace

class TestE2eOpenAi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void openAiSdkThroughHeadlessSluice();
    void badConfigExitsWithFileAndLine();
    void portInUseIsReportedClearly();
    void cacheAndLivePricesThroughHeadlessSluice();

private:
    QByteArray configFor(const QUrl &upstream) const;
    QTemporaryDir m_dir;
    ListeningProcess m_mock;
    QUrl m_upstream;
};

void TestE2eOpenAi::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/openai/package.json")),
             "The openai npm package is missing: run `npm ci` in tests/e2e (scripts/test.sh does).");
    m_upstream = m_mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(m_upstream.isValid(), qPrintable(m_mock.output()));
}

QByteArray TestE2eOpenAi::configFor(const QUrl &upstream) const
{
    return "gateway:\n"
           "  listen: 127.0.0.1\n"
           "providers:\n"
           "  - name: recorded-openai\n"
           "    type: openai\n"
           "    base_url: "
        + upstream.toString().toUtf8()
        + "/v1\n"
          "    api_key: env:SLUICE_E2E_PROVIDER_KEY\n"
          "models:\n"
          "  - name: gpt-e2e\n"
          "    provider: recorded-openai\n"
          "    upstream_model: openai-text\n"
          "tokens:\n"
          "  - name: e2e-client\n"
          "    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n";
}

void TestE2eOpenAi::openAiSdkThroughHeadlessSluice()
{
    const QString configPath = m_dir.filePath(QStringLiteral("sluice.yaml"));
    const QString dataDir = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(writeFile(configPath, configFor(m_upstream)));

    ListeningProcess sluice;
    const QUrl gateway = startHeadlessSluice(sluice, configPath, dataDir, environment());
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));
    QCOMPARE(gateway.host(), QStringLiteral("127.0.0.1"));

    QProcessEnvironment env;
    env.insert(QStringLiteral("OPENAI_BASE_URL"), gateway.toString() + QStringLiteral("/v1"));
    env.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromLatin1(GatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_MODEL"), QStringLiteral("gpt-e2e"));
    const QJsonObject seen = runNode(QStringLiteral("openai_chat.mjs"), env);
    QVERIFY2(!seen.isEmpty(), "the openai SDK script failed (see the warning above)");

    const QJsonObject plain = seen.value(QLatin1String("plain")).toObject();
    QVERIFY(plain.value(QLatin1String("text")).toString().startsWith(QLatin1String("**Holiday Name:** Galaxy Day")));
    QCOMPARE(plain.value(QLatin1String("usage")).toObject().value(QLatin1String("completion_tokens")).toInt(), 363);
    QCOMPARE(plain.value(QLatin1String("finish")).toString(), QStringLiteral("stop"));

    const QJsonObject stream = seen.value(QLatin1String("stream")).toObject();
    QVERIFY(stream.value(QLatin1String("text")).toString().startsWith(QLatin1String("**Holiday Name:**")));
    QVERIFY(stream.value(QLatin1String("chunks")).toInt() > 100);
    QCOMPARE(stream.value(QLatin1String("usageChunks")).toInt(), 0); // the client did not ask for usage

    const QJsonObject refusal = seen.value(QLatin1String("refusal")).toObject();
    QCOMPARE(refusal.value(QLatin1String("status")).toInt(), 404);
    QVERIFY(refusal.value(QLatin1String("message")).toString().contains(QLatin1String("no-such-model")));
    QCOMPARE(seen.value(QLatin1String("models")).toArray(), QJsonArray {QStringLiteral("gpt-e2e")});

    QCOMPARE(sluice.stop(), 0);
    const QString printed = sluice.output();
    QVERIFY2(!printed.contains(QLatin1String(GatewayToken)), "the gateway token appeared in Sluice's output");

    // Every request is in the log, with tokens and timings, after a clean shutdown.
    RequestLogReader reader(dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(reader.open().ok());
    const Result<RequestRecords> recent = reader.recent(10);
    QVERIFY2(recent.ok(), qPrintable(recent.errorMessage()));
    QCOMPARE(recent->size(), 4); // plain, stream, refused model, models list
    RequestRecords chats;
    for (const RequestRecord &record : recent.value()) {
        if (record.endpoint == QLatin1String("/v1/chat/completions") && record.httpStatus == 200)
            chats.append(record);
        QCOMPARE(record.tokenName, QStringLiteral("e2e-client"));
    }
    QCOMPARE(chats.size(), 2);
    for (const RequestRecord &record : std::as_const(chats)) {
        QCOMPARE(record.requestedModel, QStringLiteral("gpt-e2e"));
        QCOMPARE(record.provider, QStringLiteral("recorded-openai"));
        QCOMPARE(record.upstreamModel, QStringLiteral("openai-text"));
        QCOMPARE(record.inputTokens, 16);
        QCOMPARE(record.outputTokens, record.stream ? 300 : 363);
        QVERIFY(record.latencyUs > 0);
        QCOMPARE(record.timeToFirstTokenUs > 0, record.stream);
        const Result<RequestRecord> full = reader.byId(record.id);
        QVERIFY2(full.ok(), qPrintable(full.errorMessage()));
        QVERIFY(full->requestBody.contains("\"gpt-e2e\""));
        if (record.stream)
            QVERIFY(full->responseBody.startsWith("data: {") && full->responseBody.endsWith("data: [DONE]\n\n"));
        else
            QVERIFY(full->responseBody.contains("Galaxy Day"));
    }
}

void TestE2eOpenAi::badConfigExitsWithFileAndLine()
{
    const QString configPath = m_dir.filePath(QStringLiteral("bad.yaml"));
    QVERIFY(
        writeFile(configPath,
                  "gateway:\n  port: 7341\nproviders:\n  - name: x\n    type: openai\n    base_url: ftp://nowhere\n"));
    QProcess sluice;
    sluice.start(QStringLiteral(SLUICE_BINARY),
                 {QStringLiteral("--headless"), QStringLiteral("--config"), configPath, QStringLiteral("--data-dir"),
                  m_dir.filePath(QStringLiteral("bad-data"))});
    QVERIFY(sluice.waitForFinished(10000));
    QVERIFY(sluice.exitCode() != 0);
    const QString message = QString::fromUtf8(sluice.readAllStandardError());
    QVERIFY2(message.contains(QLatin1String("bad.yaml:6")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("base_url")), qPrintable(message));
}

void TestE2eOpenAi::portInUseIsReportedClearly()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const QString configPath = m_dir.filePath(QStringLiteral("port.yaml"));
    QVERIFY(writeFile(configPath, configFor(m_upstream)));
    QProcess sluice;
    sluice.setProcessEnvironment(environment());
    sluice.start(QStringLiteral(SLUICE_BINARY),
                 {QStringLiteral("--headless"), QStringLiteral("--config"), configPath, QStringLiteral("--data-dir"),
                  m_dir.filePath(QStringLiteral("port-data")), QStringLiteral("--port"),
                  QString::number(occupant.serverPort())});
    QVERIFY(sluice.waitForFinished(10000));
    QVERIFY(sluice.exitCode() != 0);
    const QString message = QString::fromUtf8(sluice.readAllStandardError());
    QVERIFY2(message.contains(QString::number(occupant.serverPort())), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("in use")), qPrintable(message));
}

void TestE2eOpenAi::cacheAndLivePricesThroughHeadlessSluice()
{
    const QString configPath = m_dir.filePath(QStringLiteral("cache.yaml"));
    const QString dataDir = m_dir.filePath(QStringLiteral("cache-data"));
    QVERIFY(writeFile(configPath, configFor(m_upstream) + "cache:\n  enabled: true\n  ttl: 1h\n"));
    ListeningProcess sluice;
    const QUrl gateway = startHeadlessSluice(sluice, configPath, dataDir, environment());
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));

    QNetworkAccessManager network;
    const auto chat = [&](const QByteArray &cacheControl) {
        QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/chat/completions"))));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Authorization", QByteArray("Bearer ") + GatewayToken);
        if (!cacheControl.isEmpty())
            request.setRawHeader("Cache-Control", cacheControl);
        QNetworkReply *reply = network.post(
            request,
            QByteArrayLiteral("{\"model\":\"gpt-e2e\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));
        const bool finished = QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000);
        const QByteArray cache = finished ? reply->rawHeader("x-sluice-cache") : QByteArrayLiteral("(no answer)");
        reply->deleteLater();
        return cache;
    };

    // The upstream model name has no price yet (a name no catalog knows): the request is priced by the model the
    // answer says served it (the recording's gpt-4.1-nano).
    QCOMPARE(chat({}), QByteArray("miss"));

    // A catalog that prices it is installed while Sluice runs; Sluice switches to it.
    const QString file = m_dir.filePath(QStringLiteral("recorded-prices.json"));
    QVERIFY(writeFile(file,
                      "[{\"id\": \"recorded-openai\", \"api_pattern\": \"https://api\\\\.recorded\\\\.test\", "
                      "\"models\": [{\"id\": \"openai-text\", \"match\": {\"equals\": \"openai-text\"}, "
                      "\"prices\": {\"input_mtok\": 2, \"output_mtok\": 8}}]}]"));
    QProcess update;
    update.start(QStringLiteral(SLUICE_BINARY),
                 {QStringLiteral("prices"), QStringLiteral("update"), file, QStringLiteral("--data-dir"), dataDir});
    QVERIFY(update.waitForFinished(30000));
    QVERIFY2(update.exitCode() == 0, update.readAllStandardError().constData());
    QVERIFY2(
        QTest::qWaitFor([&] { return sluice.output().contains(QLatin1String("Now pricing with the catalog")); }, 5000),
        qPrintable(sluice.output()));

    QCOMPARE(chat({}), QByteArray("hit"));
    QCOMPARE(chat(QByteArrayLiteral("no-cache")), QByteArray("miss"));
    QCOMPARE(sluice.stop(), 0);

    RequestLogReader reader(dataDir + QStringLiteral("/sluice.db"));
    QVERIFY(reader.open().ok());
    const Result<RequestRecords> recent = reader.recent(10);
    QVERIFY2(recent.ok(), qPrintable(recent.errorMessage()));
    QCOMPARE(recent->size(), 3);
    const RequestRecord &fresh = recent->at(0);
    const RequestRecord &hit = recent->at(1);
    const RequestRecord &first = recent->at(2);
    QCOMPARE(first.costStatus, QStringLiteral("exact"));
    QCOMPARE(first.servedModel, QStringLiteral("gpt-4.1-nano-2025-04-14"));
    // 16 input and 363 output tokens at gpt-4.1-nano's $0.1/M and $0.4/M.
    QVERIFY2(qAbs(first.costUsd - 0.0001468) < 1e-12, qPrintable(QString::number(first.costUsd, 'g', 12)));
    // 16 input and 363 output tokens: 16 x 2 + 363 x 8 = 2,936 $/M.
    QCOMPARE(hit.costStatus, QStringLiteral("cached"));
    QCOMPARE(hit.costUsd, 0.0);
    QVERIFY2(qAbs(hit.savedUsd - 0.002936) < 1e-12, qPrintable(QString::number(hit.savedUsd, 'g', 12)));
    QCOMPARE(fresh.costStatus, QStringLiteral("exact"));
    QVERIFY(qAbs(fresh.costUsd - 0.002936) < 1e-12);
    QVERIFY(fresh.savedUsd < 0);
}

QTEST_GUILESS_MAIN(TestE2eOpenAi)
#include "tst_e2e_openai.moc"
