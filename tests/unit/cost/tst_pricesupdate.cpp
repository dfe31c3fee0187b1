#include <QFile>
#include <QSaveFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include "PricesCommand.h"
#include "cost/CatalogDownload.h"
#include "cost/LivePriceCatalog.h"
#include "cost/PriceCatalog.h"
#include "http/HttpRequest.h"
#include "http/HttpRequestHandler.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"

using namespace sluice;

namespace {

struct Output
{
    int code = -1;
    QString out;
    QString err;
};

const QDateTime Now(QDate(2026, 3, 15), QTime(12, 0));

QByteArray catalogJson(const QString &model, double outputMtok)
{
    return QStringLiteral(
               "[{\"id\": \"acme\", \"api_pattern\": \"https://api\\\\.acme\\\\.test\", \"models\": [{\"id\": "
               "\"%1\", \"match\": {\"equals\": \"%1\"}, \"prices\": {\"input_mtok\": 1, \"output_mtok\": "
               "%2}}]}]")
        .arg(model)
        .arg(outputMtok)
        .toUtf8();
}

// Serves fixed answers by path, like a static file server.
class StaticFiles : public HttpRequestHandler
{
public:
    struct File
    {
        int status = 200;
        QByteArray body;
    };
    QHash<QByteArray, File> files;
    int requests = 0;

    void handle(const HttpRequest &request, HttpResponder *responder) override
    {
        ++requests;
        const File file = files.value(request.path, File {404, QByteArrayLiteral("not found")});
        responder->sendResponse(
            file.status, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}}, file.body);
    }
};

} // namespace

