// The translated stream paths read OpenAI chat chunks with simdjson (OpenAiChatChunkReader) and write Anthropic and
// Responses events directly (JsonWriter) instead of through QJsonDocument / QJsonObject. These differential tests
// hold the fast paths to the old ones: every recorded stream and a set of crafted edge cases must decode to the same
// canonical events with the fast reader on and off, and every event must encode to the same client bytes as the
// QJsonObject encoders did (kept in LegacyStreamEncoders).
#include <QCborValue>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include "FormatTestSupport.h"
#include "LegacyStreamEncoders.h"
#include "api/AnthropicMessagesCodec.h"
#include "api/AnthropicStreamEncoder.h"
#include "api/FormatCodec.h"
#include "api/JsonWriter.h"
#include "api/OpenAiChatStreamDecoder.h"
#include "api/OpenAiResponsesStreamEncoder.h"
#include "api/SimdJsonSupport.h"
#include "support/AnswerRenderer.h"

using namespace sluice;
using namespace sluice::test;

class TestFastJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void recordedStreamsDecodeTheSame_data();
    void recordedStreamsDecodeTheSame();
    void craftedChunksDecodeTheSame_data();
    void craftedChunksDecodeTheSame();
    void recordedStreamsEncodeTheSame_data();
    void recordedStreamsEncodeTheSame();
    void craftedEventsEncodeTheSame_data();
    void craftedEventsEncodeTheSame();
    void writerEscapesAsQt_data();
    void writerEscapesAsQt();
    void recordedJsonParsesTheSame_data();
    void recordedJsonParsesTheSame();
    void craftedJsonParsesTheSame_data();
    void craftedJsonParsesTheSame();
    void recordedAnswersEncodeTheSame_data();
    void recordedAnswersEncodeTheSame();
    void craftedAnswersEncodeTheSame_data();
    void craftedAnswersEncodeTheSame();
};

namespace {

QString usageDigest(const TokenUsage &usage)
{
    return QStringLiteral("%1/%2/%3/%4/%5")
        .arg(usage.input)
        .arg(usage.output)
        .arg(usage.cached)
        .arg(usage.reasoning)
        .arg(usage.cacheWrite);
}

// Every field of every event, so any difference between the two readings shows.
QStringList digest(const CanonicalEvents &events)
{
    QStringList out;
    for (const CanonicalEvent &e : events) {
        out.append(QStringList {QString::number(int(e.type)),
                                e.id,
                                e.model,
                                QString::number(e.created),
                                e.text,
                                e.signature,
                                QString::number(e.redacted),
                                QString::number(e.index),
                                e.toolCallId,
                                e.toolName,
                                e.toolNamespace,
                                usageDigest(e.usage),
                                finishReasonName(e.finishReason),
                                e.stopSequence,
                                e.finishMessage,
                                QString::number(e.error.status),
                                QString::number(int(e.error.kind)),
                                e.error.message,
                                e.error.code,
                                e.error.param}
                       .join(QLatin1Char('|')));
    }
    return out;
}

struct Decoded
{
    QStringList whole;
    QStringList pieces;
    int fastChunks = 0;
};

Decoded decode(const QByteArray &body, bool fast)
{
    Decoded decoded;
    OpenAiChatStreamDecoder whole;
    whole.setFastReader(fast);
    CanonicalEvents events = whole.feed(body);
    events += whole.finish();
    decoded.whole = digest(events);
    decoded.fastChunks = whole.fastChunks();
    OpenAiChatStreamDecoder split;
    split.setFastReader(fast);
    decoded.pieces = digest(decodeInPieces(split, body, 5));
    return decoded;
}

QByteArray sseBody(const QList<QByteArray> &payloads, bool done = true)
{
    QByteArray body;
    for (const QByteArray &payload : payloads)
        body += "data: " + payload + "\n\n";
    if (done)
        body += "data: [DONE]\n\n";
    return body;
}

// Ids and timestamps the encoders make up (random, or the clock's when the provider gave none) are the only bytes
// allowed to differ; a created_at the provider gave is compared as it is.
QByteArray withoutMadeUpIds(QByteArray bytes)
{
    static const QRegularExpression ids(QStringLiteral("\"(msg|rs|fc|resp)_[0-9a-f]{24}\""));
    static const QRegularExpression created(QStringLiteral("\"created_at\":(\\d+)"));
    QString text = QString::fromUtf8(bytes);
    text.replace(ids, QStringLiteral("\"\\1_ID\""));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QString out;
    qsizetype last = 0;
    for (QRegularExpressionMatchIterator it = created.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        if (qAbs(match.captured(1).toLongLong() - now) > 600)
            continue;
        out += QStringView(text).sliced(last, match.capturedStart() - last) + QStringLiteral("\"created_at\":NOW");
        last = match.capturedEnd();
    }
    out += QStringView(text).sliced(last);
    return out.toUtf8();
}

// Each data line must be what QJsonDocument itself writes for the JSON it holds: key order, escapes, numbers.
void verifyQtSerialisation(const QByteArray &bytes)
{
    for (const SseEvent &event : parseSse(bytes)) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(event.data, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, event.data.constData());
        QCOMPARE(doc.toJson(QJsonDocument::Compact), event.data);
    }
}

