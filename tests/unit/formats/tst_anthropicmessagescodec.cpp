#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "FormatTestSupport.h"
#include "api/AnthropicMessagesCodec.h"
#include "api/GeminiCodec.h"
#include "api/OpenAiChatCodec.h"
#include "api/OpenAiResponsesCodec.h"

using namespace sluice;
using namespace sluice::test;

namespace {
// What Claude Code sends, trimmed: cached system blocks, thinking with signatures, tool use and results.
const QByteArray ClaudeCodeRequest = R"({
  "model": "claude-sonnet-4-5", "max_tokens": 32000, "stream": true,
  "system": [{"type": "text", "text": "You are Claude Code."},
             {"type": "text", "text": "Project rules.", "cache_control": {"type": "ephemeral"}}],
  "messages": [
    {"role": "user", "content": "List the files"},
    {"role": "assistant", "content": [
      {"type": "thinking", "thinking": "I should run ls.", "signature": "sig-abc"},
      {"type": "redacted_thinking", "data": "opaque"},
      {"type": "text", "text": "Running ls."},
      {"type": "tool_use", "id": "toolu_01", "name": "Bash", "input": {"command": "ls"}}]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_01", "is_error": true,
       "content": [{"type": "text", "text": "permission denied"},
                   {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}}]},
      {"type": "text", "text": "Try again", "cache_control": {"type": "ephemeral"}}]}
  ],
  "tools": [{"name": "Bash", "description": "Run a command",
             "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}},
             "cache_control": {"type": "ephemeral"}},
            {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}],
  "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
  "thinking": {"type": "enabled", "budget_tokens": 10000},
  "metadata": {"user_id": "user_123"},
  "stop_sequences": ["###"], "top_k": 20, "temperature": 1,
  "context_management": {"edits": []}
})";

// What current Claude Code sends for a model name it does not know (a user's alias): adaptive thinking with an
// effort, and instructions as a system message in the middle of the conversation.
const QByteArray ClaudeCodeAliasRequest = R"({
  "model": "work", "max_tokens": 32000, "stream": true,
  "system": [{"type": "text", "text": "You are a Claude agent."}],
  "messages": [
    {"role": "user", "content": [{"type": "text", "text": "Say hello"}]},
    {"role": "system", "content": "Available agent types for the Agent tool: general."},
    {"role": "assistant", "content": "Hello."},
    {"role": "user", "content": "Again"}
  ],
  "thinking": {"type": "adaptive"},
  "output_config": {"effort": "max"},
  "metadata": {"user_id": "device-1"},
  "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]}
})";
} // namespace

class TestAnthropicMessagesCodec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodesAClaudeCodeRequest();
    void requestErrorsNameTheField_data();
    void requestErrorsNameTheField();
    void reEncodesItsOwnRequestFaithfully();
    void keepsMidConversationSystemMessagesForAnthropic();
    void translatesMidConversationSystemAndAdaptiveThinking();
    void encodesAForeignRequestWithinAnthropicRules();
    void refusesWhatItCannotExpress();
    void streamEncoderEmitsTheSdkSequence();
    void streamDecoderReportsMidStreamErrors();
    void translatesErrors();
};

void TestAnthropicMessagesCodec::decodesAClaudeCodeRequest()
{
    const Result<CanonicalRequest> decoded = AnthropicMessagesCodec().decodeRequest(ClaudeCodeRequest);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    const CanonicalRequest &request = *decoded;
    QCOMPARE(request.system.size(), 2);
    QVERIFY(request.system[1].extras.contains(QLatin1String("cache_control")));
    QCOMPARE(request.messages.size(), 3);
    const ContentParts &assistant = request.messages[1].parts;
    QCOMPARE(assistant[0].kind, ContentPart::Kind::Thinking);
    QCOMPARE(assistant[0].signature, QStringLiteral("sig-abc"));
    QVERIFY(assistant[1].redacted);
    QCOMPARE(assistant[1].text, QStringLiteral("opaque"));
    QCOMPARE(assistant[3].kind, ContentPart::Kind::ToolCall);
    QCOMPARE(parseObject(assistant[3].arguments).value(QLatin1String("command")).toString(), QStringLiteral("ls"));
    const ContentPart &result = request.messages[2].parts[0];
    QCOMPARE(result.kind, ContentPart::Kind::ToolResult);
    QVERIFY(result.isError);
    QCOMPARE(result.text, QStringLiteral("permission denied"));
    QCOMPARE(result.resultMedia.size(), 1);
    QCOMPARE(result.resultMedia[0].mediaType, QStringLiteral("image/png"));
    QCOMPARE(request.tools.size(), 2);
    QVERIFY(request.tools[0].extras.contains(QLatin1String("cache_control")));
    QCOMPARE(request.tools[1].builtinType, QStringLiteral("web_search_20250305"));
    QCOMPARE(request.toolChoice.mode, ToolChoice::Mode::Required);
    QCOMPARE(request.parallelToolCalls, std::optional<bool>(false));
    QCOMPARE(request.reasoning.budgetTokens, std::optional<qint64>(10000));
    QVERIFY(request.reasoning.wantsThinking());
    QCOMPARE(request.user, QStringLiteral("user_123"));
    QCOMPARE(request.stop, QStringList {QStringLiteral("###")});
    QCOMPARE(request.topK, std::optional<qint64>(20));
    QCOMPARE(request.maxTokens, std::optional<qint64>(32000));
    QVERIFY(request.extras.contains(QLatin1String("context_management")));
}

