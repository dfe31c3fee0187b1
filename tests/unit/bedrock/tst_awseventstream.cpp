#include <QtTest>

#include "api/AwsEventStreamParser.h"
#include "support/AwsEventStreamWriter.h"

using namespace sluice;
using sluice::test::AwsEventStreamWriter;

namespace {
// Computed outside Sluice (Python's struct and zlib.crc32) from the framing's description: a messageStart event.
const QByteArray MessageStartFrame = QByteArray::fromHex(
    "000000760000005296d5fade0b3a6576656e742d7479706507000c6d65737361676553746172740d3a636f6e74656e742d747970650700"
    "106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b22726f6c65223a22617373697374"
    "616e74227d6fa8c599");
// The same way: a bool header and an int32 header (to be skipped) before :event-type contentBlockStop.
const QByteArray TypedHeadersFrame = QByteArray::fromHex(
    "0000005700000030c9c8fc1e04666c61670005636f756e7404000000070b3a6576656e742d74797065070010636f6e74656e74426c6f63"
    "6b53746f707b22636f6e74656e74426c6f636b496e646578223a307d1f7d7bb8");
} // namespace

class TestAwsEventStream : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodesAnIndependentlyEncodedFrame()
    {
        AwsEventStreamParser parser;
        QList<AwsEventStreamMessage> messages;
        QVERIFY(parser.feed(MessageStartFrame + TypedHeadersFrame, messages).ok());
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].header(":event-type"), QByteArray("messageStart"));
        QCOMPARE(messages[0].header(":message-type"), QByteArray("event"));
        QCOMPARE(messages[0].header(":content-type"), QByteArray("application/json"));
        QCOMPARE(messages[0].payload, QByteArray(R"({"role":"assistant"})"));
        QCOMPARE(messages[1].header(":event-type"), QByteArray("contentBlockStop"));
        QCOMPARE(messages[1].payload, QByteArray(R"({"contentBlockIndex":0})"));
        QVERIFY(!parser.hasPartialMessage());
    }

    void testWriterProducesTheSameBytes()
    {
        QCOMPARE(AwsEventStreamWriter::event("messageStart", {{QStringLiteral("role"), QStringLiteral("assistant")}}),
                 MessageStartFrame);
    }

    void framesSplitAtEveryByteStillDecode()
    {
        const QByteArray stream = MessageStartFrame + TypedHeadersFrame + MessageStartFrame;
        AwsEventStreamParser parser;
        QList<AwsEventStreamMessage> messages;
        for (qsizetype i = 0; i < stream.size(); ++i) {
            QVERIFY(parser.feed(stream.mid(i, 1), messages).ok());
            if (i + 1 < MessageStartFrame.size())
                QCOMPARE(messages.size(), 0);
        }
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages[2].payload, QByteArray(R"({"role":"assistant"})"));
    }

    void aCorruptMessageCrcFailsTheStream()
    {
        QByteArray broken = MessageStartFrame;
        broken[broken.size() - 8] = 'X'; // inside the payload
        AwsEventStreamParser parser;
        QList<AwsEventStreamMessage> messages;
        const Result<void> result = parser.feed(broken, messages);
        QVERIFY(!result.ok());
        QVERIFY(result.errorMessage().contains(QLatin1String("CRC32")));
        QVERIFY(messages.isEmpty());
        QVERIFY(!parser.feed(MessageStartFrame, messages).ok()); // nothing after a corrupt frame is trusted
    }

    void aCorruptPreludeFailsBeforeWaitingForTheBody()
    {
        QByteArray broken = MessageStartFrame.left(12);
        broken[2] = char(0x7f); // the total length no longer matches the prelude CRC
        AwsEventStreamParser parser;
        QList<AwsEventStreamMessage> messages;
        QVERIFY(!parser.feed(broken, messages).ok());
    }

    void aPartialMessageWaitsForTheRest()
    {
        AwsEventStreamParser parser;
        QList<AwsEventStreamMessage> messages;
        QVERIFY(parser.feed(MessageStartFrame.left(40), messages).ok());
        QVERIFY(messages.isEmpty());
        QVERIFY(parser.hasPartialMessage());
        QVERIFY(parser.feed(MessageStartFrame.mid(40), messages).ok());
        QCOMPARE(messages.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestAwsEventStream)
#include "tst_awseventstream.moc"
