#include <QtTest>

#include "api/BedrockConverseCodec.h"
#include "api/FormatCodec.h"
#include "providers/ProviderAdapter.h"
#include "support/AwsEventStreamWriter.h"
#include "support/BedrockTranscript.h"
#include "support/RecordingLibrary.h"

using namespace sluice;
using sluice::test::AwsEventStreamWriter;
using Type = CanonicalEvent::Type;

namespace {
QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

const FormatCodec &bedrock()
{
    return FormatCodec::forFormat(ApiFormat::BedrockConverse);
}

CanonicalRequest openAiRequest(const QByteArray &body)
{
    Result<CanonicalRequest> request = FormatCodec::forFormat(ApiFormat::OpenAiChat).decodeRequest(body);
    if (!request)
        qFatal("test request does not decode: %s", qPrintable(request.errorMessage()));
    return request.value();
}

// Feeds the stream one byte at a time (frames split anywhere), then ends it.
CanonicalEvents decodeStream(const QByteArray &bytes)
{
    std::unique_ptr<StreamDecoder> decoder = bedrock().createStreamDecoder();
    CanonicalEvents events;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        events += decoder->feed(bytes.mid(i, 1));
    events += decoder->finish();
    return events;
}

QString joined(const CanonicalEvents &events, Type type)
{
    QString text;
    for (const CanonicalEvent &event : events) {
        if (event.type == type)
            text += event.text;
    }
    return text;
}

ProviderAdapter bedrockAdapter(bool sigV4)
{
    ProviderConfig config;
    config.name = QStringLiteral("aws");
    config.type = QStringLiteral("bedrock");
    config.region = QStringLiteral("eu-central-1");
    config.baseUrl = QUrl(QStringLiteral("https://bedrock-runtime.eu-central-1.amazonaws.com"));
    config.apiKey = SecretRef::parse(QStringLiteral("keychain:aws-secret"));
    if (sigV4)
        config.accessKeyId = SecretRef::parse(QStringLiteral("keychain:aws-id"));
    return ProviderAdapter(config);
}
} // namespace

