#include <QTest>

#include "common/SecretScrubber.h"

using namespace sluice;

class TestSecretScrubber : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void replacesEveryOccurrence()
    {
        SecretScrubber scrubber;
        scrubber.add(QStringLiteral("sk-provider-1234567890"));
        scrubber.add(QStringLiteral("tok-abcdefgh"));
        const QByteArray text = "key sk-provider-1234567890 and tok-abcdefgh, again sk-provider-1234567890.";
        const QByteArray clean = scrubber.scrub(text);
        QVERIFY(!clean.contains("sk-provider-1234567890"));
        QVERIFY(!clean.contains("tok-abcdefgh"));
        QCOMPARE(clean.count(SecretScrubber::Marker), 3);
        QVERIFY(scrubber.contains(text));
        QVERIFY(!scrubber.contains(clean));
        QCOMPARE(scrubber.scrub(QStringLiteral("ü tok-abcdefgh ü")),
                 QStringLiteral("ü %1 ü").arg(QLatin1String(SecretScrubber::Marker)));
    }

    void longerSecretsFirst()
    {
        // One secret inside another: the longer is replaced whole, no piece of it is left.
        SecretScrubber scrubber;
        scrubber.add(QStringLiteral("abcdefgh"));
        scrubber.add(QStringLiteral("abcdefgh-and-more-12345"));
        const QByteArray clean = scrubber.scrub(QByteArrayLiteral("x abcdefgh-and-more-12345 y abcdefgh z"));
        QCOMPARE(clean, QByteArray("x ") + SecretScrubber::Marker + " y " + SecretScrubber::Marker + " z");
    }

    void shortValuesAreNotSecrets()
    {
        SecretScrubber scrubber;
        scrubber.add(QStringLiteral("abc"));
        scrubber.add(QString());
        QVERIFY(scrubber.isEmpty());
        const QByteArray text = "abc abc";
        QCOMPARE(scrubber.scrub(text), text);
    }

    void textWithoutSecretsIsShared()
    {
        SecretScrubber scrubber;
        scrubber.add(QStringLiteral("sk-provider-1234567890"));
        const QByteArray text(1 << 16, 'x');
        const QByteArray same = scrubber.scrub(text);
        QCOMPARE(same.constData(), text.constData()); // no copy on the common path
    }
};

QTEST_GUILESS_MAIN(TestSecretScrubber)
#include "tst_secretscrubber.moc"
