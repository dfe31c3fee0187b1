#include <QJsonArray>
#include <QTest>

#include "FormatTestSupport.h"
#include "api/OpenAiResponsesCodec.h"

using namespace sluice;
using namespace sluice::test;

class TestOpenAiResponsesCodec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodesACodexRequest();
    void decodesAStringInput();
    void requestErrorsNameTheField();
    void reEncodesItsOwnRequest();
    void encodesAResponseObject();
    void streamEncoderEmitsTheSdkSequence();
    void streamEncoderReportsFailures();
    void namespaceToolsAreFlattenedAndGivenBack();
};

namespace {
// What Codex CLI sends, trimmed: instructions, items of a tool loop with reasoning carried back.
const QByteArray CodexRequest = R"({
  "model": "gpt-5-codex", "instructions": "You are Codex.", "stream": true, "store": false,
  "include": ["reasoning.encrypted_content"], "parallel_tool_calls": false, "tool_choice": "auto",
  "reasoning": {"effort": "high", "summary": "auto"},
  "input": [
    {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "Sandbox: read-only."}]},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "run the tests"},
                                                      {"type": "input_image", "image_url": "https://example.com/s.png"}]},
    {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Need to run make test."}],
     "encrypted_content": "gAAAA-enc"},
    {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "shell", "arguments": "{\"command\":[\"make\",\"test\"]}"},
    {"type": "function_call_output", "call_id": "call_1", "output": "all passed"},
    {"role": "user", "content": "thanks"}
  ],
  "tools": [{"type": "function", "name": "shell", "description": "Run a command", "strict": false,
             "parameters": {"type": "object", "properties": {"command": {"type": "array", "items": {"type": "string"}}}}},
            {"type": "web_search"}],
  "text": {"format": {"type": "json_schema", "name": "out", "schema": {"type": "object"}, "strict": true}, "verbosity": "low"},
  "max_output_tokens": 2000, "prompt_cache_key": "abc"
})";
} // namespace

void TestOpenAiResponsesCodec::decodesACodexRequest()
{
    const Result<CanonicalRequest> decoded = OpenAiResponsesCodec().decodeRequest(CodexRequest);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    const CanonicalRequest &request = *decoded;
    QCOMPARE(request.system.size(), 2);
    QCOMPARE(request.system[0].text, QStringLiteral("You are Codex."));
    QCOMPARE(request.system[1].text, QStringLiteral("Sandbox: read-only."));
    QCOMPARE(request.messages.size(), 3); // user, assistant (reasoning + call), user (result + text)
    QCOMPARE(request.messages[0].parts[1].kind, ContentPart::Kind::Image);
    const ContentParts &assistant = request.messages[1].parts;
    QCOMPARE(assistant[0].kind, ContentPart::Kind::Thinking);
    QCOMPARE(assistant[0].text, QStringLiteral("Need to run make test."));
    QCOMPARE(assistant[0].signature, QStringLiteral("gAAAA-enc"));
    QCOMPARE(assistant[1].toolCallId, QStringLiteral("call_1"));
    QCOMPARE(request.messages[2].parts[0].kind, ContentPart::Kind::ToolResult);
    QCOMPARE(request.messages[2].parts[0].text, QStringLiteral("all passed"));
    QCOMPARE(request.messages[2].parts[1].text, QStringLiteral("thanks"));
    QCOMPARE(request.tools.size(), 2);
    QCOMPARE(request.tools[1].builtinType, QStringLiteral("web_search"));
    QCOMPARE(request.parallelToolCalls, std::optional<bool>(false));
    QCOMPARE(request.reasoning.effort, QStringLiteral("high"));
    QCOMPARE(request.responseFormat.type, ResponseFormat::Type::JsonSchema);
    QCOMPARE(request.responseFormat.name, QStringLiteral("out"));
    QCOMPARE(request.maxTokens, std::optional<qint64>(2000));
    QVERIFY(request.stream);
    QVERIFY(request.extras.contains(QLatin1String("include")));
    QCOMPARE(request.extras.value(QLatin1String("text")).toObject().value(QLatin1String("verbosity")).toString(),
             QStringLiteral("low"));
}

void TestOpenAiResponsesCodec::decodesAStringInput()
{
    const Result<CanonicalRequest> decoded
        = OpenAiResponsesCodec().decodeRequest(R"({"model":"gpt-5","input":"Say hi","instructions":"Be terse."})");
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->systemText(), QStringLiteral("Be terse."));
    QCOMPARE(decoded->messages.size(), 1);
    QCOMPARE(decoded->messages[0].parts[0].text, QStringLiteral("Say hi"));
}

