#include <QJsonArray>
#include <QTest>

#include "FormatTestSupport.h"
#include "api/AnthropicMessagesCodec.h"
#include "api/FormatCodec.h"
#include "api/GeminiCodec.h"
#include "api/OpenAiChatCodec.h"
#include "api/OpenAiResponsesCodec.h"
#include "support/AnswerRenderer.h"

using namespace sluice;
using namespace sluice::test;

class TestCrossFormat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void recordedStreamsReachEveryClientFormat_data();
    void recordedStreamsReachEveryClientFormat();
    void recordedAnswersReachEveryClientFormat_data();
    void recordedAnswersReachEveryClientFormat();
    void anthropicClientToOpenAiProvider();
    void openAiClientToGeminiProvider();
    void responsesClientToAnthropicProvider();
    void unsupportedParametersAreNamed();
    void errorsKeepTheProviderMessage();
};

namespace {

const ApiFormat AllFormats[]
    = {ApiFormat::OpenAiChat, ApiFormat::AnthropicMessages, ApiFormat::Gemini, ApiFormat::OpenAiResponses};

bool carriesSignatures(ApiFormat client)
{
    return client == ApiFormat::AnthropicMessages || client == ApiFormat::OpenAiResponses;
}

// The parts of an answer every client format can carry.
void compareAnswers(const StreamSummary &seen, const StreamSummary &sent, ApiFormat client)
{
    QCOMPARE(seen.text, sent.text);
    QCOMPARE(seen.thinking, sent.thinking);
    if (carriesSignatures(client))
        QCOMPARE(seen.signature, sent.signature);
    QCOMPARE(seen.calls.size(), sent.calls.size());
    for (qsizetype i = 0; i < sent.calls.size(); ++i) {
        QCOMPARE(seen.calls[i].name, sent.calls[i].name);
        QCOMPARE(parseObject(seen.calls[i].arguments), parseObject(sent.calls[i].arguments));
        QVERIFY(!seen.calls[i].id.isEmpty());
    }
    QCOMPARE(finishReasonName(seen.finish), finishReasonName(sent.finish));
    QCOMPARE(seen.usage.input, sent.usage.input);
    QCOMPARE(seen.usage.output, sent.usage.output);
    QCOMPARE(qMax<qint64>(0, seen.usage.cached), qMax<qint64>(0, sent.usage.cached));
    if (client != ApiFormat::AnthropicMessages) // Anthropic has no reasoning token count
        QCOMPARE(qMax<qint64>(0, seen.usage.reasoning), qMax<qint64>(0, sent.usage.reasoning));
}

StreamSummary summaryOf(const CanonicalResponse &response)
{
    StreamSummary summary;
    summary.text = response.text();
    summary.thinking = response.thinkingText();
    for (const ContentPart &part : response.content) {
        if (part.kind == ContentPart::Kind::Thinking)
            summary.signature += part.signature;
        if (part.kind == ContentPart::Kind::ToolCall)
            summary.calls.append({part.toolCallId, part.toolName, part.arguments});
    }
    summary.finish = response.finishReason;
    summary.usage = response.usage;
    summary.model = response.model;
    return summary;
}

CanonicalRequest decoded(const FormatCodec &codec, const QByteArray &body)
{
    Result<CanonicalRequest> request = codec.decodeRequest(body);
    if (!request.ok())
        qFatal("test request does not decode: %s", qPrintable(request.errorMessage()));
    return *request;
}

} // namespace

void TestCrossFormat::initTestCase()
{
    QVERIFY2(recordings().ok(), qPrintable(recordings().errorMessage()));
}

void TestCrossFormat::recordedStreamsReachEveryClientFormat_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("client");
    for (const QString &name : recordings()->names()) {
        if (!recordings()->find(name)->hasEvents)
            continue;
        for (const ApiFormat client : AllFormats)
            QTest::newRow(qPrintable(name + QStringLiteral(" -> ") + apiFormatName(client))) << name << int(client);
    }
}

