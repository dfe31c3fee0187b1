#include <QDir>
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "api/JsonMembers.h"
#include "api/TokenUsage.h"
#include "gateway/UsageReader.h"

using namespace sluice;

namespace {
void compareUsage(const TokenUsage &actual, const TokenUsage &expected)
{
    QCOMPARE(actual.input, expected.input);
    QCOMPARE(actual.output, expected.output);
    QCOMPARE(actual.cached, expected.cached);
    QCOMPARE(actual.reasoning, expected.reasoning);
    QCOMPARE(actual.cacheWrite, expected.cacheWrite);
}

TokenUsage parsed(const QByteArray &usage)
{
    return TokenUsage::fromOpenAiChat(QJsonDocument::fromJson(usage).object());
}
} // namespace

class TestUsageReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plainUsageReadsAsTheParserReadsIt_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::newRow("openai") << QByteArray(R"({
    "prompt_tokens": 16,
    "completion_tokens": 363,
    "total_tokens": 379,
    "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  })");
        QTest::newRow("reasoning in completion_tokens")
            << QByteArray(R"({"prompt_tokens":10,"completion_tokens":50,"total_tokens":60,)"
                          R"("completion_tokens_details":{"reasoning_tokens":30}})");
        QTest::newRow("reasoning outside completion_tokens (xAI)")
            << QByteArray(R"({"prompt_tokens":10,"completion_tokens":20,"total_tokens":60,)"
                          R"("completion_tokens_details":{"reasoning_tokens":30}})");
        QTest::newRow("deepseek cache hits")
            << QByteArray(R"({"prompt_tokens":100,"completion_tokens":5,"prompt_cache_hit_tokens":64,)"
                          R"("prompt_cache_miss_tokens":36,"total_tokens":105})");
        QTest::newRow("details null") << QByteArray(
            R"({"prompt_tokens":1,"completion_tokens":2,)"
            R"("prompt_tokens_details":null,"completion_tokens_details":null})");
        QTest::newRow("strings, booleans and nulls beside")
            << QByteArray(R"({"prompt_tokens":1,"completion_tokens":2,"queue_time":null,"billed":true,)"
                          R"("cached":false,"tier":"default"})");
        QTest::newRow("a count given as a string") << QByteArray(R"({"prompt_tokens":"16","completion_tokens":2})");
        QTest::newRow("a count beyond a trillion")
            << QByteArray(R"({"prompt_tokens":1000000000001,"completion_tokens":2})");
        QTest::newRow("duplicate names: the last one counts")
            << QByteArray(R"({"prompt_tokens":1,"prompt_tokens":7,"completion_tokens":2})");
        QTest::newRow("duplicate details: the last object counts")
            << QByteArray(R"({"prompt_tokens":9,"prompt_tokens_details":{"cached_tokens":4},)"
                          R"("prompt_tokens_details":{"audio_tokens":1},"completion_tokens":2})");
        QTest::newRow("details replaced by null")
            << QByteArray(R"({"prompt_tokens":9,"completion_tokens_details":{"reasoning_tokens":4},)"
                          R"("completion_tokens_details":null,"completion_tokens":2})");
        QTest::newRow("a count replaced by a string")
            << QByteArray(R"({"prompt_tokens":9,"prompt_tokens":"9","completion_tokens":2})");
        QTest::newRow("counts in nested objects do not count")
            << QByteArray(R"({"extra":{"prompt_tokens":5,"inner":{"cached_tokens":3}},"completion_tokens":2,)"
                          R"("prompt_tokens_details":{"more":{"cached_tokens":8}}})");
        QTest::newRow("empty") << QByteArray("{}");
        QTest::newRow("zero") << QByteArray(R"({"prompt_tokens":0,"completion_tokens":0})");
    }

    void plainUsageReadsAsTheParserReadsIt()
    {
        QFETCH(QByteArray, usage);
        const std::optional<TokenUsage> read = UsageReader::openAiChat(usage);
        QVERIFY(read.has_value());
        compareUsage(*read, parsed(usage));
    }

    void anythingElseIsLeftToTheParser_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::newRow("fraction") << QByteArray(R"({"prompt_tokens":16.0,"completion_tokens":2})");
        QTest::newRow("exponent") << QByteArray(R"({"prompt_tokens":1e3,"completion_tokens":2})");
        QTest::newRow("negative") << QByteArray(R"({"prompt_tokens":-1,"completion_tokens":2})");
        QTest::newRow("leading zero (not JSON)") << QByteArray(R"({"prompt_tokens":016,"completion_tokens":2})");
        QTest::newRow("misspelt literal (not JSON)") << QByteArray(R"({"prompt_tokens":16,"cached":nul})");
        QTest::newRow("escaped name") << QByteArray(R"({"prompt\u005ftokens":16,"completion_tokens":2})");
        QTest::newRow("escaped string") << QByteArray("{\"prompt_tokens\":16,\"note\":\"a \\\"b\\\"\"}");
        QTest::newRow("text outside ASCII") << QByteArray("{\"prompt_tokens\":16,\"note\":\"caf\xc3\xa9\"}");
        QTest::newRow("array") << QByteArray(R"({"prompt_tokens":16,"parts":[1,2]})");
        QTest::newRow("malformed nested value")
            << QByteArray(R"({"prompt_tokens":16,"prompt_tokens_details":{"cached_tokens":4x}})");
        QTest::newRow("not an object") << QByteArray("null");
        QTest::newRow("unclosed") << QByteArray(R"({"prompt_tokens":16)");
        QTest::newRow("trailing comma (not JSON)") << QByteArray(R"({"prompt_tokens":16,})");
        QTest::newRow("missing comma (not JSON)") << QByteArray(R"({"prompt_tokens":16 "completion_tokens":2})");
        QTest::newRow("text after the object") << QByteArray(R"({"prompt_tokens":16} x)");
        QTest::newRow("nested too deep") << QByteArray(R"({"a":{"b":{"c":{"d":{"e":1}}}}})");
    }

    void anythingElseIsLeftToTheParser()
    {
        QFETCH(QByteArray, usage);
        QVERIFY(!UsageReader::openAiChat(usage).has_value());
    }

    void recordedAnswersReadAsTheParserReadsThem()
    {
        const QString dir = qEnvironmentVariable("SLUICE_RECORDINGS_DIR");
        if (dir.isEmpty() || !QDir(dir).exists())
            QSKIP("SLUICE_RECORDINGS_DIR is not set to the provider recordings");
        int read = 0;
        QDirIterator files(dir, {QStringLiteral("*.json")}, QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray body = file.readAll();
            const std::optional<JsonMembers> members = JsonMembers::scan(body);
            const JsonMembers::Member *usage = members ? members->find("usage") : nullptr;
            if (!usage || !members->value(*usage).startsWith('{'))
                continue;
            const QByteArray text = members->value(*usage).toByteArray();
            const std::optional<TokenUsage> plain = UsageReader::openAiChat(text);
            if (!plain)
                continue;
            compareUsage(*plain, parsed(text));
            ++read;
        }
        QVERIFY2(read >= 3, "the recordings hold OpenAI-style answers with usage");
    }
};

QTEST_GUILESS_MAIN(TestUsageReader)
#include "tst_usagereader.moc"
