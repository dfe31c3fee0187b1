#include <QJsonArray>
#include <QTest>

#include "FormatTestSupport.h"
#include "api/OpenAiChatCodec.h"

using namespace sluice;
using namespace sluice::test;

class TestOpenAiChatCodec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodesAFullRequest();
    void requestErrorsNameTheField_data();
    void requestErrorsNameTheField();
    void reEncodesItsOwnRequestWithUnknownFieldsIntact();
    void refusesWhatItCannotExpressUnlessDropping();
    void encodesAResponseWithTheRequestedModel();
    void streamEncoderEmitsTheSdkSequence();
    void streamEncoderOmitsUsageChunkUnlessAsked();
    void streamDecoderReportsErrorChunksAndCutStreams();
    void translatesErrors();
};

void TestOpenAiChatCodec::decodesAFullRequest()
{
    const QByteArray body = R"({
      "model": "gpt-4.1", "stream": true, "stream_options": {"include_usage": true},
      "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
        {"role": "user", "content": [
            {"type": "text", "text": "What is in these?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}]},
        {"role": "assistant", "content": null, "reasoning_content": "Look at both.",
         "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "describe", "arguments": "{\"n\":1}"}},
                        {"id": "call_2", "type": "function", "function": {"name": "describe", "arguments": "{\"n\":2}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "a cat"},
        {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "a dog"}]},
        {"role": "user", "content": "Thanks"}
      ],
      "tools": [{"type": "function", "function": {"name": "describe", "description": "Describe an image",
                 "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}}, "strict": true}}],
      "tool_choice": {"type": "function", "function": {"name": "describe"}},
      "parallel_tool_calls": false,
      "max_completion_tokens": 500, "temperature": 0.2, "top_p": 0.9, "seed": 7,
      "presence_penalty": 0.1, "frequency_penalty": 0.3, "stop": "END",
      "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": true}},
      "reasoning_effort": "low", "user": "u-42", "logprobs": true, "n": 2
    })";
    const Result<CanonicalRequest> decoded = OpenAiChatCodec().decodeRequest(body);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    const CanonicalRequest &request = *decoded;
    QCOMPARE(request.model, QStringLiteral("gpt-4.1"));
    QVERIFY(request.stream);
    QVERIFY(request.includeUsage);
    QCOMPARE(request.system.size(), 2);
    QCOMPARE(request.system[1].text, QStringLiteral("Use metric units."));
    QCOMPARE(request.messages.size(), 4); // user, assistant, tool results (merged), user
    const CanonicalMessage &user = request.messages[0];
    QCOMPARE(user.parts.size(), 3);
    QCOMPARE(user.parts[1].kind, ContentPart::Kind::Image);
    QCOMPARE(user.parts[1].media.mediaType, QStringLiteral("image/png"));
    QCOMPARE(user.parts[1].media.base64, QByteArray("iVBORw0KGgo="));
    QCOMPARE(user.parts[1].extras.value(QLatin1String("detail")).toString(), QStringLiteral("high"));
    QCOMPARE(user.parts[2].media.url, QStringLiteral("https://example.com/cat.jpg"));
    const CanonicalMessage &assistant = request.messages[1];
    QCOMPARE(assistant.role, CanonicalMessage::Role::Assistant);
    QCOMPARE(assistant.parts[0].kind, ContentPart::Kind::Thinking);
    QCOMPARE(assistant.parts[0].text, QStringLiteral("Look at both."));
    QCOMPARE(assistant.parts[2].toolCallId, QStringLiteral("call_2"));
    QCOMPARE(assistant.parts[2].arguments, QStringLiteral("{\"n\":2}"));
    const CanonicalMessage &results = request.messages[2];
    QCOMPARE(results.role, CanonicalMessage::Role::User);
    QCOMPARE(results.parts.size(), 2);
    QCOMPARE(results.parts[1].kind, ContentPart::Kind::ToolResult);
    QCOMPARE(results.parts[1].toolCallId, QStringLiteral("call_2"));
    QCOMPARE(results.parts[1].text, QStringLiteral("a dog"));
    QCOMPARE(request.tools.size(), 1);
    QCOMPARE(request.tools[0].parameters.value(QLatin1String("type")).toString(), QStringLiteral("object"));
    QCOMPARE(request.tools[0].strict, std::optional<bool>(true));
    QCOMPARE(request.toolChoice.mode, ToolChoice::Mode::Tool);
    QCOMPARE(request.toolChoice.name, QStringLiteral("describe"));
    QCOMPARE(request.parallelToolCalls, std::optional<bool>(false));
    QCOMPARE(request.maxTokens, std::optional<qint64>(500));
    QCOMPARE(request.temperature, std::optional<double>(0.2));
    QCOMPARE(request.seed, std::optional<qint64>(7));
    QCOMPARE(request.stop, QStringList {QStringLiteral("END")});
    QCOMPARE(request.responseFormat.type, ResponseFormat::Type::JsonSchema);
    QCOMPARE(request.responseFormat.name, QStringLiteral("answer"));
    QCOMPARE(request.reasoning.effort, QStringLiteral("low"));
    QCOMPARE(request.user, QStringLiteral("u-42"));
    QVERIFY(request.extras.contains(QLatin1String("logprobs")));
    QVERIFY(request.extras.contains(QLatin1String("n")));
}

void TestOpenAiChatCodec::requestErrorsNameTheField_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::newRow("not json") << QByteArray("{\"model\":") << QStringLiteral("not valid JSON");
    QTest::newRow("model") << QByteArray(R"({"messages":[]})") << QStringLiteral("\"model\"");
    QTest::newRow("messages") << QByteArray(R"({"model":"m"})") << QStringLiteral("\"messages\"");
    QTest::newRow("role") << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"robot"}]})")
                          << QStringLiteral("messages[1].role");
    QTest::newRow("tool_call_id") << QByteArray(R"({"model":"m","messages":[{"role":"tool","content":"x"}]})")
                                  << QStringLiteral("messages[0].tool_call_id");
    QTest::newRow("tool call name") << QByteArray(
        R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{}}]}]})")
                                    << QStringLiteral("messages[0].tool_calls[0]");
    QTest::newRow("temperature") << QByteArray(R"({"model":"m","messages":[],"temperature":"hot"})")
                                 << QStringLiteral("\"temperature\" must be a number");
    QTest::newRow("response_format") << QByteArray(R"({"model":"m","messages":[],"response_format":{"type":"xml"}})")
                                     << QStringLiteral("response_format.type");
}

