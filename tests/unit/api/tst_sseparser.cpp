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

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
