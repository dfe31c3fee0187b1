// The budgets and rate windows several gateways share in one PostgreSQL store (core/store/SharedLimits, docs/team.md),
// against a throw-away cluster: many reservers, each a thread with its own connection as each gateway has, racing
// near a limit must never be admitted past it by more than one reservation.
#include <atomic>
#include <memory>
#include <vector>

#include <QElapsedTimer>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include "StoreTestSupport.h"
#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "gateway/Admission.h"
#include "gateway/ProxyExchange.h"
#include "store/PostgresConnection.h"
#include "store/RequestLogWriter.h"
#include "store/SharedLimits.h"
#include "store/StoreConnection.h"
#include "support/PostgresCluster.h"

using namespace sluice;
using namespace sluice::test;

namespace {

// 2026-03-02 00:00 UTC, the start of the periods these tests book into.
constexpr qint64 PeriodStartMs = 1772409600000;

SharedLimits::Budget budget(const QString &key, double limitUsd, const QString &scope = QStringLiteral("token"),
                            const QString &name = QStringLiteral("alice"), qint64 startMs = PeriodStartMs)
{
    return SharedLimits::Budget {key, startMs, limitUsd, scope, name};
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

bool admitted(const QList<SharedLimits::BudgetState> &states)
{
    return !states.isEmpty()
        && std::all_of(states.cbegin(), states.cend(), [](const SharedLimits::BudgetState &s) { return s.room; });
}

// A paid model under a daily budget of $0.01 (soft at half), an unbudgeted one, and a token with an RPM of 3.
const QByteArray AdmissionYaml = "providers:\n"
                                 "  - {name: paid, type: openai, base_url: 'https://api.example.com/v1'}\n"
                                 "models:\n"
                                 "  - {name: priced, provider: paid, upstream_model: priced-model}\n"
                                 "  - {name: other, provider: paid, upstream_model: other-model}\n"
                                 "prices:\n"
                                 "  overrides:\n"
                                 "    - {model: priced-model, input_mtok: 2, output_mtok: 8}\n"
                                 "tokens:\n"
                                 "  - {name: editor, secret: 'env:SLUICE_TEST_EDITOR_TOKEN', rpm: 3}\n"
                                 "budgets:\n"
                                 "  default_max_tokens: 100\n"
                                 "  soft_threshold: 0.5\n"
                                 "  limits:\n"
                                 "    - {model: priced, period: daily, usd: 0.01}\n";

ClientRequest chat(const QString &model)
{
    ClientRequest request;
    request.model = model;
    request.body = "{\"model\":\"" + model.toUtf8() + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    return request;
}

RequestRecord finished(const QString &id, const QString &model, qint64 input, qint64 output)
{
    RequestRecord record;
    record.id = id;
    record.tokenName = QStringLiteral("editor");
    record.requestedModel = model;
    record.provider = QStringLiteral("paid");
    record.upstreamModel = model + QStringLiteral("-model");
    record.httpStatus = 200;
    record.inputTokens = input;
    record.outputTokens = output;
    return record;
}

} // namespace

class TestSharedLimits : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<PostgresCluster> m_cluster;
    QTemporaryDir m_dir;
    int m_databases = 0;

    PostgresSettings settings(const QString &database) const
    {
        PostgresSettings settings;
        settings.host = m_cluster->host();
        settings.port = m_cluster->port();
        settings.user = m_cluster->user();
        settings.password = m_cluster->password();
        settings.database = database;
        settings.tlsMode = QStringLiteral("disable");
        return settings;
    }

    // A new database with the store's schema, as a gateway's start leaves it.
    PostgresSettings newStore()
    {
        const QString name = QStringLiteral("limits%1").arg(++m_databases);
        QString error;
        if (!m_cluster->createDatabase(name, &error))
            qWarning().noquote() << error;
        StoreConnection connection;
        const Result<void> opened = connection.open(StoreLocation::postgres(settings(name)),
                                                    QStringLiteral("limits-setup"), StoreConnection::Mode::ReadWrite);
        if (!opened)
            qWarning().noquote() << opened.errorMessage();
        return settings(name);
    }

