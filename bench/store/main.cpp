// Measures the request log: how many records/s the writer commits (with realistic bodies), the database size,
// and how long spend-style aggregations take over the result.

#include <algorithm>
#include <atomic>
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>
#include <QUuid>

#include "../BenchPostgres.h"
#include "common/RequestId.h"
#include "cost/SpendReport.h"
#include "store/PostgresConnection.h"
#include "store/RequestLogWriter.h"
#include "store/SqliteConnection.h"
#include "store/StoreLocation.h"

#ifdef Q_OS_UNIX
#include <unistd.h>

#include <sys/resource.h>
#endif

using namespace sluice;

namespace {

constexpr qint64 DayMs = 24 * 60 * 60 * 1000LL;
// Producers pause above this many waiting records, so the run measures the writer, not a growing queue (and the
// queued bodies stay under the writer's byte limit, past which it would drop them).
constexpr qint64 MaxBacklog = 10000;

struct Options
{
    qint64 records = 200000;
    int bodyBytes = 2048;
    int producers = 1;
    int repeats = 5;
    QString databasePath;
    StoreLocation postgres; // --postgresql: write there instead (no aggregations)
    bool keep = false;
    bool randomIds = false;
    bool pregenerate = false;
};

QByteArray filler(QRandomGenerator &random, int bytes)
{
    static const char *const words[]
        = {"the",    "request", "model", "token", "stream",  "latency", "provider",  "gateway", "cost",   "function",
           "return", "value",   "error", "retry", "context", "prompt",  "assistant", "user",    "system", "json"};
    QByteArray text;
    text.reserve(bytes + 16);
    while (text.size() < bytes) {
        text += words[random.bounded(int(std::size(words)))];
        text += ' ';
    }
    text.truncate(bytes);
    return text;
}

// Bodies shaped like a chat request and a streamed answer, bodyBytes each.
QList<QPair<QByteArray, QByteArray>> makeBodies(int bodyBytes)
{
    QRandomGenerator random(42);
    QList<QPair<QByteArray, QByteArray>> bodies;
    for (int i = 0; i < 16; ++i) {
        const QByteArray requestHead = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                                       "\"content\":\"";
        const QByteArray request
            = requestHead + filler(random, std::max(0, bodyBytes - int(requestHead.size()) - 4)) + "\"}]}";
        QByteArray response;
        while (response.size() < bodyBytes) {
            response += "data: {\"choices\":[{\"delta\":{\"content\":\"" + filler(random, 24) + "\"}}]}\n\n";
        }
        response.truncate(bodyBytes);
        bodies.append({request.left(bodyBytes), response});
    }
    return bodies;
}

RequestRecord makeRecord(qint64 n, qint64 total, qint64 firstMs, qint64 spanMs, QRandomGenerator &random,
                         const QList<QPair<QByteArray, QByteArray>> &bodies, bool randomIds)
{
    static const QString models[]
        = {QStringLiteral("gpt-4o-mini"),      QStringLiteral("gpt-4o"),           QStringLiteral("claude-sonnet-4"),
           QStringLiteral("claude-haiku-3.5"), QStringLiteral("gemini-2.5-flash"), QStringLiteral("o3-mini"),
           QStringLiteral("llama3.1:8b"),      QStringLiteral("deepseek-chat")};
    static const QString providers[]
        = {QStringLiteral("openai"), QStringLiteral("anthropic"), QStringLiteral("gemini"), QStringLiteral("ollama")};
    static const QString tokens[] = {QStringLiteral("laptop"), QStringLiteral("claude-code"), QStringLiteral("ci")};

    const int model = random.bounded(int(std::size(models)));
    RequestRecord record;
    record.startedAt = QDateTime::fromMSecsSinceEpoch(firstMs + spanMs * n / std::max<qint64>(total, 1), Qt::UTC);
    // As the gateway makes them (time-ordered), or random version 4 ones to compare.
    record.id = randomIds ? QUuid::createUuid().toString(QUuid::WithoutBraces)
                          : RequestId::create(record.startedAt.toMSecsSinceEpoch());
    record.tokenName = tokens[random.bounded(int(std::size(tokens)))];
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.requestedModel = models[model];
    record.provider = providers[model % int(std::size(providers))];
    record.upstreamModel = models[model];
    record.stream = random.bounded(3) != 0;
    const int outcome = random.bounded(100);
    record.httpStatus = outcome < 96 ? 200 : (outcome < 98 ? 429 : 502);
    if (record.httpStatus != 200) {
        record.errorClass = QLatin1String(ErrorClass::UpstreamError);
        record.errorMessage = QStringLiteral("The provider answered %1").arg(record.httpStatus);
    }
    record.latencyUs = 200000 + random.bounded(8000000);
    record.timeToFirstTokenUs = record.stream ? 100000 + random.bounded(900000) : -1;
    record.inputTokens = 200 + random.bounded(8000);
    record.outputTokens = record.httpStatus == 200 ? 20 + random.bounded(2000) : -1;
    record.cachedTokens = random.bounded(4) == 0 ? random.bounded(int(record.inputTokens)) : 0;
    record.reasoningTokens = model == 5 ? random.bounded(3000) : -1;
    record.costUsd = record.httpStatus == 200 ? (record.inputTokens * 0.15 + record.outputTokens * 0.6) / 1e6 : 0;
    record.costStatus = QLatin1String(CostStatus::Exact);
    // Attempts as the router records them: most requests answer first time; rate limits retry, outages fall back.
    AttemptRecord attempt;
    attempt.model = record.requestedModel;
    attempt.deployment = record.provider + QLatin1Char('/') + record.upstreamModel;
    attempt.provider = record.provider;
    attempt.upstreamModel = record.upstreamModel;
    attempt.keyRef = QStringLiteral("keychain:") + record.provider;
    attempt.latencyMs = record.latencyUs / 1000;
    attempt.httpStatus = record.httpStatus;
    if (record.httpStatus == 200 && outcome >= 90) {
        AttemptRecord limited = attempt;
        limited.latencyMs = 180;
        limited.httpStatus = 429;
        limited.errorClass = QStringLiteral("rate_limit");
        limited.decision = QStringLiteral("retry");
        limited.waitBeforeNextMs = 1200;
        limited.reason
            = QStringLiteral("HTTP 429: rate limited; retry 1 of 2 after 1.2 s (the provider asked to wait)");
        record.attempts.append(limited);
        attempt.startedAtMs = 1380;
    }
    attempt.errorClass = record.httpStatus == 200 ? QString() : QStringLiteral("server_error");
    attempt.decision = record.httpStatus == 200 ? QStringLiteral("done") : QStringLiteral("give_up");
    attempt.reason = record.httpStatus == 200
        ? QStringLiteral("HTTP 200: answered")
        : QStringLiteral("HTTP %1: server error; no retries left (attempts: 2); every deployment and fallback model "
                         "has been tried")
              .arg(record.httpStatus);
    record.attempts.append(attempt);
    const auto &pair = bodies.at(int(n % bodies.size()));
    record.requestBody = pair.first;
    record.responseBody = pair.second;
    return record;
}

qint64 fileSize(const QString &path)
{
    const QFileInfo info(path);
    return info.exists() ? info.size() : 0;
}

double peakRssMb()
{
#ifdef Q_OS_UNIX
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;
#else
    return 0;
#endif
}

// CPU seconds used so far by this process's thread of that name (Linux), or -1: a figure that other load on the
// machine does not inflate, unlike wall-clock throughput.
double threadCpuSeconds(const QByteArray &threadName)
{
#ifdef Q_OS_LINUX
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(tid + QStringLiteral("/comm")));
        if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != threadName) {
            continue;
        }
        QFile stat(tasks.filePath(tid + QStringLiteral("/stat")));
        if (!stat.open(QIODevice::ReadOnly)) {
            return -1;
        }
        const QByteArray line = stat.readAll();
        // Fields after the parenthesised name: state is field 3, utime and stime are fields 14 and 15.
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 13) {
            return -1;
        }
        return (fields.at(11).toDouble() + fields.at(12).toDouble()) / double(sysconf(_SC_CLK_TCK));
    }
