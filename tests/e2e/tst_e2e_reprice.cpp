// `sluice compare --reprice MODEL`, the real binary on a data folder holding logged requests: the JSON it prints
// is parsed and checked against figures worked out by hand, and its table and errors are what a user sees.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "SluiceProcess.h"
#include "common/RequestRecord.h"
#include "store/RequestLogWriter.h"

using namespace sluice;
using namespace sluice::test;

namespace {

RequestRecord logged(int n, const char *at, const char *client, const char *model, qint64 input, qint64 cached,
                     qint64 output, double costUsd, QStringList tags = {})
{
    RequestRecord r;
    r.id = QStringLiteral("00000000-0000-4000-9000-%1").arg(n, 12, 10, QLatin1Char('0'));
    QDateTime when = QDateTime::fromString(QLatin1String(at), Qt::ISODate);
    when.setTimeSpec(Qt::UTC);
    r.startedAt = when;
    r.tokenName = QStringLiteral("laptop");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.requestedModel = QLatin1String(model);
    r.upstreamModel = QLatin1String(model);
    r.provider = QStringLiteral("openai");
    r.httpStatus = 200;
    r.client = QLatin1String(client);
    r.tags = tags;
    r.inputTokens = input;
    r.cachedTokens = cached;
    r.outputTokens = output;
    r.reasoningTokens = 0;
    r.cacheWriteTokens = 0;
    r.costUsd = costUsd;
    r.costStatus = QString::fromLatin1(costUsd < 0 ? CostStatus::Unpriced : CostStatus::Exact);
    return r;
}

// The target's price, set in the config so the figures do not depend on the catalog's: $1/M input, $0.25/M cache
// reads, $4/M output.
const QByteArray Config = R"(
providers:
  - name: openai
    type: openai
    api_key: env:SLUICE_E2E_UNUSED_KEY
models:
  - name: house-model
    provider: openai
    upstream_model: house-upstream
prices:
  overrides:
    - model: house-upstream
      input_mtok: 1
      cache_read_mtok: 0.25
      output_mtok: 4
)";

QJsonObject rowNamed(const QJsonArray &rows, const char *key, const QString &value)
{
    for (const QJsonValue &row : rows) {
        if (row.toObject().value(QLatin1String(key)).toString() == value)
            return row.toObject();
    }
    return {};
}

} // namespace

