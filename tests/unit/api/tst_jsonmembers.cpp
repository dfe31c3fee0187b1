#include <QTest>

#include "api/JsonMembers.h"

using namespace sluice;

class TestJsonMembers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsTopLevelMembersAndTheirValues()
    {
        const QByteArray json = " {\"id\":\"x\\\"}usage\\\"\",\"choices\":[{\"usage\":{\"a\":[1,2]}}],\"n\" : -1.5e3 ,"
                                "\"usage\":{\"prompt_tokens\":3,\"s\":\"}]\"},\"done\":true} ";
        const auto members = JsonMembers::scan(json);
        QVERIFY(members);
        QCOMPARE(members->members().size(), 5);
        QCOMPARE(members->members().at(0).name, QByteArrayView("id"));
        QCOMPARE(members->value(members->members().at(0)), QByteArrayView("\"x\\\"}usage\\\"\""));
        QCOMPARE(members->value(*members->find("n")), QByteArrayView("-1.5e3"));
        // The nested usage inside choices is not a top-level member.
        QCOMPARE(members->value(*members->find("usage")), QByteArrayView("{\"prompt_tokens\":3,\"s\":\"}]\"}"));
        QCOMPARE(members->value(*members->find("done")), QByteArrayView("true"));
        QVERIFY(!members->find("missing"));
        QCOMPARE(json.at(members->closingBrace()), '}');
    }

    void theLastOfRepeatedNamesWins()
    {
        const QByteArray json = "{\"model\":\"a\",\"model\":\"b\"}";
        const auto members = JsonMembers::scan(json);
        QVERIFY(members);
        QCOMPARE(members->value(*members->find("model")), QByteArrayView("\"b\""));
        QVERIFY(JsonMembers::scan("{}"));
        QVERIFY(JsonMembers::scan("{}")->members().isEmpty());
    }

    void rejectsWhatIsNotAnObject_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("array") << QByteArray("[1]");
        QTest::newRow("empty") << QByteArray("");
        QTest::newRow("cut") << QByteArray("{\"a\":[1,2");
        QTest::newRow("cut string") << QByteArray("{\"a\":\"x\\\"");
        QTest::newRow("mismatched brackets") << QByteArray("{\"a\":[1}]}");
        QTest::newRow("no colon") << QByteArray("{\"a\" 1}");
        QTest::newRow("no comma") << QByteArray("{\"a\":1 \"b\":2}");
        QTest::newRow("bare name") << QByteArray("{a:1}");
        QTest::newRow("trailing text") << QByteArray("{\"a\":1} x");
        QTest::newRow("missing value") << QByteArray("{\"a\":}");
        QTest::newRow("trailing comma") << QByteArray("{\"a\":1,}");
    }

    void rejectsWhatIsNotAnObject()
    {
        QFETCH(QByteArray, json);
        QVERIFY(!JsonMembers::scan(json));
    }
};

QTEST_GUILESS_MAIN(TestJsonMembers)
#include "tst_jsonmembers.moc"