#else
    Q_UNUSED(threadName);
#endif
    return -1;
}

void print(const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

// What the PostgreSQL server spent on a run, read beside the writer on a connection of its own: CPU seconds of the
// writer's backend and of the WAL writer, checkpointer and background writer (from /proc, so only for a local
// server this user may inspect), and WAL bytes (pg_stat_wal).
class ServerProfile
{
public:
    bool open(const StoreLocation &location)
    {
        return bool(m_connection.open(location.postgresSettings(), QStringLiteral("bench-profile"),
                                      PostgresConnection::Mode::ReadWrite));
    }

    // Empties the log so each run starts from the same table sizes.
    bool emptyLog()
    {
        QSqlQuery query(m_connection.database());
        // A new database has no log yet: the writer creates it.
        if (query.exec(QStringLiteral("SELECT to_regclass('requests') IS NULL")) && query.next()
            && query.value(0).toBool())
            return true;
        if (query.exec(QStringLiteral("TRUNCATE requests, request_bodies, request_attempts, spend_hourly, "
                                      "spend_hourly_by, observed_prompt_versions")))
            return true;
        print(QStringLiteral("error: cannot empty the benchmark's log: ") + query.lastError().text());
        return false;
    }

    void start()
    {
        m_startCpu = cpuByRole();
        m_startWal = walBytes();
    }

    // CPU seconds per role since start() (the writer's backend is counted from its connection), and WAL bytes.
    QMap<QString, double> cpuSinceStart() const
    {
        QMap<QString, double> cpu = cpuByRole();
        for (auto it = cpu.begin(); it != cpu.end(); ++it) {
            if (it.key() != QLatin1String("backend"))
                it.value() -= m_startCpu.value(it.key());
        }
        return cpu;
    }
    qint64 walSinceStart() const { return walBytes() - m_startWal; }

private:
    static double processCpuSeconds(qint64 pid)
    {
#ifdef Q_OS_LINUX
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return -1;
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 13)
            return -1;
        return (fields.at(11).toDouble() + fields.at(12).toDouble()) / double(sysconf(_SC_CLK_TCK));
#else
        Q_UNUSED(pid);
        return -1;
#endif
    }

    QMap<QString, double> cpuByRole() const
    {
        QMap<QString, double> cpu;
        QSqlQuery query(m_connection.database());
        if (!query.exec(QStringLiteral(
                "SELECT CASE WHEN backend_type = 'client backend' THEN 'backend' ELSE backend_type END, pid "
                "FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND ((backend_type = 'client backend' AND "
                "datname = current_database()) OR backend_type IN ('walwriter', 'checkpointer', "
                "'background writer'))")))
            return cpu;
        while (query.next()) {
            const double seconds = processCpuSeconds(query.value(1).toLongLong());
            if (seconds >= 0)
                cpu[query.value(0).toString()] += seconds;
        }
        return cpu;
    }

    qint64 walBytes() const
    {
        QSqlQuery query(m_connection.database());
        if (query.exec(QStringLiteral("SELECT wal_bytes FROM pg_stat_wal")) && query.next())
            return query.value(0).toLongLong();
        return 0;
    }

    PostgresConnection m_connection;
    QMap<QString, double> m_startCpu;
    qint64 m_startWal = 0;
};

