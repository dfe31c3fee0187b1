#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "FormatTestSupport.h"
#include "api/GeminiCodec.h"
#include "api/GeminiPartialCall.h"
#include "api/OpenAiChatCodec.h"

using namespace sluice;
using namespace sluice::test;

class TestGeminiCodec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void buildsTheRequestPath();
    void readsRetryDelayFromA429();
    void encodesAForeignRequest();
    void keepsToolCallSignaturesAcrossTurns();
    void givesUnsignedCallsTheSkipSignature();
    void refusesAToolResultWithoutItsCall();
    void decodesAnInboundRequest();
    void reportsSafetyBlocks();
    void streamEncoderRoundTrips();
    void assemblesStreamedFunctionCallArguments();
    void streamEncoderWritesAJsonArrayWithoutSse();
    void translatesErrors();
};

void TestGeminiCodec::initTestCase()
{
    QVERIFY2(recordings().ok(), qPrintable(recordings().errorMessage()));
}

void TestGeminiCodec::buildsTheRequestPath()
{
    QCOMPARE(GeminiCodec::requestPath(QStringLiteral("gemini-2.5-flash"), false),
             QStringLiteral("/v1beta/models/gemini-2.5-flash:generateContent"));
    QCOMPARE(GeminiCodec::requestPath(QStringLiteral("gemini-2.5-flash"), true),
             QStringLiteral("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"));
}

void TestGeminiCodec::readsRetryDelayFromA429()
{
    const RecordingLibrary::Recording *recording = recordings()->find(QStringLiteral("google-429-retry-info"));
    QVERIFY(recording);
    QCOMPARE(GeminiCodec::retryDelayMs(recording->body), 34400);
    QCOMPARE(GeminiCodec::retryDelayMs(R"({"error":{"code":429,"details":[]}})"), -1);
    QCOMPARE(GeminiCodec::retryDelayMs(
                 R"([{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2s"}]}}])"),
             2000);
}

