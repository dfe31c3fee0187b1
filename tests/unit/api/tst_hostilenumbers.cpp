#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "api/AnthropicMessagesCodec.h"
#include "api/GeminiCodec.h"
#include "api/OpenAiChatCodec.h"
#include "api/OpenAiEmbeddingsRequest.h"
#include "api/TokenUsage.h"
#include "common/WholeNumber.h"

using namespace sluice;

// Numbers from clients and upstreams that no plain cast to an integer survives (1e20, 1e400, negative counts):
// refused with a message naming the field, or treated as not reported, never undefined behaviour.
class TestHostileNumbers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void wholeNumbers()
    {
        QCOMPARE(wholeNumber(42.0), std::optional<qint64>(42));
        QCOMPARE(wholeNumber(-3.0), std::optional<qint64>(-3));
        QCOMPARE(wholeNumber(1e20), std::nullopt);
        QCOMPARE(wholeNumber(-1e20), std::nullopt);
        QCOMPARE(wholeNumber(9223372036854775808.0), std::nullopt); // 2^63
        QCOMPARE(wholeNumber(-9223372036854775808.0), std::optional<qint64>(std::numeric_limits<qint64>::min()));
        QCOMPARE(wholeNumber(std::numeric_limits<double>::infinity()), std::nullopt);
        QCOMPARE(wholeNumber(std::numeric_limits<double>::quiet_NaN()), std::nullopt);
        QCOMPARE(wholeNumber(2.5), std::nullopt);
        QCOMPARE(tokenCount(120.0), std::optional<qint64>(120));
        QCOMPARE(tokenCount(-1.0), std::nullopt);
        QCOMPARE(tokenCount(1e13), std::nullopt);
    }

    void clientNumbersAreRefusedByName_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("max_tokens 1e20") << QByteArray(R"({"model":"m","max_tokens":1e20,"messages":[]})")
                                         << QStringLiteral("max_tokens");
        QTest::newRow("max_tokens 1e400") << QByteArray(R"({"model":"m","max_tokens":1e400,"messages":[]})")
                                          << QStringLiteral("not valid JSON"); // Qt refuses it
        QTest::newRow("budget_tokens") << QByteArray(
            R"({"model":"m","max_tokens":10,"messages":[],"thinking":{"type":"enabled","budget_tokens":1e300}})")
                                       << QStringLiteral("thinking.budget_tokens");
    }

    void clientNumbersAreRefusedByName()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        const Result<CanonicalRequest> decoded = AnthropicMessagesCodec().decodeRequest(body);
        QVERIFY(!decoded.ok());
        QVERIFY2(decoded.errorMessage().contains(field), qPrintable(decoded.errorMessage()));
    }

    void geminiAndEmbeddingsNumbers()
    {
        const Result<CanonicalRequest> gemini = GeminiCodec().decodeRequest(
            R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],
                "generationConfig":{"thinkingConfig":{"thinkingBudget":-1e30}}})");
        QVERIFY(!gemini.ok());
        QVERIFY2(gemini.errorMessage().contains(QLatin1String("thinkingBudget")), qPrintable(gemini.errorMessage()));

        const Result<OpenAiEmbeddingsRequest> dimensions
            = OpenAiEmbeddingsRequest::parse(R"({"model":"e","input":"hi","dimensions":1e20})");
        QVERIFY(!dimensions.ok());
        QVERIFY(dimensions.errorMessage().contains(QLatin1String("dimensions")));
        const Result<OpenAiEmbeddingsRequest> ids
            = OpenAiEmbeddingsRequest::parse(R"({"model":"e","input":[1e30, 2]})");
        QVERIFY(!ids.ok());
    }

    void upstreamUsageBeyondReasonIsNotBilled()
    {
        const TokenUsage usage = TokenUsage::fromOpenAiChat(
            QJsonDocument::fromJson(R"({"prompt_tokens":1e30,"completion_tokens":-7,"total_tokens":12})").object());
        QCOMPARE(usage.input, -1);
        QCOMPARE(usage.output, -1);
        const Result<CanonicalResponse> answer = OpenAiChatCodec().decodeResponse(
            R"({"id":"x","created":1e300,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},
                "finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1e19}})");
        QVERIFY(answer.ok());
        QCOMPARE(answer->created, 0);
        QCOMPARE(answer->usage.input, 5);
        QCOMPARE(answer->usage.output, -1);
    }
};

QTEST_GUILESS_MAIN(TestHostileNumbers)
#include "tst_hostilenumbers.moc"