class TestE2eReprice : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_config;

    ProgramRun sluice(const QStringList &arguments)
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("HOME"), m_dir.path());
        env.insert(QStringLiteral("PATH"), qEnvironmentVariable("PATH"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return runProgram(
            QStringLiteral(SLUICE_BINARY),
            QStringList {QStringLiteral("compare")} + arguments
                + QStringList {QStringLiteral("--config"), m_config, QStringLiteral("--data-dir"), m_dir.path()},
            env, m_dir.path(), 60);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_config = m_dir.filePath(QStringLiteral("sluice.yaml"));
        QVERIFY(writeFile(m_config, Config));
        RequestLogWriter writer;
        QVERIFY(writer.open(m_dir.filePath(QStringLiteral("sluice.db"))).ok());
        // November 2026. Claude Code: 100,000 input (40,000 cached) + 2,000 output, paid $0.30.
        writer.append(logged(1, "2026-11-03T10:00:00Z", "Claude Code", "claude-sonnet-4-5", 100000, 40000, 2000, 0.30,
                             {QStringLiteral("refactor")}));
        // Codex CLI: 20,000 input + 1,000 output, paid $0.035; and a request of a model without a price.
        writer.append(logged(2, "2026-11-20T23:59:59Z", "Codex CLI", "gpt-5-codex", 20000, 0, 1000, 0.035));
        writer.append(logged(3, "2026-11-21T08:00:00Z", "Codex CLI", "my-finetune", 3000, 0, 500, -1));
        // December: outside --to 2026-11-30.
        writer.append(logged(4, "2026-12-01T00:00:00Z", "Codex CLI", "gpt-5-codex", 900000, 0, 9000, 5.0));
        writer.flush();
        writer.stop();
    }

    void jsonHasTheHandCheckedFigures()
    {
        const ProgramRun run = sluice({QStringLiteral("--reprice"), QStringLiteral("house-model"),
                                       QStringLiteral("--from"), QStringLiteral("2026-11-01"), QStringLiteral("--to"),
                                       QStringLiteral("2026-11-30"), QStringLiteral("--by"), QStringLiteral("client"),
                                       QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QJsonParseError error;
        const QJsonObject report = QJsonDocument::fromJson(run.out, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, run.out.constData());
        QCOMPARE(report.value(QLatin1String("estimate")).toBool(), true);
        QVERIFY(report.value(QLatin1String("note")).toString().contains(QLatin1String("tokenizer")));
        QCOMPARE(report.value(QLatin1String("by")).toString(), QStringLiteral("client"));
        QCOMPARE(objectAt(report, QStringLiteral("target")).value(QLatin1String("model")).toString(),
                 QStringLiteral("house-model"));
        const QJsonArray rows = report.value(QLatin1String("rows")).toArray();
        QCOMPARE(rows.size(), 2);

        // Claude Code: (100,000 - 40,000) × $1 + 40,000 × $0.25 + 2,000 × $4 = $78,000 /M = $0.078 against $0.30.
        const QJsonObject claude = rowNamed(rows, "client", QStringLiteral("Claude Code"));
        QCOMPARE(claude.value(QLatin1String("actual_usd")).toDouble(), 0.30);
        QCOMPARE(claude.value(QLatin1String("what_if_usd")).toDouble(), 0.078);
        QCOMPARE(claude.value(QLatin1String("difference_usd")).toDouble(), -0.222);
        QCOMPARE(claude.value(QLatin1String("ratio")).toDouble(), 0.26); // 0.078 / 0.30
        QCOMPARE(claude.value(QLatin1String("cached_tokens")).toInt(), 40000);

        // Codex CLI: 20,000 × $1 + 1,000 × $4 = $24,000 /M = $0.024 against $0.035; the unpriced request is
        // repriced apart (3,000 × $1 + 500 × $4 = $5,000 /M = $0.005) and not compared.
        const QJsonObject codex = rowNamed(rows, "client", QStringLiteral("Codex CLI"));
        QCOMPARE(codex.value(QLatin1String("requests")).toInt(), 2);
        QCOMPARE(codex.value(QLatin1String("compared")).toInt(), 1);
        QCOMPARE(codex.value(QLatin1String("what_if_usd")).toDouble(), 0.024);
        QCOMPARE(codex.value(QLatin1String("unpriced_actual")).toInt(), 1);
        QCOMPARE(codex.value(QLatin1String("unpriced_actual_what_if_usd")).toDouble(), 0.005);

        const QJsonObject total = objectAt(report, QStringLiteral("total"));
        QCOMPARE(total.value(QLatin1String("requests")).toInt(), 3); // December's request is not in the period
        QCOMPARE(total.value(QLatin1String("actual_usd")).toDouble(), 0.335);
        QCOMPARE(total.value(QLatin1String("what_if_usd")).toDouble(), 0.102);
    }

    void filtersAndCsv()
    {
        const ProgramRun run = sluice({QStringLiteral("--reprice=house-model"), QStringLiteral("--from=2026-11-01"),
                                       QStringLiteral("--to=2026-11-30"), QStringLiteral("--tag"),
                                       QStringLiteral("refactor"), QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2); // the header, then the one model with that tag
        QVERIFY(lines.at(0).startsWith("model,requests,compared,"));
        QVERIFY2(lines.at(1).startsWith("claude-sonnet-4-5,1,1,100000,40000,0,2000,0,0.30000000,0.07800000,"),
                 lines.at(1).constData());
    }

    void tableSaysItIsAnEstimate()
    {
        const ProgramRun run
            = sluice({QStringLiteral("--reprice"), QStringLiteral("house-model"), QStringLiteral("--from"),
                      QStringLiteral("2026-11-01"), QStringLiteral("--to"), QStringLiteral("2026-11-30")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString out = QString::fromUtf8(run.out);
        QVERIFY2(out.contains(QLatin1String("What-if cost (an estimate) on house-model")), run.out.constData());
        QVERIFY(out.contains(QLatin1String("tokenizer")));
        QVERIFY(out.contains(QLatin1String("had no logged price")));
        QVERIFY(out.contains(QLatin1String("Total")));
        QVERIFY(out.contains(QLatin1String("$0.335")));
    }

    void badInputSaysWhatToFix()
    {
        const ProgramRun unknown = sluice({QStringLiteral("--reprice"), QStringLiteral("no-such-model-xyz")});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("No price for 'no-such-model-xyz'"), unknown.err.constData());
        const ProgramRun badBy = sluice({QStringLiteral("--reprice"), QStringLiteral("house-model"),
                                         QStringLiteral("--by"), QStringLiteral("provider")});
        QCOMPARE(badBy.exitCode, 2);
        QVERIFY(badBy.err.contains("--by takes client, model or tag"));
        // Without --reprice, `sluice compare` compares models, and says what it needs.
        const ProgramRun missing = sluice({});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains("--reprice MODEL"), missing.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestE2eReprice)
#include "tst_e2e_reprice.moc"