enum class Client { Anthropic, Responses };

void compareEncoders(Client client, const CanonicalEvents &events, const QString &model = QStringLiteral("m"))
{
    StreamEncoderOptions options;
    options.requestedModel = model;
    std::unique_ptr<StreamEncoder> fast;
    std::unique_ptr<StreamEncoder> legacy;
    if (client == Client::Anthropic) {
        fast = std::make_unique<AnthropicStreamEncoder>(options);
        legacy = std::make_unique<legacy::AnthropicStreamEncoder>(options);
    } else {
        fast = std::make_unique<OpenAiResponsesStreamEncoder>(options);
        legacy = std::make_unique<legacy::OpenAiResponsesStreamEncoder>(options);
    }
    QByteArray fastBytes;
    QByteArray legacyBytes;
    // Event by event, as the gateway relays them.
    for (const CanonicalEvent &event : events) {
        const QByteArray a = fast->encode(event);
        const QByteArray b = legacy->encode(event);
        QCOMPARE(withoutMadeUpIds(a), withoutMadeUpIds(b));
        fastBytes += a;
        legacyBytes += b;
    }
    fastBytes += fast->finish();
    legacyBytes += legacy->finish();
    QCOMPARE(withoutMadeUpIds(fastBytes), withoutMadeUpIds(legacyBytes));
    QVERIFY(!fastBytes.isEmpty());
    verifyQtSerialisation(fastBytes);
}

// A JSON value with each number's kind (QJsonDocument keeps integers that fit qint64 as integers, the rest as
// doubles; the two print alike) and every string's UTF-16 code units.
QString typedDigest(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object: {
        QString out = QStringLiteral("{");
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            out += it.key() + QLatin1Char(':') + typedDigest(it.value()) + QLatin1Char(',');
        return out + QLatin1Char('}');
    }
    case QJsonValue::Array: {
        QString out = QStringLiteral("[");
        for (const QJsonValue &item : value.toArray())
            out += typedDigest(item) + QLatin1Char(',');
        return out + QLatin1Char(']');
    }
    case QJsonValue::Double: {
        const QCborValue cbor = QCborValue::fromJsonValue(value);
        return cbor.isInteger() ? QStringLiteral("i") + QString::number(cbor.toInteger())
                                : QStringLiteral("d") + QString::number(cbor.toDouble(), 'g', 17);
    }
    case QJsonValue::String:
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

// simd::parseObject against QJsonDocument: the same object, or nullopt where QJsonDocument must decide.
void compareParsers(const QByteArray &json, bool simdTakesIt)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    const std::optional<QJsonObject> fast = simd::parseObject(json);
    if (fast) {
        QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), "simdjson took what Qt refuses");
        QCOMPARE(typedDigest(*fast), typedDigest(doc.object()));
        QCOMPARE(QJsonDocument(*fast).toJson(QJsonDocument::Compact), doc.toJson(QJsonDocument::Compact));
    }
    QCOMPARE(fast.has_value(), simdTakesIt);
}

QByteArray withoutMessageId(QByteArray bytes)
{
    static const QRegularExpression id(QStringLiteral("\"id\":\"msg_[0-9a-f]{24}\""));
    return QString::fromUtf8(bytes).replace(id, QStringLiteral("\"id\":\"msg_ID\"")).toUtf8();
}