void TestAnthropicMessagesCodec::requestErrorsNameTheField_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::newRow("max_tokens") << QByteArray(R"({"model":"m","messages":[]})") << QStringLiteral("\"max_tokens\"");
    QTest::newRow("role") << QByteArray(R"({"model":"m","max_tokens":5,"messages":[{"role":"tool","content":"x"}]})")
                          << QStringLiteral("messages[0].role");
    QTest::newRow("tool_use_id") << QByteArray(
        R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result"}]}]})")
                                 << QStringLiteral("messages[0].content[0].tool_use_id");
    QTest::newRow("content") << QByteArray(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":5}]})")
                             << QStringLiteral("messages[0].content");
}

void TestAnthropicMessagesCodec::requestErrorsNameTheField()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    const Result<CanonicalRequest> decoded = AnthropicMessagesCodec().decodeRequest(body);
    QVERIFY(!decoded.ok());
    QVERIFY2(decoded.errorMessage().contains(field), qPrintable(decoded.errorMessage()));
}

void TestAnthropicMessagesCodec::reEncodesItsOwnRequestFaithfully()
{
    const Result<CanonicalRequest> decoded = AnthropicMessagesCodec().decodeRequest(ClaudeCodeRequest);
    QVERIFY(decoded.ok());
    const Result<EncodedRequest> encoded = AnthropicMessagesCodec().encodeRequest(*decoded);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonObject sent = parseObject(encoded->body);
    const QJsonObject original = parseObject(ClaudeCodeRequest);
    for (const auto key :
         {QLatin1String("system"), QLatin1String("tools"), QLatin1String("tool_choice"), QLatin1String("thinking"),
          QLatin1String("metadata"), QLatin1String("stop_sequences"), QLatin1String("top_k"),
          QLatin1String("max_tokens"), QLatin1String("context_management"), QLatin1String("messages")}) {
        QVERIFY2(sent.value(key) == original.value(key),
                 qPrintable(QStringLiteral("%1 differs: %2")
                                .arg(key,
                                     QString::fromUtf8(
                                         QJsonDocument(sent.value(key).toArray()).toJson(QJsonDocument::Compact)))));
    }
}

void TestAnthropicMessagesCodec::keepsMidConversationSystemMessagesForAnthropic()
{
    const Result<CanonicalRequest> decoded = AnthropicMessagesCodec().decodeRequest(ClaudeCodeAliasRequest);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QCOMPARE(decoded->messages.size(), 4);
    QCOMPARE(decoded->messages[1].role, CanonicalMessage::Role::System);
    QVERIFY(decoded->reasoning.adaptive);
    QVERIFY(decoded->reasoning.wantsThinking());
    QCOMPARE(decoded->reasoning.effort, QStringLiteral("max"));

    const Result<EncodedRequest> encoded = AnthropicMessagesCodec().encodeRequest(*decoded, {});
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonObject sent = parseObject(encoded->body);
    const QJsonObject original = parseObject(ClaudeCodeAliasRequest);
    // The same request goes to Anthropic: the system message in its place, adaptive thinking and effort as sent.
    QCOMPARE(sent.value(QLatin1String("messages")).toArray().at(1),
             original.value(QLatin1String("messages")).toArray().at(1));
    QCOMPARE(sent.value(QLatin1String("system")).toString(), QStringLiteral("You are a Claude agent."));
    QCOMPARE(sent.value(QLatin1String("thinking")), original.value(QLatin1String("thinking")));
    QCOMPARE(sent.value(QLatin1String("output_config")), original.value(QLatin1String("output_config")));
    QCOMPARE(sent.value(QLatin1String("max_tokens")).toInt(), 32000);
}