class TestBedrockConverseCodec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void encodesAnOpenAiConversationAsConverse()
    {
        const CanonicalRequest request = openAiRequest(R"({
            "model": "claude", "max_tokens": 300, "temperature": 0.2, "top_p": 0.9, "stop": ["END"],
            "messages": [
              {"role": "system", "content": "Be brief."},
              {"role": "user", "content": [{"type": "text", "text": "Weather here?"},
                                           {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\u0022city\u0022:\u0022Paris\u0022}"}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "18C, cloudy"}
            ],
            "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather by city",
                       "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
            "tool_choice": "required"
        })");
        EncodeOptions options;
        options.model = QStringLiteral("anthropic.claude-3-5-haiku-20241022-v1:0");
        const Result<EncodedRequest> encoded = bedrock().encodeRequest(request, options);
        QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
        const QJsonObject body = parse(encoded->body);

        QVERIFY(!body.contains(QLatin1String("model"))); // the model is in the URL
        QCOMPARE(body.value(QLatin1String("system")).toArray(),
                 QJsonArray({QJsonObject {{QStringLiteral("text"), QStringLiteral("Be brief.")}}}));
        const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 3);
        const QJsonArray user = messages[0].toObject().value(QLatin1String("content")).toArray();
        QCOMPARE(messages[0].toObject().value(QLatin1String("role")).toString(), QStringLiteral("user"));
        QCOMPARE(user[0].toObject().value(QLatin1String("text")).toString(), QStringLiteral("Weather here?"));
        const QJsonObject image = user[1].toObject().value(QLatin1String("image")).toObject();
        QCOMPARE(image.value(QLatin1String("format")).toString(), QStringLiteral("png"));
        QCOMPARE(image.value(QLatin1String("source")).toObject().value(QLatin1String("bytes")).toString(),
                 QStringLiteral("iVBORw0KGgo="));
        const QJsonObject toolUse = messages[1]
                                        .toObject()
                                        .value(QLatin1String("content"))
                                        .toArray()[0]
                                        .toObject()
                                        .value(QLatin1String("toolUse"))
                                        .toObject();
        QCOMPARE(messages[1].toObject().value(QLatin1String("role")).toString(), QStringLiteral("assistant"));
        QCOMPARE(toolUse.value(QLatin1String("toolUseId")).toString(), QStringLiteral("call_1"));
        QCOMPARE(toolUse.value(QLatin1String("name")).toString(), QStringLiteral("get_weather"));
        QCOMPARE(toolUse.value(QLatin1String("input")).toObject().value(QLatin1String("city")).toString(),
                 QStringLiteral("Paris"));
        const QJsonObject toolResult = messages[2]
                                           .toObject()
                                           .value(QLatin1String("content"))
                                           .toArray()[0]
                                           .toObject()
                                           .value(QLatin1String("toolResult"))
                                           .toObject();
        QCOMPARE(toolResult.value(QLatin1String("toolUseId")).toString(), QStringLiteral("call_1"));
        QCOMPARE(
            toolResult.value(QLatin1String("content")).toArray()[0].toObject().value(QLatin1String("text")).toString(),
            QStringLiteral("18C, cloudy"));

        const QJsonObject inference = body.value(QLatin1String("inferenceConfig")).toObject();
        QCOMPARE(inference.value(QLatin1String("maxTokens")).toInt(), 300);
        QCOMPARE(inference.value(QLatin1String("temperature")).toDouble(), 0.2);
        QCOMPARE(inference.value(QLatin1String("topP")).toDouble(), 0.9);
        QCOMPARE(inference.value(QLatin1String("stopSequences")).toArray(), QJsonArray({QStringLiteral("END")}));
        const QJsonObject toolConfig = body.value(QLatin1String("toolConfig")).toObject();
        const QJsonObject spec = toolConfig.value(QLatin1String("tools"))
                                     .toArray()[0]
                                     .toObject()
                                     .value(QLatin1String("toolSpec"))
                                     .toObject();
        QCOMPARE(spec.value(QLatin1String("name")).toString(), QStringLiteral("get_weather"));
        QCOMPARE(spec.value(QLatin1String("description")).toString(), QStringLiteral("Weather by city"));
        QCOMPARE(spec.value(QLatin1String("inputSchema"))
                     .toObject()
                     .value(QLatin1String("json"))
                     .toObject()
                     .value(QLatin1String("type")),
                 QJsonValue(QStringLiteral("object")));
        QVERIFY(toolConfig.value(QLatin1String("toolChoice")).toObject().contains(QLatin1String("any")));
    }

    void refusesWhatConverseCannotExpressNamingIt()
    {
        const CanonicalRequest request = openAiRequest(R"({"model": "m", "seed": 7, "messages": [{"role": "user",
            "content": [{"type": "image_url", "image_url": {"url": "https:\/\/example.com/cat.png"}}]}]})");
        const Result<EncodedRequest> encoded = bedrock().encodeRequest(request);
        QVERIFY(!encoded.ok());
        QVERIFY2(encoded.errorMessage().contains(QLatin1String("seed")), qPrintable(encoded.errorMessage()));
        QVERIFY2(encoded.errorMessage().contains(QLatin1String("messages[0].content[0]")),
                 qPrintable(encoded.errorMessage()));
    }

    // Anthropic prompt-cache breakpoints reach Bedrock as cachePoint blocks after the cached block.
    void cacheControlBecomesCachePoints()
    {
        const Result<CanonicalRequest> request
            = FormatCodec::forFormat(ApiFormat::AnthropicMessages).decodeRequest(R"({"model": "m", "max_tokens": 100,
            "system": [{"type": "text", "text": "Long rules.", "cache_control": {"type": "ephemeral"}}],
            "tools": [{"name": "t", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "Big document.", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "Question?"}]}]})");
        QVERIFY2(request.ok(), qPrintable(request.errorMessage()));
        const Result<EncodedRequest> encoded = bedrock().encodeRequest(request.value());
        QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
        const QJsonObject body = parse(encoded->body);
        const QJsonObject point = QJsonObject {
            {QStringLiteral("cachePoint"), QJsonObject {{QStringLiteral("type"), QStringLiteral("default")}}}};
        const QJsonArray system = body.value(QLatin1String("system")).toArray();
        QCOMPARE(system.size(), 2);
        QCOMPARE(system[1].toObject(), point);
        const QJsonArray content
            = body.value(QLatin1String("messages")).toArray()[0].toObject().value(QLatin1String("content")).toArray();
        QCOMPARE(content.size(), 3);
        QCOMPARE(content[0].toObject().value(QLatin1String("text")).toString(), QStringLiteral("Big document."));
        QCOMPARE(content[1].toObject(), point);
        QCOMPARE(content[2].toObject().value(QLatin1String("text")).toString(), QStringLiteral("Question?"));
        const QJsonArray tools
            = body.value(QLatin1String("toolConfig")).toObject().value(QLatin1String("tools")).toArray();
        QCOMPARE(tools.size(), 2);
        QCOMPARE(tools[1].toObject(), point);
    }

    void thinkingGoesToAnthropicModelsAsAdditionalFields()
    {
        const CanonicalRequest request = openAiRequest(
            R"({"model": "m", "reasoning_effort": "low", "max_tokens": 5000, "messages": [{"role": "user", "content": "hi"}]})");
        EncodeOptions options;
        options.model = QStringLiteral("us.anthropic.claude-sonnet-4-20250514-v1:0");
        const Result<EncodedRequest> encoded = bedrock().encodeRequest(request, options);
        QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
        const QJsonObject thinking = parse(encoded->body)
                                         .value(QLatin1String("additionalModelRequestFields"))
                                         .toObject()
                                         .value(QLatin1String("thinking"))
                                         .toObject();
        QCOMPARE(thinking.value(QLatin1String("type")).toString(), QStringLiteral("enabled"));
        QVERIFY(thinking.value(QLatin1String("budget_tokens")).toInt() >= 1024);
        options.model = QStringLiteral("amazon.nova-pro-v1:0");
        QVERIFY(!bedrock().encodeRequest(request, options).ok());
    }

    // The response shape of AWS's Converse API reference.
    void decodesAConverseResponse()
    {
        const Result<CanonicalResponse> response = bedrock().decodeResponse(R"({
            "output": {"message": {"role": "assistant", "content": [
                {"reasoningContent": {"reasoningText": {"text": "User wants weather.", "signature": "sig-abc"}}},
                {"text": "Let me check."},
                {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}]}},
            "stopReason": "tool_use",
            "usage": {"inputTokens": 100, "outputTokens": 40, "totalTokens": 170, "cacheReadInputTokens": 20,
                      "cacheWriteInputTokens": 10},
            "metrics": {"latencyMs": 900}})");
        QVERIFY2(response.ok(), qPrintable(response.errorMessage()));
        QCOMPARE(response->content.size(), 3);
        QCOMPARE(response->thinkingText(), QStringLiteral("User wants weather."));
        QCOMPARE(response->content[0].signature, QStringLiteral("sig-abc"));
        QCOMPARE(response->text(), QStringLiteral("Let me check."));
        const ContentParts calls = response->toolCalls();
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls[0].toolCallId, QStringLiteral("tooluse_1"));
        QCOMPARE(calls[0].toolName, QStringLiteral("get_weather"));
        QCOMPARE(parse(calls[0].arguments.toUtf8()).value(QLatin1String("city")).toString(), QStringLiteral("Paris"));
        QCOMPARE(response->finishReason, FinishReason::ToolCalls);
        QCOMPARE(response->usage.input, 130); // uncached 100 + cache read 20 + cache write 10
        QCOMPARE(response->usage.cached, 20);
        QCOMPARE(response->usage.cacheWrite, 10);
        QCOMPARE(response->usage.output, 40);
    }

    void stopReasonsMapToFinishReasons()
    {
        QCOMPARE(BedrockConverseCodec::finishReasonFromStopReason(QStringLiteral("end_turn")), FinishReason::Stop);
        QCOMPARE(BedrockConverseCodec::finishReasonFromStopReason(QStringLiteral("stop_sequence")), FinishReason::Stop);
        QCOMPARE(BedrockConverseCodec::finishReasonFromStopReason(QStringLiteral("max_tokens")), FinishReason::Length);
        QCOMPARE(BedrockConverseCodec::finishReasonFromStopReason(QStringLiteral("tool_use")), FinishReason::ToolCalls);
        QCOMPARE(BedrockConverseCodec::finishReasonFromStopReason(QStringLiteral("guardrail_intervened")),
                 FinishReason::ContentFilter);
        QCOMPARE(BedrockConverseCodec::finishReasonFromStopReason(QStringLiteral("content_filtered")),
                 FinishReason::ContentFilter);
    }

    void decodesAConverseStreamSplitAnywhere()
    {
        QByteArray stream;
        stream += AwsEventStreamWriter::event("messageStart", {{QStringLiteral("role"), QStringLiteral("assistant")}});
        stream += AwsEventStreamWriter::event(
            "contentBlockDelta",
            {{QStringLiteral("contentBlockIndex"), 0},
             {QStringLiteral("delta"),
              QJsonObject {{QStringLiteral("reasoningContent"),
                            QJsonObject {{QStringLiteral("text"), QStringLiteral("Hmm.")}}}}}});
        stream += AwsEventStreamWriter::event(
            "contentBlockDelta",
            {{QStringLiteral("contentBlockIndex"), 0},
             {QStringLiteral("delta"),
              QJsonObject {{QStringLiteral("reasoningContent"),
                            QJsonObject {{QStringLiteral("signature"), QStringLiteral("sig")}}}}}});
        stream += AwsEventStreamWriter::event("contentBlockStop", {{QStringLiteral("contentBlockIndex"), 0}});
        for (const auto &piece : {QStringLiteral("Hel"), QStringLiteral("lo")}) {
            stream += AwsEventStreamWriter::event(
                "contentBlockDelta",
                {{QStringLiteral("contentBlockIndex"), 1},
                 {QStringLiteral("delta"), QJsonObject {{QStringLiteral("text"), piece}}}});
        }
        stream += AwsEventStreamWriter::event("contentBlockStop", {{QStringLiteral("contentBlockIndex"), 1}});
        stream += AwsEventStreamWriter::event(
            "contentBlockStart",
            {{QStringLiteral("contentBlockIndex"), 2},
             {QStringLiteral("start"),
              QJsonObject {{QStringLiteral("toolUse"),
                            QJsonObject {{QStringLiteral("toolUseId"), QStringLiteral("tu_1")},
                                         {QStringLiteral("name"), QStringLiteral("lookup")}}}}}});
        for (const auto &piece : {QStringLiteral("{\"q\":"), QStringLiteral("\"x\"}")}) {
            stream += AwsEventStreamWriter::event(
                "contentBlockDelta",
                {{QStringLiteral("contentBlockIndex"), 2},
                 {QStringLiteral("delta"),
                  QJsonObject {{QStringLiteral("toolUse"), QJsonObject {{QStringLiteral("input"), piece}}}}}});
        }
        stream += AwsEventStreamWriter::event("contentBlockStop", {{QStringLiteral("contentBlockIndex"), 2}});
        stream
            += AwsEventStreamWriter::event("messageStop", {{QStringLiteral("stopReason"), QStringLiteral("tool_use")}});
        stream += AwsEventStreamWriter::event(
            "metadata",
            {{QStringLiteral("usage"),
              QJsonObject {{QStringLiteral("inputTokens"), 12},
                           {QStringLiteral("outputTokens"), 34},
                           {QStringLiteral("totalTokens"), 46}}},
             {QStringLiteral("metrics"), QJsonObject {{QStringLiteral("latencyMs"), 5}}}});

        const CanonicalEvents events = decodeStream(stream);
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.first().type, Type::Start);
        QCOMPARE(joined(events, Type::ThinkingDelta), QStringLiteral("Hmm."));
        QCOMPARE(joined(events, Type::TextDelta), QStringLiteral("Hello"));
        QCOMPARE(joined(events, Type::ToolArgumentsDelta), QStringLiteral("{\"q\":\"x\"}"));
        bool sawSignature = false;
        bool sawToolStart = false;
        for (const CanonicalEvent &event : events) {
            sawSignature = sawSignature || event.signature == QLatin1String("sig");
            if (event.type == Type::ToolCallStart) {
                sawToolStart = true;
                QCOMPARE(event.toolCallId, QStringLiteral("tu_1"));
                QCOMPARE(event.toolName, QStringLiteral("lookup"));
                QCOMPARE(event.index, 0);
            }
        }
        QVERIFY(sawSignature);
        QVERIFY(sawToolStart);
        QCOMPARE(events.last().type, Type::Finish);
        QCOMPARE(events.last().finishReason, FinishReason::ToolCalls);
        QCOMPARE(events[events.size() - 2].type,
                 Type::Usage); // metadata comes after messageStop; usage precedes Finish
        QCOMPARE(events[events.size() - 2].usage.input, 12);
        QCOMPARE(events[events.size() - 2].usage.output, 34);
    }

    void anExceptionEventBecomesAnErrorWithItsKind()
    {
        QByteArray stream
            = AwsEventStreamWriter::event("messageStart", {{QStringLiteral("role"), QStringLiteral("assistant")}});
        stream += AwsEventStreamWriter::exception("throttlingException", QStringLiteral("Too many tokens, slow down."));
        const CanonicalEvents events = decodeStream(stream);
        QCOMPARE(events.last().type, Type::Error);
        QCOMPARE(events.last().error.kind, CanonicalError::Kind::RateLimit);
        QCOMPARE(events.last().error.status, 429);
        QCOMPARE(events.last().error.message, QStringLiteral("Too many tokens, slow down."));
    }

    void aStreamCutBeforeMessageStopIsIncomplete()
    {
        QByteArray stream
            = AwsEventStreamWriter::event("messageStart", {{QStringLiteral("role"), QStringLiteral("assistant")}});
        stream += AwsEventStreamWriter::event(
            "contentBlockDelta",
            {{QStringLiteral("contentBlockIndex"), 0},
             {QStringLiteral("delta"), QJsonObject {{QStringLiteral("text"), QStringLiteral("Hi")}}}});
        const CanonicalEvents cut = decodeStream(stream + stream.left(20));
        QCOMPARE(cut.last().type, Type::Error);
        QCOMPARE(cut.last().error.code, QStringLiteral("stream_truncated"));

        QByteArray corrupt = stream;
        corrupt[corrupt.size() - 3] = char(corrupt.at(corrupt.size() - 3) ^ 1);
        const CanonicalEvents broken = decodeStream(corrupt);
        QCOMPARE(broken.last().type, Type::Error);
        QCOMPARE(broken.last().error.code, QStringLiteral("upstream_protocol"));
    }

    void errorsKeepTheMessageAndTakeTheKindFromTheExceptionHeader()
    {
        const ProviderAdapter adapter = bedrockAdapter(true);
        const auto decode = [&](int status, const QByteArray &type, const QByteArray &body) {
            const HttpHeaders headers {{"x-amzn-ErrorType", type}};
            return bedrock().decodeError(status, adapter.errorBody(headers, body));
        };
        const CanonicalError throttled
            = decode(429, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
                     R"({"message":"Too many requests, please wait before trying again."})");
        QCOMPARE(throttled.kind, CanonicalError::Kind::RateLimit);
        QCOMPARE(throttled.status, 429);
        QCOMPARE(throttled.code, QStringLiteral("ThrottlingException"));
        QCOMPARE(throttled.message, QStringLiteral("Too many requests, please wait before trying again."));
        const CanonicalError invalid = decode(400, "ValidationException", R"({"message":"The model returned..."})");
        QCOMPARE(invalid.kind, CanonicalError::Kind::InvalidRequest);
        const CanonicalError unavailable = decode(503, "ServiceUnavailableException", R"({"Message":"Try later"})");
        QCOMPARE(unavailable.kind, CanonicalError::Kind::Overloaded);
        QCOMPARE(unavailable.message, QStringLiteral("Try later"));
        const CanonicalError notReady = decode(429, "ModelNotReadyException", R"({"message":"Model is not ready"})");
        QCOMPARE(notReady.kind, CanonicalError::Kind::Overloaded);
        // Translated for an OpenAI client: status and message kept.
        const EncodedError forClient = FormatCodec::forFormat(ApiFormat::OpenAiChat).encodeError(throttled);
        QCOMPARE(forClient.status, 429);
        QVERIFY(forClient.body.contains("Too many requests"));
    }

    void adapterBuildsConverseUrlsAndAuthenticates()
    {
        const ProviderAdapter signing = bedrockAdapter(true);
        QCOMPARE(signing.format(), ApiFormat::BedrockConverse);
        UpstreamRequest request = signing.request("{}", QStringLiteral("anthropic.claude-3-haiku-20240307-v1:0"), true,
                                                  QStringLiteral("the-secret"), {});
        QCOMPARE(request.url.toString(QUrl::FullyEncoded),
                 QStringLiteral("https://bedrock-runtime.eu-central-1.amazonaws.com/model/"
                                "anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"));
        QCOMPARE(request.headers.value("Accept"), QByteArray("application/vnd.amazon.eventstream"));
        QVERIFY(!request.headers.contains("Authorization"));
        signing.sign(request, QStringLiteral("the-secret"), SigningSecrets {QStringLiteral("AKIDTEST"), {}},
                     QDateTime::currentDateTimeUtc());
        const QByteArray authorization = request.headers.value("Authorization");
        QVERIFY(authorization.startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/"));
        QVERIFY(authorization.contains("/eu-central-1/bedrock/aws4_request"));
        QVERIFY(!authorization.contains("the-secret"));

        // Without an access key id the key is a Bedrock API key (bearer), and nothing is signed.
        const ProviderAdapter apiKey = bedrockAdapter(false);
        UpstreamRequest bearer = apiKey.request("{}", QStringLiteral("m"), false, QStringLiteral("ABSK-key"), {});
        apiKey.sign(bearer, QStringLiteral("ABSK-key"), {}, QDateTime::currentDateTimeUtc());
        QCOMPARE(bearer.headers.value("Authorization"), QByteArray("Bearer ABSK-key"));
        QVERIFY(bearer.url.path().endsWith(QLatin1String("/model/m/converse")));
    }

    // Recorded Anthropic output transcribed to Converse decodes to what the Anthropic codec reads from the original.
    void derivedRecordingsDecodeLikeTheirAnthropicOriginals_data()
    {
        QTest::addColumn<QString>("name");
        for (const auto name : {"anthropic-text", "anthropic-json-tool.1", "anthropic-clear-thinking.1",
                                "anthropic-tool-no-args", "anthropic-refusal"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void derivedRecordingsDecodeLikeTheirAnthropicOriginals()
    {
        QFETCH(QString, name);
        const Result<test::RecordingLibrary> library
            = test::RecordingLibrary::load(test::RecordingLibrary::defaultDirectory());
        QVERIFY2(library.ok(), qPrintable(library.errorMessage()));
        const test::RecordingLibrary::Recording *recording = library->find(name);
        QVERIFY(recording);
        const FormatCodec &anthropic = FormatCodec::forFormat(ApiFormat::AnthropicMessages);

        if (recording->hasBody) {
            const Result<CanonicalResponse> original = anthropic.decodeResponse(recording->body);
            const Result<CanonicalResponse> derived = bedrock().decodeResponse(
                QJsonDocument(test::BedrockTranscript::converseBody(parse(recording->body))).toJson());
            QVERIFY(original.ok() && derived.ok());
            QCOMPARE(derived->text(), original->text());
            QCOMPARE(derived->thinkingText(), original->thinkingText());
            QCOMPARE(derived->toolCalls().size(), original->toolCalls().size());
            for (qsizetype i = 0; i < original->toolCalls().size(); ++i) {
                QCOMPARE(derived->toolCalls()[i].toolName, original->toolCalls()[i].toolName);
                QCOMPARE(parse(derived->toolCalls()[i].arguments.toUtf8()),
                         parse(original->toolCalls()[i].arguments.toUtf8()));
            }
            QCOMPARE(derived->finishReason, original->finishReason);
            QCOMPARE(derived->usage.input, original->usage.input);
            QCOMPARE(derived->usage.output, original->usage.output);
        }
        if (recording->hasEvents) {
            std::unique_ptr<StreamDecoder> sse = anthropic.createStreamDecoder();
            CanonicalEvents original;
            for (const QByteArray &payload : recording->events)
                original += sse->feed(
                    test::RecordingLibrary::frameEvent(test::RecordingLibrary::Family::Anthropic, payload));
            original += sse->finish();
            QByteArray frames;
            for (const QByteArray &frame : test::BedrockTranscript::converseStream(recording->events))
                frames += frame;
            const CanonicalEvents derived = decodeStream(frames);
            QCOMPARE(joined(derived, Type::TextDelta), joined(original, Type::TextDelta));
            QCOMPARE(joined(derived, Type::ThinkingDelta), joined(original, Type::ThinkingDelta));
            QCOMPARE(parse(joined(derived, Type::ToolArgumentsDelta).toUtf8()),
                     parse(joined(original, Type::ToolArgumentsDelta).toUtf8()));
            QCOMPARE(derived.last().type, Type::Finish);
            QCOMPARE(original.last().type, Type::Finish);
            QCOMPARE(derived.last().finishReason, original.last().finishReason);
            const CanonicalEvent &usage = derived[derived.size() - 2];
            QCOMPARE(usage.type, Type::Usage);
            QCOMPARE(usage.usage.input, sse->usage().input);
            QCOMPARE(usage.usage.output, sse->usage().output);
        }
    }
};

QTEST_GUILESS_MAIN(TestBedrockConverseCodec)
#include "tst_bedrockconversecodec.moc"