void compareAnswerEncoders(const CanonicalResponse &response, const QString &model)
{
    const QByteArray fast = FormatCodec::forFormat(ApiFormat::AnthropicMessages).encodeResponse(response, model);
    QCOMPARE(withoutMessageId(fast), withoutMessageId(legacy::anthropicEncodeResponse(response, model)));
    QCOMPARE(QJsonDocument::fromJson(fast).toJson(QJsonDocument::Compact), fast);
}

// Strings a JSON writer can get wrong: every escape, controls, NUL, DEL, non-ASCII in 2, 3 and 4 UTF-8 bytes,
// the line and paragraph separators, and surrogates without their pair (which Qt writes as \udxxx).
QList<QString> awkwardStrings()
{
    QString controls;
    for (char16_t c = 0; c < 0x20; ++c)
        controls.append(QChar(c));
    return {QString(),
            QStringLiteral("plain"),
            QStringLiteral("quote \" backslash \\ slash / tab \t newline \n return \r"),
            controls,
            QString(QChar(0)) + QStringLiteral("after NUL") + QChar(0x7f),
            QStringLiteral("é ß ÷ € 中文 ✓"),
            QString::fromUtf8("emoji \xF0\x9F\x98\x80 and \xF0\x9F\xA4\x96"),
            QString(QChar(0x2028)) + QChar(0x2029) + QChar(0xfeff) + QChar(0xfffd),
            QString(QChar(0xd800)) + QStringLiteral("lone high"),
            QStringLiteral("lone low") + QChar(0xdc00),
            QString(QChar(0xdbff)) + QChar(0xd800) + QChar(0xdfff),
            QStringLiteral("high at the end") + QChar(0xd83d),
            QString(300, QLatin1Char('x')) + QStringLiteral("\"\\") + QString(300, QChar(0x4e2d))};
}

} // namespace

void TestFastJson::initTestCase()
{
    QVERIFY2(recordings().ok(), qPrintable(recordings().errorMessage()));
}

void TestFastJson::recordedStreamsDecodeTheSame_data()
{
    QTest::addColumn<QString>("name");
    int count = 0;
    for (const QString &name : recordings()->names()) {
        const RecordingLibrary::Recording *recording = recordings()->find(name);
        if (recording->hasEvents && recording->family == RecordingLibrary::Family::OpenAi) {
            QTest::newRow(qPrintable(name)) << name;
            ++count;
        }
    }
    QVERIFY(count >= 8);
}

// Every recorded OpenAI-style stream (OpenAI, Azure, DeepSeek, Groq, Mistral, legacy completions...): the same
// events with simdjson as with QJsonDocument, whole and in pieces, and simdjson actually read the chunks.
void TestFastJson::recordedStreamsDecodeTheSame()
{
    QFETCH(QString, name);
    const QByteArray body = recordedStream(*recordings()->find(name));
    const Decoded fast = decode(body, true);
    const Decoded slow = decode(body, false);
    QCOMPARE(fast.whole, slow.whole);
    QCOMPARE(fast.pieces, slow.pieces);
    QCOMPARE(slow.fastChunks, 0);
    QVERIFY2(fast.fastChunks > 0, "the fast reader took none of the chunks");
    QVERIFY(fast.whole.size() >= 2);
}