    static QVariantList row(const PostgresSettings &store, const QString &sql)
    {
        PostgresConnection connection;
        if (!connection.open(store, QStringLiteral("limits-check"), PostgresConnection::Mode::ReadOnly))
            return {};
        QSqlQuery query(connection.database());
        QVariantList values;
        if (query.exec(sql) && query.next()) {
            for (int i = 0; i < query.record().count(); ++i)
                values.append(query.value(i));
        }
        return values;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString missing = PostgresCluster::missing();
        if (!missing.isEmpty()) {
            if (PostgresCluster::required())
                QFAIL(qPrintable(QStringLiteral("PostgreSQL is required (SLUICE_REQUIRE_POSTGRES): ") + missing));
            QSKIP(qPrintable(missing));
        }
        m_cluster = std::make_unique<PostgresCluster>();
        QString error;
        QVERIFY2(m_cluster->start(&error), qPrintable(QStringLiteral("the test cluster did not start: ") + error));
    }

    // Eight reservers (eight connections, as eight gateways) race for one token's daily budget of $10.10 with
    // $0.25 each, every request also under an overall budget. A request is admitted while spend + reservations
    // are below the limit, so exactly 41 are (0.25 * 40 = 10.00 < 10.10), whatever the interleaving: the spend
    // ends at $10.25, one reservation past the limit, never more.
    void concurrentReserversStopAtTheLimit()
    {
        const PostgresSettings store = newStore();
        constexpr int Reservers = 8;
        constexpr int AttemptsEach = 30;
        constexpr double Limit = 10.1;
        constexpr double Reservation = 0.25;
        // Given in the opposite order to the one the store locks in, on purpose.
        const QList<SharedLimits::Budget> budgets
            = {budget(QStringLiteral("token/daily/alice"), Limit),
               budget(QStringLiteral("overall/daily/"), 1000, QStringLiteral("overall"), QString())};
        std::atomic<int> admittedCount = 0;
        std::atomic<int> failures = 0;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < Reservers; ++t) {
            threads.emplace_back(QThread::create([&, t] {
                SharedLimits limits(store);
                for (int i = 0; i < AttemptsEach; ++i) {
                    const QString id = newId();
                    const Result<QList<SharedLimits::BudgetState>> states = limits.reserve(id, budgets, Reservation);
                    if (!states) {
                        ++failures;
                        continue;
                    }
                    if (!admitted(*states))
                        continue;
                    ++admittedCount;
                    if ((t + i) % 3)
                        QThread::usleep(500 * ((t * 7 + i) % 5)); // some requests stay in flight a while
                    if (!limits.settle(id, budgets, Reservation))
                        ++failures;
                }
            }));
            threads.back()->start();
        }
        for (auto &thread : threads)
            QVERIFY(thread->wait(120000));
        QCOMPARE(failures.load(), 0);
        QCOMPARE(admittedCount.load(), 41);
        const QVariantList alice = row(store,
                                       QStringLiteral("SELECT spent_usd, reserved_usd, (SELECT COUNT(*) FROM "
                                                      "budget_reservations), limit_usd FROM budget_periods WHERE "
                                                      "budget_key = 'token/daily/alice'"));
        QCOMPARE(alice.value(0).toDouble(), 41 * Reservation);
        QVERIFY(alice.value(0).toDouble() <= Limit + Reservation);
        QCOMPARE(alice.value(1).toDouble(), 0.0);
        QCOMPARE(alice.value(2).toLongLong(), 0);
        // A refused request reserved nothing against the overall budget either.
        QCOMPARE(row(store, QStringLiteral("SELECT spent_usd FROM budget_periods WHERE budget_key = 'overall/daily/'"))
                     .value(0)
                     .toDouble(),
                 41 * Reservation);
    }

    // Costs below their reservation: the settlement releases the whole reservation and books the real cost, once.
    void settlementBooksTheCostAndReleasesOnce()
    {
        const PostgresSettings store = newStore();
        SharedLimits limits(store);
        const QList<SharedLimits::Budget> budgets = {budget(QStringLiteral("token/daily/alice"), 1.0)};
        const QString id = newId();
        const auto states = limits.reserve(id, budgets, 0.75);
        QVERIFY2(states, qPrintable(states.errorMessage()));
        QVERIFY(admitted(*states));
        QCOMPARE(states->value(0).spentUsd, 0.0);
        // 0.75 reserved: the next one is admitted (0.75 < 1), the one after refused with what is reserved.
        const QString second = newId();
        QVERIFY(admitted(*limits.reserve(second, budgets, 0.75)));
        const auto refused = limits.reserve(newId(), budgets, 0.75);
        QVERIFY(refused);
        QVERIFY(!admitted(*refused));
        QCOMPARE(refused->value(0).reservedUsd, 1.5);
        const auto booked = limits.settle(id, budgets, 0.125);
        QVERIFY(booked);
        QCOMPARE(booked->size(), 1);
        QCOMPARE(booked->value(0).spentBeforeUsd, 0.0);
        QCOMPARE(booked->value(0).spentAfterUsd, 0.125);
        // Settling the same request again releases nothing more.
        QVERIFY(limits.settle(id, budgets, 0));
        const QVariantList state
            = row(store,
                  QStringLiteral(
                      "SELECT spent_usd, reserved_usd FROM budget_periods WHERE budget_key = 'token/daily/alice'"));
        QCOMPARE(state.value(0).toDouble(), 0.125);
        QCOMPARE(state.value(1).toDouble(), 0.75);
        // A failed request (no cost) only releases.
        QVERIFY(limits.settle(second, budgets, -1));
        QCOMPARE(row(store, QStringLiteral("SELECT reserved_usd FROM budget_periods")).value(0).toDouble(), 0.0);
    }

    // A budget new in this period starts from the spend the shared log already holds for it.
    void aNewPeriodStartsFromTheLoggedSpend()
    {
        const PostgresSettings store = newStore();
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(StoreLocation::postgres(store, m_dir.filePath(QStringLiteral("seed.journal")))));
            RequestRecord record = makeRecord(1, QDateTime::fromMSecsSinceEpoch(PeriodStartMs + 60000, Qt::UTC));
            record.tokenName = QStringLiteral("seeded");
            record.costUsd = 3.0;
            writer.append(std::move(record));
            RequestRecord before = makeRecord(2, QDateTime::fromMSecsSinceEpoch(PeriodStartMs - 60000, Qt::UTC));
            before.tokenName = QStringLiteral("seeded");
            before.costUsd = 50.0; // the day before: not this period's
            writer.append(std::move(before));
            writer.flush();
            QCOMPARE(writer.writtenCount(), qint64(2));
        }
        SharedLimits limits(store);
        const QList<SharedLimits::Budget> budgets
            = {budget(QStringLiteral("token/daily/seeded"), 3.1, QStringLiteral("token"), QStringLiteral("seeded"))};
        const auto first = limits.reserve(newId(), budgets, 0.25);
        QVERIFY(first);
        QCOMPARE(first->value(0).spentUsd, 3.0);
        QVERIFY(admitted(*first));
        QVERIFY(!admitted(*limits.reserve(newId(), budgets, 0.25)));
    }

    // A gateway that dies keeps its reservations only until their lease runs out; a living one renews its own.
    void reservationsOfADeadGatewayExpire()
    {
        const PostgresSettings store = newStore();
        const QList<SharedLimits::Budget> budgets = {budget(QStringLiteral("token/daily/alice"), 1.0)};
        auto dead = std::make_unique<SharedLimits>(store);
        dead->setLeaseMs(400);
        for (int i = 0; i < 4; ++i)
            QVERIFY(admitted(*dead->reserve(newId(), budgets, 0.25)));
        dead.reset(); // gone without settling
        SharedLimits living(store);
        living.setLeaseMs(400);
        QVERIFY(!admitted(*living.reserve(newId(), budgets, 0.25)));
        QTest::qWait(600);
        const QString kept = newId();
        const auto after = living.reserve(kept, budgets, 0.25);
        QVERIFY(after);
        QVERIFY(admitted(*after));
        QCOMPARE(after->value(0).reservedUsd, 0.0);
        // The living gateway's reservation outlives its lease because it renews it.
        for (int i = 0; i < 6; ++i) {
            QTest::qWait(150);
            living.maintain();
        }
        SharedLimits other(store);
        const auto still = other.reserve(newId(), budgets, 0.25);
        QVERIFY(still);
        QCOMPARE(still->value(0).reservedUsd, 0.25);
    }

    // Six connections admit requests of one token with an RPM of 25: exactly 25 pass in the minute.
    void sharedRpmIsExactAcrossConnections()
    {
        const PostgresSettings store = newStore();
        constexpr int Threads = 6;
        constexpr int Rpm = 25;
        std::atomic<int> passed = 0;
        std::atomic<int> badRetry = 0;
        std::atomic<int> failures = 0;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < Threads; ++t) {
            threads.emplace_back(QThread::create([&] {
                SharedLimits limits(store);
                for (int i = 0; i < 10; ++i) {
                    const auto decision = limits.admitRate(QStringLiteral("ci"), Rpm, 0, 60000);
                    if (!decision)
                        ++failures;
                    else if (decision->admitted)
                        ++passed;
                    else if (decision->retryAfterMs <= 0 || decision->retryAfterMs > 60000)
                        ++badRetry;
                }
            }));
            threads.back()->start();
        }
        for (auto &thread : threads)
            QVERIFY(thread->wait(60000));
        QCOMPARE(failures.load(), 0);
        QCOMPARE(passed.load(), Rpm);
        QCOMPARE(badRetry.load(), 0);
        // A request counted and then refused by another check is taken back.
        SharedLimits limits(store);
        const auto other = limits.admitRate(QStringLiteral("other"), 1, 0, 60000);
        QVERIFY(other && other->admitted && other->event > 0);
        QVERIFY(!limits.admitRate(QStringLiteral("other"), 1, 0, 60000)->admitted);
        QVERIFY(limits.uncount(other->event));
        QVERIFY(limits.admitRate(QStringLiteral("other"), 1, 0, 60000)->admitted);
    }

    // TPM counts the tokens of completed requests from every connection.
    void sharedTpmCountsEveryGatewaysTokens()
    {
        const PostgresSettings store = newStore();
        SharedLimits first(store);
        SharedLimits second(store);
        QVERIFY(first.admitRate(QStringLiteral("t"), 0, 1000, 60000)->admitted);
        QVERIFY(first.recordTokens(QStringLiteral("t"), 600, 60000));
        QVERIFY(second.admitRate(QStringLiteral("t"), 0, 1000, 60000)->admitted);
        QVERIFY(second.recordTokens(QStringLiteral("t"), 500, 60000));
        const auto refused = first.admitRate(QStringLiteral("t"), 0, 1000, 60000);
        QVERIFY(refused);
        QVERIFY(!refused->admitted);
        QCOMPARE(refused->tokens, 1100);
        QVERIFY(refused->retryAfterMs > 0 && refused->retryAfterMs <= 60000);
    }

    // A store that does not answer costs one bounded try, then nothing until the backoff ends.
    void anUnreachableStoreFailsFast()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close(); // a port nothing listens on
        PostgresSettings nowhere = settings(QStringLiteral("nowhere"));
        nowhere.port = port;
        SharedLimits limits(nowhere);
        const QList<SharedLimits::Budget> budgets = {budget(QStringLiteral("token/daily/alice"), 1.0)};
        QElapsedTimer timer;
        timer.start();
        const auto first = limits.reserve(newId(), budgets, 0.25);
        QVERIFY(!first);
        QVERIFY2(first.errorMessage().contains(QStringLiteral("127.0.0.1")), qPrintable(first.errorMessage()));
        QVERIFY(!first.errorMessage().contains(nowhere.password));
        QVERIFY(timer.elapsed() < SharedLimits::ConnectTimeoutS * 1000 + 1000);
        timer.restart();
        QVERIFY(!limits.reserve(newId(), budgets, 0.25));
        QVERIFY(!limits.settle(newId(), budgets, 0.1));
        QVERIFY(timer.elapsed() < 50);
        QCOMPARE(limits.pendingSettlements(), 1);
    }

    // The gateway's admission on a shared store: two gateways' admissions (two connections) share the budget and
    // the token's RPM; the soft threshold's message goes out once, from the settlement that crossed it.
    void admissionsShareBudgetsAndRates()
    {
        const PostgresSettings store = newStore();
        const Result<Config> config = ConfigLoader::loadString(AdmissionYaml, QStringLiteral("test.yaml"));
        QVERIFY2(config, qPrintable(config.errorMessage()));
        Admission gateways[2] = {Admission(*config), Admission(*config)};
        for (Admission &admission : gateways) {
            admission.setPriceCatalog(std::make_shared<const PriceCatalog>());
            admission.setSharedLimits(std::make_unique<SharedLimits>(store));
        }
        // Each reserves 14 input + 100 output tokens: $0.000828; each costs $0.004 (500 output tokens).
        QVERIFY(
            gateways[0].admit(QStringLiteral("r1"), QStringLiteral("editor"), chat(QStringLiteral("priced"))).admitted);
        QVERIFY(
            gateways[1].admit(QStringLiteral("r2"), QStringLiteral("editor"), chat(QStringLiteral("priced"))).admitted);
        RequestRecord first = finished(QStringLiteral("r1"), QStringLiteral("priced"), 0, 500);
        QVERIFY(gateways[0].settle(first).isEmpty());
        RequestRecord second = finished(QStringLiteral("r2"), QStringLiteral("priced"), 0, 500);
        const QStringList crossed = gateways[1].settle(second);
        QCOMPARE(crossed.size(), 1);
        QVERIFY2(crossed.value(0).contains(QLatin1String("of the daily budget of model 'priced' ($0.01) is spent")),
                 qPrintable(crossed.value(0)));
        // $0.008 spent: the third request is admitted (below the limit), the token's RPM of 3 is then used up on
        // both gateways together.
        const Admission::Decision warned
            = gateways[0].admit(QStringLiteral("r3"), QStringLiteral("editor"), chat(QStringLiteral("priced")));
        QVERIFY(warned.admitted);
        // Past the soft threshold: the answer carries the warning (x-sluice-budget-warning).
        QCOMPARE(warned.warnings.size(), 1);
        QVERIFY2(warned.warnings.value(0).contains(QLatin1String("$0.008 spent")),
                 qPrintable(warned.warnings.value(0)));
        const Admission::Decision rate
            = gateways[1].admit(QStringLiteral("r4"), QStringLiteral("editor"), chat(QStringLiteral("other")));
        QVERIFY(!rate.admitted);
        QCOMPARE(rate.error.status, 429);
        QVERIFY(rate.retryAfterS >= 1 && rate.retryAfterS <= 60);
        RequestRecord third = finished(QStringLiteral("r3"), QStringLiteral("priced"), 0, 500);
        QVERIFY(gateways[0].settle(third).isEmpty());
        const QVariantList state = row(store, QStringLiteral("SELECT spent_usd, reserved_usd FROM budget_periods"));
        QCOMPARE(state.value(0).toDouble(), 0.012);
        QCOMPARE(state.value(1).toDouble(), 0.0);
    }

    // When the database does not answer, a request under a budget is refused with 503 (the limit cannot be
    // checked), one under none is served, and the token's RPM falls back to this gateway's own window.
    void anUnreachableStoreFailsBudgetsClosedAndRatesLocal()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        PostgresSettings nowhere = settings(QStringLiteral("nowhere"));
        nowhere.port = probe.serverPort();
        probe.close();
        const Result<Config> config = ConfigLoader::loadString(AdmissionYaml, QStringLiteral("test.yaml"));
        QVERIFY2(config, qPrintable(config.errorMessage()));
        Admission admission(*config);
        admission.setPriceCatalog(std::make_shared<const PriceCatalog>());
        admission.setSharedLimits(std::make_unique<SharedLimits>(nowhere));
        const Admission::Decision budgeted
            = admission.admit(QStringLiteral("a"), QStringLiteral("editor"), chat(QStringLiteral("priced")));
        QVERIFY(!budgeted.admitted);
        QCOMPARE(budgeted.error.status, 503);
        QCOMPARE(budgeted.error.code, QStringLiteral("budget_store_unavailable"));
        QVERIFY2(budgeted.error.message.contains(QLatin1String("cannot be reached")),
                 qPrintable(budgeted.error.message));
        // Where the database is stays in the gateway's log, never in an answer to a client.
        QVERIFY2(!budgeted.error.message.contains(QString::number(nowhere.port))
                     && !budgeted.error.message.contains(nowhere.describe()),
                 qPrintable(budgeted.error.message));
        QVERIFY(budgeted.retryAfterS > 0);
        for (int i = 0; i < 3; ++i) {
            QVERIFY(
                admission.admit(QStringLiteral("o%1").arg(i), QStringLiteral("editor"), chat(QStringLiteral("other")))
                    .admitted);
        }
        const Admission::Decision limited
            = admission.admit(QStringLiteral("o4"), QStringLiteral("editor"), chat(QStringLiteral("other")));
        QVERIFY(!limited.admitted);
        QCOMPARE(limited.error.status, 429);
    }

    void cleanupTestCase()
    {
        if (!m_cluster)
            return;
        QString error;
        QVERIFY2(m_cluster->stop(&error), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestSharedLimits)
#include "tst_sharedlimits.moc"