void TestOpenAiResponsesCodec::requestErrorsNameTheField()
{
    const struct
    {
        QByteArray body;
        QString field;
    } cases[] = {
        {R"({"input":"x"})", QStringLiteral("\"model\"")},
        {R"({"model":"m"})", QStringLiteral("\"input\"")},
        {R"({"model":"m","input":[{"type":"function_call","name":"f"}]})", QStringLiteral("input[0]")},
        {R"({"model":"m","input":[{"type":"function_call_output","output":"x"}]})", QStringLiteral("input[0].call_id")},
        {R"({"model":"m","input":[{"role":"robot","content":"x"}]})", QStringLiteral("input[0].role")},
        {R"({"model":"m","input":"x","max_output_tokens":"many"})", QStringLiteral("max_output_tokens")},
    };
    for (const auto &[body, field] : cases) {
        const Result<CanonicalRequest> decoded = OpenAiResponsesCodec().decodeRequest(body);
        QVERIFY2(!decoded.ok(), body.constData());
        QVERIFY2(decoded.errorMessage().contains(field), qPrintable(decoded.errorMessage()));
    }
}

void TestOpenAiResponsesCodec::reEncodesItsOwnRequest()
{
    const Result<CanonicalRequest> decoded = OpenAiResponsesCodec().decodeRequest(CodexRequest);
    QVERIFY(decoded.ok());
    const Result<EncodedRequest> encoded = OpenAiResponsesCodec().encodeRequest(*decoded);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonObject sent = parseObject(encoded->body);
    QCOMPARE(sent.value(QLatin1String("include")).toArray().first().toString(),
             QStringLiteral("reasoning.encrypted_content"));
    QCOMPARE(sent.value(QLatin1String("prompt_cache_key")).toString(), QStringLiteral("abc"));
    QCOMPARE(sent.value(QLatin1String("text")).toObject().value(QLatin1String("verbosity")).toString(),
             QStringLiteral("low"));
    QCOMPARE(sent.value(QLatin1String("text"))
                 .toObject()
                 .value(QLatin1String("format"))
                 .toObject()
                 .value(QLatin1String("name"))
                 .toString(),
             QStringLiteral("out"));
    const QJsonArray input = sent.value(QLatin1String("input")).toArray();
    QStringList types;
    for (const QJsonValue &item : input)
        types.append(item.toObject().value(QLatin1String("type")).toString());
    QCOMPARE(types,
             (QStringList {QStringLiteral("message"), QStringLiteral("reasoning"), QStringLiteral("function_call"),
                           QStringLiteral("function_call_output"), QStringLiteral("message")}));
    QCOMPARE(input[1].toObject().value(QLatin1String("encrypted_content")).toString(), QStringLiteral("gAAAA-enc"));
    QCOMPARE(input[2].toObject().value(QLatin1String("id")).toString(), QStringLiteral("fc_1"));
    QCOMPARE(sent.value(QLatin1String("tools")).toArray()[1].toObject().value(QLatin1String("type")).toString(),
             QStringLiteral("web_search"));
}