void TestFastJson::craftedChunksDecodeTheSame_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<bool>("done");
    QTest::addColumn<bool>("fastTakesSome"); // false: every chunk is one the fast reader leaves to QJsonDocument

    const QByteArray head = R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt")";
    const auto content = [&head](const QByteArray &json) -> QByteArray {
        return head + R"(,"choices":[{"index":0,"delta":{"content":)" + json + "}}]}";
    };
    const QByteArray finish = head + R"(,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})";
    const auto add
        = [](const char *name, const QList<QByteArray> &chunks, bool fastTakesSome = true, bool done = true) {
              QTest::newRow(name) << chunks << done << fastTakesSome;
          };

    add("escapes", {content(R"("a\"b\\c\/d\b\f\n\r\t e")"), finish});
    add("NUL and control escapes", {content(R"("\u0000x\u0001\u001f\u007f")"), finish});
    add("unicode escapes", {content(R"("\u00e9\u4e2d\u2028\uFEFF")"), finish});
    add("surrogate pair escaped", {content(R"("\ud83d\ude00 \uD83E\uDD16")"), finish});
    add("raw UTF-8", {content("\"\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\""), finish});
    add("lone high surrogate", {content(R"("\ud800x")"), finish});
    add("lone low surrogate", {content(R"("x\udc00")"), finish});
    add("high surrogate then another escape", {content(R"("\ud800\u0041")"), finish});
    add("raw control character", {content("\"tab\there\""), finish});
    add("invalid UTF-8", {content(R"("ok")"), content("\"\xc0\x80\""), finish});
    add("encoded surrogate in UTF-8", {content(R"("ok")"), content("\"\xed\xa0\x80\""), finish});
    add("duplicate keys",
        {head
             + R"(,"choices":[{"index":0,"delta":{"content":"first","content":"second"}}],)"
               R"("choices":[{"index":0,"delta":{"content":"third","content":"fourth"}}]})",
         R"({"id":"a","id":"b","model":"x","model":"y","choices":[{"index":1,"index":0,)"
         R"("delta":{"content":"z"},"delta":{"content":"w"}}]})",
         finish});
    add("null content", {content("null"), content(R"("")"), content("42"), content("true"), content("{}"), finish});
    add("unknown fields",
        {head
             + R"(,"system_fingerprint":"fp","service_tier":null,"choices":[{"index":0,)"
               R"("logprobs":{"content":[{"token":"a","logprob":-0.1}]},"delta":{"role":)"
               R"("assistant","content":"hi","annotations":[1,2,{"x":null}]},"extra":[]}],)"
               R"("obfuscation":"abc"})",
         finish});
    add("reasoning fields",
        {head + R"(,"choices":[{"index":0,"delta":{"reasoning":"r1","reasoning_content":"rc"}}]})",
         head + R"(,"choices":[{"index":0,"delta":{"reasoning":"only reasoning"}}]})",
         head + R"(,"choices":[{"index":0,"delta":{"refusal":"no","content":"c"}}]})", finish});
    add("legacy text completion",
        {R"({"id":"cmpl-1","object":"text_completion","created":1,"choices":[{"text":"Hello","index":0}]})",
         R"({"id":"cmpl-1","choices":[{"text":"","index":0,"finish_reason":"length"}]})"});
    add("other choices ignored",
        {head
             + R"(,"choices":[{"index":1,"delta":{"content":"not me"}},)"
               R"({"index":0,"delta":{"content":"me"}},"oops",{"delta":{"content":"x"}}]})",
         head + R"(,"choices":[{"index":2,"delta":{"content":"nobody"}}]})", finish});
    add("numbers",
        {R"({"id":"n","created":-0,"model":"m","choices":[{"index":-0,"delta":{"content":"a"}}]})",
         R"({"created":9007199254740993,"choices":[{"index":4294967296,"delta":{"content":"b"}}]})",
         R"({"created":"1700000000","choices":[{"index":"0","delta":{"content":"c"}}]})", finish});
    add("fractional created", {R"({"id":"n","created":1.5,"choices":[{"index":0,"delta":{"content":"a"}}]})", finish});
    add("fractional index", {R"({"id":"n","choices":[{"index":0.0,"delta":{"content":"a"}}]})", finish});
    add("huge integer", {R"({"id":"n","created":18446744073709551615,"choices":[{"index":0,"delta":{}}]})", finish});
    add("number out of range", {R"({"id":"n","created":1e400,"choices":[]})", finish}, false);
    add("underflow in an unread field",
        {content(R"("a")"), head + R"(,"logprobs":{"p":[1.5,1e-400]},"choices":[]})", finish});
    add("zero with a fraction in an unread field",
        {content(R"("a")"), head + R"(,"choices":[{"index":0,"logprob":-0.0,"delta":{"content":"b"}}]})",
         head + R"(,"x":[{"y":0.0}],"choices":[{"index":0,"delta":{"content":"c"}}]})", finish});
    add("doubles in unread fields",
        {head
             + R"(,"t":0.7,"p":[1e-5,-2.5E3],"choices":[{"index":0,"delta":{"content":)"
               R"("d"},"logprobs":{"content":[{"logprob":-1.25}]}}]})",
         finish});
    add("tool call in pieces",
        {head
             + R"(,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,)"
               R"("id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})",
         head + R"(,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"loc"}}]}}]})",
         head
             + R"(,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ation\":)"
               R"( \"Paris \\\"FR\\\" \\u00e9\"}"}}]}}]})",
         head
             + R"(,"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","function":{"name":)"
               R"("second","arguments":"{}"}}]}}]})",
         head + R"(,"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"});
    add("tool calls without index",
        {head
             + R"(,"choices":[{"index":0,"delta":{"tool_calls":[{"id":"a","function":)"
               R"({"name":"f","arguments":"{\"x\":"}},{"function":{"arguments":"1}"}},)"
               R"("junk",{"id":"b","function":"not an object"}]}}]})",
         head
             + R"(,"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":)"
               R"("more"}}]}}]})",
         head + R"(,"choices":[{"index":0,"delta":{"tool_calls":{"not":"an array"}}}]})", finish});
    add("tool index unusual",
        {head
             + R"(,"choices":[{"index":0,"delta":{"tool_calls":[{"index":1e0,"id":"c",)"
               R"("function":{"name":"f","arguments":"{}"}}]}}]})",
         finish});
    add("tool arguments as an object",
        {head
             + R"(,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f",)"
               R"("arguments":{"b":1,"a":[true,null]}}}]}}]})",
         head + R"(,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":null}}]}}]})",
         finish});
    add("usage chunk",
        {content(R"("hi")"), finish,
         head
             + R"(,"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,)"
               R"("prompt_tokens_details":{"cached_tokens":3}}})"});
    add("usage null in every chunk",
        {head + R"(,"choices":[{"index":0,"delta":{"content":"a"}}],"usage":null})",
         head
             + R"(,"choices":[{"index":0,"delta":{},"finish_reason":"length"}],)"
               R"("usage":null})"});
    add("prompt filter results first",
        {R"({"choices":[],"created":0,"id":"","model":"","object":"",)"
         R"("prompt_filter_results":[{"prompt_index":0}]})",
         content(R"("x")"), finish});
    add("error chunk", {content(R"("partial")"), R"({"error":{"message":"Rate limit","type":"rate_limit_error"}})"});
    add("error not an object", {content(R"("a")"), R"({"error":"just text","choices":[]})", finish});
    add("finish reasons",
        {head + R"(,"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]})",
         head + R"(,"choices":[{"index":0,"delta":{},"finish_reason":"content_filter"}]})"},
        true, false);
    add("finish reason not a string", {head + R"(,"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":7}]})"},
        true, false);
    add("not JSON", {content(R"("a")"), "not json at all"}, true);
    add("truncated JSON", {content(R"("a")"), R"({"choices":[{"index":0,"delta":{"content":"b")"}, true);
    add("trailing garbage", {content(R"("a")"), content(R"("b")") + " x", finish});
    add("top level array", {content(R"("a")"), "[1,2,3]"}, true);
    add("byte-order mark", {"\xef\xbb\xbf" + content(R"("a")"), finish});
    add("whitespace everywhere",
        {"  {\t \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"a\" } } ] }\t", finish});
    add("deep nesting",
        {head + R"(,"x":)" + QByteArray(600, '[') + QByteArray(600, ']') + R"(,"choices":[]})", content(R"("after")"),
         finish});
    add("body ends without DONE", {content(R"("a")"), finish}, true, false);
    add("choices not an array",
        {head + R"(,"choices":{"index":0}})", head + R"(,"choices":null})", content("\"a\""), finish});
}

