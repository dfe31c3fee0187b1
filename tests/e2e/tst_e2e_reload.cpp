#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "config/ConfigWriter.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;

namespace {
constexpr auto ReloadToken = "sk-sluice-e2e-reload-token";

QProcessEnvironment environment()
{
    return e2eEnvironment(ReloadToken, "sk-provider-e2e-reload");
}

// A model entry on the recorded Anthropic provider, streaming 11 events delayMs apart.
QByteArray slowModel(const QByteArray &name, int delayMs)
{
    return "  - name: " + name
        + "\n    provider: recorded-anthropic\n    upstream_model: \"anthropic-text~slow-stream;delay="
        + QByteArray::number(delayMs) + "\"\n";
}
QByteArray readFileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

// The running headless gateway follows its config file: a change written by ConfigWriter or by hand applies
// without a restart, a stream in flight across the change finishes on the config it started with, and a broken
// edit is reported while the last good config stays in force.
class TestE2eReload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void followsTheConfigFileWithoutDroppingRequests();
};

void TestE2eReload::followsTheConfigFileWithoutDroppingRequests()
{
    QTemporaryDir dir;
    ListeningProcess mock;
    const QUrl upstream = mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(upstream.isValid(), qPrintable(mock.output()));
    const QString config = dir.filePath(QStringLiteral("sluice.yaml"));
    const QByteArray original = "# my own comment, kept by every edit\n"
        + oneProviderConfig("anthropic", upstream.toString().toUtf8(), slowModel("slow", 250));
    QVERIFY(writeFile(config, original));
    ListeningProcess sluice;
    const QUrl gateway = startHeadlessSluice(sluice, config, dir.path(), environment());
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));

    QNetworkAccessManager network;
    const auto post = [&](const QString &model) {
        QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/messages"))));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("x-api-key", ReloadToken);
        return network.post(request,
                            "{\"model\":\"" + model.toUtf8()
                                + "\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\","
                                  "\"content\":\"Hello\"}]}");
    };
    const auto answer = [&](const QString &model) -> QByteArray {
        std::unique_ptr<QNetworkReply> reply(post(model));
        if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 10000))
            return QByteArray("<timed out>");
        return QByteArray::number(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt()) + ' '
            + reply->readAll();
    };
    const QByteArray unknown = answer(QStringLiteral("brisk"));
    QVERIFY2(unknown.startsWith("404") || unknown.startsWith("400"), unknown.constData());

    // A stream under way (11 events 250 ms apart) while the config changes under it.
    QNetworkReply *slow = post(QStringLiteral("slow"));
    QVERIFY(QTest::qWaitFor([slow] { return slow->bytesAvailable() > 0; }, 5000));
    Result<ConfigWriter> writer = ConfigWriter::open(config);
    QVERIFY2(writer.ok(), qPrintable(writer.errorMessage()));
    QVERIFY(writer.value()
                .addModel({QStringLiteral("brisk"),
                           QStringLiteral("recorded-anthropic"),
                           QStringLiteral("anthropic-text~slow-stream;delay=1"),
                           {}})
                .ok());
    const Result<Config> saved = writer.value().save();
    QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));
    QVERIFY2(QTest::qWaitFor([&] { return sluice.output().contains(QLatin1String("config reloaded")); }, 5000),
             qPrintable(sluice.output()));
    const QByteArray added = answer(QStringLiteral("brisk"));
    QVERIFY2(added.startsWith("200") && added.contains("event: message_stop"), added.constData());
    QVERIFY(!slow->isFinished()); // the reload did not wait for it, nor end it
    QVERIFY(QTest::qWaitFor([slow] { return slow->isFinished(); }, 10000));
    const QByteArray slowBody = slow->readAll();
    QVERIFY2(slowBody.contains("event: message_stop") && !slowBody.contains("event: error"), slowBody.constData());
    slow->deleteLater();

    // A broken hand edit: reported with its line, and the config in force keeps serving.
    QVERIFY(writeFile(config, readFileBytes(config) + "models:\n  - name: [\n"));
    QVERIFY2(QTest::qWaitFor([&] { return sluice.output().contains(QLatin1String("was not applied")); }, 5000),
             qPrintable(sluice.output()));
    QVERIFY2(sluice.output().contains(QLatin1String("sluice.yaml:")), qPrintable(sluice.output()));
    const QByteArray still = answer(QStringLiteral("brisk"));
    QVERIFY2(still.startsWith("200"), still.constData());

    // A good hand edit after it (back to the original file) applies: "brisk" is gone again.
    QVERIFY(writeFile(config, original));
    QVERIFY(QTest::qWaitFor([&] { return sluice.output().count(QLatin1String("config reloaded")) == 2; }, 5000));
    const QByteArray removed = answer(QStringLiteral("brisk"));
    QVERIFY2(removed.startsWith("404") || removed.startsWith("400"), removed.constData());

    QCOMPARE(sluice.stop(), 0);
    RequestLogReader reader(dir.filePath(QStringLiteral("sluice.db")));
    QVERIFY(reader.open().ok());
    const Result<RequestRecords> logged = reader.recent(20);
    QVERIFY2(logged.ok(), qPrintable(logged.errorMessage()));
    QCOMPARE(logged->size(), 5); // every request, the one across the reload included
}

QTEST_GUILESS_MAIN(TestE2eReload)
#include "tst_e2e_reload.moc"