void TestGeminiCodec::encodesAForeignRequest()
{
    const QByteArray openAi = R"({"model":"gemini-alias","messages":[
        {"role":"system","content":"Be brief."},
        {"role":"user","content":[{"type":"text","text":"Describe"},
                                  {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}}]}],
        "max_tokens":256,"temperature":0.4,"top_p":0.8,"stop":["END"],"seed":1,
        "response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object","properties":{"a":{"type":"string"}}}}},
        "reasoning_effort":"low",
        "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}],
        "tool_choice":"required","user":"u","parallel_tool_calls":false})";
    const Result<CanonicalRequest> request = OpenAiChatCodec().decodeRequest(openAi);
    QVERIFY(request.ok());
    const Result<EncodedRequest> encoded = GeminiCodec().encodeRequest(*request);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonObject body = parseObject(encoded->body);
    QVERIFY(!body.contains(QLatin1String("model"))); // the model goes in the URL
    QCOMPARE(body.value(QLatin1String("systemInstruction"))
                 .toObject()
                 .value(QLatin1String("parts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("text"))
                 .toString(),
             QStringLiteral("Be brief."));
    const QJsonArray parts
        = body.value(QLatin1String("contents")).toArray().first().toObject().value(QLatin1String("parts")).toArray();
    QCOMPARE(parts.size(), 2);
    QCOMPARE(
        parts[1].toObject().value(QLatin1String("inlineData")).toObject().value(QLatin1String("mimeType")).toString(),
        QStringLiteral("image/jpeg"));
    const QJsonObject config = body.value(QLatin1String("generationConfig")).toObject();
    QCOMPARE(config.value(QLatin1String("maxOutputTokens")).toInt(), 256);
    QCOMPARE(config.value(QLatin1String("topP")).toDouble(), 0.8);
    QCOMPARE(config.value(QLatin1String("stopSequences")).toArray().first().toString(), QStringLiteral("END"));
    QCOMPARE(config.value(QLatin1String("seed")).toInt(), 1);
    QCOMPARE(config.value(QLatin1String("responseMimeType")).toString(), QStringLiteral("application/json"));
    QVERIFY(config.value(QLatin1String("responseJsonSchema")).toObject().contains(QLatin1String("properties")));
    const QJsonObject thinking = config.value(QLatin1String("thinkingConfig")).toObject();
    QCOMPARE(thinking.value(QLatin1String("includeThoughts")).toBool(), true);
    QCOMPARE(thinking.value(QLatin1String("thinkingBudget")).toInt(), 2048);
    const QJsonObject declaration = body.value(QLatin1String("tools"))
                                        .toArray()
                                        .first()
                                        .toObject()
                                        .value(QLatin1String("functionDeclarations"))
                                        .toArray()
                                        .first()
                                        .toObject();
    QCOMPARE(declaration.value(QLatin1String("name")).toString(), QStringLiteral("lookup"));
    QVERIFY(declaration.contains(QLatin1String("parametersJsonSchema")));
    QCOMPARE(body.value(QLatin1String("toolConfig"))
                 .toObject()
                 .value(QLatin1String("functionCallingConfig"))
                 .toObject()
                 .value(QLatin1String("mode"))
                 .toString(),
             QStringLiteral("ANY"));
}

void TestGeminiCodec::keepsToolCallSignaturesAcrossTurns()
{
    // Gemini's answer with a signed function call goes to an OpenAI client, which sends the call back next turn.
    const RecordingLibrary::Recording *recording = recordings()->find(QStringLiteral("google-tool-call"));
    QVERIFY(recording);
    const Result<CanonicalResponse> answer = GeminiCodec().decodeResponse(recording->body);
    QVERIFY(answer.ok());
    const QByteArray forClient = OpenAiChatCodec().encodeResponse(*answer, QStringLiteral("gemini-alias"));
    const QJsonObject call = parseObject(forClient)
                                 .value(QLatin1String("choices"))
                                 .toArray()
                                 .first()
                                 .toObject()
                                 .value(QLatin1String("message"))
                                 .toObject()
                                 .value(QLatin1String("tool_calls"))
                                 .toArray()
                                 .first()
                                 .toObject();
    const QString callId = call.value(QLatin1String("id")).toString();
    QVERIFY(callId.startsWith(QLatin1String("call_")));

    const QJsonObject nextTurn {
        {QStringLiteral("model"), QStringLiteral("gemini-alias")},
        {QStringLiteral("messages"),
         QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                  {QStringLiteral("content"), QStringLiteral("weather?")}},
                     QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                                  {QStringLiteral("content"), QJsonValue()},
                                  {QStringLiteral("tool_calls"), QJsonArray {call}}},
                     QJsonObject {{QStringLiteral("role"), QStringLiteral("tool")},
                                  {QStringLiteral("tool_call_id"), callId},
                                  {QStringLiteral("content"), QStringLiteral("{\"temperature\":21}")}}}}};
    const Result<CanonicalRequest> request = OpenAiChatCodec().decodeRequest(QJsonDocument(nextTurn).toJson());
    QVERIFY(request.ok());
    const Result<EncodedRequest> encoded = GeminiCodec().encodeRequest(*request);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonArray contents = parseObject(encoded->body).value(QLatin1String("contents")).toArray();
    QCOMPARE(contents.size(), 3);
    const QJsonObject callPart = contents[1].toObject().value(QLatin1String("parts")).toArray().first().toObject();
    QCOMPARE(callPart.value(QLatin1String("functionCall")).toObject().value(QLatin1String("name")).toString(),
             QStringLiteral("weather"));
    QCOMPARE(callPart.value(QLatin1String("thoughtSignature")).toString(),
             parseObject(recording->body)
                 .value(QLatin1String("candidates"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("content"))
                 .toObject()
                 .value(QLatin1String("parts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("thoughtSignature"))
                 .toString());
    const QJsonObject response = contents[2]
                                     .toObject()
                                     .value(QLatin1String("parts"))
                                     .toArray()
                                     .first()
                                     .toObject()
                                     .value(QLatin1String("functionResponse"))
                                     .toObject();
    QCOMPARE(response.value(QLatin1String("name")).toString(), QStringLiteral("weather"));
    QCOMPARE(response.value(QLatin1String("response")).toObject().value(QLatin1String("temperature")).toInt(), 21);
}

void TestGeminiCodec::givesUnsignedCallsTheSkipSignature()
{
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::AnthropicMessages;
    request.messages = {
        {CanonicalMessage::Role::User, {ContentPart::makeText(QStringLiteral("go"))}, {}},
        {CanonicalMessage::Role::Assistant,
         {ContentPart::makeToolCall(QStringLiteral("toolu_1"), QStringLiteral("a"), QStringLiteral("{}")),
          ContentPart::makeToolCall(QStringLiteral("toolu_2"), QStringLiteral("b"), QStringLiteral("{}"))},
         {}},
        {CanonicalMessage::Role::User,
         {ContentPart::makeToolResult(QStringLiteral("toolu_1"), QStringLiteral("x")),
          ContentPart::makeToolResult(QStringLiteral("toolu_2"), QStringLiteral("oops"), true)},
         {}},
    };
    const Result<EncodedRequest> encoded = GeminiCodec().encodeRequest(request);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonArray contents = parseObject(encoded->body).value(QLatin1String("contents")).toArray();
    const QJsonArray calls = contents[1].toObject().value(QLatin1String("parts")).toArray();
    QCOMPARE(calls[0].toObject().value(QLatin1String("thoughtSignature")).toString(),
             QStringLiteral("skip_thought_signature_validator"));
    QVERIFY(!calls[1].toObject().contains(QLatin1String("thoughtSignature"))); // only the first call of a turn
    const QJsonArray results = contents[2].toObject().value(QLatin1String("parts")).toArray();
    QCOMPARE(results[0]
                 .toObject()
                 .value(QLatin1String("functionResponse"))
                 .toObject()
                 .value(QLatin1String("response"))
                 .toObject()
                 .value(QLatin1String("result"))
                 .toString(),
             QStringLiteral("x"));
    QCOMPARE(results[1]
                 .toObject()
                 .value(QLatin1String("functionResponse"))
                 .toObject()
                 .value(QLatin1String("name"))
                 .toString(),
             QStringLiteral("b"));
    QCOMPARE(results[1]
                 .toObject()
                 .value(QLatin1String("functionResponse"))
                 .toObject()
                 .value(QLatin1String("response"))
                 .toObject()
                 .value(QLatin1String("error"))
                 .toString(),
             QStringLiteral("oops"));
}

void TestGeminiCodec::refusesAToolResultWithoutItsCall()
{
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::OpenAiChat;
    request.messages = {{CanonicalMessage::Role::User,
                         {ContentPart::makeToolResult(QStringLiteral("call_zz"), QStringLiteral("x"))},
                         {}}};
    const Result<EncodedRequest> encoded = GeminiCodec().encodeRequest(request);
    QVERIFY(!encoded.ok());
    QVERIFY2(encoded.errorMessage().contains(QLatin1String("messages[0].content[0]")),
             qPrintable(encoded.errorMessage()));
    QVERIFY(encoded.errorMessage().contains(QLatin1String("call_zz")));
}

void TestGeminiCodec::decodesAnInboundRequest()
{
    const QByteArray body = R"({
      "systemInstruction": {"parts": [{"text": "Be kind."}]},
      "contents": [
        {"role": "user", "parts": [{"text": "weather in Paris?"}]},
        {"role": "model", "parts": [{"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2ln"}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "weather", "response": {"result": "sunny"}}}]}],
      "tools": [{"functionDeclarations": [{"name": "weather", "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}}}]},
                {"googleSearch": {}}],
      "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["weather"]}},
      "generationConfig": {"maxOutputTokens": 100, "topK": 5, "thinkingConfig": {"thinkingBudget": 0}, "responseModalities": ["TEXT"]},
      "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    })";
    const Result<CanonicalRequest> decoded = GeminiCodec().decodeRequest(body);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QCOMPARE(decoded->systemText(), QStringLiteral("Be kind."));
    QCOMPARE(decoded->messages.size(), 3);
    const ContentPart &call = decoded->messages[1].parts.first();
    QCOMPARE(call.kind, ContentPart::Kind::ToolCall);
    QCOMPARE(call.signature, QStringLiteral("c2ln"));
    const ContentPart &result = decoded->messages[2].parts.first();
    QCOMPARE(result.toolCallId, call.toolCallId); // matched by name and order
    QCOMPARE(result.text, QStringLiteral("sunny"));
    QCOMPARE(decoded->tools.size(), 2);
    QCOMPARE(decoded->tools[0]
                 .parameters.value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("city"))
                 .toObject()
                 .value(QLatin1String("type"))
                 .toString(),
             QStringLiteral("string")); // JSON Schema spelling for other formats
    QCOMPARE(decoded->tools[1].builtinType, QStringLiteral("googleSearch"));
    QCOMPARE(decoded->toolChoice.mode, ToolChoice::Mode::Tool);
    QCOMPARE(decoded->reasoning.enabled, std::optional<bool>(false));
    QCOMPARE(decoded->topK, std::optional<qint64>(5));
    QVERIFY(decoded->extras.contains(QLatin1String("safetySettings")));

    // Same format again: safety settings and generation extras pass through.
    const Result<EncodedRequest> again = GeminiCodec().encodeRequest(*decoded);
    QVERIFY2(again.ok(), qPrintable(again.errorMessage()));
    const QJsonObject sent = parseObject(again->body);
    QVERIFY(sent.contains(QLatin1String("safetySettings")));
    QCOMPARE(sent.value(QLatin1String("generationConfig"))
                 .toObject()
                 .value(QLatin1String("responseModalities"))
                 .toArray()
                 .size(),
             1);
    QCOMPARE(sent.value(QLatin1String("generationConfig"))
                 .toObject()
                 .value(QLatin1String("thinkingConfig"))
                 .toObject()
                 .value(QLatin1String("thinkingBudget"))
                 .toInt(-1),
             0);
}

void TestGeminiCodec::reportsSafetyBlocks()
{
    const Result<CanonicalResponse> blocked = GeminiCodec().decodeResponse(
        R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}})");
    QVERIFY(blocked.ok());
    QCOMPARE(blocked->finishReason, FinishReason::ContentFilter);
    QVERIFY(blocked->finishMessage.contains(QLatin1String("PROHIBITED_CONTENT")));
    QCOMPARE(blocked->usage.input, 7);

    std::unique_ptr<StreamDecoder> decoder = GeminiCodec().createStreamDecoder();
    const StreamSummary summary = summarize(
        decodeInPieces(*decoder,
                       "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Sure, \"}],\"role\":\"model\"},"
                       "\"finishReason\":\"SAFETY\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":4,"
                       "\"candidatesTokenCount\":2},\"modelVersion\":\"g\",\"responseId\":\"r\"}\r\n\r\n"));
    QVERIFY(summary.finished);
    QCOMPARE(summary.finish, FinishReason::ContentFilter);
    QVERIFY(summary.finishMessage.contains(QLatin1String("SAFETY")));
}