void TestFastJson::craftedChunksDecodeTheSame()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(bool, done);
    QFETCH(bool, fastTakesSome);
    const QByteArray body = sseBody(chunks, done);
    const Decoded fast = decode(body, true);
    const Decoded slow = decode(body, false);
    QCOMPARE(fast.whole, slow.whole);
    QCOMPARE(fast.pieces, slow.pieces);
    if (fastTakesSome)
        QVERIFY2(fast.fastChunks > 0, "the fast reader took none of the chunks");
}

void TestFastJson::recordedStreamsEncodeTheSame_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("client");
    for (const QString &name : recordings()->names()) {
        if (!recordings()->find(name)->hasEvents)
            continue;
        QTest::newRow(qPrintable(name + QStringLiteral(" -> anthropic"))) << name << int(Client::Anthropic);
        QTest::newRow(qPrintable(name + QStringLiteral(" -> responses"))) << name << int(Client::Responses);
    }
}

// Every recorded stream of every provider, decoded, then encoded for an Anthropic and a Responses client: the same
// bytes as the QJsonObject encoders.
void TestFastJson::recordedStreamsEncodeTheSame()
{
    QFETCH(QString, name);
    QFETCH(int, client);
    const RecordingLibrary::Recording &recording = *recordings()->find(name);
    const std::unique_ptr<StreamDecoder> decoder
        = FormatCodec::forFormat(AnswerRenderer::formatOf(recording.family)).createStreamDecoder();
    CanonicalEvents events = decoder->feed(recordedStream(recording));
    events += decoder->finish();
    compareEncoders(Client(client), events, QStringLiteral("claude-sonnet-4-5"));
}