void TestAnthropicMessagesCodec::translatesMidConversationSystemAndAdaptiveThinking()
{
    const Result<CanonicalRequest> decoded = AnthropicMessagesCodec().decodeRequest(ClaudeCodeAliasRequest);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));

    // OpenAI chat: a system message where Claude Code put it. Adaptive thinking leaves the amount to the model,
    // which elsewhere is the provider's default: no reasoning parameter that a non-reasoning model would refuse.
    const Result<EncodedRequest> chat = OpenAiChatCodec().encodeRequest(*decoded, {});
    QVERIFY2(chat.ok(), qPrintable(chat.errorMessage()));
    const QJsonObject chatBody = parseObject(chat->body);
    const QJsonArray messages = chatBody.value(QLatin1String("messages")).toArray();
    QCOMPARE(messages.size(), 5);
    QCOMPARE(messages[0].toObject().value(QLatin1String("role")).toString(), QStringLiteral("system"));
    QCOMPARE(messages[2].toObject().value(QLatin1String("role")).toString(), QStringLiteral("system"));
    QCOMPARE(messages[2].toObject().value(QLatin1String("content")).toString(),
             QStringLiteral("Available agent types for the Agent tool: general."));
    QVERIFY(!chatBody.contains(QLatin1String("reasoning_effort")));

    // Responses: a system message item in place.
    const Result<EncodedRequest> responses = OpenAiResponsesCodec().encodeRequest(*decoded, {});
    QVERIFY2(responses.ok(), qPrintable(responses.errorMessage()));
    const QJsonObject responsesBody = parseObject(responses->body);
    QCOMPARE(
        responsesBody.value(QLatin1String("input")).toArray()[1].toObject().value(QLatin1String("role")).toString(),
        QStringLiteral("system"));
    QVERIFY(!responsesBody.contains(QLatin1String("reasoning")));

    // Gemini: the instructions join systemInstruction.
    const Result<EncodedRequest> gemini = GeminiCodec().encodeRequest(*decoded, {});
    QVERIFY2(gemini.ok(), qPrintable(gemini.errorMessage()));
    const QJsonObject geminiBody = parseObject(gemini->body);
    const QString system = QString::fromUtf8(
        QJsonDocument(geminiBody.value(QLatin1String("systemInstruction")).toObject()).toJson(QJsonDocument::Compact));
    QVERIFY2(system.contains(QLatin1String("Available agent types")), qPrintable(system));
    QCOMPARE(geminiBody.value(QLatin1String("contents")).toArray().size(), 3);
    QVERIFY(!geminiBody.value(QLatin1String("generationConfig")).toObject().contains(QLatin1String("thinkingConfig")));

    // Claude Code's end-user id is a JSON object, longer than OpenAI's "user" takes: left out. Its tool schemas
    // name their dialect, which Gemini does not take.
    CanonicalRequest withTools = *decoded;
    withTools.user = QStringLiteral(R"({"device_id":"%1","session_id":"s"})").arg(QString(64, QLatin1Char('a')));
    CanonicalTool bash;
    bash.name = QStringLiteral("Bash");
    bash.parameters = parseObject(QByteArray(R"({"$schema":"https://json-schema.org/draft/2020-12/schema",
                                                  "type":"object","properties":{"command":{"type":"string"}}})"));
    withTools.tools.append(bash);
    const Result<EncodedRequest> labelled = OpenAiChatCodec().encodeRequest(withTools, {});
    QVERIFY(labelled.ok());
    QVERIFY(!parseObject(labelled->body).contains(QLatin1String("user")));
    const Result<EncodedRequest> declared = GeminiCodec().encodeRequest(withTools, {});
    QVERIFY(declared.ok());
    QVERIFY(!declared->body.contains("$schema"));
    QVERIFY(declared->body.contains("\"command\""));

    // Thinking with an explicit budget is translated as before; Anthropic's top effort is OpenAI's "high".
    CanonicalRequest enabled = *decoded;
    enabled.reasoning.adaptive = false;
    const Result<EncodedRequest> explicitChat = OpenAiChatCodec().encodeRequest(enabled, {});
    QVERIFY(explicitChat.ok());
    QCOMPARE(parseObject(explicitChat->body).value(QLatin1String("reasoning_effort")).toString(),
             QStringLiteral("high"));
    const Result<EncodedRequest> explicitGemini = GeminiCodec().encodeRequest(enabled, {});
    QVERIFY(explicitGemini.ok());
    QCOMPARE(parseObject(explicitGemini->body)
                 .value(QLatin1String("generationConfig"))
                 .toObject()
                 .value(QLatin1String("thinkingConfig"))
                 .toObject()
                 .value(QLatin1String("thinkingBudget"))
                 .toInt(),
             32768);
}