void TestGeminiCodec::streamEncoderRoundTrips()
{
    std::unique_ptr<StreamEncoder> encoder
        = GeminiCodec().createStreamEncoder(StreamEncoderOptions {QStringLiteral("g-alias"), false});
    TokenUsage usage;
    usage.input = 30;
    usage.output = 12;
    usage.reasoning = 4;
    QByteArray bytes = encoder->encode(CanonicalEvents {
        CanonicalEvent::start(QStringLiteral("r1"), QStringLiteral("up")),
        CanonicalEvent::thinkingDelta(QStringLiteral("hmm")), CanonicalEvent::textDelta(QStringLiteral("Checking.")),
        CanonicalEvent::toolCallStart(0, QStringLiteral("call_1"), QStringLiteral("weather")),
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("{\"city\":")),
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("\"Oslo\"}")), CanonicalEvent::usageEvent(usage),
        CanonicalEvent::finish(FinishReason::ToolCalls)});
    bytes += encoder->finish();
    for (const SseEvent &event : parseSse(bytes))
        QCOMPARE(parseObject(event.data).value(QLatin1String("modelVersion")).toString(), QStringLiteral("g-alias"));
    std::unique_ptr<StreamDecoder> decoder = GeminiCodec().createStreamDecoder();
    const StreamSummary back = summarize(decodeInPieces(*decoder, bytes, 5));
    QVERIFY(back.violations.isEmpty());
    QCOMPARE(back.thinking, QStringLiteral("hmm"));
    QCOMPARE(back.text, QStringLiteral("Checking."));
    QCOMPARE(back.calls.size(), 1);
    QCOMPARE(parseObject(back.calls[0].arguments).value(QLatin1String("city")).toString(), QStringLiteral("Oslo"));
    QCOMPARE(back.finish, FinishReason::ToolCalls);
    QCOMPARE(back.usage.input, 30);
    QCOMPARE(back.usage.output, 12);
    QCOMPARE(back.usage.reasoning, 4);
}

