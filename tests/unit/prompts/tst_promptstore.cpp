#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include "store/PromptStore.h"
#include "store/RequestLogWriter.h"

using namespace sluice;

namespace {

const QString Chat = QStringLiteral("chat");
const QString Messages = QStringLiteral(R"([{"role":"user","content":"Hi {{name}}"}])");
const QString Config = QStringLiteral(R"({"model":"gpt-test"})");

RequestRecord promptRecord(const QString &prompt, int version, qint64 latencyUs, double cost, int status = 200)
{
    RequestRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.startedAt = QDateTime::currentDateTimeUtc();
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.requestedModel = QStringLiteral("gpt-test");
    record.httpStatus = status;
    record.latencyUs = latencyUs;
    record.timeToFirstTokenUs = latencyUs / 2;
    record.inputTokens = 10;
    record.outputTokens = 5;
    record.costUsd = cost;
    record.costStatus = cost < 0 ? QStringLiteral("unpriced") : QStringLiteral("exact");
    record.promptName = prompt;
    record.promptVersion = version;
    return record;
}

} // namespace

class TestPromptStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_path = m_dir->filePath(QStringLiteral("sluice.db"));
    }

    void versionsAreNumberedAndImmutable()
    {
        PromptStore store;
        QVERIFY(store.open(m_path).ok());
        QCOMPARE(
            store
                .create(QStringLiteral("greet"), Chat, Messages, Config, QStringLiteral("first"), QStringLiteral("ada"))
                .value(),
            1);
        QVERIFY(!store.create(QStringLiteral("greet"), Chat, Messages, Config, {}, {}).ok());
        const Result<int> second = store.update(QStringLiteral("greet"), Chat,
                                                QStringLiteral(R"([{"role":"user","content":"Hello {{name}}"}])"),
                                                Config, QStringLiteral("warmer"), QStringLiteral("bob"));
        QCOMPARE(second.value(), 2);
        QVERIFY(!store.update(QStringLiteral("nope"), Chat, Messages, Config, {}, {}).ok());
        QVERIFY(!store.create(QStringLiteral("bad name"), Chat, Messages, Config, {}, {}).ok());

        const Result<PromptVersion> first = store.resolve(QStringLiteral("greet"), QStringLiteral("v1"));
        QVERIFY(first.ok());
        QCOMPARE(first->templateJson, Messages);
        QCOMPARE(first->message, QStringLiteral("first"));
        QCOMPARE(first->author, QStringLiteral("ada"));
        const Result<PromptVersion> latest = store.resolve(QStringLiteral("greet"), QString());
        QCOMPARE(latest->version, 2);
        QCOMPARE(latest->labels, QStringList {QStringLiteral("latest")});
        QVERIFY(!store.resolve(QStringLiteral("greet"), QStringLiteral("v3")).ok());

        // The database itself refuses to change or delete a version.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(m_path);
        QVERIFY(db.open());
        {
            QSqlQuery query(db);
            QVERIFY(!query.exec(QStringLiteral("UPDATE prompt_versions SET template = 'x' WHERE version = 1")));
            QVERIFY(query.lastError().text().contains(QLatin1String("immutable")));
            QVERIFY(!query.exec(QStringLiteral("DELETE FROM prompt_versions")));
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        QCOMPARE(store.resolve(QStringLiteral("greet"), QStringLiteral("v1"))->templateJson, Messages);
    }

    void labelsMoveWithAnAppendOnlyHistory()
    {
        PromptStore store;
        QVERIFY(store.open(m_path).ok());
        QVERIFY(store.create(QStringLiteral("greet"), Chat, Messages, Config, {}, {}).ok());
        QVERIFY(store.update(QStringLiteral("greet"), Chat, Messages, Config, {}, {}).ok());
        QVERIFY(store.setLabel(QStringLiteral("greet"), QStringLiteral("production"), 1, QStringLiteral("ada")).ok());
        QCOMPARE(store.resolve(QStringLiteral("greet"), QStringLiteral("production"))->version, 1);
        QVERIFY(store.setLabel(QStringLiteral("greet"), QStringLiteral("production"), 2, QStringLiteral("bob")).ok());
        QCOMPARE(store.resolve(QStringLiteral("greet"), QStringLiteral("production"))->version, 2);
        QVERIFY(store.setLabel(QStringLiteral("greet"), QStringLiteral("production"), 2, QStringLiteral("bob")).ok());
        QVERIFY(!store.setLabel(QStringLiteral("greet"), QStringLiteral("production"), 7, {}).ok());
        QVERIFY(!store.setLabel(QStringLiteral("greet"), QStringLiteral("latest"), 1, {}).ok());
        QVERIFY(!store.setLabel(QStringLiteral("greet"), QStringLiteral("v2"), 1, {}).ok());
        QVERIFY(!store.resolve(QStringLiteral("greet"), QStringLiteral("staging")).ok());

        const Result<QList<LabelMove>> history = store.labelHistory(QStringLiteral("greet"));
        QVERIFY(history.ok());
        QCOMPARE(history->size(), 2); // moving a label where it is records nothing
        QCOMPARE(history->at(0).fromVersion, 0);
        QCOMPARE(history->at(0).toVersion, 1);
        QCOMPARE(history->at(0).author, QStringLiteral("ada"));
        QCOMPARE(history->at(1).fromVersion, 1);
        QCOMPARE(history->at(1).toVersion, 2);
        QCOMPARE(history->at(1).author, QStringLiteral("bob"));

        const Result<QList<PromptSummary>> prompts = store.list();
        QCOMPARE(prompts->size(), 1);
        QCOMPARE(prompts->first().latestVersion, 2);
        QCOMPARE(prompts->first().labels, QStringList {QStringLiteral("production=v2")});
        const Result<QList<PromptVersion>> versions = store.versions(QStringLiteral("greet"));
        QCOMPARE(versions->at(1).labels, (QStringList {QStringLiteral("latest"), QStringLiteral("production")}));

        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(m_path);
        QVERIFY(db.open());
        {
            QSqlQuery query(db);
            QVERIFY(!query.exec(QStringLiteral("DELETE FROM prompt_label_history")));
            QVERIFY(!query.exec(QStringLiteral("UPDATE prompt_label_history SET author = 'eve'")));
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }

    void statsEqualTheLoggedRows()
    {
        {
            PromptStore store;
            QVERIFY(store.open(m_path).ok());
            QVERIFY(store.create(QStringLiteral("greet"), Chat, Messages, Config, {}, {}).ok());
            QVERIFY(store.update(QStringLiteral("greet"), Chat, Messages, Config, {}, {}).ok());
            QVERIFY(store.update(QStringLiteral("greet"), Chat, Messages, Config, {}, {}).ok());
        }
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_path).ok());
            writer.append(promptRecord(QStringLiteral("greet"), 1, 1000, 0.01));
            writer.append(promptRecord(QStringLiteral("greet"), 1, 3000, 0.02));
            writer.append(promptRecord(QStringLiteral("greet"), 1, 2000, -1, 502));
            writer.append(promptRecord(QStringLiteral("greet"), 2, 8000, 0.5));
            writer.append(promptRecord(QStringLiteral("other"), 2, 9000, 9));
            RequestRecord unrelated = promptRecord(QString(), 0, 5000, 1);
            writer.append(unrelated);
            writer.flush();
        }
        PromptStore store;
        QVERIFY(store.open(m_path).ok());
        const Result<QList<PromptUsageStats>> stats = store.stats(QStringLiteral("greet"));
        QVERIFY2(stats.ok(), qPrintable(stats.errorMessage()));
        QCOMPARE(stats->size(), 3);
        const PromptUsageStats &v1 = stats->at(0);
        QCOMPARE(v1.version, 1);
        QCOMPARE(v1.requests, 3);
        QCOMPARE(v1.errors, 1);
        QCOMPARE(v1.inputTokens, 30);
        QCOMPARE(v1.outputTokens, 15);
        QCOMPARE(v1.costUsd, 0.03);
        QCOMPARE(v1.unpriced, 1);
        QCOMPARE(v1.p50LatencyMs, 2.0);
        QCOMPARE(v1.p50TimeToFirstTokenMs, 1.0);
        QCOMPARE(stats->at(1).requests, 1);
        QCOMPARE(stats->at(1).costUsd, 0.5);
        QCOMPARE(stats->at(2).requests, 0);
        QCOMPARE(stats->at(2).p50LatencyMs, -1.0);
    }

    void observedVersionsAreSavedIntoTheRegistry()
    {
        {
            RequestLogWriter writer;
            QVERIFY(writer.open(m_path).ok());
            for (int n = 0; n < 3; ++n) {
                RequestRecord record = promptRecord(QString(), 0, 1000 * (n + 1), 0.1);
                record.observedPrompt = n < 2 ? QStringLiteral("aaaa1111") : QStringLiteral("bbbb2222");
                // Only the first sighting carries the sample; the writer keeps the first it gets.
                if (n != 1)
                    record.observedPromptSample
                        = QStringLiteral(
                              R"({"prompt_key":"claude-cli: You are Claude Code","client":"claude-cli",)"
                              R"("system_text":"You are Claude Code v%1. Use {{x}}.","tools":["Bash","Read"]})")
                              .arg(n)
                              .toUtf8();
                writer.append(record);
            }
            writer.flush();
        }
        PromptStore store;
        QVERIFY(store.open(m_path).ok());
        const Result<QList<ObservedPromptVersion>> observed = store.observed();
        QVERIFY2(observed.ok(), qPrintable(observed.errorMessage()));
        QCOMPARE(observed->size(), 2);
        QCOMPARE(observed->at(0).fingerprint, QStringLiteral("aaaa1111"));
        QCOMPARE(observed->at(0).version, 1);
        QCOMPARE(observed->at(1).version, 2);
        QCOMPARE(observed->at(0).tools, (QStringList {QStringLiteral("Bash"), QStringLiteral("Read")}));
        QCOMPARE(observed->at(0).stats.requests, 2);
        QCOMPARE(observed->at(0).stats.costUsd, 0.2);
        QCOMPARE(observed->at(1).stats.requests, 1);

        QCOMPARE(
            store.saveObserved(QStringLiteral("bbbb"), QStringLiteral("claude-code"), QStringLiteral("me")).value(), 1);
        const Result<PromptVersion> saved = store.resolve(QStringLiteral("claude-code"), QString());
        QVERIFY(saved->templateJson.contains(QLatin1String("You are Claude Code v2. Use \\\\{{x}}.")));
        QVERIFY(!store.saveObserved(QStringLiteral("cccc"), QStringLiteral("x"), {}).ok());
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

QTEST_GUILESS_MAIN(TestPromptStore)
#include "tst_promptstore.moc"
