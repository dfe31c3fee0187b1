#include <QFile>
#include <QTest>

#include "routing/ErrorClassifier.h"

using namespace sluice;

Q_DECLARE_METATYPE(sluice::FailureClass)
Q_DECLARE_METATYPE(sluice::AttemptOutcome::Transport)

namespace {
QByteArray recording(const QString &relativePath)
{
    QFile file(qEnvironmentVariable("SLUICE_RECORDINGS_DIR") + QLatin1Char('/') + relativePath);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read recording %s", qPrintable(file.fileName()));
    return file.readAll();
}
} // namespace

class TestErrorClassifier : public QObject
{
    Q_OBJECT

private slots:
    void httpAnswers_data();
    void httpAnswers();
    void transportFailures_data();
    void transportFailures();
    void recordedProviderBodies();
    void quotaExhaustionIsNotRetryable();
    void reasonsNeverQuoteTheProvidersMessage();
    void namesRoundTrip();
};

void TestErrorClassifier::httpAnswers_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<FailureClass>("expected");

    const QByteArray openAiContext
        = R"({"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})";
    const QByteArray anthropicContext
        = R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208310 tokens > 200000 maximum"}})";
    const QByteArray anthropicContextWithMaxTokens
        = R"({"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again"}})";
    const QByteArray geminiContext
        = R"({"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}})";
    const QByteArray geminiContextInArray
        = R"([{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}])";
    const QByteArray mistralContext
        = R"({"object":"error","message":"Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length","type":"invalid_request_error","param":null,"code":null})";
    const QByteArray groqContext
        = R"({"error":{"message":"Please reduce the length of the messages or completion.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})";
    const QByteArray azureFilter
        = R"({"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}})";
    const QByteArray openAiFlagged
        = R"({"error":{"message":"Invalid prompt: your prompt was flagged as potentially violating our usage policy.","type":"invalid_request_error","param":null,"code":"invalid_prompt"}})";
    const QByteArray anthropicOverloaded
        = R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})";
    const QByteArray unsupportedParameter
        = R"({"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}})";
    const QByteArray openAiFiltered
        = R"({"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"content_filter"}]})";
    const QByteArray openAiRefusalField
        = R"({"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]})";
    const QByteArray geminiBlocked
        = R"({"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[]},"usageMetadata":{"promptTokenCount":8}})";
    const QByteArray geminiSafetyStop
        = R"({"candidates":[{"content":{"parts":[]},"finishReason":"SAFETY","index":0}]})";
    const QByteArray ordinaryAnswer
        = R"({"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"The refusal rate is low."},"finish_reason":"stop"}]})";

    QTest::newRow("200 ordinary answer") << 200 << ordinaryAnswer << FailureClass::None;
    QTest::newRow("429") << 429 << QByteArray(R"({"error":{"message":"Rate limit reached"}})")
                         << FailureClass::RateLimit;
    QTest::newRow("500") << 500 << QByteArray("Internal Server Error") << FailureClass::ServerError;
    QTest::newRow("502") << 502 << QByteArray() << FailureClass::ServerError;
    QTest::newRow("503") << 503 << QByteArray() << FailureClass::ServerError;
    QTest::newRow("529 overloaded") << 529 << anthropicOverloaded << FailureClass::ServerError;
    QTest::newRow("504") << 504 << QByteArray() << FailureClass::Timeout;
    QTest::newRow("408") << 408 << QByteArray() << FailureClass::Timeout;
    QTest::newRow("400 plain") << 400 << unsupportedParameter << FailureClass::ClientError;
    QTest::newRow("401") << 401 << QByteArray(R"({"error":{"message":"Incorrect API key provided"}})")
                         << FailureClass::ClientError;
    QTest::newRow("403") << 403 << QByteArray(R"({"error":{"code":403,"status":"PERMISSION_DENIED"}})")
                         << FailureClass::ClientError;
    QTest::newRow("404") << 404 << QByteArray(R"({"error":{"message":"The model does not exist"}})")
                         << FailureClass::ClientError;
    QTest::newRow("422") << 422 << QByteArray() << FailureClass::ClientError;
    QTest::newRow("openai context_length_exceeded") << 400 << openAiContext << FailureClass::ContextWindowExceeded;
    QTest::newRow("anthropic prompt is too long") << 400 << anthropicContext << FailureClass::ContextWindowExceeded;
    QTest::newRow("anthropic context limit")
        << 400 << anthropicContextWithMaxTokens << FailureClass::ContextWindowExceeded;
    QTest::newRow("gemini token count") << 400 << geminiContext << FailureClass::ContextWindowExceeded;
    QTest::newRow("gemini in an array") << 400 << geminiContextInArray << FailureClass::ContextWindowExceeded;
    QTest::newRow("mistral maximum context length") << 400 << mistralContext << FailureClass::ContextWindowExceeded;
    QTest::newRow("groq code") << 400 << groqContext << FailureClass::ContextWindowExceeded;
    QTest::newRow("context error as 413") << 413 << anthropicContext << FailureClass::ContextWindowExceeded;
    QTest::newRow("plain text context error")
        << 400 << QByteArray("error: maximum context length exceeded") << FailureClass::ContextWindowExceeded;
    QTest::newRow("azure content filter") << 400 << azureFilter << FailureClass::ContentPolicy;
    QTest::newRow("openai flagged prompt") << 400 << openAiFlagged << FailureClass::ContentPolicy;
    QTest::newRow("200 finish_reason content_filter") << 200 << openAiFiltered << FailureClass::ContentPolicy;
    QTest::newRow("200 refusal field") << 200 << openAiRefusalField << FailureClass::ContentPolicy;
    QTest::newRow("200 gemini blocked prompt") << 200 << geminiBlocked << FailureClass::ContentPolicy;
    QTest::newRow("200 gemini safety stop") << 200 << geminiSafetyStop << FailureClass::ContentPolicy;
    // Spaced and pretty-printed as providers send them: the markers are found after their opening quote.
    QTest::newRow("200 refusal field, pretty-printed")
        << 200 << QByteArray("{\n  \"choices\": [{\"message\": {\"content\": null,\n    \"refusal\" :\n \"No.\"}}]\n}")
        << FailureClass::ContentPolicy;
    QTest::newRow("200 refusal null, pretty-printed")
        << 200
        << QByteArray("{\n  \"choices\": [{\"message\": {\"content\": \"refusal\",\n    \"refusal\" :\n null}}]\n}")
        << FailureClass::None;
    QTest::newRow("200 content_filter, spaced")
        << 200 << QByteArray(R"({"choices": [ {"finish_reason" : "content_filter"} ]})") << FailureClass::ContentPolicy;
    QTest::newRow("200 anthropic stop_reason refusal, spaced")
        << 200 << QByteArray(R"({"type": "message", "content": [], "stop_reason" : "refusal"})")
        << FailureClass::ContentPolicy;
    QTest::newRow("5xx body mentioning context stays server error")
        << 500 << openAiContext << FailureClass::ServerError;
}