void TestGeminiCodec::assemblesStreamedFunctionCallArguments()
{
    // Gemini 3 streams a call's arguments as JSON-path pieces; the name comes once, strings may be split.
    const QByteArray stream
        = "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":"
          "\"get_weather\",\"partialArgs\":[{\"jsonPath\":\"$.location\",\"stringValue\":\"Bos\","
          "\"willContinue\":true}],\"willContinue\":true},\"thoughtSignature\":\"c2ln\"}]}}],"
          "\"modelVersion\":\"gemini-3-pro\",\"responseId\":\"r\"}\r\n\r\n"
          "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{"
          "\"partialArgs\":[{\"jsonPath\":\"$.location\",\"stringValue\":\"ton\"},{\"jsonPath\":\"$.days\","
          "\"numberValue\":3},{\"jsonPath\":\"$.units[0]\",\"stringValue\":\"C\"},{\"jsonPath\":"
          "\"$['opts']['metric']\",\"boolValue\":true}],\"willContinue\":true}}]}}]}\r\n\r\n"
          "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{}}]},"
          "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":5}}"
          "\r\n\r\n";
    std::unique_ptr<StreamDecoder> decoder = GeminiCodec().createStreamDecoder();
    const StreamSummary summary = summarize(decodeInPieces(*decoder, stream, 11));
    QVERIFY2(summary.violations.isEmpty(), qPrintable(summary.violations.join(QLatin1Char('\n'))));
    QCOMPARE(summary.calls.size(), 1);
    QCOMPARE(summary.calls[0].name, QStringLiteral("get_weather"));
    QCOMPARE(GeminiCodec::signatureFromToolCallId(summary.calls[0].id), QStringLiteral("c2ln"));
    const QJsonObject arguments = parseObject(summary.calls[0].arguments);
    QCOMPARE(arguments.value(QLatin1String("location")).toString(), QStringLiteral("Boston"));
    QCOMPARE(arguments.value(QLatin1String("days")).toInt(), 3);
    QCOMPARE(arguments.value(QLatin1String("units")).toArray(), QJsonArray {QStringLiteral("C")});
    QCOMPARE(arguments.value(QLatin1String("opts")).toObject().value(QLatin1String("metric")).toBool(), true);
    QCOMPARE(summary.finish, FinishReason::ToolCalls);

    // Through an OpenAI chat client: one call, named once, with the whole arguments object.
    std::unique_ptr<StreamDecoder> again = GeminiCodec().createStreamDecoder();
    std::unique_ptr<StreamEncoder> encoder = OpenAiChatCodec().createStreamEncoder({});
    QByteArray chat = encoder->encode(decodeInPieces(*again, stream, 5));
    chat += encoder->finish();
    std::unique_ptr<StreamDecoder> chatDecoder = OpenAiChatCodec().createStreamDecoder();
    const StreamSummary client = summarize(decodeInPieces(*chatDecoder, chat));
    QCOMPARE(client.calls.size(), 1);
    QCOMPARE(parseObject(client.calls[0].arguments), arguments);

    // Paths Sluice cannot read are refused, never guessed.
    QVERIFY(GeminiPartialCall::parsePath(QStringLiteral("location")).isEmpty());
    QVERIFY(GeminiPartialCall::parsePath(QStringLiteral("$[0]")).isEmpty());
    QVERIFY(GeminiPartialCall::parsePath(QStringLiteral("$.a[")).isEmpty());
    QCOMPARE(GeminiPartialCall::parsePath(QStringLiteral("$.a.b[2]")).size(), 3);
}

