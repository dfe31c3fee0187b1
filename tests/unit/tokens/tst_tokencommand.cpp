#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include "TokenCommand.h"
#include "store/TokenStore.h"

using namespace sluice;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

} // namespace

class TokenCommandTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    Run run(QStringList args)
    {
        args << QStringLiteral("--data-dir") << m_dir.path();
        Run result;
        QTextStream out(&result.out);
        QTextStream err(&result.err);
        result.code = runTokenCommand(args, out, err);
        return result;
    }

    // Every byte Sluice keeps in the data folder (database, WAL and shared-memory files).
    QByteArray dataFolderBytes() const
    {
        QByteArray all;
        QDirIterator files(m_dir.path(), QDir::Files);
        while (files.hasNext()) {
            QFile file(files.next());
            if (file.open(QIODevice::ReadOnly))
                all += file.readAll();
        }
        return all;
    }

private slots:
    void createPrintsTheSecretOnceAndStoresOnlyItsDigest()
    {
        QVERIFY(m_dir.isValid());
        const Run created
            = run({QStringLiteral("create"), QStringLiteral("ci"), QStringLiteral("--models"),
                   QStringLiteral("gpt-4.1-mini,claude-sonnet-4"), QStringLiteral("--rpm"), QStringLiteral("60"),
                   QStringLiteral("--tpm"), QStringLiteral("100000"), QStringLiteral("--budget"),
                   QStringLiteral("daily:5"), QStringLiteral("--budget"), QStringLiteral("monthly:50")});
        QCOMPARE(created.code, 0);
        const QString secret = created.out.trimmed();
        QVERIFY2(QRegularExpression(QStringLiteral("^sk-sluice-[A-Za-z0-9_-]{43}$")).match(secret).hasMatch(),
                 qPrintable(secret));
        QVERIFY(created.err.contains(QLatin1String("shown only this once")));

        const QByteArray stored = dataFolderBytes();
        QVERIFY(!stored.isEmpty());
        QVERIFY(!stored.contains(secret.toLatin1()));
        QVERIFY(!stored.contains(secret.mid(10).toLatin1())); // not even the random part
        QVERIFY(stored.contains(TokenStore::digest(secret.toLatin1())));

        const Run listed = run({QStringLiteral("list")});
        QCOMPARE(listed.code, 0);
        QVERIFY(!listed.out.contains(secret));
        const QString line = listed.out.split(QLatin1Char('\n')).at(1);
        QVERIFY2(line.startsWith(QLatin1String("ci")), qPrintable(listed.out));
        QVERIFY(line.contains(QLatin1String("gpt-4.1-mini,claude-sonnet-4")));
        QVERIFY(line.contains(QLatin1String("60")));
        QVERIFY(line.contains(QLatin1String("100000")));
        QVERIFY2(line.contains(QLatin1String("daily $5.00, monthly $50.00")), qPrintable(line));

        // A second token gets its own secret; a taken name is refused.
        const Run other = run({QStringLiteral("create"), QStringLiteral("editor")});
        QCOMPARE(other.code, 0);
        QVERIFY(other.out.trimmed() != secret);
        const Run taken = run({QStringLiteral("create"), QStringLiteral("ci")});
        QCOMPARE(taken.code, 1);
        QVERIFY(taken.err.contains(QLatin1String("already exists")));
        QVERIFY(taken.out.isEmpty());
    }

    void revokeRemovesTheToken()
    {
        QCOMPARE(run({QStringLiteral("create"), QStringLiteral("temp")}).code, 0);
        const Run revoked = run({QStringLiteral("revoke"), QStringLiteral("temp")});
        QCOMPARE(revoked.code, 0);
        QVERIFY(revoked.out.contains(QLatin1String("Revoked token 'temp'")));
        QVERIFY(!run({QStringLiteral("list")}).out.contains(QLatin1String("temp")));
        const Run again = run({QStringLiteral("revoke"), QStringLiteral("temp")});
        QCOMPARE(again.code, 1);
        QVERIFY(again.err.contains(QLatin1String("no token named 'temp'")));
    }

    void badUsageIsExplained()
    {
        QCOMPARE(run({QStringLiteral("create")}).code, 2);
        QCOMPARE(run({QStringLiteral("create"), QStringLiteral("bad name!")}).code, 2);
        const Run budget = run(
            {QStringLiteral("create"), QStringLiteral("x"), QStringLiteral("--budget"), QStringLiteral("yearly:5")});
        QCOMPARE(budget.code, 2);
        QVERIFY(budget.err.contains(QLatin1String("daily:USD, weekly:USD or monthly:USD")));
        QCOMPARE(
            run({QStringLiteral("create"), QStringLiteral("x"), QStringLiteral("--rpm"), QStringLiteral("lots")}).code,
            2);
        QCOMPARE(run({QStringLiteral("list"), QStringLiteral("--rpm"), QStringLiteral("5")}).code, 2);
    }
};

QTEST_GUILESS_MAIN(TokenCommandTest)
#include "tst_tokencommand.moc"