// Provider stream -> canonical events -> the client's SSE -> read back the way the client's SDK reads it.
void TestCrossFormat::recordedStreamsReachEveryClientFormat()
{
    QFETCH(QString, name);
    QFETCH(int, client);
    const ApiFormat clientFormat = ApiFormat(client);
    const RecordingLibrary::Recording &recording = *recordings()->find(name);
    const FormatCodec &provider = FormatCodec::forFormat(AnswerRenderer::formatOf(recording.family));

    std::unique_ptr<StreamDecoder> decoder = provider.createStreamDecoder();
    const CanonicalEvents events = decodeInPieces(*decoder, recordedStream(recording), 13);
    const StreamSummary sent = summarize(events);
    QVERIFY(sent.finished);

    const FormatCodec &clientCodec = FormatCodec::forFormat(clientFormat);
    std::unique_ptr<StreamEncoder> encoder
        = clientCodec.createStreamEncoder(StreamEncoderOptions {QStringLiteral("client-alias"), true});
    QByteArray bytes;
    for (const CanonicalEvent &event : events)
        bytes += encoder->encode(event);
    bytes += encoder->finish();
    QVERIFY(!bytes.isEmpty());

    std::unique_ptr<StreamDecoder> reader = clientCodec.createStreamDecoder();
    const StreamSummary seen = summarize(decodeInPieces(*reader, bytes, 9));
    QVERIFY2(seen.violations.isEmpty(), qPrintable(seen.violations.join(QStringLiteral("; "))));
    QVERIFY2(seen.finished, qPrintable(seen.error.message));
    QCOMPARE(seen.model, QStringLiteral("client-alias"));
    compareAnswers(seen, sent, clientFormat);
    if (sent.finish == FinishReason::ContentFilter && clientFormat == ApiFormat::AnthropicMessages)
        QCOMPARE(seen.finishMessage, sent.finishMessage);
}

void TestCrossFormat::recordedAnswersReachEveryClientFormat_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("client");
    for (const QString &name : recordings()->names()) {
        const RecordingLibrary::Recording *recording = recordings()->find(name);
        if (!recording->hasBody || RecordingLibrary::errorStatus(recording->body) != 0)
            continue;
        for (const ApiFormat client : AllFormats)
            QTest::newRow(qPrintable(name + QStringLiteral(" -> ") + apiFormatName(client))) << name << int(client);
    }
}

void TestCrossFormat::recordedAnswersReachEveryClientFormat()
{
    QFETCH(QString, name);
    QFETCH(int, client);
    const ApiFormat clientFormat = ApiFormat(client);
    const RecordingLibrary::Recording &recording = *recordings()->find(name);
    const Result<CanonicalResponse> answer
        = FormatCodec::forFormat(AnswerRenderer::formatOf(recording.family)).decodeResponse(recording.body);
    QVERIFY2(answer.ok(), qPrintable(answer.errorMessage()));
    const FormatCodec &clientCodec = FormatCodec::forFormat(clientFormat);
    const QByteArray body = clientCodec.encodeResponse(*answer, QStringLiteral("client-alias"));
    const Result<CanonicalResponse> seen = clientCodec.decodeResponse(body);
    QVERIFY2(seen.ok(), qPrintable(seen.errorMessage()));
    QCOMPARE(seen->model, QStringLiteral("client-alias"));
    compareAnswers(summaryOf(*seen), summaryOf(*answer), clientFormat);
}

