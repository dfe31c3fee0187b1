// Measures what a budgeted request's admission and settlement cost on the gateway thread: with the request log in
// SQLite (budgets in the gateway's memory) and, in the same run, with the log in PostgreSQL (budgets and RPM shared
// by every gateway on the database: one round trip to reserve, one to settle, one for the rate window). Optionally
// several gateways at once (threads, each with its own connection) on the same budget and token, as behind a load
// balancer. Prints medians, 99th percentiles and the ratio; asserts nothing.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

#include "../BenchPostgres.h"
#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "gateway/Admission.h"
#include "gateway/ProxyExchange.h"
#include "store/PostgresConnection.h"
#include "store/SharedLimits.h"
#include "store/StoreConnection.h"

using namespace sluice;

namespace {

const QByteArray Yaml = "providers:\n"
                        "  - {name: paid, type: openai, base_url: 'https://api.example.com/v1'}\n"
                        "models:\n"
                        "  - {name: priced, provider: paid, upstream_model: priced-model}\n"
                        "prices:\n"
                        "  overrides:\n"
                        "    - {model: priced-model, input_mtok: 2, output_mtok: 8}\n"
                        "tokens:\n"
                        "  - {name: bench, secret: 'env:SLUICE_BENCH_TOKEN', rpm: 1000000}\n"
                        "budgets:\n"
                        "  limits:\n"
                        "    - {period: daily, usd: 1000000000}\n"
                        "    - {token: bench, period: monthly, usd: 1000000000}\n";

struct Timings
{
    std::vector<double> us; // admit + settle of each request
    int refused = 0;
};

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values.at(std::min(values.size() - 1, size_t(p * double(values.size()))));
}

// One gateway's admission: requests admitted and settled one after another, timed.
Timings run(const Config &config, const PostgresSettings *shared, int requests)
{
    Admission admission(config);
    admission.setPriceCatalog(std::make_shared<const PriceCatalog>());
    if (shared)
        admission.setSharedLimits(std::make_unique<SharedLimits>(*shared));
    ClientRequest request;
    request.model = QStringLiteral("priced");
    request.body = QByteArrayLiteral("{\"model\":\"priced\",\"max_tokens\":300,\"messages\":[{\"role\":\"user\","
                                     "\"content\":\"Say hello in one sentence.\"}]}");
    Timings timings;
    timings.us.reserve(size_t(requests));
    QElapsedTimer timer;
    for (int i = 0; i < requests; ++i) {
        const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        timer.start();
        const Admission::Decision decision = admission.admit(id, QStringLiteral("bench"), request);
        RequestRecord record;
        record.id = id;
        record.tokenName = QStringLiteral("bench");
        record.requestedModel = request.model;
        record.provider = QStringLiteral("paid");
        record.upstreamModel = QStringLiteral("priced-model");
        record.httpStatus = 200;
        record.inputTokens = 30;
        record.outputTokens = 20;
        if (decision.admitted)
            admission.settle(record);
        else
            ++timings.refused;
        timings.us.push_back(double(timer.nsecsElapsed()) / 1000.0);
    }
    return timings;
}

// gateways threads at once (one when 1), all timings together.
Timings runConcurrently(const Config &config, const PostgresSettings *shared, int requests, int gateways)
{
    if (gateways <= 1)
        return run(config, shared, requests);
    std::vector<Timings> each(static_cast<size_t>(gateways));
    std::vector<std::unique_ptr<QThread>> threads;
    for (int g = 0; g < gateways; ++g) {
        threads.emplace_back(QThread::create([&, g] { each[size_t(g)] = run(config, shared, requests / gateways); }));
        threads.back()->start();
    }
    Timings all;
    for (int g = 0; g < gateways; ++g) {
        threads.at(size_t(g))->wait();
        all.us.insert(all.us.end(), each.at(size_t(g)).us.cbegin(), each.at(size_t(g)).us.cend());
        all.refused += each.at(size_t(g)).refused;
    }
    return all;
}

void print(const char *label, const Timings &timings)
{
    std::printf("%-44s p50 %9.1f µs   p99 %9.1f µs   (%zu requests, %d refused)\n", label, percentile(timings.us, 0.5),
                percentile(timings.us, 0.99), timings.us.size(), timings.refused);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "What a budgeted request's admission and settlement cost: budgets in memory (SQLite store) against budgets "
        "shared in PostgreSQL."));
    parser.addHelpOption();
    const QCommandLineOption requestsOption(QStringLiteral("requests"), QStringLiteral("Requests per run."),
                                            QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption gatewaysOption(QStringLiteral("gateways"),
                                            QStringLiteral("Also run N gateways at once on the same budget and token."),
                                            QStringLiteral("N"), QStringLiteral("4"));
    const QCommandLineOption postgresOption(
        QStringLiteral("postgresql"),
        QStringLiteral("The PostgreSQL database (postgresql://USER@HOST:PORT/DB, password from PGPASSWORD; set up by "
                       "this tool); without it only the in-memory runs are made."),
        QStringLiteral("URL"));
    parser.addOptions({requestsOption, gatewaysOption, postgresOption});
    parser.process(app);
    const int requests = std::max(1, parser.value(requestsOption).toInt());
    const int gateways = std::clamp(parser.value(gatewaysOption).toInt(), 1, 64);

    const Result<Config> config = ConfigLoader::loadString(Yaml, QStringLiteral("bench.yaml"));
    if (!config) {
        std::fprintf(stderr, "%s\n", qPrintable(config.errorMessage()));
        return 1;
    }
    std::printf("%d requests per run, each under two budgets and an RPM limit; %d CPU cores\n", requests,
                QThread::idealThreadCount());
    const Timings memory = run(*config, nullptr, requests);
    print("in memory (SQLite store), 1 gateway", memory);
    if (!parser.isSet(postgresOption))
        return 0;

    const PostgresSettings settings = bench::postgresSettingsFromUrl(parser.value(postgresOption));
    {
        StoreConnection setup; // brings the schema up to date, as a gateway's start does
        if (const Result<void> opened = setup.open(StoreLocation::postgres(settings), QStringLiteral("bench-setup"),
                                                   StoreConnection::Mode::ReadWrite);
            !opened) {
            std::fprintf(stderr, "%s\n", qPrintable(opened.errorMessage()));
            return 1;
        }
    }
    {
        // The round trip itself, for scale: what the machine's scheduling and the network cost.
        PostgresConnection connection;
        if (connection.open(settings, QStringLiteral("bench-ping"), PostgresConnection::Mode::ReadOnly)) {
            Timings ping;
            QElapsedTimer timer;
            QSqlQuery query(connection.database());
            for (int i = 0; i < requests; ++i) {
                timer.start();
                query.exec(QStringLiteral("SELECT 1"));
                ping.us.push_back(double(timer.nsecsElapsed()) / 1000.0);
            }
            query = QSqlQuery();
            print("one round trip (SELECT 1), for scale", ping);
        }
    }
    const Timings shared = run(*config, &settings, requests);
    print("shared in PostgreSQL, 1 gateway", shared);
    std::printf("%-44s p50 ×%.0f   (+%.1f µs per request)\n", "PostgreSQL against memory",
                percentile(shared.us, 0.5) / std::max(0.001, percentile(memory.us, 0.5)),
                percentile(shared.us, 0.5) - percentile(memory.us, 0.5));
    if (gateways > 1) {
        const Timings together = runConcurrently(*config, &settings, requests, gateways);
        const QByteArray label = "shared in PostgreSQL, " + QByteArray::number(gateways) + " gateways at once";
        print(label.constData(), together);
    }
    return 0;
}
