#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "GatewayFixture.h"
#include "GatewayTestSupport.h"
#include "cost/PriceCatalog.h"
#include "store/RequestLogWriter.h"
#include "store/TokenStore.h"
#include "support/MockFault.h"
#include "support/RawHttpClient.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// openai-text (not streamed) reports 16 input and 363 output tokens: at $1,000 per million each, a request costs
// $0.379.
const QByteArray PriceYaml = "prices:\n"
                             "  overrides:\n"
                             "    - {model: openai-text, input_mtok: 1000, output_mtok: 1000}\n";
constexpr double RequestCost = 0.379;

QByteArray chat(const QByteArray &model = "gpt-test")
{
    return R"({"model":")" + model + R"(","max_tokens":400,"messages":[{"role":"user","content":"Hi"}]})";
}

StoredToken named(const QString &name)
{
    StoredToken token;
    token.name = name;
    return token;
}

} // namespace

class TokensTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_databasePath;
    std::shared_ptr<const PriceCatalog> m_catalog;

    // A gateway reading tokens from this test's database and pricing with the config's overrides.
    FixtureExtras extras(QByteArray providers = {}, QByteArray models = {})
    {
        FixtureExtras extras;
        extras.providers = std::move(providers);
        extras.models = std::move(models);
        extras.beforeStart = [this](GatewayService &service) {
            service.setDatabasePath(m_databasePath);
            service.setPriceCatalog(m_catalog);
        };
        return extras;
    }

    QString createToken(StoredToken token)
    {
        TokenStore store;
        const Result<void> opened = store.open(m_databasePath);
        if (!opened)
            qWarning() << opened.errorMessage();
        const Result<QString> secret = store.create(token);
        return secret ? secret.value() : QString();
    }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_databasePath = m_dir.filePath(QStringLiteral("test-%1.db").arg(QDateTime::currentMSecsSinceEpoch()));
        TokenStore store;
        QVERIFY(store.open(m_databasePath).ok()); // creates the database, as the request log writer does at start
        if (!m_catalog)
            m_catalog = std::make_shared<const PriceCatalog>(PriceCatalog::builtIn().value());
    }

    void storedTokensAreAcceptedReloadedAndRevoked()
    {
        const QString ci = createToken(named(QStringLiteral("ci")));
        QVERIFY(ci.startsWith(QLatin1String("sk-sluice-")));
        GatewayFixture gateway(PriceYaml, extras());

        auto reply = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), ci.toLatin1()), chat());
        QCOMPARE(reply.status, 200);
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(gateway.records.last().tokenName, QStringLiteral("ci"));

        // Made while the gateway runs: accepted once it noticed the database changed.
        const QString late = createToken(named(QStringLiteral("late")));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), late.toLatin1()), chat())
                           .status
                    == 200;
            },
            5000));

        TokenStore store;
        QVERIFY(store.open(m_databasePath).ok());
        QVERIFY(store.revoke(QStringLiteral("ci")).ok());
        QVERIFY(QTest::qWaitFor(
            [&] {
                return gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), ci.toLatin1()), chat())
                           .status
                    == 401;
            },
            5000));
        // The config's token keeps working beside them.
        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat()).status, 200);
    }

    void tokenMayUseOnlyItsModels()
    {
        StoredToken token = named(QStringLiteral("narrow"));
        token.models = QStringList {QStringLiteral("gpt-test")};
        const QByteArray secret = createToken(token).toLatin1();
        GatewayFixture gateway(PriceYaml, extras());

        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), secret), chat()).status, 200);
        auto refused
            = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), secret), chat("claude-test"));
        QCOMPARE(refused.status, 403);
        const QString message = errorMessageOf(refused.body);
        QVERIFY2(message.contains(QLatin1String("'narrow'")) && message.contains(QLatin1String("'claude-test'")),
                 qPrintable(message));
        QVERIFY(gateway.upstream().requests().size() == 1);
        // Its model listing shows only what it may use.
        const QJsonArray listed = jsonOf(gateway.get(gateway.request(QStringLiteral("/v1/models"), secret)).body)
                                      .value(QLatin1String("data"))
                                      .toArray();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().toObject().value(QLatin1String("id")).toString(), QStringLiteral("gpt-test"));
    }

    void configTokensTakeTheSameLimits()
    {
        // Appended to the fixture's config token 'editor'.
        GatewayFixture gateway("    models: [gpt-test, claude-test]\n    rpm: 2\n");
        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat("openai-text")).status,
                 403);
        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat()).status, 200);
        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat("claude-test")).status,
                 200);
        auto limited = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat());
        QCOMPARE(limited.status, 429);
        QVERIFY(errorMessageOf(limited.body).contains(QLatin1String("gateway token 'editor'")));
    }

    void requestsPerMinuteAnswer429WithRetryAfter()
    {
        StoredToken token = named(QStringLiteral("slow"));
        token.rpm = 2;
        const QByteArray secret = createToken(token).toLatin1();
        GatewayFixture gateway(PriceYaml, extras());

        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), secret), chat()).status, 200);
        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), secret), chat()).status, 200);
        auto limited = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), secret), chat());
        QCOMPARE(limited.status, 429);
        const int retryAfter = limited.header("Retry-After").toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= 60, limited.header("Retry-After").constData());
        QVERIFY(errorMessageOf(limited.body).contains(QLatin1String("2 requests per minute")));
        QCOMPARE(errorOf(limited.body).value(QLatin1String("code")).toString(), QStringLiteral("rate_limit_exceeded"));

        // An Anthropic client gets the refusal in its own format.
        QNetworkRequest messages = gateway.request(QStringLiteral("/v1/messages"), secret);
        auto anthropic = gateway.post(
            messages, R"({"model":"gpt-test","max_tokens":50,"messages":[{"role":"user","content":"Hi"}]})");
        QCOMPARE(anthropic.status, 429);
        QVERIFY(!anthropic.header("Retry-After").isEmpty());
        QCOMPARE(errorOf(anthropic.body).value(QLatin1String("type")).toString(), QStringLiteral("rate_limit_error"));
        QVERIFY(gateway.waitForRecords(4));
        QCOMPARE(gateway.records.last().errorClass, QString::fromLatin1(ErrorClass::RateLimited));
    }

    void tokensPerMinuteCountCompletedRequests()
    {
        StoredToken token = named(QStringLiteral("thrifty"));
        token.tpm = 100;
        const QByteArray secret = createToken(token).toLatin1();
        GatewayFixture gateway(PriceYaml, extras());

        // Nothing completed yet: admitted, and its 379 tokens fill the minute.
        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), secret), chat()).status, 200);
        auto limited = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions"), secret), chat());
        QCOMPARE(limited.status, 429);
        QVERIFY2(errorMessageOf(limited.body).contains(QLatin1String("100 tokens per minute (379 used")),
                 qPrintable(errorMessageOf(limited.body)));
        QVERIFY(limited.header("Retry-After").toInt() >= 1);
    }

    // Worked example in docs/costs.md: a $1 daily budget, requests costing $0.379 reserving $0.421 each.
    void concurrentRequestsNeverOvershootByMoreThanOneReservation()
    {
        GatewayFixture gateway(PriceYaml + "budgets:\n  limits:\n    - {period: daily, usd: 1}\n", extras());
        gateway.upstream().enqueueFault([] {
            MockFault slow = MockFault::slowHeaders(150);
            slow.times = -1;
            return slow;
        }());

        constexpr int Requests = 20;
        const QByteArray body = chat();
        HttpHeaders headers;
        headers.append(QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + TestToken);
        headers.append(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < Requests; ++i) {
            clients.push_back(std::make_unique<RawHttpClient>());
            QVERIFY(clients.back()->connectTo(gateway.port()));
        }
        for (auto &client : clients)
            client->send(RawHttpClient::post("/v1/chat/completions", body, headers));
        int admitted = 0;
        int refused = 0;
        for (auto &client : clients) {
            const RawHttpClient::Response response = client->waitForResponse(10000);
            QVERIFY(response.complete);
            if (response.status == 200) {
                ++admitted;
            } else {
                QCOMPARE(response.status, 402);
                const QString message = errorMessageOf(response.body);
                QVERIFY2(message.contains(QLatin1String("the daily budget overall ($1.00)"))
                             && message.contains(QLatin1String("resets at")),
                         qPrintable(message));
                ++refused;
            }
        }
        QVERIFY(gateway.waitForRecords(Requests));
        double spent = 0;
        for (const RequestRecord &record : std::as_const(gateway.records)) {
            if (record.httpStatus == 200)
                spent += record.costUsd;
        }
        // One reservation: 21 input tokens (the body's 84 bytes / 4) + 400 output tokens (max_tokens), at $1,000/M.
        const double reservation = (double((body.size() + 3) / 4) + 400) * 1000 / 1e6;
        QCOMPARE(reservation, 0.421);
        QVERIFY2(spent <= 1.0 + reservation, qPrintable(QString::number(spent)));
        QCOMPARE(admitted, 3); // 0, $0.421 and $0.842 reserved are below $1; then $1.263 is not
        QCOMPARE(refused, Requests - admitted);
        QVERIFY(qAbs(spent - 3 * RequestCost) < 1e-9); // $1.137: over $1 by less than one reservation
    }

    void softThresholdWarnsInHeaderAndSignal()
    {
        GatewayFixture gateway(PriceYaml
                                   + "budgets:\n  soft_threshold: 0.1\n  limits:\n"
                                     "    - {token: editor, period: monthly, usd: 2}\n",
                               extras());
        QSignalSpy warnings(&gateway.service(), &GatewayService::budgetWarning);
        auto first = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat());
        QCOMPARE(first.status, 200);
        QVERIFY(first.header("x-sluice-budget-warning").isEmpty());
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(warnings.size(), 1); // $0.379 of $2.00 passed the 10% threshold
        QVERIFY(warnings.first().first().toString().contains(QLatin1String("monthly budget of token 'editor'")));

        // Streamed answers carry it too.
        const QByteArray streamed = R"({"model":"gpt-test","stream":true,"max_tokens":400,)"
                                    R"("messages":[{"role":"user","content":"Hi"}]})";
        auto second = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), streamed);
        QCOMPARE(second.status, 200);
        QVERIFY(second.body.contains("data: [DONE]"));
        const QByteArray warning = second.header("x-sluice-budget-warning");
        QVERIFY2(warning.contains("the monthly budget of token 'editor' ($2.00): $0.379 spent"), warning.constData());
        QVERIFY(gateway.waitForRecords(2));
        QCOMPARE(warnings.size(), 1); // once per budget and period
    }

    void freeModelIsNeverBlockedBySpend()
    {
        GatewayFixture gateway(PriceYaml + "budgets:\n  limits:\n    - {period: daily, usd: 0.1}\n",
                               extras("  - name: mock-local\n"
                                      "    type: openai\n"
                                      "    base_url: $UPSTREAM/v1\n"
                                      "    free: true\n",
                                      "  - name: local-test\n"
                                      "    provider: mock-local\n"
                                      "    upstream_model: openai-text\n"));
        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat()).status, 200);
        QVERIFY(gateway.waitForRecords(1));
        QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat()).status, 402);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat("local-test")).status,
                     200);
        }
    }

    void spendSoFarIsLoadedFromTheLog()
    {
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_databasePath).ok());
            RequestRecord record;
            record.id = QStringLiteral("earlier-today");
            record.startedAt = QDateTime::currentDateTimeUtc();
            record.tokenName = QStringLiteral("editor");
            record.endpoint = QStringLiteral("/v1/chat/completions");
            record.requestedModel = QStringLiteral("gpt-test");
            record.provider = QStringLiteral("mock");
            record.upstreamModel = QStringLiteral("openai-text");
            record.httpStatus = 200;
            record.costUsd = 1.5;
            record.costStatus = QString::fromLatin1(CostStatus::Exact);
            writer.append(std::move(record));
            writer.stop();
        }
        GatewayFixture gateway(PriceYaml + "budgets:\n  limits:\n    - {token: editor, period: daily, usd: 1.5}\n",
                               extras());
        auto refused = gateway.post(gateway.request(QStringLiteral("/v1/chat/completions")), chat());
        QCOMPARE(refused.status, 402);
        QVERIFY2(errorMessageOf(refused.body).contains(QLatin1String("$1.50 spent")), refused.body.constData());
        QCOMPARE(gateway.upstream().requests().size(), qsizetype(0));
    }
};

QTEST_GUILESS_MAIN(TokensTest)
#include "tst_tokens.moc"
