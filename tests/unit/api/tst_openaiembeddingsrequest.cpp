#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "api/OpenAiEmbeddingsRequest.h"

using namespace sluice;

namespace {
QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}
} // namespace

// An OpenAI embeddings request: validation, the Gemini batchEmbedContents rendering and the answer back in
// OpenAI's shape (base64 as OpenAI encodes it).
class TestOpenAiEmbeddingsRequest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void acceptsEveryInputShape_data();
    void acceptsEveryInputShape();
    void refusesWhatItCannotUse_data();
    void refusesWhatItCannotUse();
    void upstreamBodyKeepsTheClientsBytes();
    void geminiBody();
    void geminiRefusesTokensAndUnknownFields();
    void geminiAnswerInOpenAiShape();
    void base64IsLittleEndianFloat32();
};

void TestOpenAiEmbeddingsRequest::acceptsEveryInputShape_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("tokens");
    QTest::newRow("string") << QByteArray(R"({"model":"m","input":"hello"})") << 1 << false;
    QTest::newRow("strings") << QByteArray(R"({"model":"m","input":["a","b","c"]})") << 3 << false;
    QTest::newRow("token ids") << QByteArray(R"({"model":"m","input":[1,2,3]})") << 1 << true;
    QTest::newRow("lists of token ids") << QByteArray(R"({"model":"m","input":[[1,2],[3]]})") << 2 << true;
}

void TestOpenAiEmbeddingsRequest::acceptsEveryInputShape()
{
    QFETCH(QByteArray, body);
    QFETCH(int, count);
    QFETCH(bool, tokens);
    const Result<OpenAiEmbeddingsRequest> request = OpenAiEmbeddingsRequest::parse(body);
    QVERIFY2(request.ok(), qPrintable(request.errorMessage()));
    QCOMPARE(request->model(), QStringLiteral("m"));
    QCOMPARE(request->inputCount(), count);
    QCOMPARE(request->hasTokenInput(), tokens);
}

void TestOpenAiEmbeddingsRequest::refusesWhatItCannotUse_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("names");
    QTest::newRow("no model") << QByteArray(R"({"input":"x"})") << QStringLiteral("'model'");
    QTest::newRow("no input") << QByteArray(R"({"model":"m"})") << QStringLiteral("'input'");
    QTest::newRow("empty string") << QByteArray(R"({"model":"m","input":""})") << QStringLiteral("'input'");
    QTest::newRow("empty list") << QByteArray(R"({"model":"m","input":[]})") << QStringLiteral("'input'");
    QTest::newRow("mixed list") << QByteArray(R"({"model":"m","input":["a",{}]})") << QStringLiteral("'input[1]'");
    QTest::newRow("fractional token") << QByteArray(R"({"model":"m","input":[1.5]})") << QStringLiteral("'input");
    QTest::newRow("encoding") << QByteArray(R"({"model":"m","input":"x","encoding_format":"int8"})")
                              << QStringLiteral("'encoding_format'");
    QTest::newRow("dimensions") << QByteArray(R"({"model":"m","input":"x","dimensions":0})")
                                << QStringLiteral("'dimensions'");
    QTest::newRow("not json") << QByteArray("nope") << QStringLiteral("request body");
}

void TestOpenAiEmbeddingsRequest::refusesWhatItCannotUse()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, names);
    const Result<OpenAiEmbeddingsRequest> request = OpenAiEmbeddingsRequest::parse(body);
    QVERIFY(!request.ok());
    QVERIFY2(request.errorMessage().contains(names), qPrintable(request.errorMessage()));
}

void TestOpenAiEmbeddingsRequest::upstreamBodyKeepsTheClientsBytes()
{
    const QByteArray original = R"({"model":"m", "input":"x", "user":"u"})";
    const Result<OpenAiEmbeddingsRequest> request = OpenAiEmbeddingsRequest::parse(original);
    QVERIFY(request.ok());
    QCOMPARE(request->upstreamBody(original, QStringLiteral("m")), original);
    const QJsonObject renamed = jsonOf(request->upstreamBody(original, QStringLiteral("text-embedding-3-small")));
    QCOMPARE(renamed.value(QLatin1String("model")).toString(), QStringLiteral("text-embedding-3-small"));
    QCOMPARE(renamed.value(QLatin1String("user")).toString(), QStringLiteral("u"));
}