void TestErrorClassifier::httpAnswers()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(FailureClass, expected);
    const Classification result = ErrorClassifier::classify(AttemptOutcome::http(status, body));
    QCOMPARE(result.failureClass, expected);
    QVERIFY2(result.reason.startsWith(QStringLiteral("HTTP %1").arg(status)), qPrintable(result.reason));
}

void TestErrorClassifier::transportFailures_data()
{
    QTest::addColumn<AttemptOutcome::Transport>("transport");
    QTest::addColumn<QString>("phase");
    QTest::addColumn<FailureClass>("expected");
    QTest::addColumn<QString>("reasonPart");
    QTest::newRow("connect") << AttemptOutcome::Transport::Connect << QString() << FailureClass::Connection
                             << QStringLiteral("could not connect");
    QTest::newRow("reset") << AttemptOutcome::Transport::Reset << QString() << FailureClass::Connection
                           << QStringLiteral("connection broke");
    QTest::newRow("first byte timeout") << AttemptOutcome::Transport::Timeout << QStringLiteral("first byte")
                                        << FailureClass::Timeout << QStringLiteral("first byte");
    QTest::newRow("idle timeout") << AttemptOutcome::Transport::Timeout << QStringLiteral("idle")
                                  << FailureClass::Timeout << QStringLiteral("went quiet");
    QTest::newRow("invalid HTTP") << AttemptOutcome::Transport::Protocol << QString() << FailureClass::ServerError
                                  << QStringLiteral("not valid HTTP");
    QTest::newRow("cancelled") << AttemptOutcome::Transport::Cancelled << QString() << FailureClass::Cancelled
                               << QStringLiteral("client went away");
}