void TestAnthropicMessagesCodec::encodesAForeignRequestWithinAnthropicRules()
{
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::OpenAiChat;
    request.model = QStringLiteral("gpt-style");
    request.system = {ContentPart::makeText(QStringLiteral("Be brief."))};
    ContentPart deepseekThinking = ContentPart::makeThinking(QStringLiteral("unsigned reasoning"));
    request.messages = {
        {CanonicalMessage::Role::User, {ContentPart::makeText(QStringLiteral("weather?"))}, {}},
        {CanonicalMessage::Role::Assistant,
         {deepseekThinking,
          ContentPart::makeToolCall(QStringLiteral("functions.weather:0"), QStringLiteral("weather"),
                                    QStringLiteral("{\"city\":\"Paris\"}"))},
         {}},
        {CanonicalMessage::Role::System, {ContentPart::makeText(QStringLiteral("Answer in French."))}, {}},
        {CanonicalMessage::Role::User,
         {ContentPart::makeText(QStringLiteral("here")),
          ContentPart::makeToolResult(QStringLiteral("functions.weather:0"), QStringLiteral("sunny"))},
         {}},
    };
    request.parallelToolCalls = false;
    request.tools = {CanonicalTool {QStringLiteral("weather"), {}, {}, {}, {}, {}, {}}};
    request.reasoning.effort = QStringLiteral("medium");
    request.user = QStringLiteral("u-1");

    const Result<EncodedRequest> encoded = AnthropicMessagesCodec().encodeRequest(request);
    QVERIFY2(encoded.ok(), qPrintable(encoded.errorMessage()));
    const QJsonObject sent = parseObject(encoded->body);
    // max_tokens is required: the default answer size plus the thinking budget that effort "medium" maps to
    QCOMPARE(sent.value(QLatin1String("max_tokens")).toInt(), 4096 + 8192);
    QCOMPARE(sent.value(QLatin1String("system")).toArray().size(), 2); // leading + mid-conversation instructions
    const QJsonArray messages = sent.value(QLatin1String("messages")).toArray();
    QCOMPARE(messages.size(), 3);
    const QJsonArray assistant = messages[1].toObject().value(QLatin1String("content")).toArray();
    QCOMPARE(assistant.size(), 1); // unsigned reasoning cannot go to Anthropic
    QCOMPARE(assistant[0].toObject().value(QLatin1String("id")).toString(), QStringLiteral("functions_weather_0"));
    const QJsonArray last = messages[2].toObject().value(QLatin1String("content")).toArray();
    QCOMPARE(last[0].toObject().value(QLatin1String("type")).toString(), QStringLiteral("tool_result"));
    QCOMPARE(last[0].toObject().value(QLatin1String("tool_use_id")).toString(), QStringLiteral("functions_weather_0"));
    QCOMPARE(last[1].toObject().value(QLatin1String("text")).toString(), QStringLiteral("here"));
    const QJsonObject tool = sent.value(QLatin1String("tools")).toArray().first().toObject();
    QCOMPARE(tool.value(QLatin1String("input_schema")).toObject().value(QLatin1String("type")).toString(),
             QStringLiteral("object"));
    QCOMPARE(
        sent.value(QLatin1String("tool_choice")).toObject().value(QLatin1String("disable_parallel_tool_use")).toBool(),
        true);
    // effort "medium" becomes a budget below max_tokens
    const QJsonObject thinking = sent.value(QLatin1String("thinking")).toObject();
    QCOMPARE(thinking.value(QLatin1String("type")).toString(), QStringLiteral("enabled"));
    QVERIFY(thinking.value(QLatin1String("budget_tokens")).toInt() >= 1024);
    QVERIFY(thinking.value(QLatin1String("budget_tokens")).toInt() < sent.value(QLatin1String("max_tokens")).toInt());
    QCOMPARE(sent.value(QLatin1String("metadata")).toObject().value(QLatin1String("user_id")).toString(),
             QStringLiteral("u-1"));
}