void TestGeminiCodec::streamEncoderWritesAJsonArrayWithoutSse()
{
    StreamEncoderOptions options;
    options.requestedModel = QStringLiteral("g-alias");
    options.jsonArray = true;
    std::unique_ptr<StreamEncoder> encoder = GeminiCodec().createStreamEncoder(options);
    QByteArray bytes = encoder->encode(
        CanonicalEvents {CanonicalEvent::start(QStringLiteral("r1"), QStringLiteral("up")),
                         CanonicalEvent::textDelta(QStringLiteral("Hel")),
                         CanonicalEvent::textDelta(QStringLiteral("lo")), CanonicalEvent::finish(FinishReason::Stop)});
    bytes += encoder->finish();
    // streamGenerateContent without alt=sse: one JSON array of GenerateContentResponse objects.
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    QVERIFY2(doc.isArray(), qPrintable(error.errorString() + QStringLiteral(": ") + QString::fromUtf8(bytes)));
    QCOMPARE(doc.array().size(), 3);
    QString text;
    for (const QJsonValue &chunk : doc.array()) {
        const QJsonArray parts = chunk.toObject()
                                     .value(QLatin1String("candidates"))
                                     .toArray()
                                     .first()
                                     .toObject()
                                     .value(QLatin1String("content"))
                                     .toObject()
                                     .value(QLatin1String("parts"))
                                     .toArray();
        for (const QJsonValue &part : parts)
            text += part.toObject().value(QLatin1String("text")).toString();
    }
    QCOMPARE(text, QStringLiteral("Hello"));

    // An error mid-stream closes the array too.
    std::unique_ptr<StreamEncoder> failing = GeminiCodec().createStreamEncoder(options);
    QByteArray cut = failing->encode(CanonicalEvent::textDelta(QStringLiteral("Hel")));
    cut += failing->finish();
    QVERIFY(QJsonDocument::fromJson(cut).isArray());
    QVERIFY(cut.contains("\"error\""));
}

void TestGeminiCodec::translatesErrors()
{
    const RecordingLibrary::Recording *recording = recordings()->find(QStringLiteral("google-429-retry-info"));
    const CanonicalError error = GeminiCodec().decodeError(429, recording->body);
    const EncodedError again = GeminiCodec().encodeError(error);
    QCOMPARE(again.status, 429);
    const QJsonObject envelope = parseObject(again.body).value(QLatin1String("error")).toObject();
    QCOMPARE(envelope.value(QLatin1String("status")).toString(), QStringLiteral("RESOURCE_EXHAUSTED"));
    QCOMPARE(envelope.value(QLatin1String("message")).toString(), error.message);
    QCOMPARE(GeminiCodec::retryDelayMs(again.body), 34400);
}

QTEST_GUILESS_MAIN(TestGeminiCodec)
#include "tst_geminicodec.moc"