void TestOpenAiResponsesCodec::encodesAResponseObject()
{
    CanonicalResponse response;
    response.model = QStringLiteral("claude");
    response.content
        = {ContentPart::makeThinking(QStringLiteral("plan"), QStringLiteral("SIG")),
           ContentPart::makeText(QStringLiteral("Running.")),
           ContentPart::makeToolCall(QStringLiteral("toolu_1"), QStringLiteral("shell"), QStringLiteral("{\"c\":1}"))};
    response.finishReason = FinishReason::ToolCalls;
    response.usage = TokenUsage {120, 30, 100, 10, 0};
    const QJsonObject body
        = parseObject(OpenAiResponsesCodec().encodeResponse(response, QStringLiteral("codex-alias")));
    QCOMPARE(body.value(QLatin1String("object")).toString(), QStringLiteral("response"));
    QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("codex-alias"));
    QCOMPARE(body.value(QLatin1String("status")).toString(), QStringLiteral("completed"));
    QVERIFY(body.value(QLatin1String("id")).toString().startsWith(QLatin1String("resp_")));
    const QJsonArray output = body.value(QLatin1String("output")).toArray();
    QCOMPARE(output.size(), 3);
    QCOMPARE(output[0].toObject().value(QLatin1String("encrypted_content")).toString(), QStringLiteral("SIG"));
    QCOMPARE(output[1]
                 .toObject()
                 .value(QLatin1String("content"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("text"))
                 .toString(),
             QStringLiteral("Running."));
    QCOMPARE(output[2].toObject().value(QLatin1String("call_id")).toString(), QStringLiteral("toolu_1"));
    const QJsonObject usage = body.value(QLatin1String("usage")).toObject();
    QCOMPARE(usage.value(QLatin1String("input_tokens")).toInt(), 120);
    QCOMPARE(usage.value(QLatin1String("output_tokens")).toInt(), 30);
    QCOMPARE(usage.value(QLatin1String("total_tokens")).toInt(), 150);
    QCOMPARE(
        usage.value(QLatin1String("input_tokens_details")).toObject().value(QLatin1String("cached_tokens")).toInt(),
        100);
    QCOMPARE(
        usage.value(QLatin1String("output_tokens_details")).toObject().value(QLatin1String("reasoning_tokens")).toInt(),
        10);

    const Result<CanonicalResponse> back
        = OpenAiResponsesCodec().decodeResponse(OpenAiResponsesCodec().encodeResponse(response, {}));
    QVERIFY(back.ok());
    QCOMPARE(back->text(), QStringLiteral("Running."));
    QCOMPARE(back->thinkingText(), QStringLiteral("plan"));
    QCOMPARE(back->finishReason, FinishReason::ToolCalls);
    QCOMPARE(back->usage.cached, 100);

    response.finishReason = FinishReason::Length;
    const QJsonObject cut = parseObject(OpenAiResponsesCodec().encodeResponse(response, {}));
    QCOMPARE(cut.value(QLatin1String("status")).toString(), QStringLiteral("incomplete"));
    QCOMPARE(cut.value(QLatin1String("incomplete_details")).toObject().value(QLatin1String("reason")).toString(),
             QStringLiteral("max_output_tokens"));
}

