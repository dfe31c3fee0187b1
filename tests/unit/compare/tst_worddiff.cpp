#include <QTest>

#include "compare/WordDiff.h"

using namespace sluice;

namespace {
using Op = WordDiffSpan::Op;

QString side(const QList<WordDiffSpan> &spans, Op other)
{
    QString text;
    for (const WordDiffSpan &span : spans) {
        if (span.op == Op::Equal || span.op == other)
            text += span.text;
    }
    return text;
}
} // namespace

class TestWordDiff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void identicalTextsAreOneEqualSpan();
    void changedWordIsRemovedThenAdded();
    void insertionKeepsTheSharedWords();
    void bothTextsAreRebuiltFromTheSpans_data();
    void bothTextsAreRebuiltFromTheSpans();
    void emptySides();
    void veryLongTextsStayBounded();
    void similarityCountsSharedWords();
    void toolCallsComparedAsStructures();
};

void TestWordDiff::identicalTextsAreOneEqualSpan()
{
    const QList<WordDiffSpan> spans = WordDiff::diff(QStringLiteral("the cat sat"), QStringLiteral("the cat sat"));
    QCOMPARE(spans, (QList<WordDiffSpan> {{Op::Equal, QStringLiteral("the cat sat")}}));
}

void TestWordDiff::changedWordIsRemovedThenAdded()
{
    const QList<WordDiffSpan> spans
        = WordDiff::diff(QStringLiteral("the cat sat on the mat"), QStringLiteral("the dog sat on the mat"));
    QCOMPARE(spans,
             (QList<WordDiffSpan> {{Op::Equal, QStringLiteral("the ")},
                                   {Op::Removed, QStringLiteral("cat")},
                                   {Op::Added, QStringLiteral("dog")},
                                   {Op::Equal, QStringLiteral(" sat on the mat")}}));
}

void TestWordDiff::insertionKeepsTheSharedWords()
{
    const QList<WordDiffSpan> spans
        = WordDiff::diff(QStringLiteral("Paris is the capital."), QStringLiteral("Paris is the capital of France."));
    QCOMPARE(spans.size(), 3);
    QCOMPARE(spans.at(0), (WordDiffSpan {Op::Equal, QStringLiteral("Paris is the ")}));
    QCOMPARE(spans.at(1), (WordDiffSpan {Op::Removed, QStringLiteral("capital.")}));
    QCOMPARE(spans.at(2), (WordDiffSpan {Op::Added, QStringLiteral("capital of France.")}));
}

void TestWordDiff::bothTextsAreRebuiltFromTheSpans_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::newRow("reordered") << QStringLiteral("one two three four") << QStringLiteral("four three two one");
    QTest::newRow("lines") << QStringLiteral("a\nb\n\nc d") << QStringLiteral("a\n\nb c\nd e");
    QTest::newRow("unicode") << QStringLiteral("café à la crème") << QStringLiteral("café au lait");
    QTest::newRow("spacing") << QStringLiteral("x  y") << QStringLiteral("x y");
}

void TestWordDiff::bothTextsAreRebuiltFromTheSpans()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    const QList<WordDiffSpan> spans = WordDiff::diff(before, after);
    QCOMPARE(side(spans, Op::Removed), before);
    QCOMPARE(side(spans, Op::Added), after);
    for (qsizetype i = 1; i < spans.size(); ++i)
        QVERIFY(spans.at(i).op != spans.at(i - 1).op); // merged, never two spans of one kind in a row
}

void TestWordDiff::emptySides()
{
    QCOMPARE(WordDiff::diff(QString(), QStringLiteral("new text")),
             (QList<WordDiffSpan> {{Op::Added, QStringLiteral("new text")}}));
    QCOMPARE(WordDiff::diff(QStringLiteral("old"), QString()),
             (QList<WordDiffSpan> {{Op::Removed, QStringLiteral("old")}}));
    QVERIFY(WordDiff::diff(QString(), QString()).isEmpty());
}

void TestWordDiff::veryLongTextsStayBounded()
{
    QString before;
    QString after;
    for (int i = 0; i < 5000; ++i) {
        before += QStringLiteral("w%1 ").arg(i);
        after += QStringLiteral("v%1 ").arg(i);
    }
    before = QStringLiteral("Same start ") + before + QStringLiteral("same end");
    after = QStringLiteral("Same start ") + after + QStringLiteral("same end");
    const QList<WordDiffSpan> spans = WordDiff::diff(before, after);
    QCOMPARE(side(spans, Op::Removed), before);
    QCOMPARE(side(spans, Op::Added), after);
    QCOMPARE(spans.first().text, QStringLiteral("Same start "));
    QCOMPARE(spans.last().op, Op::Equal);
    QVERIFY(spans.last().text.endsWith(QLatin1String(" same end")));
}

void TestWordDiff::similarityCountsSharedWords()
{
    QCOMPARE(WordDiff::similarity(WordDiff::diff(QStringLiteral("a b c d"), QStringLiteral("a b c d"))), 1.0);
    QCOMPARE(WordDiff::similarity(WordDiff::diff(QStringLiteral("a b c d"), QStringLiteral("a b x y"))), 0.5);
    QCOMPARE(WordDiff::similarity(WordDiff::diff(QStringLiteral("a b"), QStringLiteral("c d"))), 0.0);
}

void TestWordDiff::toolCallsComparedAsStructures()
{
    const QList<CompareToolCall> first {
        {QStringLiteral("call_1"), QStringLiteral("get_weather"), QStringLiteral(R"({"city":"Paris","unit":"c"})")}};
    // The same call with other ids, key order and spacing: no difference.
    const QList<CompareToolCall> same {{QStringLiteral("toolu_9"), QStringLiteral("get_weather"),
                                        QStringLiteral(R"({ "unit": "c", "city": "Paris" })")}};
    QCOMPARE(WordDiff::compareToolCalls(first, same), QStringList());

    const QList<CompareToolCall> other {
        {QStringLiteral("x"), QStringLiteral("get_weather"), QStringLiteral(R"({"city":"Lyon","days":3})")},
        {QStringLiteral("y"), QStringLiteral("get_time"), QStringLiteral("{}")}};
    QCOMPARE(WordDiff::compareToolCalls(first, other),
             (QStringList {QStringLiteral(R"(call 1 (get_weather): city = "Paris" vs "Lyon")"),
                           QStringLiteral("call 1 (get_weather): argument unit only in the first"),
                           QStringLiteral("call 1 (get_weather): argument days only in the second"),
                           QStringLiteral("call 2 (get_time) only in the second")}));

    const QList<CompareToolCall> renamed {{QStringLiteral("z"), QStringLiteral("lookup"), QStringLiteral("{}")}};
    QCOMPARE(WordDiff::compareToolCalls(first, renamed), QStringList {QStringLiteral("call 1: get_weather vs lookup")});
}

QTEST_GUILESS_MAIN(TestWordDiff)
#include "tst_worddiff.moc"
