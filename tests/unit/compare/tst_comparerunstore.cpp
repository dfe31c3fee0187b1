#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "compare/CompareExport.h"
#include "compare/CompareRunStore.h"
#include "compare/CompareSource.h"

using namespace sluice;

namespace {
CompareRunResult sampleRun(const QString &id, qint64 atMs)
{
    CompareRunResult run;
    run.id = id;
    run.createdAt = QDateTime::fromMSecsSinceEpoch(atMs, Qt::UTC);
    run.request = CompareSource::fromText(QStringLiteral("Name a river"));
    CompareColumn ok;
    ok.model = {QStringLiteral("gpt-4.1"), {{QStringLiteral("temperature"), 0}}};
    ok.state = CompareColumn::State::Done;
    ok.httpStatus = 200;
    ok.text = QStringLiteral("The Nile | longest");
    ok.toolCalls = {{QStringLiteral("c1"), QStringLiteral("lookup"), QStringLiteral(R"({"q":"Nile"})")}};
    ok.finishReason = QStringLiteral("stop");
    ok.ttftMs = 120;
    ok.latencyMs = 900;
    ok.inputTokens = 12;
    ok.cachedTokens = 0;
    ok.outputTokens = 40;
    ok.reasoningTokens = -1;
    ok.costUsd = 0.00042;
    ok.costStatus = QStringLiteral("exact");
    ok.requestId = QStringLiteral("r-1");
    CompareColumn failed;
    failed.model = {QStringLiteral("nope"), {}};
    failed.state = CompareColumn::State::Failed;
    failed.httpStatus = 404;
    failed.error = QStringLiteral("Unknown model 'nope'.");
    run.request.models = {ok.model, failed.model};
    run.columns = {ok, failed};
    return run;
}
} // namespace

class TestCompareRunStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void jsonRoundTripKeepsEveryFigure();
    void markdownHasTheTableAndOutputs();
    void saveListLoadDelete();
};

void TestCompareRunStore::jsonRoundTripKeepsEveryFigure()
{
    const CompareRunResult run = sampleRun(QStringLiteral("run-1"), 1'700'000'000'000);
    const QJsonObject json = QJsonDocument::fromJson(CompareExport::toJson(run)).object();
    QCOMPARE(json.value(QLatin1String("format")).toString(), QStringLiteral("openai-chat"));
    const QJsonObject first = json.value(QLatin1String("models")).toArray().at(0).toObject();
    QCOMPARE(first.value(QLatin1String("cost_usd")).toDouble(), 0.00042);
    QCOMPARE(first.value(QLatin1String("ttft_ms")).toInt(), 120);
    QVERIFY(first.value(QLatin1String("tokens")).toObject().value(QLatin1String("reasoning")).isNull());
    const Result<CompareRunResult> back = CompareExport::runFromJson(json);
    QVERIFY2(back.ok(), qPrintable(back.errorMessage()));
    QCOMPARE(back->columns.size(), 2);
    QCOMPARE(CompareExport::columnJson(back->columns.at(0)), CompareExport::columnJson(run.columns.at(0)));
    QCOMPARE(CompareExport::columnJson(back->columns.at(1)), CompareExport::columnJson(run.columns.at(1)));
    QCOMPARE(back->createdAt, run.createdAt);
}

void TestCompareRunStore::markdownHasTheTableAndOutputs()
{
    const QString markdown = CompareExport::toMarkdown(sampleRun(QStringLiteral("run-1"), 1'700'000'000'000));
    QVERIFY(markdown.startsWith(QLatin1String("# Comparison: Name a river")));
    QVERIFY(
        markdown.contains(QStringLiteral("| gpt-4.1 | ok | stop | 120 ms | 900 ms | 12 | 0 | 40 | – | $0.000420 |")));
    QVERIFY(markdown.contains(QLatin1String("| nope | failed |")));
    QVERIFY(markdown.contains(QLatin1String("**Error:** Unknown model 'nope'.")));
    QVERIFY(markdown.contains(QLatin1String("The Nile | longest"))); // the output as written, in its code block
    QVERIFY(markdown.contains(QLatin1String("Tool call `lookup`")));
}

void TestCompareRunStore::saveListLoadDelete()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sluice.db"));
    CompareRunStore store;
    QVERIFY(!CompareRunStore().open(path).ok()); // not upgraded yet: said, not done behind the writer's back
    QVERIFY2(store.open(path, true).ok(), "cannot open the store");
    QVERIFY(store.save(sampleRun(QStringLiteral("older"), 1'700'000'000'000)).ok());
    QVERIFY(store.save(sampleRun(QStringLiteral("newer"), 1'700'000'100'000)).ok());
    const Result<QList<CompareRunSummary>> list = store.list();
    QVERIFY(list.ok());
    QCOMPARE(list->size(), 2);
    QCOMPARE(list->at(0).id, QStringLiteral("newer"));
    QCOMPARE(list->at(0).models, (QStringList {QStringLiteral("gpt-4.1"), QStringLiteral("nope")}));
    QCOMPARE(list->at(0).title, QStringLiteral("Name a river"));

    const Result<CompareRunResult> loaded = store.load(QStringLiteral("older"));
    QVERIFY2(loaded.ok(), qPrintable(loaded.errorMessage()));
    const CompareRunResult expected = sampleRun(QStringLiteral("older"), 1'700'000'000'000);
    QCOMPARE(loaded->request.body, expected.request.body);
    QCOMPARE(loaded->request.models.at(0).overrides, expected.request.models.at(0).overrides);
    QCOMPARE(loaded->columns.at(0).text, expected.columns.at(0).text);

    QCOMPARE(store.remove(QStringLiteral("older")).value(), true);
    QCOMPARE(store.remove(QStringLiteral("older")).value(), false);
    QVERIFY(!store.load(QStringLiteral("older")).ok());
    QCOMPARE(store.list()->size(), 1);
}

QTEST_GUILESS_MAIN(TestCompareRunStore)
#include "tst_comparerunstore.moc"
