#include <functional>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QUuid>

#include "PricesCommand.h"
#include "SpendCommand.h"
#include "cost/SpendReport.h"
#include "store/Migrations.h"
#include "store/RequestLogWriter.h"

using namespace sluice;

namespace {

struct Output
{
    int code = -1;
    QString out;
    QString err;
};

// The local time the tests pretend it is (ctest runs them in Pacific/Auckland, far from UTC).
const QDateTime Now(QDate(2026, 3, 15), QTime(12, 0));

RequestRecord logged(const QDateTime &startedAt, const QString &model, const QString &provider, const QString &token,
                     double usd, const char *status, qint64 input = 100, qint64 output = 50)
{
    RequestRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.startedAt = startedAt.toUTC();
    record.tokenName = token;
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.requestedModel = model;
    record.upstreamModel = model;
    record.provider = provider;
    record.httpStatus = 200;
    record.inputTokens = input;
    record.outputTokens = output;
    record.cachedTokens = input / 2;
    record.cacheWriteTokens = provider == QLatin1String("anthropic") ? 10 : -1;
    record.reasoningTokens = 0;
    record.costUsd = usd;
    record.costStatus = QString::fromLatin1(status);
    return record;
}

double sumOf(const RequestRecords &records)
{
    double sum = 0;
    for (const RequestRecord &record : records)
        sum += record.costUsd > 0 ? record.costUsd : 0;
    return sum;
}

} // namespace

