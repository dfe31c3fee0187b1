#include <QTest>

#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "gateway/Admission.h"
#include "gateway/ProxyExchange.h"
#include "routing/ManualClock.h"

using namespace sluice;

namespace {

const QByteArray Yaml = "providers:\n"
                        "  - {name: paid, type: openai, base_url: 'https://api.example.com/v1'}\n"
                        "  - {name: local, type: openai, base_url: 'http://127.0.0.1:11434/v1', free: true}\n"
                        "models:\n"
                        "  - {name: priced, provider: paid, upstream_model: priced-model}\n"
                        "  - {name: mystery, provider: paid, upstream_model: mystery-model}\n"
                        "  - {name: local, provider: local, upstream_model: llama}\n"
                        "prices:\n"
                        "  overrides:\n"
                        "    - {model: priced-model, input_mtok: 2, output_mtok: 8}\n"
                        "budgets:\n"
                        "  default_max_tokens: 1000\n"
                        "  limits:\n"
                        "    - {period: daily, usd: 0.02}\n";

ClientRequest request(const QString &model, const QByteArray &extra = {})
{
    ClientRequest request;
    request.model = model;
    // 400 bytes: an estimate of 100 input tokens.
    QByteArray body
        = "{\"model\":\"" + model.toUtf8() + "\"" + extra + ",\"messages\":[{\"role\":\"user\",\"content\":\"";
    body += QByteArray(400 - body.size() - 4, 'x') + "\"}]}";
    request.body = body;
    return request;
}

RequestRecord finished(const QString &id, const QString &model, qint64 input, qint64 output)
{
    RequestRecord record;
    record.id = id;
    record.tokenName = QStringLiteral("editor");
    record.requestedModel = model;
    record.provider = model == QLatin1String("local") ? QStringLiteral("local") : QStringLiteral("paid");
    record.upstreamModel
        = model == QLatin1String("priced") ? QStringLiteral("priced-model") : model + QStringLiteral("-model");
    record.httpStatus = 200;
    record.inputTokens = input;
    record.outputTokens = output;
    return record;
}

} // namespace

class AdmissionTest : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<ManualClock> m_clock;
    std::unique_ptr<Admission> m_admission;