void TestCrossFormat::anthropicClientToOpenAiProvider()
{
    const QByteArray body = R"({
      "model": "claude-sonnet-4-5", "max_tokens": 8000, "stream": true,
      "system": [{"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}}],
      "messages": [
        {"role": "user", "content": [{"type": "text", "text": "What is here?"},
                                     {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}}]},
        {"role": "assistant", "content": [
          {"type": "thinking", "thinking": "Look first.", "signature": "sig"},
          {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {"path": "a.txt"}},
          {"type": "tool_use", "id": "toolu_2", "name": "Read", "input": {"path": "b.txt"}}]},
        {"role": "user", "content": [
          {"type": "tool_result", "tool_use_id": "toolu_1", "content": "alpha"},
          {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "beta"}]},
          {"type": "text", "text": "Summarize."}]}],
      "tools": [{"name": "Read", "description": "Read a file", "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}}],
      "tool_choice": {"type": "auto"},
      "thinking": {"type": "enabled", "budget_tokens": 2000},
      "metadata": {"user_id": "dev-1"}, "stop_sequences": ["</done>"], "temperature": 1
    })";
    const CanonicalRequest request = decoded(AnthropicMessagesCodec(), body);
    EncodeOptions options;
    options.model = QStringLiteral("gpt-4.1");
    const Result<EncodedRequest> encoded = OpenAiChatCodec().encodeRequest(request, options);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonObject sent = parseObject(encoded->body);
    QCOMPARE(sent.value(QLatin1String("model")).toString(), QStringLiteral("gpt-4.1"));
    QCOMPARE(sent.value(QLatin1String("max_completion_tokens")).toInt(), 8000);
    QCOMPARE(sent.value(QLatin1String("stop")).toArray().first().toString(), QStringLiteral("</done>"));
    QCOMPARE(sent.value(QLatin1String("user")).toString(), QStringLiteral("dev-1"));
    QCOMPARE(sent.value(QLatin1String("reasoning_effort")).toString(), QStringLiteral("low")); // budget 2000
    QCOMPARE(sent.value(QLatin1String("tool_choice")).toString(), QStringLiteral("auto"));
    QCOMPARE(sent.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(),
             true);
    const QJsonObject tool = sent.value(QLatin1String("tools")).toArray().first().toObject();
    QCOMPARE(tool.value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString(),
             QStringLiteral("Read"));

    const QJsonArray messages = sent.value(QLatin1String("messages")).toArray();
    QStringList roles;
    for (const QJsonValue &message : messages)
        roles.append(message.toObject().value(QLatin1String("role")).toString());
    QCOMPARE(roles,
             (QStringList {QStringLiteral("system"), QStringLiteral("user"), QStringLiteral("assistant"),
                           QStringLiteral("tool"), QStringLiteral("tool"), QStringLiteral("user")}));
    QCOMPARE(messages[0].toObject().value(QLatin1String("content")).toString(), QStringLiteral("You are Claude Code."));
    const QJsonArray userContent = messages[1].toObject().value(QLatin1String("content")).toArray();
    QCOMPARE(
        userContent[1].toObject().value(QLatin1String("image_url")).toObject().value(QLatin1String("url")).toString(),
        QStringLiteral("data:image/png;base64,iVBOR"));
    const QJsonObject assistant = messages[2].toObject();
    QVERIFY(assistant.value(QLatin1String("content")).isNull());
    QVERIFY(!assistant.contains(QLatin1String("reasoning_content")));
    const QJsonArray calls = assistant.value(QLatin1String("tool_calls")).toArray();
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls[1].toObject().value(QLatin1String("id")).toString(), QStringLiteral("toolu_2"));
    QCOMPARE(parseObject(calls[1]
                             .toObject()
                             .value(QLatin1String("function"))
                             .toObject()
                             .value(QLatin1String("arguments"))
                             .toString()),
             parseObject(QByteArray(R"({"path":"b.txt"})")));
    QCOMPARE(messages[4].toObject().value(QLatin1String("tool_call_id")).toString(), QStringLiteral("toolu_2"));
    QCOMPARE(messages[4].toObject().value(QLatin1String("content")).toString(), QStringLiteral("beta"));
    QCOMPARE(messages[5].toObject().value(QLatin1String("content")).toString(), QStringLiteral("Summarize."));
}

