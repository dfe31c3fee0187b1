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

    // The team's config: this cluster's database as the store, one model priced at $1,000 per million tokens either
    // way on the mock upstream (whose recorded answer uses 16 input and 363 output tokens: $0.379), no token in the
    // file (the team's tokens are in the database).
    bool writeTeamConfig(ListeningProcess &mock)
    {
        const QUrl upstream = mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
        if (!upstream.isValid()) {
            qWarning().noquote() << mock.output();
            return false;
        }
        const QByteArray config = "store:\n  postgresql: postgresql://" + m_cluster.user().toUtf8()
            + "@127.0.0.1:" + QByteArray::number(m_cluster.port())
            + "/team\n  password: env:SLUICE_E2E_PG_PASSWORD\n  tls: disable\nproviders:\n"
            + recordedProvider("openai", upstream.toString().toUtf8())
            + "models:\n  - name: work\n    provider: recorded-openai\n    upstream_model: openai-text\n"
              "prices:\n  overrides:\n    - {model: openai-text, input_mtok: 1000, output_mtok: 1000}\n";
        return writeFile(m_dir.filePath(QStringLiteral("team.yaml")), config);
    }

    // A chat request of the team's model; max_tokens bounds what the budget reserves for it ($0.42).
    static QNetworkReply *post(QNetworkAccessManager &network, const QUrl &gateway, const QByteArray &secret)
    {
        QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/chat/completions"))));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Authorization", "Bearer " + secret);
        return network.post(request,
                            QByteArrayLiteral("{\"model\":\"work\",\"max_tokens\":400,\"messages\":[{\"role\":"
                                              "\"user\",\"content\":\"Hi\"}]}"));
    }

    static int status(QNetworkReply *reply)
    {
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
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
        QVERIFY(writeTeamConfig(mock));

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

    // Two gateways under concurrent load on one token's daily budget of $20: every request reserves its upper
    // bound ($0.42) in the database, so both refuse with 402 once the budget is reached and the spend the log
    // holds overshoots it by at most one reservation per gateway. With a ledger per gateway each would spend about
    // $20, twice the limit.
    void twoGatewaysHoldOneBudgetUnderLoad()
    {
        ListeningProcess mock;
        QVERIFY(writeTeamConfig(mock));
        constexpr double Limit = 20;
        // Input: the body's 77 characters / 4, rounded up (the estimate budgets use); output: max_tokens.
        constexpr double Reservation = (20 + 400) * 1000 / 1e6;
        const ProgramRun created = token(
            {QStringLiteral("create"), QStringLiteral("bob"), QStringLiteral("--budget"), QStringLiteral("daily:20")});
        QVERIFY2(created.exitCode == 0, created.err.constData());
        const QByteArray secret = created.out.trimmed();

        ListeningProcess first;
        ListeningProcess second;
        const QUrl urls[] = {startHeadlessSluice(first, m_dir.filePath(QStringLiteral("team.yaml")),
                                                 m_dir.filePath(QStringLiteral("budget-a")), environment()),
                             startHeadlessSluice(second, m_dir.filePath(QStringLiteral("team.yaml")),
                                                 m_dir.filePath(QStringLiteral("budget-b")), environment())};
        QVERIFY2(urls[0].isValid(), qPrintable(first.output()));
        QVERIFY2(urls[1].isValid(), qPrintable(second.output()));

        // Four requests in flight on each gateway, each chain going on until its gateway refuses it.
        QNetworkAccessManager network;
        int answered = 0;
        int refused = 0;
        int chains = 0;
        QList<QByteArray> unexpected;
        QByteArray refusal;
        std::function<void(const QUrl &)> chain = [&](const QUrl &gateway) {
            QNetworkReply *reply = post(network, gateway, secret);
            QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply, gateway] {
                reply->deleteLater();
                const QByteArray body = reply->readAll();
                if (status(reply) == 200) {
                    ++answered;
                    chain(gateway);
                    return;
                }
                if (status(reply) == 402) {
                    ++refused;
                    refusal = body;
                } else {
                    unexpected.append(QByteArray::number(status(reply)) + ' ' + body.left(300));
                }
                --chains;
            });
        };
        for (int i = 0; i < 4; ++i) {
            for (const QUrl &url : urls) {
                ++chains;
                chain(url);
            }
        }
        QVERIFY2(QTest::qWaitFor([&] { return chains == 0; }, 120000), qPrintable(QString::number(answered)));
        QVERIFY2(unexpected.isEmpty(), unexpected.value(0).constData());
        QCOMPARE(refused, 8);
        QVERIFY2(refusal.contains("budget_exceeded") && refusal.contains("daily budget of token 'bob'"),
                 refusal.constData());
        // Requests in flight when the last refusals came cost less than they reserved: what their settlements
        // released may admit a few more, then both gateways refuse for good.
        for (int i = 0; i < 20; ++i) {
            QNetworkReply *reply = post(network, urls[i % 2], secret);
            QVERIFY(QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000));
            reply->deleteLater();
            if (status(reply) == 200)
                ++answered;
            else
                QCOMPARE(status(reply), 402);
        }
        for (const QUrl &url : urls) {
            QNetworkReply *reply = post(network, url, secret);
            QVERIFY(QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000));
            reply->deleteLater();
            QCOMPARE(status(reply), 402);
        }

        for (ListeningProcess *gateway : {&first, &second}) {
            gateway->process().terminate();
            QVERIFY(gateway->process().waitForFinished(15000));
            QCOMPARE(gateway->process().exitCode(), 0);
        }
        StoreConnection raw;
        QVERIFY(raw.open(store(), QStringLiteral("team-budget-check"), StoreConnection::Mode::ReadOnly));
        QSqlQuery query(raw.database());
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*), SUM(cost_usd), MAX(cost_usd) FROM requests WHERE "
                                          "token_name = 'bob' AND http_status = 200")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), answered);
        const double spent = query.value(1).toDouble();
        QVERIFY(query.value(2).toDouble() <= Reservation); // the bound only holds when costs stay within it
        const QString spentText = QStringLiteral("$%1 spent by %2 requests").arg(spent).arg(answered);
        qInfo().noquote() << spentText << "against a limit of $20";
        QVERIFY2(spent >= Limit, qPrintable(spentText));
        QVERIFY2(spent <= Limit + 2 * Reservation, qPrintable(spentText));
        // Nothing stays reserved once every request settled.
        QVERIFY(query.exec(QStringLiteral("SELECT SUM(reserved_usd), COUNT(*) FROM budget_periods WHERE budget_key = "
                                          "'token/daily/bob'")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toDouble(), 0.0);
        QCOMPARE(query.value(1).toInt(), 1);
    }

    // A token's RPM counts the requests of every gateway: 12 per minute pass in total, not 12 on each.
    void twoGatewaysShareOneRateLimit()
    {
        ListeningProcess mock;
        QVERIFY(writeTeamConfig(mock));
        const ProgramRun created
            = token({QStringLiteral("create"), QStringLiteral("carol"), QStringLiteral("--rpm"), QStringLiteral("12")});
        QVERIFY2(created.exitCode == 0, created.err.constData());
        const QByteArray secret = created.out.trimmed();
        ListeningProcess first;
        ListeningProcess second;
        const QUrl urls[] = {startHeadlessSluice(first, m_dir.filePath(QStringLiteral("team.yaml")),
                                                 m_dir.filePath(QStringLiteral("rate-a")), environment()),
                             startHeadlessSluice(second, m_dir.filePath(QStringLiteral("team.yaml")),
                                                 m_dir.filePath(QStringLiteral("rate-b")), environment())};
        QVERIFY2(urls[0].isValid(), qPrintable(first.output()));
        QVERIFY2(urls[1].isValid(), qPrintable(second.output()));
        QNetworkAccessManager network;
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 30; ++i)
            replies.append(post(network, urls[i % 2], secret));
        QVERIFY(QTest::qWaitFor(
            [&] { return std::all_of(replies.cbegin(), replies.cend(), [](auto *r) { return r->isFinished(); }); },
            30000));
        int passed = 0;
        int limited = 0;
        for (QNetworkReply *reply : std::as_const(replies)) {
            if (status(reply) == 200)
                ++passed;
            else if (status(reply) == 429 && reply->hasRawHeader("Retry-After"))
                ++limited;
            reply->deleteLater();
        }
        QCOMPARE(passed, 12);
        QCOMPARE(limited, 18);
        for (ListeningProcess *gateway : {&first, &second}) {
            gateway->process().terminate();
            QVERIFY(gateway->process().waitForFinished(15000));
        }
    }

    void cleanupTestCase()
    {
        QString error;
        QVERIFY2(m_cluster.stop(&error), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestE2eTeam)
#include "tst_e2e_team.moc"