void TestFastJson::craftedEventsEncodeTheSame_data()
{
    QTest::addColumn<int>("client");
    QTest::addColumn<QString>("text");
    QTest::newRow("empty anthropic") << int(Client::Anthropic) << QString();
    const QList<QString> strings = awkwardStrings();
    for (qsizetype i = 0; i < strings.size(); ++i) {
        QTest::addRow("anthropic %d", int(i)) << int(Client::Anthropic) << strings[i];
        QTest::addRow("responses %d", int(i)) << int(Client::Responses) << strings[i];
    }
}

// Every event type carrying awkward text in every field the encoders write, in sequences that open and close
// every block and item kind, then each way a stream ends.
void TestFastJson::craftedEventsEncodeTheSame()
{
    QFETCH(int, client);
    QFETCH(QString, text);
    TokenUsage usage;
    usage.input = 1234567890123;
    usage.output = 42;
    usage.cached = 7;
    usage.cacheWrite = -1;
    usage.reasoning = 3;
    CanonicalEvent start = CanonicalEvent::start(QStringLiteral("chatcmpl-") + text, text, 1700000000);
    start.usage = usage;
    CanonicalEvent tool = CanonicalEvent::toolCallStart(0, QStringLiteral("call ") + text, text);
    tool.toolNamespace = text;
    CanonicalEvent redacted = CanonicalEvent::thinkingDelta(text);
    redacted.redacted = true;
    const CanonicalEvents body = {start,
                                  CanonicalEvent::thinkingDelta(text, text),
                                  CanonicalEvent::thinkingDelta(QStringLiteral("more"), QString()),
                                  redacted,
                                  CanonicalEvent::textDelta(text),
                                  CanonicalEvent::textDelta(QStringLiteral("x")),
                                  tool,
                                  CanonicalEvent::toolArgumentsDelta(0, text),
                                  CanonicalEvent::toolArgumentsDelta(0, QStringLiteral("{}")),
                                  CanonicalEvent::toolArgumentsDelta(5, text),
                                  CanonicalEvent::textDelta(text),
                                  CanonicalEvent::usageEvent(usage)};

    QList<CanonicalEvent> endings;
    CanonicalEvent stop = CanonicalEvent::finish(FinishReason::Stop);
    stop.stopSequence = text;
    endings << stop << CanonicalEvent::finish(FinishReason::Length) << CanonicalEvent::finish(FinishReason::ToolCalls);
    CanonicalEvent refusal = CanonicalEvent::finish(FinishReason::ContentFilter);
    refusal.finishMessage = text;
    endings << refusal;
    CanonicalEvent failed = CanonicalEvent::finish(FinishReason::Error);
    failed.finishMessage = text;
    endings << failed << CanonicalEvent::finish(FinishReason::Error);
    endings << CanonicalEvent::failure(CanonicalError::make(429, text, text));
    for (const CanonicalEvent &ending : std::as_const(endings)) {
        compareEncoders(Client(client), body + CanonicalEvents {ending}, text);
        if (QTest::currentTestFailed())
            return;
    }
    // Cut short (finish() ends it), an error before anything started, a start without an id.
    compareEncoders(Client(client), body, text);
    compareEncoders(Client(client), {CanonicalEvent::failure(CanonicalError::make(401, text))}, text);
    compareEncoders(Client(client), {CanonicalEvent::start(QString(), QString()), CanonicalEvent::textDelta(text)});
}