void TestOpenAiChatCodec::requestErrorsNameTheField()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    const Result<CanonicalRequest> decoded = OpenAiChatCodec().decodeRequest(body);
    QVERIFY(!decoded.ok());
    QVERIFY2(decoded.errorMessage().contains(field), qPrintable(decoded.errorMessage()));
}

void TestOpenAiChatCodec::reEncodesItsOwnRequestWithUnknownFieldsIntact()
{
    const QByteArray body = R"({"model":"alias","stream":true,"messages":[{"role":"user","content":"hi"}],
        "max_tokens":64,"logprobs":true,"top_logprobs":2,"web_search_options":{}})";
    const Result<CanonicalRequest> decoded = OpenAiChatCodec().decodeRequest(body);
    QVERIFY(decoded.ok());
    EncodeOptions options;
    options.model = QStringLiteral("gpt-4.1-nano");
    const Result<EncodedRequest> encoded = OpenAiChatCodec().encodeRequest(*decoded, options);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonObject sent = parseObject(encoded->body);
    QCOMPARE(sent.value(QLatin1String("model")).toString(), QStringLiteral("gpt-4.1-nano"));
    QCOMPARE(sent.value(QLatin1String("logprobs")).toBool(), true);
    QCOMPARE(sent.value(QLatin1String("top_logprobs")).toInt(), 2);
    QVERIFY(sent.contains(QLatin1String("web_search_options")));
    QCOMPARE(sent.value(QLatin1String("max_completion_tokens")).toInt(), 64);
    // Usage is always asked for upstream, whatever the client wanted.
    QCOMPARE(sent.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(),
             true);
    QCOMPARE(
        sent.value(QLatin1String("messages")).toArray().first().toObject().value(QLatin1String("content")).toString(),
        QStringLiteral("hi"));

    options.legacyMaxTokens = true;
    const QJsonObject legacy = parseObject(OpenAiChatCodec().encodeRequest(*decoded, options)->body);
    QCOMPARE(legacy.value(QLatin1String("max_tokens")).toInt(), 64);
    QVERIFY(!legacy.contains(QLatin1String("max_completion_tokens")));
}

