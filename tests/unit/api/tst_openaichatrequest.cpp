#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "api/OpenAiChatRequest.h"
#include "api/OpenAiError.h"
#include "api/TokenUsage.h"

using namespace sluice;

class TestOpenAiChatRequest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rejectsInvalidBodies_data();
    void rejectsInvalidBodies();
    void forwardsUntouchedWhenNothingChanges();
    void renamesModelAndRequestsUsageForStreams();
    void keepsClientUsageRequest();
    void readsTheTopLevelOfLargeAndEscapedBodies();
    void editsOnlyTheModelAndStreamOptionsBytes_data();
    void editsOnlyTheModelAndStreamOptionsBytes();
    void readsUsageDetails();
    void errorEnvelope();
};

void TestOpenAiChatRequest::rejectsInvalidBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not json") << QByteArray("{model: x") << QStringLiteral("not valid JSON");
    QTest::newRow("array") << QByteArray("[]") << QStringLiteral("JSON object");
    QTest::newRow("no model") << QByteArray(R"({"messages":[]})") << QStringLiteral("\"model\" is required");
    QTest::newRow("empty model") << QByteArray(R"({"model":"","messages":[]})") << QStringLiteral("\"model\"");
    QTest::newRow("no messages") << QByteArray(R"({"model":"m"})") << QStringLiteral("\"messages\"");
    QTest::newRow("bad stream") << QByteArray(R"({"model":"m","messages":[],"stream":"yes"})")
                                << QStringLiteral("\"stream\"");
    QTest::newRow("bad stream_options") << QByteArray(R"({"model":"m","messages":[],"stream_options":1})")
                                        << QStringLiteral("\"stream_options\"");
}

void TestOpenAiChatRequest::rejectsInvalidBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    const Result<OpenAiChatRequest> parsed = OpenAiChatRequest::parse(body);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.errorMessage().contains(mentions), qPrintable(parsed.errorMessage()));
}

void TestOpenAiChatRequest::forwardsUntouchedWhenNothingChanges()
{
    // Key order, spacing and big integers survive because the bytes are not re-encoded.
    const QByteArray body
        = R"({"model": "gpt", "seed": 12345678901234567890, "messages": [{"role":"user","content":"hi"}]})";
    const Result<OpenAiChatRequest> parsed = OpenAiChatRequest::parse(body);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->model(), QStringLiteral("gpt"));
    QVERIFY(!parsed->stream());
    QCOMPARE(parsed->upstreamBody(body, QStringLiteral("gpt")), body);
}

void TestOpenAiChatRequest::renamesModelAndRequestsUsageForStreams()
{
    const QByteArray body = R"({"model":"fast","stream":true,"messages":[],"temperature":0.5})";
    const Result<OpenAiChatRequest> parsed = OpenAiChatRequest::parse(body);
    QVERIFY(parsed.ok());
    QVERIFY(parsed->stream());
    QVERIFY(!parsed->clientWantsUsage());
    const QJsonObject sent = QJsonDocument::fromJson(parsed->upstreamBody(body, QStringLiteral("gpt-4.1"))).object();
    QCOMPARE(sent.value(QLatin1String("model")).toString(), QStringLiteral("gpt-4.1"));
    QCOMPARE(sent.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(),
             true);
    QCOMPARE(sent.value(QLatin1String("temperature")).toDouble(), 0.5);
}

void TestOpenAiChatRequest::keepsClientUsageRequest()
{
    const QByteArray body = R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]})";
    const Result<OpenAiChatRequest> parsed = OpenAiChatRequest::parse(body);
    QVERIFY(parsed.ok());
    QVERIFY(parsed->clientWantsUsage());
    QCOMPARE(parsed->upstreamBody(body, QStringLiteral("m")), body);
}

