// Two `sluice --headless` gateways on one PostgreSQL database (docs/team.md): shared gateway tokens, one shared log
// where every acknowledged request is logged exactly once, through a database restart under load.
#include <functional>

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"
#include "store/StoreConnection.h"
#include "support/PostgresCluster.h"

using namespace sluice;
using namespace sluice::test;

namespace {

constexpr int InFlightPerGateway = 4;

struct Load
{
    QNetworkAccessManager network;
    QSet<QByteArray> acknowledged; // request ids of complete answers
    QList<QByteArray> unexpected;
    int sent = 0;
    bool stopping = false;
};

} // namespace

class TestE2eTeam : public QObject
{
    Q_OBJECT

private:
    PostgresCluster m_cluster;
    QTemporaryDir m_dir;

    StoreLocation store() const
    {
        PostgresSettings settings;
        settings.host = m_cluster.host();
        settings.port = m_cluster.port();
        settings.user = m_cluster.user();
        settings.password = m_cluster.password();
        settings.database = QStringLiteral("team");
        return StoreLocation::postgres(settings);
    }

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = e2eEnvironment("unused-config-token", "sk-provider-e2e-team");
        env.insert(QStringLiteral("SLUICE_E2E_PG_PASSWORD"), m_cluster.password());
        return env;
    }

    ProgramRun token(const QStringList &arguments)
    {
        return runProgram(QStringLiteral(SLUICE_BINARY),
                          QStringList {QStringLiteral("token")} + arguments
                              + QStringList {QStringLiteral("--config"), m_dir.filePath(QStringLiteral("team.yaml")),
                                             QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("cli"))},
                          environment(), m_dir.path(), 60);
    }

    static void fire(Load &load, const QUrl &gateway, const QByteArray &secret)
    {
        if (load.stopping)
            return;
        QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/chat/completions"))));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Authorization", "Bearer " + secret);
        QNetworkReply *reply = load.network.post(
            request, QByteArrayLiteral("{\"model\":\"work\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));
        ++load.sent;
        QObject::connect(reply, &QNetworkReply::finished, reply, [&load, reply, gateway, secret] {
            const QByteArray body = reply->readAll();
            if (reply->error() == QNetworkReply::NoError && body.contains("\"choices\""))
                load.acknowledged.insert(reply->rawHeader("x-sluice-request-id"));
            else
                load.unexpected.append(QByteArray::number(int(reply->error())) + ' ' + body.left(300));
            reply->deleteLater();
            fire(load, gateway, secret);
        });
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (PostgresCluster::binDir().isEmpty() && !PostgresCluster::required())
            QSKIP("PostgreSQL is not installed (scripts/install-deps.sh installs it)");
        QString error;
        QVERIFY2(m_cluster.start(&error), qPrintable(error));
        QVERIFY2(m_cluster.createDatabase(QStringLiteral("team"), &error), qPrintable(error));
    }

    void twoGatewaysShareTokensAndOneLogThroughARestart()
    {
        ListeningProcess mock;
        const QUrl upstream = mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
        QVERIFY2(upstream.isValid(), qPrintable(mock.output()));
        // No token in the file: the team's tokens are in the database.
        const QByteArray config = "store:\n  postgresql: postgresql://" + m_cluster.user().toUtf8()
            + "@127.0.0.1:" + QByteArray::number(m_cluster.port())
            + "/team\n  password: env:SLUICE_E2E_PG_PASSWORD\n  tls: disable\nproviders:\n"
            + recordedProvider("openai", upstream.toString().toUtf8())
            + "models:\n  - name: work\n    provider: recorded-openai\n    upstream_model: openai-text\n";
        QVERIFY(writeFile(m_dir.filePath(QStringLiteral("team.yaml")), config));

        const ProgramRun created = token({QStringLiteral("create"), QStringLiteral("alice")});
        QVERIFY2(created.exitCode == 0, created.err.constData());
        const QByteArray secret = created.out.trimmed();
        QVERIFY(secret.startsWith("sk-sluice-"));

        ListeningProcess first;
        ListeningProcess second;
        const QUrl firstUrl = startHeadlessSluice(first, m_dir.filePath(QStringLiteral("team.yaml")),
                                                  m_dir.filePath(QStringLiteral("a")), environment());
        QVERIFY2(firstUrl.isValid(), qPrintable(first.output()));
        const QUrl secondUrl = startHeadlessSluice(second, m_dir.filePath(QStringLiteral("team.yaml")),
                                                   m_dir.filePath(QStringLiteral("b")), environment());
        QVERIFY2(secondUrl.isValid(), qPrintable(second.output()));

        // Both gateways serve the token made once, under load.
        Load load;
        for (int i = 0; i < InFlightPerGateway; ++i) {
            fire(load, firstUrl, secret);
            fire(load, secondUrl, secret);
        }
        QVERIFY2(QTest::qWaitFor([&] { return load.acknowledged.size() >= 300; }, 60000),
                 load.unexpected.value(0).constData());
        // The database restarts while both write: the gateways keep answering, their writers hold the records.
        QString error;
        QVERIFY2(m_cluster.stop(&error), qPrintable(error));
        const qsizetype atStop = load.acknowledged.size();
        QVERIFY(QTest::qWaitFor([&] { return load.acknowledged.size() >= atStop + 200; }, 60000));
        QVERIFY2(m_cluster.start(&error), qPrintable(error));
        const qsizetype atStart = load.acknowledged.size();
        QVERIFY(QTest::qWaitFor([&] { return load.acknowledged.size() >= atStart + 200; }, 60000));
        load.stopping = true;
        QVERIFY(QTest::qWaitFor([&] { return load.network.findChildren<QNetworkReply *>().isEmpty(); }, 30000));
        QVERIFY2(load.unexpected.isEmpty(), load.unexpected.value(0).constData());

        // A token revoked from the command line is refused by both gateways.
        const ProgramRun revoked = token({QStringLiteral("revoke"), QStringLiteral("alice")});
        QVERIFY2(revoked.exitCode == 0, revoked.err.constData());
        for (const QUrl &gateway : {firstUrl, secondUrl}) {
            QVERIFY(QTest::qWaitFor(
                [&] {
                    QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/chat/completions"))));
                    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
                    request.setRawHeader("Authorization", "Bearer " + secret);
                    QNetworkReply *reply = load.network.post(request, QByteArrayLiteral("{\"model\":\"work\"}"));
                    [[maybe_unused]] const bool finished
                        = QTest::qWaitFor([reply] { return reply->isFinished(); }, 5000);
                    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                    reply->deleteLater();
                    return status == 401;
                },
                10000));
        }

        for (ListeningProcess *gateway : {&first, &second}) {
            gateway->process().terminate();
            QVERIFY(gateway->process().waitForFinished(15000));
            QCOMPARE(gateway->process().exitCode(), 0);
        }
        // Every acknowledged request is in the one log exactly once (ids are unique there), and nothing else is
        // (the refused ones after the revocation aside).
        StoreConnection raw;
        QVERIFY(raw.open(store(), QStringLiteral("team-check"), StoreConnection::Mode::ReadOnly));
        QSqlQuery query(raw.database());
        QVERIFY(query.exec(QStringLiteral("SELECT id FROM requests WHERE http_status = 200")));
        QSet<QByteArray> logged;
        int rows = 0;
        while (query.next()) {
            logged.insert(query.value(0).toString().toUtf8());
            ++rows;
        }
        QCOMPARE(rows, int(logged.size()));
        const QSet<QByteArray> missing = load.acknowledged - logged;
        QVERIFY2(missing.isEmpty(),
                 qPrintable(QStringLiteral("%1 acknowledged requests are not logged, e.g. %2")
                                .arg(missing.size())
                                .arg(QString::fromUtf8(missing.values().value(0)))));
        QCOMPARE(logged.size(), load.acknowledged.size());
        // The spend rollup counted each once as well.
        QVERIFY(query.exec(QStringLiteral("SELECT SUM(requests) FROM spend_hourly WHERE token_name = 'alice'")));
        QVERIFY(query.next());
        QVERIFY(query.exec(QStringLiteral("SELECT (SELECT SUM(requests) FROM spend_hourly WHERE token_name = 'alice'), "
                                          "(SELECT COUNT(*) FROM requests WHERE token_name = 'alice')")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toLongLong(), query.value(1).toLongLong());
    }

    void cleanupTestCase()
    {
        QString error;
        QVERIFY2(m_cluster.stop(&error), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestE2eTeam)
#include "tst_e2e_team.moc"