void TestOpenAiChatCodec::refusesWhatItCannotExpressUnlessDropping()
{
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::AnthropicMessages;
    request.model = QStringLiteral("claude");
    request.messages.append(
        CanonicalMessage {CanonicalMessage::Role::User, {ContentPart::makeText(QStringLiteral("hi"))}, {}});
    request.topK = 40;
    request.extras.insert(QStringLiteral("container"), QStringLiteral("c-1"));
    request.extras.insert(QStringLiteral("service_tier"), QStringLiteral("auto")); // harmless to leave out

    const Result<EncodedRequest> refused = OpenAiChatCodec().encodeRequest(request);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.errorMessage().contains(QLatin1String("'top_k'")), qPrintable(refused.errorMessage()));
    QVERIFY2(refused.errorMessage().contains(QLatin1String("'container'")), qPrintable(refused.errorMessage()));
    QVERIFY(!refused.errorMessage().contains(QLatin1String("service_tier")));

    EncodeOptions drop;
    drop.dropUnsupported = true;
    const Result<EncodedRequest> dropped = OpenAiChatCodec().encodeRequest(request, drop);
    QVERIFY2(dropped.ok(), qPrintable(dropped.errorMessage()));
    QCOMPARE(dropped->dropped, (QStringList {QStringLiteral("top_k"), QStringLiteral("container")}));
    const QJsonObject sent = parseObject(dropped->body);
    QVERIFY(!sent.contains(QLatin1String("top_k")));
    QVERIFY(!sent.contains(QLatin1String("container")));
}

void TestOpenAiChatCodec::encodesAResponseWithTheRequestedModel()
{
    CanonicalResponse response;
    response.id = QStringLiteral("msg_1");
    response.model = QStringLiteral("claude-sonnet-4-5");
    response.content = {ContentPart::makeThinking(QStringLiteral("hmm"), QStringLiteral("sig")),
                        ContentPart::makeText(QStringLiteral("Calling.")),
                        ContentPart::makeToolCall(QStringLiteral("toolu_1"), QStringLiteral("weather"), QString())};
    response.finishReason = FinishReason::ToolCalls;
    response.usage.input = 100;
    response.usage.output = 20;
    response.usage.cached = 60;
    response.usage.reasoning = 5;
    const QJsonObject body = parseObject(OpenAiChatCodec().encodeResponse(response, QStringLiteral("my-alias")));
    QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("my-alias"));
    QCOMPARE(body.value(QLatin1String("object")).toString(), QStringLiteral("chat.completion"));
    const QJsonObject choice = body.value(QLatin1String("choices")).toArray().first().toObject();
    QCOMPARE(choice.value(QLatin1String("finish_reason")).toString(), QStringLiteral("tool_calls"));
    const QJsonObject message = choice.value(QLatin1String("message")).toObject();
    QCOMPARE(message.value(QLatin1String("content")).toString(), QStringLiteral("Calling."));
    QCOMPARE(message.value(QLatin1String("reasoning_content")).toString(), QStringLiteral("hmm"));
    const QJsonObject call = message.value(QLatin1String("tool_calls")).toArray().first().toObject();
    QCOMPARE(call.value(QLatin1String("id")).toString(), QStringLiteral("toolu_1"));
    QCOMPARE(call.value(QLatin1String("function")).toObject().value(QLatin1String("arguments")).toString(),
             QStringLiteral("{}"));
    const QJsonObject usage = body.value(QLatin1String("usage")).toObject();
    QCOMPARE(usage.value(QLatin1String("prompt_tokens")).toInt(), 100);
    QCOMPARE(usage.value(QLatin1String("completion_tokens")).toInt(), 20);
    QCOMPARE(usage.value(QLatin1String("total_tokens")).toInt(), 120);
    QCOMPARE(
        usage.value(QLatin1String("prompt_tokens_details")).toObject().value(QLatin1String("cached_tokens")).toInt(),
        60);
    // And it reads back as the same answer.
    const Result<CanonicalResponse> back
        = OpenAiChatCodec().decodeResponse(OpenAiChatCodec().encodeResponse(response, {}));
    QVERIFY(back.ok());
    QCOMPARE(back->text(), QStringLiteral("Calling."));
    QCOMPARE(back->toolCalls().size(), 1);
    QCOMPARE(back->usage.cached, 60);
}

