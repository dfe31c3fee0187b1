// Measures the Spend page's queries (and `sluice spend --by`'s) over a generated request log: a month of an
// individual developer's traffic with clients, tags and projects, written through the request log writer (so the
// rollups are built as in use). Prints the median and the slowest of each query over the repeats. With --postgresql
// the same log goes into a throw-away PostgreSQL cluster (tests/support/PostgresCluster) and the same queries run
// there, as a team's window and `sluice spend --config` run them.

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

#include "../BenchPostgres.h"
#include "cost/SpendBreakdown.h"
#include "cost/WhatIfCost.h"
#include "store/RecordColumns.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"
#include "store/SqliteConnection.h"
#include "store/StoreConnection.h"
#include "store/WhatIfRollup.h"
#ifdef SLUICE_BENCH_POSTGRES_CLUSTER
#include "support/PostgresCluster.h"
#endif

using namespace sluice;

namespace {

constexpr qint64 HourMs = 3600000;
constexpr qint64 DayMs = 24 * HourMs;

struct Model
{
    const char *name;
    const char *provider;
    double inputPerMtok; // < 0: unpriced
    double outputPerMtok;
};

constexpr Model Models[] = {
    {"claude-sonnet-4-5", "anthropic", 3, 15},
    {"claude-haiku-4-5", "anthropic", 1, 5},
    {"gpt-4.1", "openai", 2, 8},
    {"gpt-4.1-mini", "openai", 0.4, 1.6},
    {"gpt-5-codex", "openai", 1.25, 10},
    {"gemini-2.5-pro", "gemini", 1.25, 10},
    {"gemini-2.5-flash", "gemini", 0.3, 2.5},
    {"deepseek-chat", "deepseek", 0.27, 1.1},
    {"llama3.1:8b", "ollama", 0, 0},
    {"my-finetune-v2", "openai", -1, -1},
};
const char *const Clients[] = {"Claude Code",
                               "Codex CLI",
                               "Gemini CLI",
                               "opencode",
                               "Cline",
                               "Continue",
                               "Aider",
                               "Zed",
                               "OpenAI SDK (Python)",
                               "Anthropic SDK (JavaScript)",
                               "curl",
                               ""};
const char *const Tokens[] = {"laptop", "desktop", "ci", "editor", "scripts"};
const char *const Projects[] = {"billing-service", "website", "data-pipeline", "mobile-app", "infra", "docs"};
const char *const Tags[] = {"refactor", "tests", "review", "nightly", "docs", "bugfix", "spike", "release"};

// The n-th of count requests: in time order as the gateway logs them, or (randomTimes) anywhere in the span.
RequestRecord generated(QRandomGenerator &random, qint64 startMs, qint64 spanMs, qint64 n, qint64 count,
                        bool randomTimes)
{
    RequestRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const double at = randomTimes ? random.generateDouble() : (double(n) + random.generateDouble()) / double(count);
    record.startedAt = QDateTime::fromMSecsSinceEpoch(startMs + qint64(at * double(spanMs)), Qt::UTC);
    const int client = random.bounded(int(std::size(Clients)));
    const Model &model = Models[(client + random.bounded(4)) % int(std::size(Models))];
    record.client = QLatin1String(Clients[client]);
    record.tokenName = QLatin1String(Tokens[client % int(std::size(Tokens))]);
    record.project = QLatin1String(Projects[random.bounded(int(std::size(Projects)))]);
    if (random.bounded(3) == 0)
        record.tags = {QLatin1String(Tags[random.bounded(int(std::size(Tags)))])};
    if (random.bounded(8) == 0)
        record.tags.append(QLatin1String(Tags[random.bounded(int(std::size(Tags)))]));
    record.tags.removeDuplicates();
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.requestedModel = QLatin1String(model.name);
    record.upstreamModel = record.requestedModel;
    record.provider = QLatin1String(model.provider);
    record.httpStatus = 200;
    record.latencyUs = 300000 + random.bounded(3000000);
    record.inputTokens = 500 + random.bounded(40000);
    record.cachedTokens = record.inputTokens / 2;
    record.outputTokens = 50 + random.bounded(3000);
    record.reasoningTokens = 0;
    if (model.inputPerMtok > 0 && random.bounded(30) == 0) {
        record.costStatus = QLatin1String(CostStatus::Cached);
        record.costUsd = 0;
        record.savedUsd = 0.01;
    } else if (model.inputPerMtok < 0) {
        record.costStatus = QLatin1String(CostStatus::Unpriced);
    } else if (model.inputPerMtok == 0) {
        record.costStatus = QLatin1String(CostStatus::Free);
        record.costUsd = 0;
    } else {
        record.costStatus = QLatin1String(CostStatus::Exact);
        record.costUsd = (record.inputTokens * model.inputPerMtok + record.outputTokens * model.outputPerMtok) / 1e6;
    }
    return record;
}

struct Timing
{
    double median = 0;
    double max = 0;
};

Timing measure(int repeats, const std::function<bool()> &query)
{
    QList<double> times;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer clock;
        clock.start();
        if (!query()) {
            std::fprintf(stderr, "query failed\n");
            return {-1, -1};
        }
        times.append(double(clock.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return {times.at(times.size() / 2), times.constLast()};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Times the Spend page's queries over a generated request log."));
    parser.addHelpOption();
    const QCommandLineOption recordsOption(QStringLiteral("records"), QStringLiteral("Requests to generate."),
                                           QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption repeatsOption(QStringLiteral("repeats"), QStringLiteral("Runs of each query."),
                                           QStringLiteral("N"), QStringLiteral("7"));
    const QCommandLineOption databaseOption(QStringLiteral("database"),
                                            QStringLiteral("Use (and keep) this log; generated when it has no rows."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption randomTimesOption(
        QStringLiteral("random-times"),
        QStringLiteral("Log the requests out of time order (every writer batch then spans the whole month)."));
    const QCommandLineOption postgresOption(
        QStringLiteral("postgresql"),
        QStringLiteral("Use a throw-away PostgreSQL cluster (initdb in a temporary folder) instead of SQLite."));
    const QCommandLineOption postgresUrlOption(
        QStringLiteral("postgresql-url"),
        QStringLiteral("Use (and keep) this PostgreSQL database (postgresql://USER@HOST:PORT/DB, password from "
                       "PGPASSWORD); generated when it has no rows."),
        QStringLiteral("url"));
    parser.addOptions(
        {recordsOption, repeatsOption, databaseOption, randomTimesOption, postgresOption, postgresUrlOption});
    parser.process(app);
    const qint64 records = parser.value(recordsOption).toLongLong();
    const int repeats = std::max(1, parser.value(repeatsOption).toInt());

    QTemporaryDir dir;
    StoreLocation store
        = parser.isSet(databaseOption) ? parser.value(databaseOption) : dir.filePath(QStringLiteral("sluice.db"));
#ifdef SLUICE_BENCH_POSTGRES_CLUSTER
    std::unique_ptr<test::PostgresCluster> cluster;
#endif
    if (parser.isSet(postgresOption)) {
#ifdef SLUICE_BENCH_POSTGRES_CLUSTER
        cluster = std::make_unique<test::PostgresCluster>();
        QString error;
        if (!cluster->start(&error) || !cluster->createDatabase(QStringLiteral("bench"), &error)) {
            std::fprintf(stderr, "the PostgreSQL cluster did not start: %s\n", qPrintable(error));
            return 1;
        }
        PostgresSettings settings;
        settings.host = cluster->host();
        settings.port = cluster->port();
        settings.user = cluster->user();
        settings.password = cluster->password();
        settings.database = QStringLiteral("bench");
        settings.tlsMode = QStringLiteral("disable");
        store = StoreLocation::postgres(settings);
#else
        std::fprintf(stderr, "built without the tests' PostgreSQL cluster: use --postgresql-url\n");
        return 1;
#endif
    } else if (parser.isSet(postgresUrlOption)) {
        store = StoreLocation::postgres(bench::postgresSettingsFromUrl(parser.value(postgresUrlOption)));
    }
    const QString path = store.isPostgres() ? store.describe() : store.sqlitePath();
    // The month the log covers; "now" is late on its 29th day (UTC).
    const QDateTime monthStart(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC);
    const QDateTime now = monthStart.addDays(28).addSecs(15 * 3600 + 20 * 60);
    bool generate = !store.isPostgres() && !QFileInfo::exists(path);
    if (store.isPostgres()) {
        RequestLogReader reader(store);
        const Result<qint64> rows = reader.count();
        generate = !rows || *rows == 0;
    }
    if (generate) {
        RequestLogWriter writer;
        if (Result<void> opened = writer.open(store); !opened) {
            std::fprintf(stderr, "%s\n", qPrintable(opened.errorMessage()));
            return 1;
        }
        QRandomGenerator random(7);
        QElapsedTimer clock;
        clock.start();
        const qint64 span = monthStart.msecsTo(now);
        for (qint64 n = 0; n < records; ++n) {
            writer.append(
                generated(random, monthStart.toMSecsSinceEpoch(), span, n, records, parser.isSet(randomTimesOption)));
            if (n % 20000 == 19999)
                writer.flush();
        }
        writer.flush();
        std::printf("generated %lld requests over %lld days in %lld ms: %.0f records/s through the writer\n",
                    qlonglong(records), qlonglong(span / DayMs), qlonglong(clock.elapsed()),
                    double(records) * 1000.0 / double(std::max<qint64>(1, clock.elapsed())));
    }
    double bytes = double(QFileInfo(path).size());
    if (store.isPostgres()) {
        StoreConnection connection;
        if (connection.open(store, QStringLiteral("bench-size"), StoreConnection::Mode::ReadOnly)) {
            QSqlQuery size(connection.database());
            if (size.exec(QStringLiteral("SELECT pg_database_size(current_database())")) && size.next())
                bytes = size.value(0).toDouble();
        }
        // Analysed, as autovacuum does some time after a load, so the planner knows the tables.
        StoreConnection analyse;
        if (analyse.open(store, QStringLiteral("bench-analyse"), StoreConnection::Mode::ReadWrite)) {
            QSqlQuery query(analyse.database());
            query.exec(QStringLiteral("ANALYZE"));
        }
    }
    std::printf("database %s: %.1f MB\n\n", qPrintable(QDir::toNativeSeparators(path)), bytes / 1e6);

    SpendBreakdown breakdown(store);
    if (Result<void> opened = breakdown.open(); !opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.errorMessage()));
        return 1;
    }
    const QDate today = now.date();
    const QDateTime todayStart(today, QTime(0, 0), Qt::UTC);
    const QDateTime tomorrow = todayStart.addDays(1);
    const QDateTime monthEnd = monthStart.addMonths(1);
    struct Period
    {
        const char *name;
        QDateTime from;
        QDateTime to;
        SpendDimension bucket;
    };
    const Period periods[] = {
        {"today", todayStart, tomorrow, SpendDimension::Hour},
        {"7 days", todayStart.addDays(-6), tomorrow, SpendDimension::Day},
        {"30 days", todayStart.addDays(-29), tomorrow, SpendDimension::Day},
        {"this month", monthStart, monthEnd, SpendDimension::Day},
        // Off the hour at both ends: the partial hours are read from the request rows.
        {"custom, off the hour", monthStart.addSecs(2 * 3600 + 17 * 60), now, SpendDimension::Day},
    };
    std::printf("%-22s %-34s %10s %10s\n", "period", "query", "median ms", "max ms");
    double slowest = 0;
    QString slowestName;
    const auto report = [&](const char *period, const QString &query, const Timing &timing) {
        std::printf("%-22s %-34s %10.1f %10.1f\n", period, qPrintable(query), timing.median, timing.max);
        if (timing.max > slowest || timing.max < 0) {
            slowest = timing.max < 0 ? 1e9 : timing.max;
            slowestName = QLatin1String(period) + QLatin1Char(' ') + query;
        }
    };
    for (const Period &period : periods) {
        report(period.name, QStringLiteral("total"),
               measure(repeats, [&] { return breakdown.total(period.from, period.to).ok(); }));
        const qint64 length = period.from.msecsTo(period.to);
        report(period.name, QStringLiteral("total, previous period"),
               measure(repeats, [&] { return breakdown.total(period.from.addMSecs(-length), period.from).ok(); }));
        for (const SpendDimension by : SpendBreakdown::all()) {
            if (SpendBreakdown::isTime(by)) {
                report(period.name, QStringLiteral("by ") + SpendBreakdown::nameOf(by),
                       measure(repeats, [&] { return breakdown.breakdown(by, period.from, period.to).ok(); }));
                continue;
            }
            report(period.name, QStringLiteral("breakdown by ") + SpendBreakdown::nameOf(by),
                   measure(repeats, [&] { return breakdown.breakdown(by, period.from, period.to).ok(); }));
            report(period.name, QStringLiteral("chart stacked by ") + SpendBreakdown::nameOf(by),
                   measure(repeats, [&] { return breakdown.series(period.bucket, by, period.from, period.to).ok(); }));
        }
    }
    // The budgets view: a month's spend of everything, a token, a provider and a client-facing model.
    const std::pair<BudgetLimit::Scope, const char *> budgets[] = {{BudgetLimit::Scope::Overall, ""},
                                                                   {BudgetLimit::Scope::Token, "ci"},
                                                                   {BudgetLimit::Scope::Provider, "anthropic"},
                                                                   {BudgetLimit::Scope::Model, "claude-sonnet-4-5"}};
    for (const auto &[scope, name] : budgets) {
        BudgetLimit limit;
        limit.scope = scope;
        limit.name = QLatin1String(name);
        report("this month",
               QStringLiteral("budget spend ") + (limit.name.isEmpty() ? QStringLiteral("overall") : limit.name),
               measure(repeats, [&] { return breakdown.budgetSpend(limit, monthStart, monthEnd).ok(); }));
    }
    std::printf("\nslowest: %s, %.1f ms (max of %d runs)\n", qPrintable(slowestName), slowest, repeats);

    // The what-if cost (`sluice compare --reprice`, the Spend page's What-if tab) on a model with long-context
    // tiers (as gemini-2.5-pro is priced): from the whatif_hourly_by rollup, and filtered by another dimension than
    // the grouping (read from the request rows).
    WhatIfTarget target;
    target.model = QStringLiteral("tiered-target");
    target.price.input = TieredPrice::flat(1.25);
    target.price.input.tiers = {{200000, 2.5}};
    target.price.cacheRead = TieredPrice::flat(0.31);
    target.price.output = TieredPrice::flat(10);
    target.price.output.tiers = {{200000, 15}};
    WhatIfCost whatIf(store);
    WhatIfFilter claudeCode;
    claudeCode.client = QStringLiteral("Claude Code");
    std::printf("\n%-22s %-34s %10s %10s\n", "period", "what-if query", "median ms", "max ms");
    slowest = 0;
    for (const Period &period : periods) {
        for (const WhatIfGrouping by : {WhatIfGrouping::Client, WhatIfGrouping::Model, WhatIfGrouping::Tag}) {
            report(period.name, QStringLiteral("what-if by ") + WhatIfCost::nameOf(by),
                   measure(repeats, [&] { return whatIf.compute(target, by, period.from, period.to).ok(); }));
        }
        report(period.name, QStringLiteral("what-if by model, one client"), measure(repeats, [&] {
                   return whatIf.compute(target, WhatIfGrouping::Model, period.from, period.to, claudeCode).ok();
               }));
    }
    std::printf("\nslowest what-if: %s, %.1f ms (max of %d runs)\n", qPrintable(slowestName), slowest, repeats);

    if (store.isPostgres())
        return 0; // the rollup costs below are SQLite's writer's; the PostgreSQL writer has its own bench (bench/store)
    // What the writer's two rollups cost per batch of the writer's size: each run over the same rows in a
    // transaction that is rolled back, so the log is left as it was.
    SqliteConnection connection;
    if (Result<void> opened = connection.open(path, QStringLiteral("rollup-cost"), SqliteConnection::Mode::ReadWrite);
        !opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.errorMessage()));
        return 1;
    }
    QSqlDatabase db = connection.database();
    constexpr qint64 Batch = 4096;
    constexpr int Batches = 25;
    for (const auto &[name, sql] :
         {std::pair {"spend_hourly (model, provider, token)", RecordColumns::rollUpSpendSql()},
          {"spend_hourly_by (7 dimensions)", RecordColumns::rollUpAttributionSql()},
          {"whatif_hourly_by (3 dimensions)", WhatIfRollup::rollUpSql()}}) {
        QSqlQuery rollUp(db);
        if (!rollUp.prepare(sql)) {
            std::fprintf(stderr, "%s\n", qPrintable(rollUp.lastError().text()));
            return 1;
        }
        qint64 nanoseconds = 0;
        for (int b = 0; b < Batches; ++b) {
            db.transaction();
            rollUp.bindValue(QStringLiteral(":first_seq"), 1 + qint64(b) * Batch * 9);
            rollUp.bindValue(QStringLiteral(":last_seq"), qint64(b) * Batch * 9 + Batch);
            QElapsedTimer clock;
            clock.start();
            if (!rollUp.exec()) {
                std::fprintf(stderr, "%s\n", qPrintable(rollUp.lastError().text()));
                return 1;
            }
            nanoseconds += clock.nsecsElapsed();
            db.rollback();
        }
        std::printf("rollup %-40s %6.2f us per record (%d batches of %lld)\n", name,
                    double(nanoseconds) / 1000.0 / double(Batches * Batch), Batches, qlonglong(Batch));
    }
    return 0;
}
