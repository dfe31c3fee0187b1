#include <memory>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTemporaryDir>

#include "E2eSupport.h"
#include "config/ConfigWriter.h"
#include "store/RequestLogReader.h"

using namespace sluice;
using namespace sluice::test;

namespace {
constexpr auto E2eToken = "sk-sluice-e2e-not-a-real-token";
const QString AwsKey = QStringLiteral("AKIAIOSFODNN7EXAMPLE");
const QString Email = QStringLiteral("jane.doe@example.org");
const QString Ssn = QStringLiteral("078-05-1120");
const QString Prompt = QStringLiteral("Deploy with AKIAIOSFODNN7EXAMPLE and mail jane.doe@example.org when done.");
} // namespace

// The "done when": a prompt with an AWS key and an e-mail address reaches the provider masked (or is
// refused), the agent's answer comes back with its values, the database holds neither, and the log names the rules.
// The mock upstream's "echo" model answers with what it received, so the answers show the provider's view.
class TestE2eGuardrails : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/openai/package.json"))
                     && QFile::exists(QStringLiteral(SLUICE_E2E_DIR "/node_modules/@anthropic-ai/sdk/package.json")),
                 "The npm packages are missing: run `npm ci` in tests/e2e (scripts/test.sh does).");
        m_upstream = m_mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, e2eEnvironment(E2eToken, "sk-fake"));
        QVERIFY2(m_upstream.isValid(), qPrintable(m_mock.output()));
    }

    void maskedOnTheWayRestoredInTheAnswerAbsentFromTheDatabase_data()
    {
        QTest::addColumn<bool>("restore");
        QTest::newRow("restored") << true;
        QTest::newRow("placeholders left in the answer") << false;
    }
    void maskedOnTheWayRestoredInTheAnswerAbsentFromTheDatabase()
    {
        QFETCH(bool, restore);
        const QByteArray upstream = m_upstream.toString().toUtf8();
        const QByteArray restoreText = restore ? "true" : "false";
        const QByteArray config = "providers:\n" + recordedProvider("openai", upstream)
            + recordedProvider("anthropic", upstream)
            + "models:\n"
              "  - {name: echo-openai, provider: recorded-openai, upstream_model: echo}\n"
              "  - {name: echo-claude, provider: recorded-anthropic, upstream_model: echo}\n"
              "tokens:\n  - name: e2e\n    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n"
              "guardrails:\n"
              "  rules:\n"
              "    - {name: no-keys, detect: secrets, action: mask, restore: "
            + restoreText
            + "}\n"
              "    - {name: no-mail, detect: email, action: mask, restore: "
            + restoreText
            + "}\n"
              "    - {name: no-ssn, detect: us_ssn, action: block}\n";
        const QString folder = m_dir.filePath(restore ? QStringLiteral("restored") : QStringLiteral("placeholders"));
        const QString configPath = folder + QStringLiteral("/sluice.yaml");
        const QString dataDir = folder + QStringLiteral("/data");
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(writeFile(configPath, config));
        ListeningProcess sluice;
        const QUrl gateway = startHeadlessSluice(sluice, configPath, dataDir, e2eEnvironment(E2eToken, "sk-fake"));
        QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));

        QProcessEnvironment env;
        env.insert(QStringLiteral("SLUICE_E2E_BASE"), gateway.toString());
        env.insert(QStringLiteral("SLUICE_E2E_TOKEN"), QString::fromLatin1(E2eToken));
        env.insert(QStringLiteral("SLUICE_E2E_PROMPT"), Prompt);
        env.insert(QStringLiteral("SLUICE_E2E_BLOCKED_PROMPT"), QStringLiteral("My SSN is ") + Ssn);
        env.insert(QStringLiteral("SLUICE_E2E_OPENAI_MODEL"), QStringLiteral("echo-openai"));
        env.insert(QStringLiteral("SLUICE_E2E_ANTHROPIC_MODEL"), QStringLiteral("echo-claude"));
        const QJsonObject seen = runNode(QStringLiteral("guardrails_chat.mjs"), env);
        QVERIFY2(!seen.isEmpty(), "the SDK script failed (see the warning above)");

        const QString masked = QStringLiteral("You said: Deploy with [SECRET_AWS_1] and mail [EMAIL_1] when done.");
        const QString expected = restore ? QStringLiteral("You said: ") + Prompt : masked;
        for (const char *answer : {"openaiPlain", "openaiStream", "anthropicPlain", "anthropicStream"})
            QCOMPARE(seen.value(QLatin1String(answer)).toString(), expected);

        const QJsonObject refusal = seen.value(QLatin1String("refusal")).toObject();
        QCOMPARE(refusal.value(QLatin1String("status")).toInt(), 400);
        QCOMPARE(refusal.value(QLatin1String("code")).toString(), QStringLiteral("guardrail_blocked"));
        QVERIFY(refusal.value(QLatin1String("message")).toString().contains(QLatin1String("'no-ssn'")));
        QVERIFY(!refusal.value(QLatin1String("message")).toString().contains(Ssn));

        QCOMPARE(sluice.stop(), 0);
        QVERIFY(!sluice.output().contains(AwsKey) && !sluice.output().contains(Email));

        // No planted value anywhere in the database's files...
        QDirIterator files(dataDir, QDir::Files, QDirIterator::Subdirectories);
        int searched = 0;
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray bytes = file.readAll();
            for (const QString &value : {AwsKey, Email, Ssn})
                QVERIFY2(!bytes.contains(value.toUtf8()),
                         qPrintable(file.fileName() + QLatin1String(" holds a value")));
            ++searched;
        }
        QVERIFY(searched > 0);
        // ...nor in any stored body read back, and every row says which rules fired.
        RequestLogReader reader(dataDir + QStringLiteral("/sluice.db"));
        QVERIFY(reader.open().ok());
        const Result<RequestRecords> rows = reader.recent(20);
        QVERIFY2(rows.ok(), qPrintable(rows.errorMessage()));
        QCOMPARE(rows->size(), 5);
        for (const RequestRecord &row : rows.value()) {
            const Result<RequestRecord> full = reader.byId(row.id);
            QVERIFY(full.ok());
            for (const QString &value : {AwsKey, Email, Ssn}) {
                QVERIFY(!full->requestBody.contains(value.toUtf8()));
                QVERIFY(!full->responseBody.contains(value.toUtf8()));
            }
            QVERIFY(!full->guardrailHits.isEmpty());
            if (full->httpStatus == 400) {
                QCOMPARE(full->guardrailHits.first().rule, QStringLiteral("no-ssn"));
            } else {
                QCOMPARE(full->guardrailHits.size(), 2);
                QVERIFY(full->requestBody.contains("[SECRET_AWS_1]") && full->requestBody.contains("[EMAIL_1]"));
            }
        }
    }

    // A rule written through the config writer (as the Guardrails page saves it) applies to the next request of
    // the running Sluice, without a restart: first refusing, then, edited, masking.
    void ruleSavedThroughTheWriterAppliesToTheNextRequest()
    {
        const QByteArray upstream = m_upstream.toString().toUtf8();
        const QString folder = m_dir.filePath(QStringLiteral("reloaded"));
        const QString configPath = folder + QStringLiteral("/sluice.yaml");
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(writeFile(configPath,
                          "providers:\n" + recordedProvider("openai", upstream)
                              + "models:\n"
                                "  - {name: echo-openai, provider: recorded-openai, upstream_model: echo}\n"
                                "tokens:\n  - name: e2e\n    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n"));
        ListeningProcess sluice;
        const QUrl gateway = startHeadlessSluice(sluice, configPath, folder + QStringLiteral("/data"),
                                                 e2eEnvironment(E2eToken, "sk-fake"));
        QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));
        QNetworkAccessManager network;
        const auto ask = [&]() -> QPair<int, QString> {
            QNetworkRequest request(gateway.resolved(QUrl(QStringLiteral("/v1/chat/completions"))));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            request.setRawHeader("Authorization", QByteArray("Bearer ") + E2eToken);
            const QJsonObject body {{QStringLiteral("model"), QStringLiteral("echo-openai")},
                                    {QStringLiteral("messages"),
                                     QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                                              {QStringLiteral("content"), Prompt}}}}};
            std::unique_ptr<QNetworkReply> reply(network.post(request, QJsonDocument(body).toJson()));
            if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 10000))
                return {0, QStringLiteral("timed out")};
            return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                    QString::fromUtf8(reply->readAll())};
        };
        const auto save = [&](const QString &original, const GuardrailRule &rule) {
            Result<ConfigWriter> writer = ConfigWriter::open(configPath);
            if (!writer || !writer.value().setGuardrailRule(original, rule))
                return false;
            const int reloads = int(sluice.output().count(QLatin1String("config reloaded")));
            return writer.value().save().ok()
                && QTest::qWaitFor([&] { return sluice.output().count(QLatin1String("config reloaded")) > reloads; },
                                   5000);
        };
        const QPair<int, QString> before = ask();
        QCOMPARE(before.first, 200);
        QVERIFY2(before.second.contains(AwsKey), qPrintable(before.second)); // the provider saw the key

        GuardrailRule rule;
        rule.name = QStringLiteral("no-aws");
        rule.detect = QStringLiteral("aws_access_key");
        rule.action = GuardrailRule::Action::Block;
        QVERIFY2(save({}, rule), qPrintable(sluice.output()));
        const QPair<int, QString> refused = ask();
        QCOMPARE(refused.first, 400);
        QVERIFY2(refused.second.contains(QLatin1String("'no-aws'")) && !refused.second.contains(AwsKey),
                 qPrintable(refused.second));

        rule.action = GuardrailRule::Action::Mask;
        rule.restore = false; // the echo then shows what the provider got
        QVERIFY2(save(rule.name, rule), qPrintable(sluice.output()));
        const QPair<int, QString> masked = ask();
        QCOMPARE(masked.first, 200);
        QVERIFY2(masked.second.contains(QLatin1String("[SECRET_AWS_1]")) && !masked.second.contains(AwsKey),
                 qPrintable(masked.second));
        QCOMPARE(sluice.stop(), 0);
    }

private:
    QTemporaryDir m_dir;
    ListeningProcess m_mock;
    QUrl m_upstream;
};

QTEST_GUILESS_MAIN(TestE2eGuardrails)
#include "tst_e2e_guardrails.moc"