void TestFastJson::writerEscapesAsQt_data()
{
    QTest::addColumn<QString>("text");
    const QList<QString> strings = awkwardStrings();
    for (qsizetype i = 0; i < strings.size(); ++i)
        QTest::addRow("%d", int(i)) << strings[i];
    // Every BMP code unit, one string each block of 4,096, surrogates included.
    for (int block = 0; block < 16; ++block) {
        QString all;
        for (int unit = block * 4096; unit < (block + 1) * 4096; ++unit)
            all.append(QChar(char16_t(unit)));
        QTest::addRow("units %04x..", block * 4096) << all;
    }
}

// JsonWriter against QJsonDocument on the strings and numbers themselves.
void TestFastJson::writerEscapesAsQt()
{
    QFETCH(QString, text);
    QByteArray written = "prefix ";
    {
        JsonWriter writer(written);
        writer.raw("{\"a\":").string(text).raw(",\"b\":").number(-9223372036854775807LL - 1);
        writer.raw(",\"c\":").number(0).raw(",\"d\":").number(1234567890123).raw("}");
    }
    const QJsonObject object {{QStringLiteral("a"), text},
                              {QStringLiteral("b"), qint64(-9223372036854775807LL - 1)},
                              {QStringLiteral("c"), 0},
                              {QStringLiteral("d"), qint64(1234567890123)}};
    QCOMPARE(written, "prefix " + QJsonDocument(object).toJson(QJsonDocument::Compact));
}

void TestFastJson::recordedJsonParsesTheSame_data()
{
    QTest::addColumn<QByteArray>("json");
    int count = 0;
    for (const QString &name : recordings()->names()) {
        const RecordingLibrary::Recording *recording = recordings()->find(name);
        if (recording->hasBody) {
            QTest::newRow(qPrintable(name)) << recording->body;
            ++count;
        }
        for (qsizetype i = 0; i < recording->events.size(); ++i) {
            if (recording->events[i].startsWith('{'))
                QTest::addRow("%s event %d", qPrintable(name), int(i)) << recording->events[i];
        }
    }
    QVERIFY(count >= 19);
}

// Every recorded answer and stream event (the bodies codec::parseObject reads): the same object from simdjson.
void TestFastJson::recordedJsonParsesTheSame()
{
    QFETCH(QByteArray, json);
    compareParsers(json, true);
}

void TestFastJson::craftedJsonParsesTheSame_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("simdTakesIt");
    const auto add = [](const char *name, const QByteArray &json, bool simdTakesIt = true) {
        QTest::newRow(name) << json << simdTakesIt;
    };
    add("escapes", R"({"a":"q\"b\\s\/b\bf\fn\nr\rt\t","\u00e9k\u0000":"\u0000\u001f\ud83d\ude00"})");
    add("raw UTF-8", "{\"\xc3\xa9\":\"\xe4\xb8\xad \xf0\x9f\x98\x80\"}");
    add("duplicate keys", R"({"a":1,"b":{"x":"p","x":"q"},"a":[3],"a":{"last":true}})");
    add("integers", R"({"a":0,"b":-0,"c":9007199254740993,"d":-9223372036854775808,"e":9223372036854775807})");
    add("beyond qint64", R"({"a":9223372036854775808,"b":18446744073709551615})");
    add("doubles", R"({"a":1.5,"b":-2.25e10,"c":1E2,"d":1e-300,"e":4.9e-324,"f":0.1,"g":123456.789e-3})");
    add("nesting", R"({"a":[[[{"b":[null,true,false,{},[]]}]]],"c":{"d":{"e":{"f":"g"}}}})");
    add("empty", "{}");
    add("whitespace", " \t{ \"a\" :\n[ 1 , 2 ]\r}\n ");
    add("long text", "{\"text\":\"" + QByteArray(100000, 'x') + "\\n\\\"" + QByteArray(1000, 'y') + "\"}");
    add("zero with a fraction", R"({"temperature":0.0})", false);
    add("negative zero", R"({"a":-0.0})", false);
    add("underflow", R"({"a":1e-400})", false);
    add("underflow without exponent", "{\"a\":0." + QByteArray(400, '0') + "1}", false);
    add("overflow", R"({"a":1e400})", false);
    add("integer beyond 64 bits", R"({"a":123456789012345678901234567890})", false);
    add("lone surrogate", R"({"a":"\ud800"})", false);
    add("raw control character", "{\"a\":\"x\ty\"}", false);
    add("byte-order mark", "\xef\xbb\xbf{\"a\":1}", false);
    add("invalid UTF-8", "{\"a\":\"\xc0\x80\"}", false);
    add("not an object", "[1,2]", false);
    add("not JSON", "{\"a\":", false);
    add("trailing garbage", "{\"a\":1} x", false);
    add("empty text", "", false);
}