struct WriteRun
{
    bool ok = false;
    qint64 recordsPerSecond = 0;
};

WriteRun writeRecords(const Options &options, ServerProfile *server = nullptr)
{
    const auto bodies = makeBodies(options.bodyBytes);
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 firstMs = nowMs - 30 * DayMs;
    // --pregenerate: each producer's records are built before the clock starts, so the run times the writer alone.
    QList<RequestRecords> prepared(options.producers);
    if (options.pregenerate) {
        for (int p = 0; p < options.producers; ++p) {
            QRandomGenerator random(1000 + p);
            for (qint64 n = p; n < options.records; n += options.producers)
                prepared[p].append(
                    makeRecord(n, options.records, firstMs, 30 * DayMs, random, bodies, options.randomIds));
        }
    }
    RequestLogWriter writer;
    writer.setSoftQueueLimit(MaxBacklog * 2);
    const auto opened
        = writer.open(options.postgres.isPostgres() ? options.postgres : StoreLocation(options.databasePath));
    if (!opened) {
        print(QStringLiteral("error: ") + opened.errorMessage());
        return {};
    }
    if (server)
        server->start();
    std::atomic<int> failures {0};
    QObject::connect(
        &writer, &RequestLogWriter::writeFailed, &writer,
        [&failures](const QString &message) {
            ++failures;
            print(QStringLiteral("write failed: ") + message);
        },
        Qt::DirectConnection);

    QElapsedTimer timer;
    timer.start();
    QList<QThread *> producers;
    for (int p = 0; p < options.producers; ++p) {
        producers.append(QThread::create([&, p] {
            QRandomGenerator random(1000 + p);
            qsizetype next = 0;
            for (qint64 n = p; n < options.records; n += options.producers) {
                if (options.pregenerate)
                    writer.append(std::move(prepared[p][next++]));
                else
                    writer.append(
                        makeRecord(n, options.records, firstMs, 30 * DayMs, random, bodies, options.randomIds));
                if (n % 1024 == 0) {
                    while (writer.queuedCount() > MaxBacklog) {
                        QThread::msleep(1);
                    }
                }
            }
        }));
        producers.last()->start();
    }
    for (QThread *producer : std::as_const(producers)) {
        producer->wait();
        delete producer;
    }
    const qint64 appendedMs = timer.elapsed();
    writer.flush();
    const qint64 committedMs = std::max<qint64>(timer.elapsed(), 1);
    const qint64 written = writer.writtenCount();
    const double writerCpu = threadCpuSeconds(QByteArrayLiteral("sluice-store-wr"));
    const QMap<QString, double> serverCpu = server ? server->cpuSinceStart() : QMap<QString, double>();
    const qint64 serverWalBytes = server ? server->walSinceStart() : 0;
    writer.stop();

    const qint64 mainBytes = fileSize(options.databasePath);
    const qint64 walBytes = fileSize(options.databasePath + QStringLiteral("-wal"));
    print(QStringLiteral("write: %1 records, %2 B request + %3 B response body, %4 producer thread(s)%5")
              .arg(written)
              .arg(options.bodyBytes)
              .arg(options.bodyBytes)
              .arg(options.producers)
              .arg(options.pregenerate ? QStringLiteral(", records built before the clock started") : QString()));
    print(QStringLiteral("  appended in %1 ms, committed in %2 ms: %3 records/s")
              .arg(appendedMs)
              .arg(committedMs)
              .arg(qRound64(written * 1000.0 / committedMs)));
    if (writerCpu >= 0 && written > 0) {
        print(QStringLiteral("  writer thread CPU %1 s: %2 us per record (%3 records/s per core)")
                  .arg(writerCpu, 0, 'f', 2)
                  .arg(writerCpu * 1e6 / written, 0, 'f', 1)
                  .arg(writerCpu > 0 ? qRound64(written / writerCpu) : 0));
    }
    if (server) {
        QStringList parts;
        for (auto it = serverCpu.cbegin(); it != serverCpu.cend(); ++it)
            parts.append(QStringLiteral("%1 %2 us")
                             .arg(it.key())
                             .arg(it.value() * 1e6 / std::max<qint64>(written, 1), 0, 'f', 1));
        print(QStringLiteral("  server CPU per record: %1; WAL %2 B per record; peak RSS %3 MB; %4 write failures")
                  .arg(parts.isEmpty() ? QStringLiteral("not readable (not a local server)")
                                       : parts.join(QLatin1String(", ")))
                  .arg(serverWalBytes / std::max<qint64>(written, 1))
                  .arg(peakRssMb(), 0, 'f', 1)
                  .arg(failures.load()));
    } else {
        print(QStringLiteral("  database %1 MB (+ %2 MB WAL), %3 B per record; peak RSS %4 MB; %5 write failures")
                  .arg(mainBytes / 1048576.0, 0, 'f', 1)
                  .arg(walBytes / 1048576.0, 0, 'f', 1)
                  .arg(written ? (mainBytes + walBytes) / written : 0)
                  .arg(peakRssMb(), 0, 'f', 1)
                  .arg(failures.load()));
    }
    WriteRun run;
    run.ok = written == options.records && failures.load() == 0;
    run.recordsPerSecond = qRound64(written * 1000.0 / committedMs);
    return run;
}