void TestAnthropicMessagesCodec::refusesWhatItCannotExpress()
{
    CanonicalRequest request;
    request.sourceFormat = ApiFormat::OpenAiChat;
    request.model = QStringLiteral("m");
    request.messages = {{CanonicalMessage::Role::User, {ContentPart::makeText(QStringLiteral("hi"))}, {}}};
    request.seed = 3;
    request.temperature = 1.6;
    request.responseFormat.type = ResponseFormat::Type::JsonObject;
    request.extras.insert(QStringLiteral("logit_bias"), QJsonObject {{QStringLiteral("50256"), -100}});
    const Result<EncodedRequest> refused = AnthropicMessagesCodec().encodeRequest(request);
    QVERIFY(!refused.ok());
    for (const auto name : {QLatin1String("'seed'"), QLatin1String("'temperature'"), QLatin1String("'response_format'"),
                            QLatin1String("'logit_bias'")})
        QVERIFY2(refused.errorMessage().contains(name), qPrintable(refused.errorMessage()));
    QVERIFY(refused.errorMessage().contains(QLatin1String("Anthropic Messages")));

    EncodeOptions drop;
    drop.dropUnsupported = true;
    const Result<EncodedRequest> dropped = AnthropicMessagesCodec().encodeRequest(request, drop);
    QVERIFY(dropped.ok());
    const QJsonObject sent = parseObject(dropped->body);
    QCOMPARE(sent.value(QLatin1String("temperature")).toDouble(), 1.0); // clamped into range
    QVERIFY(!sent.contains(QLatin1String("seed")));
    QVERIFY(dropped->dropped.contains(QStringLiteral("logit_bias")));
}

void TestAnthropicMessagesCodec::streamEncoderEmitsTheSdkSequence()
{
    std::unique_ptr<StreamEncoder> encoder
        = AnthropicMessagesCodec().createStreamEncoder(StreamEncoderOptions {QStringLiteral("claude-alias"), false});
    TokenUsage usage;
    usage.input = 1000;
    usage.cached = 800;
    usage.cacheWrite = 100;
    usage.output = 50;
    QByteArray bytes = encoder->encode(CanonicalEvents {
        CanonicalEvent::start(QStringLiteral("msg_x"), QStringLiteral("upstream")),
        CanonicalEvent::thinkingDelta(QStringLiteral("Let me")),
        CanonicalEvent::thinkingDelta(QStringLiteral(" think")),
        CanonicalEvent::thinkingDelta({}, QStringLiteral("SIG")), CanonicalEvent::textDelta(QStringLiteral("Sure.")),
        CanonicalEvent::toolCallStart(0, QStringLiteral("toolu_9"), QStringLiteral("Bash")),
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("{\"command\":")),
        CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("\"ls\"}")), CanonicalEvent::usageEvent(usage),
        CanonicalEvent::finish(FinishReason::ToolCalls)});
    bytes += encoder->finish();
    const QList<SseEvent> events = parseSse(bytes);
    QStringList types;
    for (const SseEvent &event : events) {
        const QJsonObject data = parseObject(event.data);
        QCOMPARE(data.value(QLatin1String("type")).toString().toUtf8(), event.event); // event name = data type
        types.append(QString::fromUtf8(event.event));
    }
    const QStringList expected = {QStringLiteral("message_start"),       QStringLiteral("ping"),
                                  QStringLiteral("content_block_start"), QStringLiteral("content_block_delta"),
                                  QStringLiteral("content_block_delta"), QStringLiteral("content_block_delta"),
                                  QStringLiteral("content_block_stop"),  QStringLiteral("content_block_start"),
                                  QStringLiteral("content_block_delta"), QStringLiteral("content_block_stop"),
                                  QStringLiteral("content_block_start"), QStringLiteral("content_block_delta"),
                                  QStringLiteral("content_block_delta"), QStringLiteral("content_block_stop"),
                                  QStringLiteral("message_delta"),       QStringLiteral("message_stop")};
    QCOMPARE(types, expected);
    const QJsonObject start = parseObject(events[0].data).value(QLatin1String("message")).toObject();
    QCOMPARE(start.value(QLatin1String("model")).toString(), QStringLiteral("claude-alias"));
    QCOMPARE(start.value(QLatin1String("id")).toString(), QStringLiteral("msg_x"));
    // Block indexes count up from 0 and every delta targets the open block.
    QCOMPARE(parseObject(events[2].data).value(QLatin1String("index")).toInt(), 0);
    QCOMPARE(parseObject(events[5].data)
                 .value(QLatin1String("delta"))
                 .toObject()
                 .value(QLatin1String("signature"))
                 .toString(),
             QStringLiteral("SIG"));
    QCOMPARE(parseObject(events[8].data).value(QLatin1String("index")).toInt(), 1);
    const QJsonObject toolStart = parseObject(events[10].data).value(QLatin1String("content_block")).toObject();
    QCOMPARE(toolStart.value(QLatin1String("type")).toString(), QStringLiteral("tool_use"));
    QCOMPARE(toolStart.value(QLatin1String("id")).toString(), QStringLiteral("toolu_9"));
    QCOMPARE(parseObject(events[12].data).value(QLatin1String("index")).toInt(), 2);
    const QJsonObject messageDelta = parseObject(events[14].data);
    QCOMPARE(messageDelta.value(QLatin1String("delta")).toObject().value(QLatin1String("stop_reason")).toString(),
             QStringLiteral("tool_use"));
    const QJsonObject finalUsage = messageDelta.value(QLatin1String("usage")).toObject();
    QCOMPARE(finalUsage.value(QLatin1String("input_tokens")).toInt(), 100); // uncached input only
    QCOMPARE(finalUsage.value(QLatin1String("cache_read_input_tokens")).toInt(), 800);
    QCOMPARE(finalUsage.value(QLatin1String("cache_creation_input_tokens")).toInt(), 100);
    QCOMPARE(finalUsage.value(QLatin1String("output_tokens")).toInt(), 50);

    // Parsed back by Sluice's own Anthropic decoder, it is the same answer.
    std::unique_ptr<StreamDecoder> decoder = AnthropicMessagesCodec().createStreamDecoder();
    const StreamSummary back = summarize(decodeInPieces(*decoder, bytes));
    QVERIFY(back.violations.isEmpty());
    QCOMPARE(back.thinking, QStringLiteral("Let me think"));
    QCOMPARE(back.signature, QStringLiteral("SIG"));
    QCOMPARE(back.text, QStringLiteral("Sure."));
    QCOMPARE(back.calls.first().arguments, QStringLiteral("{\"command\":\"ls\"}"));
    QCOMPARE(back.usage.input, 1000);
    QCOMPARE(back.usage.cached, 800);
}