void TestErrorClassifier::transportFailures()
{
    QFETCH(AttemptOutcome::Transport, transport);
    QFETCH(QString, phase);
    QFETCH(FailureClass, expected);
    QFETCH(QString, reasonPart);
    const Classification result = ErrorClassifier::classify(
        AttemptOutcome::transportFailure(transport, QStringLiteral("api.example:443"), phase));
    QCOMPARE(result.failureClass, expected);
    QVERIFY2(result.reason.contains(reasonPart), qPrintable(result.reason));

    // An answer that arrived but could not be read is the provider's fault, not the client's.
    AttemptOutcome malformed = AttemptOutcome::http(200, "{\"choices\": [");
    malformed.malformedBody = true;
    QCOMPARE(ErrorClassifier::classify(malformed).failureClass, FailureClass::ServerError);
}

void TestErrorClassifier::recordedProviderBodies()
{
    QCOMPARE(
        ErrorClassifier::classifyHttp(429, recording(QStringLiteral("google/google-429-retry-info.json"))).failureClass,
        FailureClass::RateLimit);
    QCOMPARE(
        ErrorClassifier::classifyHttp(200, recording(QStringLiteral("anthropic/anthropic-refusal.json"))).failureClass,
        FailureClass::ContentPolicy);
    QCOMPARE(
        ErrorClassifier::classifyHttp(200, recording(QStringLiteral("anthropic/anthropic-text.json"))).failureClass,
        FailureClass::None);
    QCOMPARE(ErrorClassifier::classifyHttp(200, recording(QStringLiteral("google/google-text.json"))).failureClass,
             FailureClass::None);
    QCOMPARE(ErrorClassifier::classifyHttp(200, recording(QStringLiteral("openai/openai-text.json"))).failureClass,
             FailureClass::None);
    QCOMPARE(ErrorClassifier::classifyHttp(
                 400, recording(QStringLiteral("openai/reasoning-model-legacy-parameter-error.json")))
                 .failureClass,
             FailureClass::ClientError);
}

void TestErrorClassifier::quotaExhaustionIsNotRetryable()
{
    const Classification quota = ErrorClassifier::classifyHttp(
        429,
        R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})");
    QCOMPARE(quota.failureClass, FailureClass::RateLimit);
    QVERIFY(!quota.retryable);
    QVERIFY(ErrorClassifier::classifyHttp(429, {}).retryable);
    QVERIFY(!ErrorClassifier::classifyHttp(400, {}).retryable);
}

void TestErrorClassifier::reasonsNeverQuoteTheProvidersMessage()
{
    const Classification result = ErrorClassifier::classifyHttp(
        401, R"({"error":{"message":"Incorrect API key provided: sk-proj-abc123***xyz9","code":"invalid_api_key"}})");
    QCOMPARE(result.failureClass, FailureClass::ClientError);
    QVERIFY(!result.reason.contains(QLatin1String("sk-")));
    QVERIFY(result.reason.contains(QLatin1String("key")));
}

void TestErrorClassifier::namesRoundTrip()
{
    for (FailureClass failure : {FailureClass::RateLimit, FailureClass::ServerError, FailureClass::Timeout,
                                 FailureClass::Connection, FailureClass::ContextWindowExceeded,
                                 FailureClass::ContentPolicy, FailureClass::ClientError, FailureClass::Cancelled}) {
        QCOMPARE(failureClassFromName(failureClassName(failure)), std::optional<FailureClass>(failure));
    }
    QCOMPARE(failureClassFromName(QStringLiteral("context_window")),
             std::optional<FailureClass>(FailureClass::ContextWindowExceeded));
    QVERIFY(!failureClassFromName(QStringLiteral("server_errors")));
    QVERIFY(failureClassName(FailureClass::None).isEmpty());
}

QTEST_GUILESS_MAIN(TestErrorClassifier)
#include "tst_errorclassifier.moc"