// The PostgreSQL writer with bodies and without, each by COPY (the writer's way) and by the earlier multi-row
// statement, on an emptied log each time: the rates and their ratios in one run.
bool comparePostgresWriters(const Options &options)
{
    ServerProfile server;
    if (!server.open(options.postgres)) {
        print(QStringLiteral("error: cannot connect to ") + options.postgres.describe());
        return false;
    }
    struct Row
    {
        QString label;
        qint64 copy = 0;
        qint64 statement = 0;
    };
    QList<Row> rows;
    bool ok = true;
    for (const int bodyBytes : {options.bodyBytes, 0}) {
        Row row;
        row.label = bodyBytes > 0 ? QStringLiteral("2 x %1 B bodies").arg(bodyBytes) : QStringLiteral("no bodies");
        for (const bool copy : {true, false}) {
            Options run = options;
            run.bodyBytes = bodyBytes;
            qputenv("SLUICE_POSTGRES_LOG_WRITE", copy ? "copy" : "statement");
            print(QStringLiteral("postgresql, %1, %2:")
                      .arg(row.label,
                           copy ? QStringLiteral("COPY + INSERT ... SELECT (the writer)")
                                : QStringLiteral("one multi-row INSERT of literals (the earlier writer)")));
            if (!server.emptyLog())
                return false;
            const WriteRun result = writeRecords(run, &server);
            ok = ok && result.ok;
            (copy ? row.copy : row.statement) = result.recordsPerSecond;
        }
        qunsetenv("SLUICE_POSTGRES_LOG_WRITE");
        rows.append(row);
        if (options.bodyBytes == 0)
            break;
    }
    print(QStringLiteral("postgresql summary: records/s committed, COPY writer vs the earlier statement writer"));
    for (const Row &row : std::as_const(rows)) {
        print(QStringLiteral("  %1: %2 vs %3 (x%4)")
                  .arg(row.label, -20)
                  .arg(row.copy)
                  .arg(row.statement)
                  .arg(row.statement > 0 ? double(row.copy) / double(row.statement) : 0.0, 0, 'f', 2));
    }
    return ok;
}