void TestOpenAiChatCodec::streamEncoderEmitsTheSdkSequence()
{
    std::unique_ptr<StreamEncoder> encoder
        = OpenAiChatCodec().createStreamEncoder(StreamEncoderOptions {QStringLiteral("alias"), true});
    TokenUsage usage;
    usage.input = 10;
    usage.output = 4;
    QByteArray bytes = encoder->encode(CanonicalEvents {
        CanonicalEvent::start(QStringLiteral("upstream-id"), QStringLiteral("real-model")),
        CanonicalEvent::thinkingDelta(QStringLiteral("think")), CanonicalEvent::textDelta(QStringLiteral("Hi")),
        CanonicalEvent::toolCallStart(0, QStringLiteral("call_a"), QStringLiteral("f")),
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("{\"x\":")),
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("1}")),
        CanonicalEvent::toolCallStart(1, QStringLiteral("call_b"), QStringLiteral("g")),
        CanonicalEvent::usageEvent(usage), CanonicalEvent::finish(FinishReason::ToolCalls)});
    bytes += encoder->finish();
    const QList<SseEvent> events = parseSse(bytes);
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    // Accumulate like the SDK does.
    QString content, reasoning, finish;
    QHash<int, QJsonObject> calls;
    QJsonObject usageChunk;
    for (qsizetype i = 0; i + 1 < events.size(); ++i) {
        const QJsonObject chunk = parseObject(events[i].data);
        QCOMPARE(chunk.value(QLatin1String("model")).toString(), QStringLiteral("alias"));
        QCOMPARE(chunk.value(QLatin1String("id")).toString(), QStringLiteral("upstream-id"));
        const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
        if (choices.isEmpty()) {
            usageChunk = chunk.value(QLatin1String("usage")).toObject();
            continue;
        }
        const QJsonObject delta = choices.first().toObject().value(QLatin1String("delta")).toObject();
        if (i == 0)
            QCOMPARE(delta.value(QLatin1String("role")).toString(), QStringLiteral("assistant"));
        content += delta.value(QLatin1String("content")).toString();
        reasoning += delta.value(QLatin1String("reasoning_content")).toString();
        for (const QJsonValue &callValue : delta.value(QLatin1String("tool_calls")).toArray()) {
            const QJsonObject call = callValue.toObject();
            QJsonObject &acc = calls[call.value(QLatin1String("index")).toInt()];
            if (call.contains(QLatin1String("id"))) {
                QCOMPARE(call.value(QLatin1String("type")).toString(), QStringLiteral("function"));
                acc.insert(QStringLiteral("id"), call.value(QLatin1String("id")));
                acc.insert(QStringLiteral("name"),
                           call.value(QLatin1String("function")).toObject().value(QLatin1String("name")));
            }
            const QString arguments = acc.value(QLatin1String("arguments")).toString()
                + call.value(QLatin1String("function")).toObject().value(QLatin1String("arguments")).toString();
            acc.insert(QStringLiteral("arguments"), arguments);
        }
        const QJsonValue reason = choices.first().toObject().value(QLatin1String("finish_reason"));
        if (reason.isString())
            finish = reason.toString();
    }
    QCOMPARE(content, QStringLiteral("Hi"));
    QCOMPARE(reasoning, QStringLiteral("think"));
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls[0].value(QLatin1String("id")).toString(), QStringLiteral("call_a"));
    QCOMPARE(calls[0].value(QLatin1String("arguments")).toString(), QStringLiteral("{\"x\":1}"));
    QCOMPARE(calls[1].value(QLatin1String("name")).toString(), QStringLiteral("g"));
    QCOMPARE(calls[1].value(QLatin1String("arguments")).toString(), QStringLiteral("{}")); // no arguments streamed
    QCOMPARE(finish, QStringLiteral("tool_calls"));
    QCOMPARE(usageChunk.value(QLatin1String("prompt_tokens")).toInt(), 10);
    QCOMPARE(usageChunk.value(QLatin1String("completion_tokens")).toInt(), 4);
}