private slots:
    void init()
    {
        const Result<Config> config = ConfigLoader::loadString(Yaml, QStringLiteral("test.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        m_clock = std::make_shared<ManualClock>();
        m_clock->setUtcNow(QDateTime(QDate(2026, 3, 10), QTime(23, 0), Qt::UTC));
        m_admission = std::make_unique<Admission>(config.value(), m_clock);
        m_admission->setPriceCatalog(std::make_shared<const PriceCatalog>());
    }

    // docs/costs.md, "Reservations": 100 input tokens × $2/M + 1000 output tokens × $8/M = $0.0082.
    void reservesTheUpperBoundAndSettlesTheRealCost()
    {
        QVERIFY(m_admission->admit(QStringLiteral("a"), QStringLiteral("editor"), request(QStringLiteral("priced")))
                    .admitted);
        QCOMPARE(m_admission->ledger().reserved(0), 0.0082);
        // max_tokens lowers the bound: 100 × $2/M + 200 × $8/M = $0.0018.
        QVERIFY(m_admission
                    ->admit(QStringLiteral("b"), QStringLiteral("editor"),
                            request(QStringLiteral("priced"), ",\"max_tokens\":200"))
                    .admitted);
        QCOMPARE(m_admission->ledger().reserved(0), 0.0082 + 0.0018);

        RequestRecord a = finished(QStringLiteral("a"), QStringLiteral("priced"), 1000, 500); // $0.002 + $0.004
        QVERIFY(m_admission->settle(a).isEmpty());
        QCOMPARE(a.costUsd, 0.006);
        QCOMPARE(m_admission->ledger().spent(0, m_clock->utcNow()), 0.006);
        QCOMPARE(m_admission->ledger().reserved(0), 0.0018);
    }

    void hardLimitRefusesUntilTheNextUtcDay()
    {
        RequestRecord big = finished(QStringLiteral("big"), QStringLiteral("priced"), 1000, 2500); // $0.022
        QVERIFY(m_admission->admit(big.id, big.tokenName, request(QStringLiteral("priced"))).admitted);
        m_admission->settle(big);
        const Admission::Decision refused
            = m_admission->admit(QStringLiteral("next"), QStringLiteral("editor"), request(QStringLiteral("priced")));
        QVERIFY(!refused.admitted);
        QCOMPARE(refused.error.status, 402);
        QCOMPARE(refused.error.code, QStringLiteral("budget_exceeded"));
        QVERIFY2(refused.error.message.contains(QLatin1String("the daily budget overall ($0.02) is used up ($0.022 "
                                                              "spent")),
                 qPrintable(refused.error.message));
        QVERIFY(refused.error.message.contains(QLatin1String("resets at 2026-03-11 00:00 UTC")));

        m_clock->advance(60 * 60 * 1000); // midnight UTC
        QVERIFY(
            m_admission->admit(QStringLiteral("tomorrow"), QStringLiteral("editor"), request(QStringLiteral("priced")))
                .admitted);
    }

    void freeAndUnpricedModelsAreNotBlocked()
    {
        RequestRecord big = finished(QStringLiteral("big"), QStringLiteral("priced"), 1000, 2500);
        QVERIFY(m_admission->admit(big.id, big.tokenName, request(QStringLiteral("priced"))).admitted);
        m_admission->settle(big);
        QVERIFY(!m_admission->admit(QStringLiteral("p"), QStringLiteral("editor"), request(QStringLiteral("priced")))
                     .admitted);
        // A free provider is never blocked by a spend budget and books nothing.
        RequestRecord local = finished(QStringLiteral("l"), QStringLiteral("local"), 5000, 5000);
        QVERIFY(m_admission->admit(local.id, local.tokenName, request(QStringLiteral("local"))).admitted);
        m_admission->settle(local);
        QCOMPARE(local.costStatus, QString::fromLatin1(CostStatus::Free));
        QCOMPARE(m_admission->ledger().spent(0, m_clock->utcNow()), 0.022);

        // An unpriced model is admitted while room is left, and its cost is unknown, so nothing is booked.
        m_clock->advance(60 * 60 * 1000);
        RequestRecord mystery = finished(QStringLiteral("m"), QStringLiteral("mystery"), 1000, 1000);
        QVERIFY(m_admission->admit(mystery.id, mystery.tokenName, request(QStringLiteral("mystery"))).admitted);
        QCOMPARE(m_admission->ledger().reserved(0), 0.0);
        m_admission->settle(mystery);
        QCOMPARE(mystery.costStatus, QString::fromLatin1(CostStatus::Unpriced));
        QCOMPARE(m_admission->ledger().spent(0, m_clock->utcNow()), 0.0);
    }

    void aRequestRefusedByABudgetDoesNotUseTheRate()
    {
        StoredToken token;
        token.name = QStringLiteral("ci");
        token.rpm = 2;
        m_admission->setStoredTokens({token});
        RequestRecord big = finished(QStringLiteral("big"), QStringLiteral("priced"), 1000, 2500);
        big.tokenName = token.name;
        QVERIFY(m_admission->admit(big.id, big.tokenName, request(QStringLiteral("priced"))).admitted);
        m_admission->settle(big);
        QCOMPARE(m_admission->admit(QStringLiteral("2"), token.name, request(QStringLiteral("priced"))).error.status,
                 402);
        // The second request of the minute is still allowed: the refused one was not counted.
        QVERIFY(m_admission->admit(QStringLiteral("3"), token.name, request(QStringLiteral("local"))).admitted);
        QCOMPARE(m_admission->admit(QStringLiteral("4"), token.name, request(QStringLiteral("local"))).error.status,
                 429);
    }

    void tokenPoliciesComeFromTheDatabase()
    {
        StoredToken token;
        token.name = QStringLiteral("ci");
        token.models = {QStringLiteral("local")};
        token.rpm = 1;
        m_admission->setStoredTokens({token});
        const Admission::Decision forbidden
            = m_admission->admit(QStringLiteral("1"), QStringLiteral("ci"), request(QStringLiteral("priced")));
        QCOMPARE(forbidden.error.status, 403);
        QVERIFY(forbidden.error.message.contains(QLatin1String("Gateway token 'ci' may not use model 'priced'")));
        QVERIFY(
            m_admission->admit(QStringLiteral("2"), QStringLiteral("ci"), request(QStringLiteral("local"))).admitted);
        const Admission::Decision limited
            = m_admission->admit(QStringLiteral("3"), QStringLiteral("ci"), request(QStringLiteral("local")));
        QCOMPARE(limited.error.status, 429);
        QCOMPARE(limited.retryAfterS, 60);
        m_clock->advance(60'000);
        QVERIFY(
            m_admission->admit(QStringLiteral("4"), QStringLiteral("ci"), request(QStringLiteral("local"))).admitted);
    }
};

QTEST_GUILESS_MAIN(AdmissionTest)
#include "tst_admission.moc"