void TestOpenAiChatRequest::readsTheTopLevelOfLargeAndEscapedBodies()
{
    // A 200 KB prompt with braces, quotes and a "model" inside strings: only the top-level members count.
    const QByteArray prompt = QByteArray(200000, 'x') + R"(\"}], \"model\": \"wrong\", {[)";
    const QByteArray big = R"({"messages":[{"role":"user","content":")" + prompt
        + R"("}],"stream":true,"model":"gpt-\u00e9","stream_options":{"include_usage":true}})";
    const Result<OpenAiChatRequest> parsed = OpenAiChatRequest::parse(big);
    QVERIFY2(parsed.ok(), qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->model(), QStringLiteral("gpt-\u00e9"));
    QVERIFY(parsed->stream());
    QVERIFY(parsed->clientWantsUsage());

    // Member names spelled with escapes are read by the full parser, as any JSON reader would.
    const QByteArray escaped = R"({"mo\u0064el":"m","messages":[],"stream":false})";
    const Result<OpenAiChatRequest> escapedParsed = OpenAiChatRequest::parse(escaped);
    QVERIFY2(escapedParsed.ok(), qPrintable(escapedParsed.errorMessage()));
    QCOMPARE(escapedParsed->model(), QStringLiteral("m"));
    const QJsonObject renamed
        = QJsonDocument::fromJson(escapedParsed->upstreamBody(escaped, QStringLiteral("other"))).object();
    QCOMPARE(renamed.value(QLatin1String("model")).toString(), QStringLiteral("other"));

    const Result<OpenAiChatRequest> badMessages = OpenAiChatRequest::parse(R"({"model":"m","messages":{"a":1}})");
    QVERIFY(!badMessages.ok());
    QVERIFY(badMessages.errorMessage().contains(QLatin1String("\"messages\"")));
}

void TestOpenAiChatRequest::editsOnlyTheModelAndStreamOptionsBytes_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("upstreamModel");
    QTest::addColumn<QByteArray>("expected");
    // Key order, spacing, big integers and escapes elsewhere survive: only the edited values change.
    QTest::newRow("rename")
        << QByteArray(R"({ "model" : "fast", "seed": 12345678901234567890, "messages": [{"content":"\"model\": x"}] })")
        << QStringLiteral("gpt-4.1 \"o\"")
        << QByteArray(
               R"({ "model" : "gpt-4.1 \"o\"", "seed": 12345678901234567890, "messages": [{"content":"\"model\": x"}] })");
    QTest::newRow("stream adds options")
        << QByteArray(R"({"model":"m","stream":true,"seed":12345678901234567890,"messages":[]} )")
        << QStringLiteral("m")
        << QByteArray(
               R"({"model":"m","stream":true,"seed":12345678901234567890,"messages":[],"stream_options":{"include_usage":true}} )");
    QTest::newRow("stream options null")
        << QByteArray(R"({"model":"m","stream":true,"stream_options":null,"messages":[]})") << QStringLiteral("u")
        << QByteArray(R"({"model":"u","stream":true,"stream_options":{"include_usage":true},"messages":[]})");
    QTest::newRow("stream options kept")
        << QByteArray(R"({"model":"m","stream":true,"stream_options":{"include_usage":false},"messages":[]})")
        << QStringLiteral("m")
        << QByteArray(R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]})");
}

void TestOpenAiChatRequest::editsOnlyTheModelAndStreamOptionsBytes()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, upstreamModel);
    QFETCH(QByteArray, expected);
    const Result<OpenAiChatRequest> parsed = OpenAiChatRequest::parse(body);
    QVERIFY2(parsed.ok(), qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->upstreamBody(body, upstreamModel), expected);
}

void TestOpenAiChatRequest::readsUsageDetails()
{
    const QJsonObject usage = QJsonDocument::fromJson(R"({"prompt_tokens":16,"completion_tokens":300,
        "prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":120}})")
                                  .object();
    const TokenUsage parsed = TokenUsage::fromOpenAiChat(usage);
    QCOMPARE(parsed.input, 16);
    QCOMPARE(parsed.output, 300);
    QCOMPARE(parsed.cached, 4);
    QCOMPARE(parsed.reasoning, 120);
    const TokenUsage missing = TokenUsage::fromOpenAiChat(QJsonObject {{QStringLiteral("prompt_tokens"), 3}});
    QCOMPARE(missing.output, -1);
    QCOMPARE(missing.cached, -1);
}

void TestOpenAiChatRequest::errorEnvelope()
{
    const QByteArray json = OpenAiError {429, QStringLiteral("slow down"), {}, "rate_limited", {}}.toJson();
    const QJsonObject error = QJsonDocument::fromJson(json).object().value(QLatin1String("error")).toObject();
    QCOMPARE(error.value(QLatin1String("message")).toString(), QStringLiteral("slow down"));
    QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("rate_limit_error"));
    QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("rate_limited"));
    QVERIFY(error.value(QLatin1String("param")).isNull());
}

QTEST_GUILESS_MAIN(TestOpenAiChatRequest)
#include "tst_openaichatrequest.moc"
