#include <QFile>
#include <QTest>

#include "api/SseParser.h"

using namespace sluice;

class TestSseParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesEventsSplitAtEveryByte();
    void handlesCrLfAndCr();
    void joinsMultiLineDataAndSkipsComments();
    void roundTripsRecordedStream();
    void refusesAnEventThatNeverEnds();
};

void TestSseParser::parsesEventsSplitAtEveryByte()
{
    const QByteArray stream = "event: message_start\ndata: {\"a\":1}\n\ndata: [DONE]\n\n";
    SseParser parser;
    QList<SseEvent> events;
    for (const char c : stream)
        parser.feed(QByteArray(1, c), events);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].event, QByteArray("message_start"));
    QCOMPARE(events[0].data, QByteArray("{\"a\":1}"));
    QCOMPARE(events[1].event, QByteArray());
    QCOMPARE(events[1].data, QByteArray("[DONE]"));
    QVERIFY(!parser.hasPartialEvent());
}

void TestSseParser::handlesCrLfAndCr()
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed("data: one\r", events);
    parser.feed("\n\r\ndata: two\r\r", events);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].data, QByteArray("one"));
    QCOMPARE(events[1].data, QByteArray("two"));
}

void TestSseParser::joinsMultiLineDataAndSkipsComments()
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed(": keep-alive\n\ndata: a\ndata:b\n\ndata: incomplete", events);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].data, QByteArray("a\nb"));
    QVERIFY(parser.hasPartialEvent());
    QCOMPARE(encodeSseEvent(events[0]), QByteArray("data: a\ndata: b\n\n"));
}

void TestSseParser::roundTripsRecordedStream()
{
    const QString dir = qEnvironmentVariable("SLUICE_RECORDINGS_DIR");
    QFile file(dir + QStringLiteral("/anthropic/anthropic-text.chunks.txt"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QList<QByteArray> lines = file.readAll().split('\n');
    lines.removeAll(QByteArray());
    QByteArray wire;
    for (const QByteArray &line : std::as_const(lines))
        wire += "event: x\ndata: " + line + "\n\n";
    SseParser parser;
    QList<SseEvent> events;
    for (qsizetype i = 0; i < wire.size(); i += 7)
        parser.feed(wire.mid(i, 7), events);
    QCOMPARE(events.size(), lines.size());
    for (qsizetype i = 0; i < lines.size(); ++i)
        QCOMPARE(events[i].data, lines[i]);
}

void TestSseParser::refusesAnEventThatNeverEnds()
{
    SseParser parser(1024);
    QList<SseEvent> events;
    parser.feed("data: {\"ok\":1}\n\ndata: ", events);
    QCOMPARE(events.size(), 1);
    QVERIFY(!parser.overflowed());
    // An upstream that never ends its line: past the limit the parser lets go of it all and reads no more.
    for (int i = 0; i < 10; ++i)
        parser.feed(QByteArray(300, 'x'), events);
    QVERIFY(parser.overflowed());
    QVERIFY(!parser.hasPartialEvent());
    parser.feed("\n\ndata: late\n\n", events);
    QCOMPARE(events.size(), 1);

    // Many data lines of one event count together.
    SseParser lines(1024);
    QList<SseEvent> none;
    for (int i = 0; i < 20; ++i)
        lines.feed("data: " + QByteArray(100, 'y') + '\n', none);
    QVERIFY(lines.overflowed());
    QVERIFY(none.isEmpty());

    // The default limit takes large events (a big tool call) as they are.
    SseParser standard;
    QList<SseEvent> big;
    standard.feed("data: " + QByteArray(4 * 1024 * 1024, 'z') + "\n\n", big);
    QCOMPARE(big.size(), 1);
    QVERIFY(!standard.overflowed());
}

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