class TestCostCommands : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_dataDir;
    RequestRecords m_today;
    RequestRecords m_restOfMonth;
    RequestRecords m_all;

    // The logged requests of [from, to) (UTC) that match.
    RequestRecords loggedIn(const QDateTime &from, const QDateTime &to,
                            const std::function<bool(const RequestRecord &)> &match = {}) const
    {
        RequestRecords records;
        for (const RequestRecord &record : m_all) {
            if (record.startedAt >= from && record.startedAt < to && (!match || match(record)))
                records.append(record);
        }
        return records;
    }

    Output spend(const QStringList &args)
    {
        Output result;
        QTextStream out(&result.out);
        QTextStream err(&result.err);
        result.code = runSpendCommand(args, out, err, Now);
        return result;
    }

    Output prices(const QStringList &args)
    {
        Output result;
        QTextStream out(&result.out);
        QTextStream err(&result.err);
        result.code = runPricesCommand(args, out, err, Now);
        return result;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_dataDir = m_dir.filePath(QStringLiteral("data"));
        const QDateTime today(QDate(2026, 3, 15), QTime(0, 30)); // 00:30 local: still 14 March in UTC
        m_today = {
            logged(today, QStringLiteral("gpt-4o-mini"), QStringLiteral("openai"), QStringLiteral("editor"), 0.0003675,
                   CostStatus::Exact, 2000, 300),
            logged(today.addSecs(60), QStringLiteral("gpt-4o-mini"), QStringLiteral("openai"), QStringLiteral("ci"),
                   0.001, CostStatus::Exact, 1000, 1000),
            logged(today.addSecs(3600), QStringLiteral("claude-haiku-4-5"), QStringLiteral("anthropic"),
                   QStringLiteral("editor"), 0.0061, CostStatus::Exact, 12100, 500),
            logged(today.addSecs(7200), QStringLiteral("gpt-4o-mini"), QStringLiteral("openai"),
                   QStringLiteral("editor"), 0.000225, CostStatus::Estimated, 500, 250),
            logged(today.addSecs(9000), QStringLiteral("my-finetune-v2"), QStringLiteral("openai"),
                   QStringLiteral("editor"), -1, CostStatus::Unpriced, 120, 40),
            logged(QDateTime(QDate(2026, 3, 15), QTime(23, 59, 59)), QStringLiteral("llama3.1:8b"),
                   QStringLiteral("ollama"), QStringLiteral("ci"), 0, CostStatus::Free, 1200, 300),
        };
        m_restOfMonth = {
            logged(QDateTime(QDate(2026, 3, 1), QTime(0, 0)), QStringLiteral("gpt-4o-mini"), QStringLiteral("openai"),
                   QStringLiteral("editor"), 0.5, CostStatus::Exact),
            logged(QDateTime(QDate(2026, 3, 16), QTime(0, 0)), QStringLiteral("claude-haiku-4-5"),
                   QStringLiteral("anthropic"), QString(), 0.25, CostStatus::Exact),
        };
        const RequestRecords elsewhere = {
            logged(QDateTime(QDate(2026, 2, 28), QTime(23, 59, 59)), QStringLiteral("gpt-4o-mini"),
                   QStringLiteral("openai"), QStringLiteral("editor"), 100, CostStatus::Exact),
            logged(QDateTime(QDate(2026, 4, 1), QTime(0, 0)), QStringLiteral("gpt-4o-mini"), QStringLiteral("openai"),
                   QStringLiteral("editor"), 200, CostStatus::Exact),
        };
        // Attribution: clients, tags and projects across the requests.
        for (qsizetype i = 0; i < m_today.size(); ++i) {
            RequestRecord &record = m_today[i];
            record.client = i % 2 ? QStringLiteral("Claude Code") : QStringLiteral("curl");
            if (i % 3 == 0)
                record.tags = {QStringLiteral("refactor"), QStringLiteral("ci,nightly")};
            else if (i % 3 == 1)
                record.tags = {QStringLiteral("refactor")};
            record.project = i < 2 ? QStringLiteral("billing") : QString();
        }
        m_all = m_today + m_restOfMonth + elsewhere;
        RequestLogWriter writer;
        const Result<void> opened = writer.open(QDir(m_dataDir).filePath(QStringLiteral("sluice.db")));
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        for (const RequestRecords &records : {m_today, m_restOfMonth, elsewhere}) {
            for (const RequestRecord &record : records)
                writer.append(record);
        }
        writer.flush();
    }

    void periodsAreLocalCalendarDaysAndMonths()
    {
        const auto [dayStart, dayEnd] = SpendReport::day(Now);
        QCOMPARE(dayStart, QDateTime(QDate(2026, 3, 15), QTime(0, 0)));
        QCOMPARE(dayEnd, QDateTime(QDate(2026, 3, 16), QTime(0, 0)));
        const auto [monthStart, monthEnd] = SpendReport::month(Now);
        QCOMPARE(monthStart, QDateTime(QDate(2026, 3, 1), QTime(0, 0)));
        QCOMPARE(monthEnd, QDateTime(QDate(2026, 4, 1), QTime(0, 0)));
    }

    void totalsAreTheSumOfTheLoggedRequests()
    {
        SpendReport report(QDir(m_dataDir).filePath(QStringLiteral("sluice.db")));
        const auto [dayStart, dayEnd] = SpendReport::day(Now);
        const Result<SpendSummary> today = report.summarize(dayStart, dayEnd);
        QVERIFY2(today.ok(), qPrintable(today.errorMessage()));
        const SpendLine &total = today->total;
        QCOMPARE(total.requests, qint64(6));
        QVERIFY(qAbs(total.costUsd - sumOf(m_today)) < 1e-15);
        QVERIFY(qAbs(total.costUsd - 0.0076925) < 1e-15);
        QCOMPARE(total.unpriced, qint64(1));
        QCOMPARE(total.estimated, qint64(1));
        QVERIFY(qAbs(total.estimatedUsd - 0.000225) < 1e-15);
        QCOMPARE(total.free, qint64(1));
        QCOMPARE(total.inputTokens, qint64(2000 + 1000 + 12100 + 500 + 120 + 1200));
        QCOMPARE(total.outputTokens, qint64(300 + 1000 + 500 + 250 + 40 + 300));
        QCOMPARE(total.cacheWriteTokens, qint64(10));

        // By model, most expensive first; the lines add up to the total.
        QCOMPARE(today->byModel.size(), 4);
        QCOMPARE(today->byModel.first().name, QStringLiteral("claude-haiku-4-5"));
        double byModel = 0;
        qint64 requests = 0;
        for (const SpendLine &line : today->byModel) {
            byModel += line.costUsd;
            requests += line.requests;
        }
        QVERIFY(qAbs(byModel - total.costUsd) < 1e-15);
        QCOMPARE(requests, total.requests);
        const auto mini = std::find_if(today->byModel.cbegin(), today->byModel.cend(),
                                       [](const SpendLine &line) { return line.name == QLatin1String("gpt-4o-mini"); });
        QVERIFY(mini != today->byModel.cend());
        QCOMPARE(mini->provider, QStringLiteral("openai"));
        QCOMPARE(mini->requests, qint64(3));
        QVERIFY(qAbs(mini->costUsd - (0.0003675 + 0.001 + 0.000225)) < 1e-15);
        const auto finetune = std::find_if(today->byModel.cbegin(), today->byModel.cend(), [](const SpendLine &line) {
            return line.name == QLatin1String("my-finetune-v2");
        });
        QVERIFY(finetune != today->byModel.cend());
        QCOMPARE(finetune->unpriced, qint64(1));
        QCOMPARE(finetune->costUsd, 0.0);

        // By gateway token.
        QCOMPARE(today->byToken.size(), 2);
        QCOMPARE(today->byToken.first().name, QStringLiteral("editor"));
        QVERIFY(qAbs(today->byToken.first().costUsd - (0.0003675 + 0.0061 + 0.000225)) < 1e-15);
        QCOMPARE(today->byToken.first().unpriced, qint64(1));

        const auto [monthStart, monthEnd] = SpendReport::month(Now);
        const Result<SpendSummary> month = report.summarize(monthStart, monthEnd);
        QVERIFY2(month.ok(), qPrintable(month.errorMessage()));
        QCOMPARE(month->total.requests, qint64(8));
        QVERIFY(qAbs(month->total.costUsd - (sumOf(m_today) + sumOf(m_restOfMonth))) < 1e-15);
    }

    void spendCommandPrintsTodayAndThisMonth()
    {
        const Output result = spend({QStringLiteral("--data-dir"), m_dataDir});
        QVERIFY2(result.code == 0, qPrintable(result.err));
        const QString &out = result.out;
        QVERIFY2(out.contains(QLatin1String("Today, Sun 15 Mar 2026: ~$0.0076925 + 1 unpriced from 6 requests\n")),
                 qPrintable(out));
        QVERIFY2(out.contains(QLatin1String("This month, March 2026: ~$0.7577 + 1 unpriced from 8 requests\n")),
                 qPrintable(out));
        // Lines by model with their token counts and costs; unpriced and free are words, never $0.
        QVERIFY(out.contains(QRegularExpression(
            QStringLiteral("\\n  my-finetune-v2\\s+openai\\s+1\\s+120\\s+60\\s+0\\s+40\\s+0\\s+unpriced\\n"))));
        QVERIFY(out.contains(QRegularExpression(
            QStringLiteral("\\n  llama3\\.1:8b\\s+ollama\\s+1\\s+1,200\\s+600\\s+0\\s+300\\s+0\\s+free\\n"))));
        QVERIFY(out.contains(
            QRegularExpression(QStringLiteral("\\n  gpt-4o-mini\\s+openai\\s+3\\s+3,500 .*~\\$0\\.0015925\\n"))));
        QVERIFY(out.contains(
            QRegularExpression(QStringLiteral("\\n  editor\\s+4\\s+.*~\\$0\\.0066925 \\+ 1 unpriced\\n"))));
        QVERIFY(out.contains(QRegularExpression(QStringLiteral("\\n  \\(no token\\)\\s+1\\s+.*\\$0\\.25\\n"))));
        QVERIFY(out.contains(QLatin1String("~ includes $0.000225 estimated for 1 request")));
        QVERIFY(out.contains(QLatin1String("1 request has no price and is not in the totals")));
        QVERIFY(!out.contains(QLatin1String("$100")));
        QVERIFY(!out.contains(QLatin1String("$200")));
    }

    void spendCommandErrorsAreClear()
    {
        const Output missing = spend({QStringLiteral("--data-dir=") + m_dir.filePath(QStringLiteral("nowhere"))});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains(QLatin1String("There is no request log at")), qPrintable(missing.err));
        const Output bad = spend({QStringLiteral("--days"), QStringLiteral("3")});
        QCOMPARE(bad.code, 2);
        QVERIFY(bad.err.contains(QLatin1String("unknown argument '--days'")));
        QVERIFY(bad.err.contains(QLatin1String("Usage:")));

        // A log written before cost tracking must be upgraded by the gateway first.
        const QString oldDir = m_dir.filePath(QStringLiteral("old"));
        const QString migrations = m_dir.filePath(QStringLiteral("v1"));
        QVERIFY(QDir().mkpath(oldDir) && QDir().mkpath(migrations));
        QVERIFY(QFile::copy(QStringLiteral(":/migrations/0001_initial.sql"),
                            QDir(migrations).filePath(QStringLiteral("0001_initial.sql"))));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
            const QString path = QDir(oldDir).filePath(QStringLiteral("sluice.db"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QVERIFY(Migrations::apply(db, path, migrations).ok());
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old"));
        const Output old = spend({QStringLiteral("--data-dir"), oldDir});
        QCOMPARE(old.code, 1);
        QVERIFY2(old.err.contains(QLatin1String("predates cost tracking (schema version 1): start the gateway once")),
                 qPrintable(old.err));
    }

    void spendByWritesCsvThatAddsUpToTheLog()
    {
        const QDateTime from(QDate(2026, 3, 1), QTime(0, 0), Qt::UTC);
        const QDateTime to(QDate(2026, 4, 1), QTime(0, 0), Qt::UTC);
        const RequestRecords march = loggedIn(from, to);
        QVERIFY(march.size() >= 6);
        for (const QString &by :
             {QStringLiteral("model"), QStringLiteral("day"), QStringLiteral("hour"), QStringLiteral("provider"),
              QStringLiteral("client"), QStringLiteral("token"), QStringLiteral("project")}) {
            const Output result
                = spend({QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--by"), by, QStringLiteral("--from"),
                         QStringLiteral("2026-03-01"), QStringLiteral("--to"), QStringLiteral("2026-03-31"),
                         QStringLiteral("--format"), QStringLiteral("csv")});
            QVERIFY2(result.code == 0, qPrintable(result.err));
            QStringList lines = result.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            QCOMPARE(lines.takeFirst(),
                     by
                         + QStringLiteral(",requests,input_tokens,cached_tokens,cache_write_tokens,output_tokens,"
                                          "reasoning_tokens,cost_usd,estimated_usd,estimated,unpriced,free,cache_hits,"
                                          "saved_usd"));
            qint64 requests = 0;
            qint64 unpriced = 0;
            double usd = 0;
            for (const QString &line : std::as_const(lines)) {
                const QStringList cells = line.split(QLatin1Char(','));
                QCOMPARE(cells.size(), 14);
                requests += cells.at(1).toLongLong();
                usd += cells.at(7).toDouble();
                unpriced += cells.at(10).toLongLong();
            }
            QCOMPARE(requests, qint64(march.size()));
            QVERIFY2(qAbs(usd - sumOf(march)) < 1e-12, qPrintable(by + QLatin1Char(' ') + result.out));
            QCOMPARE(unpriced, qint64(1));
        }
        // The model nobody can price has no cost at all, not $0.
        const Output byModel = spend({QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--by=model"),
                                      QStringLiteral("--from=2026-03-01"), QStringLiteral("--to=2026-03-31"),
                                      QStringLiteral("--format=csv")});
        QVERIFY2(byModel.out.contains(QLatin1String("\nmy-finetune-v2,1,120,60,0,40,0,,0,0,1,0,0,0\n")),
                 qPrintable(byModel.out));
        QVERIFY2(byModel.out.contains(QLatin1String("\nllama3.1:8b,1,1200,600,0,300,0,0,0,0,0,1,0,0\n")),
                 qPrintable(byModel.out));
    }

    void spendByTagCountsEachTagAndQuotesCsv()
    {
        const Output result
            = spend({QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--by"), QStringLiteral("tag"),
                     QStringLiteral("--from"), QStringLiteral("2026-03-14"), QStringLiteral("--to"),
                     QStringLiteral("2026-03-15"), QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY2(result.code == 0, qPrintable(result.err));
        const QDateTime from(QDate(2026, 3, 14), QTime(0, 0), Qt::UTC);
        const QDateTime to = from.addDays(2);
        const auto tagged = [&](const QString &tag) {
            return loggedIn(from, to, [&](const RequestRecord &r) {
                return tag.isEmpty() ? r.tags.isEmpty() : r.tags.contains(tag);
            });
        };
        const auto count = [&](const QString &tag) {
            return QString::number(tagged(tag).size());
        };
        QVERIFY2(
            result.out.contains(QStringLiteral("\nrefactor,") + count(QStringLiteral("refactor")) + QLatin1Char(',')),
            qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("\n\"ci,nightly\",") + count(QStringLiteral("ci,nightly"))
                                     + QLatin1Char(',')),
                 qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("\n,") + count(QString()) + QLatin1Char(',')),
                 qPrintable(result.out));
    }

    void spendByWritesJsonWithTotals()
    {
        const Output result
            = spend({QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--by"), QStringLiteral("client"),
                     QStringLiteral("--from"), QStringLiteral("2026-03-14T00:00:00Z"), QStringLiteral("--to"),
                     QStringLiteral("2026-03-15T12:00:00Z"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(result.code == 0, qPrintable(result.err));
        const QJsonObject root = QJsonDocument::fromJson(result.out.toUtf8()).object();
        QCOMPARE(root.value(QLatin1String("by")).toString(), QStringLiteral("client"));
        QCOMPARE(root.value(QLatin1String("currency")).toString(), QStringLiteral("USD"));
        QCOMPARE(root.value(QLatin1String("from")).toString(), QStringLiteral("2026-03-14T00:00:00.000Z"));
        QCOMPARE(root.value(QLatin1String("to")).toString(), QStringLiteral("2026-03-15T12:00:00.000Z"));
        const RequestRecords period = loggedIn(QDateTime(QDate(2026, 3, 14), QTime(0, 0), Qt::UTC),
                                               QDateTime(QDate(2026, 3, 15), QTime(12, 0), Qt::UTC));
        const QJsonObject total = root.value(QLatin1String("total")).toObject();
        QCOMPARE(total.value(QLatin1String("requests")).toInteger(), qint64(period.size()));
        QVERIFY(qAbs(total.value(QLatin1String("cost_usd")).toDouble() - sumOf(period)) < 1e-12);
        QCOMPARE(total.value(QLatin1String("unpriced")).toInteger(), 1);
        double rowsUsd = 0;
        QStringList clients;
        const QJsonArray rows = root.value(QLatin1String("rows")).toArray();
        for (const QJsonValue &row : rows) {
            clients.append(row.toObject().value(QLatin1String("client")).toString());
            rowsUsd += row.toObject().value(QLatin1String("cost_usd")).toDouble();
        }
        clients.sort();
        QCOMPARE(clients, (QStringList {QString(), QStringLiteral("Claude Code"), QStringLiteral("curl")}));
        QVERIFY(qAbs(rowsUsd - sumOf(period)) < 1e-12);
    }

    void spendByPrintsATable()
    {
        const Output result = spend({QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--by"),
                                     QStringLiteral("project"), QStringLiteral("--from"), QStringLiteral("2026-03-14"),
                                     QStringLiteral("--to"), QStringLiteral("2026-03-14")});
        QVERIFY2(result.code == 0, qPrintable(result.err));
        QVERIFY2(
            result.out.startsWith(QLatin1String("Spend in USD by project, 2026-03-14 00:00 to 2026-03-15 00:00 UTC")),
            qPrintable(result.out));
        QVERIFY2(result.out.contains(QRegularExpression(QStringLiteral("\\n  billing\\s+2\\s+3,000 .*\\$0\\.0013675"))),
                 qPrintable(result.out));
        QVERIFY2(result.out.contains(QRegularExpression(QStringLiteral("\\n  Total\\s+"))), qPrintable(result.out));
        QVERIFY(result.out.contains(QLatin1String("1 request has no price and is not in the totals")));

        const Output empty = spend({QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--by"),
                                    QStringLiteral("model"), QStringLiteral("--from"), QStringLiteral("2027-01-01"),
                                    QStringLiteral("--to"), QStringLiteral("2027-01-31")});
        QCOMPARE(empty.code, 0);
        QVERIFY2(empty.out.contains(QLatin1String("no requests")), qPrintable(empty.out));
    }

    void spendByRefusesBadArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("week") << QStringList {QStringLiteral("--by"), QStringLiteral("week")}
                              << QStringLiteral("--by takes day, hour, model");
        QTest::newRow("xml") << QStringList {QStringLiteral("--by"), QStringLiteral("day"), QStringLiteral("--format"),
                                             QStringLiteral("xml")}
                             << QStringLiteral("--format takes table, csv or json");
        QTest::newRow("bad date") << QStringList {QStringLiteral("--from"), QStringLiteral("March")}
                                  << QStringLiteral("--from takes a date");
        QTest::newRow("backwards") << QStringList {QStringLiteral("--from"), QStringLiteral("2026-03-10"),
                                                   QStringLiteral("--to"), QStringLiteral("2026-03-01")}
                                   << QStringLiteral("--to must come after --from");
        QTest::newRow("no value") << QStringList {QStringLiteral("--by")} << QStringLiteral("--by needs a value");
    }

    void spendByRefusesBadArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Output result = spend(QStringList {QStringLiteral("--data-dir"), m_dataDir} + args);
        QCOMPARE(result.code, 2);
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
        QVERIFY(result.out.isEmpty());
    }

    void pricesShowPrintsThePriceAndTheCatalogDate()
    {
        const Output shown = prices({QStringLiteral("show"), QStringLiteral("claude-sonnet-4-5-20250929"),
                                     QStringLiteral("--provider"), QStringLiteral("anthropic"),
                                     QStringLiteral("--data-dir"), m_dataDir});
        QVERIFY2(shown.code == 0, qPrintable(shown.err));
        QVERIFY2(shown.out.startsWith(QLatin1String(
                     "claude-sonnet-4-5-20250929: Claude Sonnet 4.5 (Anthropic, model id claude-sonnet-4-5)\n"
                     "  input: $3/M, $6/M above 200,000 input tokens\n"
                     "  output: $15/M, $22.5/M above 200,000 input tokens\n")),
                 qPrintable(shown.out));
        QVERIFY(shown.out.contains(QLatin1String("Price catalog: 2026-08-21 genai-prices")));
        QVERIFY(shown.out.contains(QLatin1String("built in;")));

        const Output dated
            = prices({QStringLiteral("show"), QStringLiteral("o3"), QStringLiteral("--data-dir"), m_dataDir});
        QVERIFY2(dated.code == 0, qPrintable(dated.err));
        QVERIFY2(dated.out.contains(QLatin1String("  input: $2/M\n")), qPrintable(dated.out));
        QVERIFY(dated.out.contains(QLatin1String("    from 2025-06-10: input: $2/M; output: $8/M")));

        const Output unknown = prices(
            {QStringLiteral("show"), QStringLiteral("my-finetune-v2"), QStringLiteral("--data-dir"), m_dataDir});
        QCOMPARE(unknown.code, 1);
        QVERIFY2(unknown.err.contains(QLatin1String("no price for 'my-finetune-v2' in the price catalog 2026-08-21")),
                 qPrintable(unknown.err));
        QVERIFY(unknown.err.contains(QLatin1String("prices.overrides")));
    }

    void pricesShowUsesTheConfig()
    {
        const QString configPath = m_dir.filePath(QStringLiteral("sluice.yaml"));
        QFile config(configPath);
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("providers:\n"
                     "  - {name: local, type: openai, base_url: 'http://127.0.0.1:11434/v1', free: true}\n"
                     "  - {name: work, type: openai, base_url: 'https://api.openai.com/v1'}\n"
                     "prices:\n"
                     "  overrides:\n"
                     "    - {model: my-finetune-v2, provider: work, input_mtok: 1.5, output_mtok: 6}\n");
        config.close();
        const Output overridden
            = prices({QStringLiteral("show"), QStringLiteral("my-finetune-v2"), QStringLiteral("--provider=work"),
                      QStringLiteral("--config"), configPath, QStringLiteral("--data-dir"), m_dataDir});
        QVERIFY2(overridden.code == 0, qPrintable(overridden.err));
        QVERIFY2(overridden.out.startsWith(QLatin1String(
                     "my-finetune-v2: price override sluice.yaml:6 (prices.overrides)\n  input: $1.5/M\n")),
                 qPrintable(overridden.out));
        const Output free = prices({QStringLiteral("show"), QStringLiteral("llama3"), QStringLiteral("--provider"),
                                    QStringLiteral("local"), QStringLiteral("--config"), configPath});
        QCOMPARE(free.code, 0);
        QVERIFY(free.out.contains(QLatin1String("llama3: free (provider 'local' is configured with free: true)")));
        const Output badConfig = prices({QStringLiteral("show"), QStringLiteral("gpt-4o"), QStringLiteral("--config"),
                                         m_dir.filePath(QStringLiteral("missing.yaml"))});
        QCOMPARE(badConfig.code, 1);
        QVERIFY(badConfig.err.contains(QLatin1String("missing.yaml does not exist")));
    }

    void pricesUpdateInstallsAValidFileForTheNextStart()
    {
        const QString dataDir = m_dir.filePath(QStringLiteral("update"));
        const QString file = m_dir.filePath(QStringLiteral("newer.json"));
        QFile newer(file);
        QVERIFY(newer.open(QIODevice::WriteOnly));
        newer.write("[{\"id\": \"acme\", \"api_pattern\": \"https://api\\\\.acme\\\\.test\", \"models\": [{\"id\": "
                    "\"acme-1\", \"match\": {\"equals\": \"acme-1\"}, \"prices\": {\"input_mtok\": 1, \"output_mtok\": "
                    "2}}]}]");
        newer.close();

        const Output updated = prices({QStringLiteral("update"), file, QStringLiteral("--data-dir"), dataDir});
        QVERIFY2(updated.code == 0, qPrintable(updated.err));
        QVERIFY2(
            updated.out.contains(QLatin1String("Installed the price catalog 2026-03-15 installed from newer.json")),
            qPrintable(updated.out));
        QVERIFY(updated.out.contains(QLatin1String("prices/data.json; 1 provider, 1 model)")));
        QVERIFY(updated.out.contains(QLatin1String("It replaces 2026-08-21 genai-prices")));
        QVERIFY(updated.out.contains(QLatin1String("A running Sluice with this data folder switches to it")));

        const Output info = prices({QStringLiteral("info"), QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(info.code, 0);
        QVERIFY2(info.out.startsWith(QLatin1String("Price catalog: 2026-03-15 installed from newer.json")),
                 qPrintable(info.out));
        const Output shown = prices({QStringLiteral("show"), QStringLiteral("acme-1"), QStringLiteral("--provider"),
                                     QStringLiteral("acme"), QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(shown.code, 0);
        QVERIFY(shown.out.contains(QLatin1String("  output: $2/M")));

        const QString broken = m_dir.filePath(QStringLiteral("broken.json"));
        QFile brokenFile(broken);
        QVERIFY(brokenFile.open(QIODevice::WriteOnly));
        brokenFile.write("[{\"id\": \"acme\"}]");
        brokenFile.close();
        const Output refused = prices({QStringLiteral("update"), broken, QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains(QLatin1String("api_pattern: expected non-empty text; the price catalog was not "
                                                    "changed")),
                 qPrintable(refused.err));
        QVERIFY(prices({QStringLiteral("info"), QStringLiteral("--data-dir"), dataDir})
                    .out.contains(QLatin1String("installed from newer.json")));

        QCOMPARE(prices({}).code, 2);
        QCOMPARE(prices({QStringLiteral("update")}).code, 2);
        QCOMPARE(prices({QStringLiteral("frobnicate")}).code, 2);
        QCOMPARE(prices({QStringLiteral("show"), QStringLiteral("x"), QStringLiteral("--colour")}).code, 2);
    }
};

QTEST_GUILESS_MAIN(TestCostCommands)
#include "tst_costcommands.moc"