class TestPricesUpdate : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    StaticFiles m_files;
    std::unique_ptr<HttpServer> m_server;

    Output prices(const QStringList &args)
    {
        Output result;
        QTextStream out(&result.out);
        QTextStream err(&result.err);
        result.code = runPricesCommand(args, out, err, Now);
        return result;
    }

    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->port()).arg(path);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_server = std::make_unique<HttpServer>(&m_files);
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0).ok());
        m_files.files.insert("/v1/data.json", {200, catalogJson(QStringLiteral("acme-1"), 2)});
        m_files.files.insert("/broken.json", {200, QByteArrayLiteral("[{\"id\": \"acme\"}]")});
        m_files.files.insert("/cut.json", {200, catalogJson(QStringLiteral("acme-1"), 2).left(40)});
        m_files.files.insert("/error.json", {500, QByteArrayLiteral("{\"error\": \"down\"}")});
    }

    void cleanupTestCase() { m_server.reset(); }

    void updateDownloadsValidatesAndInstalls()
    {
        const QString dataDir = m_dir.filePath(QStringLiteral("download"));
        const Output updated = prices(
            {QStringLiteral("update"), url(QStringLiteral("/v1/data.json")), QStringLiteral("--data-dir"), dataDir});
        QVERIFY2(updated.code == 0, qPrintable(updated.err));
        QVERIFY2(updated.out.contains(
                     QLatin1String("Installed the price catalog 2026-03-15 installed from http://127.0.0.1:")),
                 qPrintable(updated.out));
        QVERIFY2(updated.out.contains(QLatin1String(", dated 2026-03-15.")), qPrintable(updated.out));
        QVERIFY(updated.out.contains(QLatin1String("It replaces 2026-08-21 genai-prices")));
        QFile installed(PriceCatalog::installedPath(dataDir));
        QVERIFY(installed.open(QIODevice::ReadOnly));
        QCOMPARE(installed.readAll(), catalogJson(QStringLiteral("acme-1"), 2));
        const Output shown = prices({QStringLiteral("show"), QStringLiteral("acme-1"), QStringLiteral("--provider"),
                                     QStringLiteral("acme"), QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(shown.code, 0);
        QVERIFY(shown.out.contains(QLatin1String("  output: $2/M")));
    }

    void badDownloadLeavesTheOldCatalog_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("reason");
        QTest::newRow("fails validation") << QStringLiteral("/broken.json") << QStringLiteral("api_pattern");
        QTest::newRow("cut short") << QStringLiteral("/cut.json") << QStringLiteral("JSON");
        QTest::newRow("server error") << QStringLiteral("/error.json") << QStringLiteral("HTTP 500");
        QTest::newRow("not found") << QStringLiteral("/missing.json") << QStringLiteral("HTTP 404");
    }

    void badDownloadLeavesTheOldCatalog()
    {
        QFETCH(QString, path);
        QFETCH(QString, reason);
        const QString dataDir = m_dir.filePath(QStringLiteral("keep"));
        if (!QFile::exists(PriceCatalog::installedPath(dataDir))) {
            QCOMPARE(prices({QStringLiteral("update"), url(QStringLiteral("/v1/data.json")),
                             QStringLiteral("--data-dir"), dataDir})
                         .code,
                     0);
        }
        QFile before(PriceCatalog::installedPath(dataDir));
        QVERIFY(before.open(QIODevice::ReadOnly));
        const QByteArray old = before.readAll();
        before.close();

        const Output refused = prices({QStringLiteral("update"), url(path), QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains(reason), qPrintable(refused.err));
        QVERIFY2(refused.err.contains(QLatin1String("the price catalog was not changed")), qPrintable(refused.err));
        QFile after(PriceCatalog::installedPath(dataDir));
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), old);
    }

    void plainHttpOnlyFromThisMachine()
    {
        QVERIFY(CatalogDownload::refusal(QUrl(QStringLiteral("http://127.0.0.1:8080/data.json"))).isEmpty());
        QVERIFY(CatalogDownload::refusal(QUrl(QStringLiteral("http://localhost/data.json"))).isEmpty());
        QVERIFY(CatalogDownload::refusal(QUrl(QStringLiteral("https://example.com/data.json"))).isEmpty());
        QVERIFY(!CatalogDownload::refusal(QUrl(QStringLiteral("http://example.com/data.json"))).isEmpty());
        QVERIFY(!CatalogDownload::refusal(QUrl(QStringLiteral("ftp://example.com/data.json"))).isEmpty());

        const int served = m_files.requests;
        const Output refused = prices({QStringLiteral("update"), QStringLiteral("http://192.0.2.1/data.json"),
                                       QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("refused"))});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains(QLatin1String("use an https URL")), qPrintable(refused.err));
        QCOMPARE(m_files.requests, served);
        QVERIFY(!QFile::exists(PriceCatalog::installedPath(m_dir.filePath(QStringLiteral("refused")))));
    }

    void runningSluiceSwitchesToTheNewCatalog()
    {
        const QString dataDir = m_dir.filePath(QStringLiteral("live"));
        LivePriceCatalog live(dataDir);
        QCOMPARE(live.current()->origin(), QStringLiteral("built in"));
        QVERIFY(!live.current()->find(QStringLiteral("acme"), QUrl(), QStringLiteral("acme-9"), Now.toUTC()));
        QSignalSpy changed(&live, &LivePriceCatalog::catalogChanged);

        m_files.files.insert("/v2/data.json", {200, catalogJson(QStringLiteral("acme-9"), 4)});
        QCOMPARE(prices({QStringLiteral("update"), url(QStringLiteral("/v2/data.json")), QStringLiteral("--data-dir"),
                         dataDir})
                     .code,
                 0);
        QTRY_VERIFY_WITH_TIMEOUT(changed.size() >= 1, 5000);
        const std::optional<PriceMatch> price
            = live.current()->find(QStringLiteral("acme"), QUrl(), QStringLiteral("acme-9"), Now.toUTC());
        QVERIFY(price);
        QVERIFY(live.current()->version().contains(QLatin1String("installed from http://127.0.0.1")));

        // A file that does not validate (written by hand, not through `prices update`) leaves the catalog in use.
        const std::shared_ptr<const PriceCatalog> inUse = live.current();
        QSignalSpy failed(&live, &LivePriceCatalog::reloadFailed);
        QSaveFile broken(PriceCatalog::installedPath(dataDir));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{not json");
        QVERIFY(broken.commit());
        QTRY_VERIFY_WITH_TIMEOUT(failed.size() >= 1, 5000);
        QCOMPARE(live.current(), inUse);
        QVERIFY(live.current()->find(QStringLiteral("acme"), QUrl(), QStringLiteral("acme-9"), Now.toUTC()));
    }
};

QTEST_GUILESS_MAIN(TestPricesUpdate)
#include "tst_pricesupdate.moc"