bool aggregate(const Options &options)
{
    SqliteConnection connection;
    const auto opened
        = connection.open(options.databasePath, QStringLiteral("bench-aggregate"), SqliteConnection::Mode::ReadOnly);
    if (!opened) {
        print(QStringLiteral("error: ") + opened.errorMessage());
        return false;
    }
    QSqlDatabase db = connection.database();
    const QString sql = QStringLiteral(
        "SELECT requested_model, count(*), sum(input_tokens), sum(output_tokens), sum(cached_tokens), "
        "sum(reasoning_tokens) FROM requests WHERE started_at >= ? AND started_at < ? GROUP BY requested_model");
    {
        QSqlQuery plan(db);
        plan.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + QString(sql).replace(QLatin1Char('?'), QLatin1Char('0')));
        QStringList steps;
        while (plan.next()) {
            steps.append(plan.value(3).toString());
        }
        print(QStringLiteral("aggregate over the request rows (no rollup): SUM tokens GROUP BY requested_model; plan: ")
              + steps.join(QLatin1String("; ")));
    }

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime today(now.date(), QTime(0, 0), Qt::UTC);
    const QDateTime month(QDate(now.date().year(), now.date().month(), 1), QTime(0, 0), Qt::UTC);
    const QList<QPair<QString, QDateTime>> ranges = {{QStringLiteral("today (UTC)"), today},
                                                     {QStringLiteral("this month"), month},
                                                     {QStringLiteral("last 30 days"), now.addDays(-30)}};
    const qint64 endMs = now.toMSecsSinceEpoch() + DayMs;
    bool ok = true;
    for (const auto &[label, from] : ranges) {
        QList<double> times;
        qint64 rows = 0;
        int groups = 0;
        for (int run = 0; run < options.repeats; ++run) {
            QSqlQuery query(db);
            query.setForwardOnly(true);
            QElapsedTimer timer;
            timer.start();
            query.prepare(sql);
            query.addBindValue(from.toMSecsSinceEpoch());
            query.addBindValue(endMs);
            if (!query.exec()) {
                print(QStringLiteral("error: ") + query.lastError().text());
                return false;
            }
            rows = 0;
            groups = 0;
            while (query.next()) {
                rows += query.value(1).toLongLong();
                ++groups;
            }
            times.append(timer.nsecsElapsed() / 1e6);
        }
        const double first = times.first();
        std::sort(times.begin(), times.end());
        print(QStringLiteral("  %1: %2 requests in %3 models: first %4 ms, median %5 ms, best %6 ms")
                  .arg(label, -13)
                  .arg(rows, 7)
                  .arg(groups)
                  .arg(first, 0, 'f', 1)
                  .arg(times.at(times.size() / 2), 0, 'f', 1)
                  .arg(times.first(), 0, 'f', 1));
        ok = ok && groups > 0;
    }

    // What the spend command and dashboard run: total, by model and by token, whole hours from the rollup.
    print(QStringLiteral("spend report (total, by model, by token; hourly rollup + partial hours from requests):"));
    SpendReport report(options.databasePath);
    if (const auto reportOpened = report.open(); !reportOpened) {
        print(QStringLiteral("error: ") + reportOpened.errorMessage());
        return false;
    }
    for (const auto &[label, from] : ranges) {
        QList<double> times;
        SpendSummary summary;
        for (int run = 0; run < options.repeats; ++run) {
            QElapsedTimer timer;
            timer.start();
            auto result = report.summarize(from, QDateTime::fromMSecsSinceEpoch(endMs, Qt::UTC));
            times.append(timer.nsecsElapsed() / 1e6);
            if (!result) {
                print(QStringLiteral("error: ") + result.errorMessage());
                return false;
            }
            summary = std::move(result).value();
        }
        const double first = times.first();
        std::sort(times.begin(), times.end());
        print(QStringLiteral("  %1: %2 requests in %3 models, %4 tokens: first %5 ms, median %6 ms, best %7 ms")
                  .arg(label, -13)
                  .arg(summary.total.requests, 7)
                  .arg(summary.byModel.size())
                  .arg(summary.byToken.size())
                  .arg(first, 0, 'f', 1)
                  .arg(times.at(times.size() / 2), 0, 'f', 1)
                  .arg(times.first(), 0, 'f', 1));
        ok = ok && !summary.byModel.isEmpty();
    }
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sluice-bench-store"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes request records through the request log writer, then times spend aggregations."));
    parser.addHelpOption();
    const QCommandLineOption recordsOption(QStringLiteral("records"),
                                           QStringLiteral("Records to write (0: only aggregate an existing log)."),
                                           QStringLiteral("n"), QStringLiteral("200000"));
    const QCommandLineOption bodyOption(QStringLiteral("body-bytes"),
                                        QStringLiteral("Size of each request and response body."),
                                        QStringLiteral("bytes"), QStringLiteral("2048"));
    const QCommandLineOption producersOption(QStringLiteral("producers"), QStringLiteral("Threads appending records."),
                                             QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption repeatsOption(QStringLiteral("repeats"), QStringLiteral("Runs of each aggregation."),
                                           QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption databaseOption(
        QStringLiteral("database"), QStringLiteral("Log file to use (default: a new one in a temporary folder)."),
        QStringLiteral("path"));
    const QCommandLineOption keepOption(QStringLiteral("keep"),
                                        QStringLiteral("Keep the temporary folder and print its path."));
    const QCommandLineOption randomIdsOption(
        QStringLiteral("random-ids"),
        QStringLiteral("Random (version 4) request ids instead of the gateway's time-ordered ones, to compare."));
    const QCommandLineOption postgresOption(
        QStringLiteral("postgresql"),
        QStringLiteral("Write to this PostgreSQL database instead (postgresql://USER@HOST:PORT/DB, password from "
                       "PGPASSWORD), with bodies and without, by COPY and by the earlier multi-row statement; the "
                       "database's request log is emptied before each run; the aggregations are skipped."),
        QStringLiteral("url"));
    const QCommandLineOption pregenerateOption(
        QStringLiteral("pregenerate"),
        QStringLiteral("Build every record before the clock starts, so the rate is the writer's alone (not bounded by "
                       "the producer threads building records)."));
    parser.addOptions({recordsOption, bodyOption, producersOption, repeatsOption, databaseOption, keepOption,
                       randomIdsOption, postgresOption, pregenerateOption});
    parser.process(app);

    Options options;
    options.records = std::max<qint64>(0, parser.value(recordsOption).toLongLong());
    options.bodyBytes = std::max(0, parser.value(bodyOption).toInt());
    options.producers = std::clamp(parser.value(producersOption).toInt(), 1, 64);
    options.repeats = std::clamp(parser.value(repeatsOption).toInt(), 1, 1000);
    options.keep = parser.isSet(keepOption);
    options.randomIds = parser.isSet(randomIdsOption);
    options.pregenerate = parser.isSet(pregenerateOption);

    QTemporaryDir temporary;
    if (parser.isSet(databaseOption)) {
        options.databasePath = parser.value(databaseOption);
    } else {
        if (!temporary.isValid()) {
            print(QStringLiteral("error: cannot create a temporary folder: ") + temporary.errorString());
            return 1;
        }
        temporary.setAutoRemove(!options.keep);
        options.databasePath = temporary.filePath(QStringLiteral("requests.db"));
    }
    print(QStringLiteral("sluice-bench-store: %1 on %2 logical CPUs")
              .arg(QSysInfo::prettyProductName())
              .arg(QThread::idealThreadCount()));

    if (parser.isSet(postgresOption)) {
        options.postgres = StoreLocation::postgres(bench::postgresSettingsFromUrl(parser.value(postgresOption)));
    }

    bool ok = true;
    if (options.records > 0)
        ok = options.postgres.isPostgres() ? comparePostgresWriters(options) : writeRecords(options).ok;
    if (!options.postgres.isPostgres())
        ok = aggregate(options) && ok;
    if (options.keep) {
        print(QStringLiteral("database kept at ") + options.databasePath);
    }
    return ok ? 0 : 1;
}