void TestOpenAiResponsesCodec::streamEncoderEmitsTheSdkSequence()
{
    std::unique_ptr<StreamEncoder> encoder
        = OpenAiResponsesCodec().createStreamEncoder(StreamEncoderOptions {QStringLiteral("codex-alias"), true});
    QByteArray bytes = encoder->encode(CanonicalEvents {
        CanonicalEvent::start(QStringLiteral("msg_up"), QStringLiteral("claude")),
        CanonicalEvent::thinkingDelta(QStringLiteral("Plan")), CanonicalEvent::thinkingDelta({}, QStringLiteral("SIG")),
        CanonicalEvent::textDelta(QStringLiteral("Run")), CanonicalEvent::textDelta(QStringLiteral("ning.")),
        CanonicalEvent::toolCallStart(0, QStringLiteral("toolu_1"), QStringLiteral("shell")),
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("{\"c\":")),
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("1}")),
        CanonicalEvent::usageEvent(TokenUsage {50, 20, 10, 5, -1}), CanonicalEvent::finish(FinishReason::ToolCalls)});
    bytes += encoder->finish();

    // Accumulate exactly as openai-node's ResponseStream does: by output_index and content_index.
    QJsonObject snapshot;
    QJsonArray output;
    int sequence = 0;
    QStringList types;
    for (const SseEvent &event : parseSse(bytes)) {
        const QJsonObject data = parseObject(event.data);
        const QString type = data.value(QLatin1String("type")).toString();
        types.append(type);
        QCOMPARE(QString::fromUtf8(event.event), type);
        QCOMPARE(data.value(QLatin1String("sequence_number")).toInt(), sequence++);
        const int index = data.value(QLatin1String("output_index")).toInt();
        if (type == QLatin1String("response.created")) {
            snapshot = data.value(QLatin1String("response")).toObject();
        } else if (type == QLatin1String("response.output_item.added")) {
            QCOMPARE(index, output.size());
            output.append(data.value(QLatin1String("item")));
        } else if (type == QLatin1String("response.content_part.added")) {
            QJsonObject item = output[index].toObject();
            QJsonArray content = item.value(QLatin1String("content")).toArray();
            content.append(data.value(QLatin1String("part")));
            item.insert(QStringLiteral("content"), content);
            output[index] = item;
        } else if (type == QLatin1String("response.output_text.delta")) {
            QJsonObject item = output[index].toObject();
            QJsonArray content = item.value(QLatin1String("content")).toArray();
            QJsonObject part = content[data.value(QLatin1String("content_index")).toInt()].toObject();
            QCOMPARE(part.value(QLatin1String("type")).toString(), QStringLiteral("output_text"));
            part.insert(
                QStringLiteral("text"),
                QString(part.value(QLatin1String("text")).toString() + data.value(QLatin1String("delta")).toString()));
            content[data.value(QLatin1String("content_index")).toInt()] = part;
            item.insert(QStringLiteral("content"), content);
            output[index] = item;
        } else if (type == QLatin1String("response.function_call_arguments.delta")) {
            QJsonObject item = output[index].toObject();
            QCOMPARE(item.value(QLatin1String("type")).toString(), QStringLiteral("function_call"));
            item.insert(QStringLiteral("arguments"),
                        QString(item.value(QLatin1String("arguments")).toString()
                                + data.value(QLatin1String("delta")).toString()));
            output[index] = item;
        } else if (type == QLatin1String("response.output_item.done")) {
            output[index] = data.value(QLatin1String("item"));
        } else if (type == QLatin1String("response.completed")) {
            snapshot = data.value(QLatin1String("response")).toObject();
        }
    }
    QCOMPARE(types.first(), QStringLiteral("response.created"));
    QCOMPARE(types[1], QStringLiteral("response.in_progress"));
    QCOMPARE(types.last(), QStringLiteral("response.completed"));
    QVERIFY(types.contains(QStringLiteral("response.reasoning_summary_text.delta")));
    QVERIFY(types.contains(QStringLiteral("response.output_text.done")));
    QVERIFY(types.contains(QStringLiteral("response.function_call_arguments.done")));
    QCOMPARE(output.size(), 3);
    QCOMPARE(output[0].toObject().value(QLatin1String("encrypted_content")).toString(), QStringLiteral("SIG"));
    QCOMPARE(output[1]
                 .toObject()
                 .value(QLatin1String("content"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("text"))
                 .toString(),
             QStringLiteral("Running."));
    QCOMPARE(output[2].toObject().value(QLatin1String("arguments")).toString(), QStringLiteral("{\"c\":1}"));
    QCOMPARE(snapshot.value(QLatin1String("model")).toString(), QStringLiteral("codex-alias"));
    QCOMPARE(snapshot.value(QLatin1String("output")).toArray(), output);
    // Usage is reported, never left at zero.
    const QJsonObject usage = snapshot.value(QLatin1String("usage")).toObject();
    QCOMPARE(usage.value(QLatin1String("input_tokens")).toInt(), 50);
    QCOMPARE(usage.value(QLatin1String("output_tokens")).toInt(), 20);
    QCOMPARE(
        usage.value(QLatin1String("input_tokens_details")).toObject().value(QLatin1String("cached_tokens")).toInt(),
        10);

    // Sluice's own Responses decoder reads the same answer back.
    std::unique_ptr<StreamDecoder> decoder = OpenAiResponsesCodec().createStreamDecoder();
    const StreamSummary back = summarize(decodeInPieces(*decoder, bytes, 11));
    QVERIFY(back.violations.isEmpty());
    QCOMPARE(back.thinking, QStringLiteral("Plan"));
    QCOMPARE(back.signature, QStringLiteral("SIG"));
    QCOMPARE(back.text, QStringLiteral("Running."));
    QCOMPARE(back.calls.first().arguments, QStringLiteral("{\"c\":1}"));
    QCOMPARE(back.finish, FinishReason::ToolCalls);
    QCOMPARE(back.usage.reasoning, 5);
}

void TestOpenAiResponsesCodec::streamEncoderReportsFailures()
{
    std::unique_ptr<StreamEncoder> encoder
        = OpenAiResponsesCodec().createStreamEncoder(StreamEncoderOptions {QStringLiteral("m"), true});
    QByteArray bytes = encoder->encode(
        CanonicalEvents {CanonicalEvent::start({}, {}), CanonicalEvent::textDelta(QStringLiteral("par"))});
    bytes += encoder->finish(); // the upstream stream was cut
    const QList<SseEvent> events = parseSse(bytes);
    QCOMPARE(events.last().event, QByteArray("response.failed"));
    const QJsonObject failed = parseObject(events.last().data).value(QLatin1String("response")).toObject();
    QCOMPARE(failed.value(QLatin1String("status")).toString(), QStringLiteral("failed"));
    QVERIFY(failed.value(QLatin1String("error"))
                .toObject()
                .value(QLatin1String("message"))
                .toString()
                .contains(QLatin1String("incomplete")));
    QCOMPARE(events[events.size() - 2].event, QByteArray("error"));
}