void TestAnthropicMessagesCodec::streamDecoderReportsMidStreamErrors()
{
    std::unique_ptr<StreamDecoder> decoder = AnthropicMessagesCodec().createStreamDecoder();
    const StreamSummary summary = summarize(decodeInPieces(
        *decoder,
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":"
        "{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
        "event: error\ndata: "
        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"));
    QVERIFY(summary.violations.isEmpty());
    QVERIFY(summary.failed);
    QCOMPARE(summary.error.kind, CanonicalError::Kind::Overloaded);
    QCOMPARE(summary.error.status, 529);
    QCOMPARE(summary.error.message, QStringLiteral("Overloaded"));

    // Cut after content but before message_delta: an error, never a silent success.
    std::unique_ptr<StreamDecoder> cut = AnthropicMessagesCodec().createStreamDecoder();
    const StreamSummary truncated = summarize(decodeInPieces(
        *cut,
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\"}}\n\n"
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
        "{\"type\":\"text\",\"text\":\"\"}}\n\n"));
    QVERIFY(truncated.failed);
}

void TestAnthropicMessagesCodec::translatesErrors()
{
    const CanonicalError decoded = AnthropicMessagesCodec().decodeError(
        529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"})");
    QCOMPARE(decoded.kind, CanonicalError::Kind::Overloaded);
    QCOMPARE(decoded.message, QStringLiteral("Overloaded"));
    const EncodedError encoded = AnthropicMessagesCodec().encodeError(decoded);
    QCOMPARE(encoded.status, 529);
    const QJsonObject body = parseObject(encoded.body);
    QCOMPARE(body.value(QLatin1String("type")).toString(), QStringLiteral("error"));
    QCOMPARE(body.value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString(),
             QStringLiteral("overloaded_error"));
    // Rate limits keep their status and become rate_limit_error.
    const EncodedError limited
        = AnthropicMessagesCodec().encodeError(CanonicalError::make(429, QStringLiteral("slow")));
    QCOMPARE(limited.status, 429);
    QCOMPARE(parseObject(limited.body).value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString(),
             QStringLiteral("rate_limit_error"));
}

QTEST_GUILESS_MAIN(TestAnthropicMessagesCodec)
#include "tst_anthropicmessagescodec.moc"
