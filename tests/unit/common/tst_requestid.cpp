#include <QSet>
#include <QTest>
#include <QUuid>

#include "common/RequestId.h"

using namespace sluice;

class TestRequestId : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isAVersion7UuidCarryingItsTime()
    {
        const qint64 ms = 1772409600123; // 2026-03-02 00:00:00.123 UTC
        const QString id = RequestId::create(ms);
        const QUuid uuid = QUuid::fromString(id);
        QVERIFY2(!uuid.isNull(), qPrintable(id));
        QCOMPARE(id, uuid.toString(QUuid::WithoutBraces));
        QCOMPARE(id.at(14), QLatin1Char('7')); // the version nibble (Qt 6.4's QUuid::version() stops at 5)
        QCOMPARE(uuid.variant(), QUuid::DCE);
        QCOMPARE(id.left(13).remove(QLatin1Char('-')).toLongLong(nullptr, 16), ms);
    }

    void laterIdsSortAfterEarlierOnes()
    {
        QString previous;
        for (qint64 ms = 1772409600000; ms < 1772409600000 + 2000; ++ms) {
            const QString id = RequestId::create(ms);
            QVERIFY2(previous < id, qPrintable(previous + QLatin1String(" >= ") + id));
            previous = id;
        }
    }

    void idsInTheSameMillisecondAreDistinct()
    {
        QSet<QString> ids;
        for (int i = 0; i < 20000; ++i)
            ids.insert(RequestId::create(1772409600000));
        QCOMPARE(ids.size(), 20000);
        QVERIFY(RequestId::create() != RequestId::create());
    }
};

QTEST_GUILESS_MAIN(TestRequestId)
#include "tst_requestid.moc"