QTEST_GUILESS_MAIN(TestOpenAiResponsesCodec)
void TestOpenAiResponsesCodec::namespaceToolsAreFlattenedAndGivenBack()
{
    // Codex groups its sub-agent functions in a namespace tool and names the namespace on earlier calls.
    const Result<CanonicalRequest> decoded = OpenAiResponsesCodec().decodeRequest(R"({"model":"m","input":[
        {"type":"function_call","call_id":"c1","namespace":"multi_agent_v1","name":"close_agent","arguments":"{}"},
        {"type":"function_call_output","call_id":"c1","output":"done"}],
      "tools":[{"type":"namespace","name":"multi_agent_v1","description":"Sub-agents.","tools":[
        {"type":"function","name":"close_agent","description":"Close one.","strict":false,
         "parameters":{"type":"object","properties":{"target":{"type":"string"}}}},
        {"type":"function","name":"spawn_agent","parameters":{"type":"object"}}]}]})");
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QCOMPARE(decoded->tools.size(), 2);
    QCOMPARE(decoded->tools[0].name, QStringLiteral("multi_agent_v1__close_agent"));
    QCOMPARE(decoded->tools[0].description, QStringLiteral("Close one."));
    QVERIFY(decoded->tools[0].builtinType.isEmpty());
    QCOMPARE(decoded->tools[1].name, QStringLiteral("multi_agent_v1__spawn_agent"));
    QCOMPARE(decoded->messages.first().parts.first().toolName, QStringLiteral("multi_agent_v1__close_agent"));
    QCOMPARE(decoded->splitToolName(QStringLiteral("multi_agent_v1__close_agent")),
             (std::pair {QStringLiteral("multi_agent_v1"), QStringLiteral("close_agent")}));
    QCOMPARE(decoded->splitToolName(QStringLiteral("exec_command")),
             (std::pair {QString(), QStringLiteral("exec_command")}));

    // Sent back to the Responses format, the earlier call names its namespace again.
    const Result<EncodedRequest> again = OpenAiResponsesCodec().encodeRequest(*decoded);
    QVERIFY2(again.ok(), qPrintable(again.errorMessage()));
    const QJsonObject call = parseObject(again->body).value(QLatin1String("input")).toArray().first().toObject();
    QCOMPARE(call.value(QLatin1String("name")).toString(), QStringLiteral("close_agent"));
    QCOMPARE(call.value(QLatin1String("namespace")).toString(), QStringLiteral("multi_agent_v1"));

    // Answers: a call of a namespaced function is an item with its own name and namespace, streamed or not.
    CanonicalResponse response;
    ContentPart part
        = ContentPart::makeToolCall(QStringLiteral("c2"), QStringLiteral("spawn_agent"), QStringLiteral("{}"));
    part.extras.insert(QStringLiteral("namespace"), QStringLiteral("multi_agent_v1"));
    response.content.append(part);
    response.finishReason = FinishReason::ToolCalls;
    const QJsonObject item = parseObject(OpenAiResponsesCodec().encodeResponse(response, QStringLiteral("m")))
                                 .value(QLatin1String("output"))
                                 .toArray()
                                 .first()
                                 .toObject();
    QCOMPARE(item.value(QLatin1String("name")).toString(), QStringLiteral("spawn_agent"));
    QCOMPARE(item.value(QLatin1String("namespace")).toString(), QStringLiteral("multi_agent_v1"));

    std::unique_ptr<StreamEncoder> encoder = OpenAiResponsesCodec().createStreamEncoder({});
    CanonicalEvent start = CanonicalEvent::toolCallStart(0, QStringLiteral("c2"), QStringLiteral("spawn_agent"));
    start.toolNamespace = QStringLiteral("multi_agent_v1");
    QByteArray bytes = encoder->encode(CanonicalEvents {
        CanonicalEvent::start(QStringLiteral("r"), QStringLiteral("m")), start,
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("{}")), CanonicalEvent::finish(FinishReason::ToolCalls)});
    int named = 0;
    for (const SseEvent &event : parseSse(bytes)) {
        const QJsonObject streamed = parseObject(event.data).value(QLatin1String("item")).toObject();
        if (streamed.value(QLatin1String("type")).toString() != QLatin1String("function_call"))
            continue;
        QCOMPARE(streamed.value(QLatin1String("name")).toString(), QStringLiteral("spawn_agent"));
        QCOMPARE(streamed.value(QLatin1String("namespace")).toString(), QStringLiteral("multi_agent_v1"));
        ++named;
    }
    QCOMPARE(named, 2); // output_item.added and output_item.done
}

#include "tst_openairesponsescodec.moc"