void TestFastJson::craftedJsonParsesTheSame()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, simdTakesIt);
    compareParsers(json, simdTakesIt);
}

void TestFastJson::recordedAnswersEncodeTheSame_data()
{
    QTest::addColumn<QString>("name");
    for (const QString &name : recordings()->names()) {
        if (recordings()->find(name)->hasBody)
            QTest::newRow(qPrintable(name)) << name;
    }
}

// Every recorded answer of every provider, decoded by its codec, encoded for an Anthropic client: the same bytes
// as the QJsonObject encoder.
void TestFastJson::recordedAnswersEncodeTheSame()
{
    QFETCH(QString, name);
    const RecordingLibrary::Recording &recording = *recordings()->find(name);
    const Result<CanonicalResponse> response
        = FormatCodec::forFormat(AnswerRenderer::formatOf(recording.family)).decodeResponse(recording.body);
    if (!response.ok())
        QSKIP("an error body, not an answer");
    compareAnswerEncoders(*response, QStringLiteral("claude-sonnet-4-5"));
}

void TestFastJson::craftedAnswersEncodeTheSame_data()
{
    QTest::addColumn<QString>("text");
    const QList<QString> strings = awkwardStrings();
    for (qsizetype i = 0; i < strings.size(); ++i)
        QTest::addRow("%d", int(i)) << strings[i];
}

void TestFastJson::craftedAnswersEncodeTheSame()
{
    QFETCH(QString, text);
    CanonicalResponse response;
    response.id = text;
    response.model = text;
    ContentPart redacted = ContentPart::makeThinking(text);
    redacted.redacted = true;
    ContentPart raw;
    raw.kind = ContentPart::Kind::Raw;
    raw.rawFormat = ApiFormat::AnthropicMessages;
    raw.raw = QJsonObject {{QStringLiteral("type"), QStringLiteral("server_tool_use")},
                           {QStringLiteral("input"), QJsonObject {{QStringLiteral("q"), text}}},
                           {QStringLiteral("n"), 1.5}};
    ContentPart otherRaw = raw;
    otherRaw.rawFormat = ApiFormat::OpenAiResponses;
    response.content = {ContentPart::makeThinking(text, text),
                        redacted,
                        ContentPart::makeText(text),
                        ContentPart::makeText(QString()),
                        ContentPart::makeToolCall(text, text, QStringLiteral(R"({"b":[1,2.5,"x"],"a":{"c":null}})")),
                        ContentPart::makeToolCall(QStringLiteral("call_2"), QStringLiteral("f"), text),
                        ContentPart::makeToolCall(QStringLiteral("call_3"), QStringLiteral("g"), QString()),
                        raw,
                        otherRaw,
                        ContentPart::makeToolResult(QStringLiteral("x"), text)};
    response.usage.input = 100;
    response.usage.output = 20;
    response.usage.cached = 30;
    response.usage.cacheWrite = 5;
    for (const FinishReason reason : {FinishReason::Stop, FinishReason::Length, FinishReason::ToolCalls,
                                      FinishReason::ContentFilter, FinishReason::Error}) {
        response.finishReason = reason;
        response.stopSequence = reason == FinishReason::Stop ? text : QString();
        response.refusal = text;
        compareAnswerEncoders(response, text);
        compareAnswerEncoders(response, QString());
        if (QTest::currentTestFailed())
            return;
    }
    compareAnswerEncoders(CanonicalResponse(), QString());
}

QTEST_GUILESS_MAIN(TestFastJson)
#include "tst_fastjson.moc"