void TestOpenAiChatCodec::streamEncoderOmitsUsageChunkUnlessAsked()
{
    std::unique_ptr<StreamEncoder> encoder
        = OpenAiChatCodec().createStreamEncoder(StreamEncoderOptions {QStringLiteral("m"), false});
    const QByteArray bytes = encoder->encode(CanonicalEvents {
        CanonicalEvent::start({}, {}), CanonicalEvent::textDelta(QStringLiteral("x")),
        CanonicalEvent::usageEvent(TokenUsage {5, 1, -1, -1, -1}), CanonicalEvent::finish(FinishReason::Stop)});
    QVERIFY(!bytes.contains("\"usage\""));
    QVERIFY(bytes.endsWith("data: [DONE]\n\n"));
}

void TestOpenAiChatCodec::streamDecoderReportsErrorChunksAndCutStreams()
{
    {
        std::unique_ptr<StreamDecoder> decoder = OpenAiChatCodec().createStreamDecoder();
        const StreamSummary summary = summarize(decodeInPieces(
            *decoder,
            "data: {\"id\":\"a\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
            "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n"));
        QVERIFY(summary.violations.isEmpty());
        QVERIFY(summary.failed);
        QCOMPARE(summary.text, QStringLiteral("Hel"));
        QCOMPARE(summary.error.message, QStringLiteral("The server had an error"));
    }
    {
        // The connection dropped mid-answer: no finish_reason, no [DONE].
        std::unique_ptr<StreamDecoder> decoder = OpenAiChatCodec().createStreamDecoder();
        const StreamSummary summary = summarize(decodeInPieces(
            *decoder,
            "data: {\"id\":\"a\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"));
        QVERIFY(summary.failed);
        QVERIFY2(summary.error.message.contains(QLatin1String("ended before the answer was complete")),
                 qPrintable(summary.error.message));
    }
    {
        // A finish_reason without [DONE] is a complete answer.
        std::unique_ptr<StreamDecoder> decoder = OpenAiChatCodec().createStreamDecoder();
        const StreamSummary summary = summarize(decodeInPieces(
            *decoder,
            "data: {\"id\":\"a\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},"
            "\"finish_reason\":\"length\"}]}"));
        QVERIFY(summary.finished);
        QCOMPARE(summary.finish, FinishReason::Length);
    }
}

void TestOpenAiChatCodec::translatesErrors()
{
    const CanonicalError decoded = OpenAiChatCodec().decodeError(
        429,
        R"({"error":{"message":"Rate limit reached for gpt-4.1","type":"requests","code":"rate_limit_exceeded"}})");
    QCOMPARE(decoded.kind, CanonicalError::Kind::RateLimit);
    QCOMPARE(decoded.code, QStringLiteral("rate_limit_exceeded"));
    const EncodedError encoded = OpenAiChatCodec().encodeError(decoded);
    QCOMPARE(encoded.status, 429);
    const QJsonObject error = parseObject(encoded.body).value(QLatin1String("error")).toObject();
    QCOMPARE(error.value(QLatin1String("message")).toString(), QStringLiteral("Rate limit reached for gpt-4.1"));
    QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("rate_limit_error"));

    // A body that is not JSON still yields a message with the status.
    const CanonicalError html = OpenAiChatCodec().decodeError(502, "<html><body>Bad gateway</body></html>");
    QVERIFY2(html.message.contains(QLatin1String("502")), qPrintable(html.message));
    QVERIFY(html.message.contains(QLatin1String("Bad gateway")));
    // Anthropic's 529 reaches OpenAI clients as 503.
    QCOMPARE(OpenAiChatCodec().encodeError(CanonicalError::make(529, QStringLiteral("Overloaded"))).status, 503);
}

QTEST_GUILESS_MAIN(TestOpenAiChatCodec)
#include "tst_openaichatcodec.moc"