void TestCrossFormat::openAiClientToGeminiProvider()
{
    const QByteArray body = R"({"model":"fast","messages":[
        {"role":"user","content":"Weather in Oslo and Rome?"},
        {"role":"assistant","content":"Checking.","tool_calls":[
           {"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}},
           {"id":"call_b","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]},
        {"role":"tool","tool_call_id":"call_b","content":"warm"},
        {"role":"tool","tool_call_id":"call_a","content":"cold"}],
        "tools":[{"type":"function","function":{"name":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
        "max_completion_tokens":300,"stream":true})";
    const CanonicalRequest request = decoded(OpenAiChatCodec(), body);
    const Result<EncodedRequest> encoded = GeminiCodec().encodeRequest(request);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonArray contents = parseObject(encoded->body).value(QLatin1String("contents")).toArray();
    QCOMPARE(contents.size(), 3);
    QCOMPARE(contents[1].toObject().value(QLatin1String("role")).toString(), QStringLiteral("model"));
    const QJsonArray modelParts = contents[1].toObject().value(QLatin1String("parts")).toArray();
    QCOMPARE(modelParts[0].toObject().value(QLatin1String("text")).toString(), QStringLiteral("Checking."));
    QCOMPARE(modelParts[2]
                 .toObject()
                 .value(QLatin1String("functionCall"))
                 .toObject()
                 .value(QLatin1String("args"))
                 .toObject()
                 .value(QLatin1String("city"))
                 .toString(),
             QStringLiteral("Rome"));
    const QJsonArray answers = contents[2].toObject().value(QLatin1String("parts")).toArray();
    QCOMPARE(answers.size(), 2);
    for (const QJsonValue &answer : answers) {
        QCOMPARE(answer.toObject()
                     .value(QLatin1String("functionResponse"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
                 QStringLiteral("weather"));
    }
    QCOMPARE(answers[0]
                 .toObject()
                 .value(QLatin1String("functionResponse"))
                 .toObject()
                 .value(QLatin1String("response"))
                 .toObject()
                 .value(QLatin1String("result"))
                 .toString(),
             QStringLiteral("warm"));
    QCOMPARE(parseObject(encoded->body)
                 .value(QLatin1String("generationConfig"))
                 .toObject()
                 .value(QLatin1String("maxOutputTokens"))
                 .toInt(),
             300);

    // Gemini's streamed tool call reaches the OpenAI client with a usable id and JSON arguments.
    const RecordingLibrary::Recording &recording = *recordings()->find(QStringLiteral("google-tool-call"));
    std::unique_ptr<StreamDecoder> decoder = GeminiCodec().createStreamDecoder();
    std::unique_ptr<StreamEncoder> encoder
        = OpenAiChatCodec().createStreamEncoder(StreamEncoderOptions {QStringLiteral("fast"), false});
    QByteArray bytes = encoder->encode(decodeInPieces(*decoder, recordedStream(recording)));
    bytes += encoder->finish();
    QVERIFY(bytes.endsWith("data: [DONE]\n\n"));
    QVERIFY(!bytes.contains("\"usage\"")); // the client did not ask for the usage chunk
    std::unique_ptr<StreamDecoder> reader = OpenAiChatCodec().createStreamDecoder();
    const StreamSummary seen = summarize(decodeInPieces(*reader, bytes));
    QCOMPARE(seen.calls.size(), 1);
    QVERIFY(!GeminiCodec::signatureFromToolCallId(seen.calls[0].id).isEmpty());
    QCOMPARE(seen.finish, FinishReason::ToolCalls);
}

void TestCrossFormat::responsesClientToAnthropicProvider()
{
    const QByteArray body = R"({
      "model": "codex-alias", "instructions": "You are Codex.", "stream": true, "store": false,
      "include": ["reasoning.encrypted_content"], "parallel_tool_calls": false, "prompt_cache_key": "k",
      "reasoning": {"effort": "high", "summary": "auto"}, "max_output_tokens": 30000,
      "text": {"format": {"type": "json_schema", "name": "o", "schema": {"type": "object"}}, "verbosity": "medium"},
      "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "run tests"}]},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Run make."}], "encrypted_content": "SIG"},
        {"type": "function_call", "call_id": "toolu_7", "name": "shell", "arguments": "{\"cmd\":\"make\"}"},
        {"type": "function_call_output", "call_id": "toolu_7", "output": "ok"}],
      "tools": [{"type": "function", "name": "shell", "parameters": {"type": "object"}}]
    })";
    const CanonicalRequest request = decoded(OpenAiResponsesCodec(), body);
    EncodeOptions options;
    options.model = QStringLiteral("claude-sonnet-4-5");
    const Result<EncodedRequest> encoded = AnthropicMessagesCodec().encodeRequest(request, options);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonObject sent = parseObject(encoded->body);
    QCOMPARE(sent.value(QLatin1String("model")).toString(), QStringLiteral("claude-sonnet-4-5"));
    QCOMPARE(sent.value(QLatin1String("system")).toString(), QStringLiteral("You are Codex."));
    QCOMPARE(sent.value(QLatin1String("max_tokens")).toInt(), 30000);
    QCOMPARE(sent.value(QLatin1String("thinking")).toObject().value(QLatin1String("budget_tokens")).toInt(), 24576);
    QCOMPARE(
        sent.value(QLatin1String("tool_choice")).toObject().value(QLatin1String("disable_parallel_tool_use")).toBool(),
        true);
    QCOMPARE(sent.value(QLatin1String("output_config"))
                 .toObject()
                 .value(QLatin1String("format"))
                 .toObject()
                 .value(QLatin1String("type"))
                 .toString(),
             QStringLiteral("json_schema"));
    for (const auto key :
         {QLatin1String("store"), QLatin1String("include"), QLatin1String("prompt_cache_key"), QLatin1String("text")})
        QVERIFY2(!sent.contains(key), key.data());
    const QJsonArray messages = sent.value(QLatin1String("messages")).toArray();
    QCOMPARE(messages.size(), 3);
    const QJsonArray assistant = messages[1].toObject().value(QLatin1String("content")).toArray();
    QCOMPARE(assistant[0].toObject().value(QLatin1String("type")).toString(), QStringLiteral("thinking"));
    QCOMPARE(assistant[0].toObject().value(QLatin1String("signature")).toString(), QStringLiteral("SIG"));
    QCOMPARE(assistant[0].toObject().value(QLatin1String("thinking")).toString(), QStringLiteral("Run make."));
    QCOMPARE(assistant[1].toObject().value(QLatin1String("input")).toObject().value(QLatin1String("cmd")).toString(),
             QStringLiteral("make"));
    const QJsonObject result = messages[2].toObject().value(QLatin1String("content")).toArray().first().toObject();
    QCOMPARE(result.value(QLatin1String("type")).toString(), QStringLiteral("tool_result"));
    QCOMPARE(result.value(QLatin1String("tool_use_id")).toString(), QStringLiteral("toolu_7"));

    // And back: Anthropic's streamed thinking reaches the Responses client with its signature, so the next turn
    // (above) can return it.
    const RecordingLibrary::Recording &recording = *recordings()->find(QStringLiteral("anthropic-clear-thinking.1"));
    std::unique_ptr<StreamDecoder> decoder = AnthropicMessagesCodec().createStreamDecoder();
    std::unique_ptr<StreamEncoder> encoder
        = OpenAiResponsesCodec().createStreamEncoder(StreamEncoderOptions {QStringLiteral("codex-alias"), true});
    QByteArray bytes = encoder->encode(decodeInPieces(*decoder, recordedStream(recording)));
    bytes += encoder->finish();
    QJsonObject completed;
    for (const SseEvent &event : parseSse(bytes)) {
        if (event.event == "response.completed")
            completed = parseObject(event.data).value(QLatin1String("response")).toObject();
    }
    const QJsonArray output = completed.value(QLatin1String("output")).toArray();
    QCOMPARE(output.size(), 2);
    QVERIFY(output[0]
                .toObject()
                .value(QLatin1String("encrypted_content"))
                .toString()
                .startsWith(QLatin1String("EvQBCkYI")));
    QCOMPARE(completed.value(QLatin1String("usage")).toObject().value(QLatin1String("input_tokens")).toInt(), 69);
    QCOMPARE(completed.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens")).toInt(), 53);
}

void TestCrossFormat::unsupportedParametersAreNamed()
{
    const CanonicalRequest openAi = decoded(
        OpenAiChatCodec(),
        R"({"model":"m","messages":[{"role":"user","content":"hi"}],"n":3,"logit_bias":{"1":2},"store":true})");
    const Result<EncodedRequest> toAnthropic = AnthropicMessagesCodec().encodeRequest(openAi);
    QVERIFY(!toAnthropic.ok());
    QVERIFY2(toAnthropic.errorMessage().contains(QLatin1String("'n'")), qPrintable(toAnthropic.errorMessage()));
    QVERIFY(toAnthropic.errorMessage().contains(QLatin1String("'logit_bias'")));
    QVERIFY(!toAnthropic.errorMessage().contains(QLatin1String("store")));
    QVERIFY(toAnthropic.errorMessage().contains(QLatin1String("drop unsupported parameters")));

    const CanonicalRequest responses
        = decoded(OpenAiResponsesCodec(),
                  R"({"model":"m","input":"hi","previous_response_id":"resp_1","tools":[{"type":"web_search"}]})");
    const Result<EncodedRequest> toGemini = GeminiCodec().encodeRequest(responses);
    QVERIFY(!toGemini.ok());
    QVERIFY2(toGemini.errorMessage().contains(QLatin1String("'previous_response_id'")),
             qPrintable(toGemini.errorMessage()));
    // A hosted tool is optional for the agent: never the reason for a refusal.
    QVERIFY(!toGemini.errorMessage().contains(QLatin1String("web_search")));

    // What Codex sends on every request: its own bookkeeping is left out, the hosted tool too (and listed), and
    // the request goes through with default settings.
    const CanonicalRequest codex
        = decoded(OpenAiResponsesCodec(),
                  R"({"model":"m","input":[{"type":"message","id":"msg_1","role":"developer","content":"Be brief."},
            {"type":"message","id":"msg_2","role":"user","content":[{"type":"input_text","text":"hi"}]}],
            "tools":[{"type":"function","name":"exec_command","parameters":{"type":"object"},"strict":false},
                     {"type":"web_search","external_web_access":true}],
            "tool_choice":"auto","parallel_tool_calls":true,"reasoning":{"summary":"auto"},"store":false,
            "include":["reasoning.encrypted_content"],"prompt_cache_key":"thread-1",
            "client_metadata":{"thread_id":"thread-1","session_id":"s"}})");
    for (const ApiFormat format : {ApiFormat::OpenAiChat, ApiFormat::AnthropicMessages, ApiFormat::Gemini}) {
        const Result<EncodedRequest> encoded = FormatCodec::forFormat(format).encodeRequest(codex);
        QVERIFY2(encoded.ok(), qPrintable(apiFormatName(format) + QStringLiteral(": ") + encoded.errorMessage()));
        QCOMPARE(encoded->dropped, QStringList {QStringLiteral("tools[1] (web_search)")});
        QVERIFY(!encoded->body.contains("client_metadata"));
        QVERIFY(!encoded->body.contains("thread-1"));
        QVERIFY(encoded->body.contains("exec_command"));
    }

    const CanonicalRequest anthropic = decoded(
        AnthropicMessagesCodec(),
        R"({"model":"m","max_tokens":10,"top_k":5,"messages":[{"role":"user","content":"hi"}],"context_management":{"edits":[]}})");
    const Result<EncodedRequest> toResponses = OpenAiResponsesCodec().encodeRequest(anthropic);
    QVERIFY(!toResponses.ok());
    QVERIFY2(toResponses.errorMessage().contains(QLatin1String("'top_k'")), qPrintable(toResponses.errorMessage()));
    QVERIFY(!toResponses.errorMessage().contains(QLatin1String("context_management")));
}