void TestOpenAiEmbeddingsRequest::geminiBody()
{
    const Result<OpenAiEmbeddingsRequest> request
        = OpenAiEmbeddingsRequest::parse(R"({"model":"m","input":["a","b"],"dimensions":256,"user":"u"})");
    QVERIFY(request.ok());
    QStringList dropped;
    const Result<QByteArray> body = request->geminiBody(QStringLiteral("gemini-embedding-001"), false, dropped);
    QVERIFY2(body.ok(), qPrintable(body.errorMessage()));
    const QJsonArray requests = jsonOf(body.value()).value(QLatin1String("requests")).toArray();
    QCOMPARE(requests.size(), 2);
    const QJsonObject second = requests.at(1).toObject();
    QCOMPARE(second.value(QLatin1String("model")).toString(), QStringLiteral("models/gemini-embedding-001"));
    QCOMPARE(second.value(QLatin1String("outputDimensionality")).toInt(), 256);
    QCOMPARE(second.value(QLatin1String("content"))
                 .toObject()
                 .value(QLatin1String("parts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("text"))
                 .toString(),
             QStringLiteral("b"));
    QVERIFY(dropped.isEmpty());
}

void TestOpenAiEmbeddingsRequest::geminiRefusesTokensAndUnknownFields()
{
    QStringList dropped;
    const Result<OpenAiEmbeddingsRequest> tokens = OpenAiEmbeddingsRequest::parse(R"({"model":"m","input":[1,2]})");
    QVERIFY(tokens.ok());
    const Result<QByteArray> refused = tokens->geminiBody(QStringLiteral("g"), true, dropped);
    QVERIFY(!refused.ok());
    QVERIFY(refused.errorMessage().contains(QLatin1String("token ids")));

    const Result<OpenAiEmbeddingsRequest> extra
        = OpenAiEmbeddingsRequest::parse(R"({"model":"m","input":"x","truncate":"END"})");
    QVERIFY(extra.ok());
    const Result<QByteArray> strict = extra->geminiBody(QStringLiteral("g"), false, dropped);
    QVERIFY(!strict.ok());
    QVERIFY2(strict.errorMessage().contains(QLatin1String("'truncate'")), qPrintable(strict.errorMessage()));
    const Result<QByteArray> lenient = extra->geminiBody(QStringLiteral("g"), true, dropped);
    QVERIFY(lenient.ok());
    QCOMPARE(dropped, QStringList {QStringLiteral("truncate")});

    QJsonArray many;
    for (int i = 0; i <= OpenAiEmbeddingsRequest::MaxGeminiInputs; ++i)
        many.append(QStringLiteral("t%1").arg(i));
    const Result<OpenAiEmbeddingsRequest> tooMany = OpenAiEmbeddingsRequest::parse(
        QJsonDocument(QJsonObject {{QStringLiteral("model"), QStringLiteral("m")}, {QStringLiteral("input"), many}})
            .toJson());
    QVERIFY(tooMany.ok());
    QVERIFY(!tooMany->geminiBody(QStringLiteral("g"), true, dropped).ok());
}

void TestOpenAiEmbeddingsRequest::geminiAnswerInOpenAiShape()
{
    const Result<OpenAiEmbeddingsRequest> request
        = OpenAiEmbeddingsRequest::parse(R"({"model":"mine","input":["abcdefgh","ijkl"]})");
    QVERIFY(request.ok());
    TokenUsage usage;
    const Result<QByteArray> answer = request->openAiFromGemini(
        R"({"embeddings":[{"values":[0.5,-1]},{"values":[0.25,2]}]})", QStringLiteral("mine"), usage);
    QVERIFY2(answer.ok(), qPrintable(answer.errorMessage()));
    const QJsonObject root = jsonOf(answer.value());
    QCOMPARE(root.value(QLatin1String("object")).toString(), QStringLiteral("list"));
    QCOMPARE(root.value(QLatin1String("model")).toString(), QStringLiteral("mine"));
    const QJsonArray data = root.value(QLatin1String("data")).toArray();
    QCOMPARE(data.size(), 2);
    QCOMPARE(data.at(1).toObject().value(QLatin1String("index")).toInt(), 1);
    QCOMPARE(data.at(1).toObject().value(QLatin1String("embedding")).toArray(), (QJsonArray {0.25, 2}));
    // No count from Gemini: the client gets an estimate (12 characters, about 3 tokens), the log none.
    QCOMPARE(root.value(QLatin1String("usage")).toObject().value(QLatin1String("prompt_tokens")).toInt(), 3);
    QCOMPARE(usage.input, -1);

    const Result<QByteArray> counted = request->openAiFromGemini(
        R"({"embeddings":[{"values":[1]},{"values":[2]}],"usageMetadata":{"promptTokenCount":7}})",
        QStringLiteral("mine"), usage);
    QVERIFY(counted.ok());
    QCOMPARE(usage.input, 7);
    QCOMPARE(usage.output, 0);

    QVERIFY(!request->openAiFromGemini(R"({"embeddings":[{"values":[1]}]})", QStringLiteral("mine"), usage).ok());
}

void TestOpenAiEmbeddingsRequest::base64IsLittleEndianFloat32()
{
    // 1.0f is 0x3F800000, -2.0f is 0xC0000000: little-endian bytes 00 00 80 3F 00 00 00 C0.
    QCOMPARE(OpenAiEmbeddingsRequest::base64Floats({1.0, -2.0}), QByteArray("AACAPwAAAMA="));
    const Result<OpenAiEmbeddingsRequest> request
        = OpenAiEmbeddingsRequest::parse(R"({"model":"m","input":"x","encoding_format":"base64"})");
    QVERIFY(request.ok());
    TokenUsage usage;
    const Result<QByteArray> answer
        = request->openAiFromGemini(R"({"embeddings":[{"values":[1,-2]}]})", QStringLiteral("m"), usage);
    QVERIFY(answer.ok());
    QCOMPARE(jsonOf(answer.value())
                 .value(QLatin1String("data"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("embedding"))
                 .toString(),
             QStringLiteral("AACAPwAAAMA="));
}

QTEST_GUILESS_MAIN(TestOpenAiEmbeddingsRequest)
#include "tst_openaiembeddingsrequest.moc"