void TestCrossFormat::errorsKeepTheProviderMessage()
{
    const EncodedError overloaded
        = FormatCodec::translateError(ApiFormat::AnthropicMessages, ApiFormat::OpenAiChat, 529,
                                      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
    QCOMPARE(overloaded.status, 503);
    QCOMPARE(parseObject(overloaded.body)
                 .value(QLatin1String("error"))
                 .toObject()
                 .value(QLatin1String("message"))
                 .toString(),
             QStringLiteral("Overloaded"));

    const RecordingLibrary::Recording &quota = *recordings()->find(QStringLiteral("google-429-retry-info"));
    const EncodedError limited
        = FormatCodec::translateError(ApiFormat::Gemini, ApiFormat::AnthropicMessages, 429, quota.body);
    QCOMPARE(limited.status, 429);
    const QJsonObject anthropicError = parseObject(limited.body).value(QLatin1String("error")).toObject();
    QCOMPARE(anthropicError.value(QLatin1String("type")).toString(), QStringLiteral("rate_limit_error"));
    QCOMPARE(anthropicError.value(QLatin1String("message")).toString(),
             QStringLiteral("You exceeded your current quota, please check your plan."));
    QCOMPARE(GeminiCodec().decodeError(429, quota.body).retryAfterMs, 34400);

    const RecordingLibrary::Recording &legacy
        = *recordings()->find(QStringLiteral("reasoning-model-legacy-parameter-error"));
    const EncodedError forResponses
        = FormatCodec::translateError(ApiFormat::OpenAiChat, ApiFormat::OpenAiResponses, 400, legacy.body);
    QCOMPARE(forResponses.status, 400);
    const QJsonObject openAiError = parseObject(forResponses.body).value(QLatin1String("error")).toObject();
    QCOMPARE(openAiError.value(QLatin1String("param")).toString(), QStringLiteral("max_tokens"));
    QCOMPARE(openAiError.value(QLatin1String("code")).toString(), QStringLiteral("unsupported_parameter"));
    QVERIFY(openAiError.value(QLatin1String("message")).toString().startsWith(QLatin1String("Unsupported parameter")));

    const EncodedError forGemini = FormatCodec::translateError(ApiFormat::OpenAiChat, ApiFormat::Gemini, 401,
                                                               R"({"error":{"message":"Incorrect API key provided"}})");
    QCOMPARE(forGemini.status, 401);
    QCOMPARE(
        parseObject(forGemini.body).value(QLatin1String("error")).toObject().value(QLatin1String("status")).toString(),
        QStringLiteral("UNAUTHENTICATED"));
}

QTEST_GUILESS_MAIN(TestCrossFormat)
#include "tst_crossformat.moc"
