#include <memory>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <qt6keychain/keychain.h>

#include "TestKeyring.h"
#include "config/Config.h"
#include "secrets/SecretStore.h"

using namespace sluice;

namespace {
const char ProbeNoBackend[] = "--probe-no-backend";
const QString ProbeSecret = QStringLiteral("sk-probe-value-0123456789");

// Runs in a child process whose D-Bus session address points nowhere; prints what a user would see.
int probeNoBackend()
{
    SecretStore store(test::uniqueService());
    const Result<void> written = store.write(QStringLiteral("openai"), ProbeSecret);
    const Result<QString> read = store.read(QStringLiteral("openai"));
    const Result<QStringList> listed = store.list();
    std::printf("write: %s\nread: %s\nlist: %s\n", qPrintable(written.errorMessage()), qPrintable(read.errorMessage()),
                qPrintable(listed.errorMessage()));
    return written.ok() || read.ok() || listed.ok() ? 1 : 0;
}

QStringList filesContaining(const QString &root, const QByteArray &needle)
{
    QStringList found;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
            found.append(file.fileName());
    }
    return found;
}
} // namespace

class TestSecretStore : public QObject
{
    Q_OBJECT

private slots:
    void roundTripWriteReadListDelete();
    void readMissingSaysHowToAddIt();
    void deleteMissingIsAnError();
    void secretsKeepEveryCharacter();
    void servicesAreSeparate();
    void invalidNamesAndEmptySecretsAreRefused();
    void storedInTheSecretServiceNotInFiles();
    void deleteCleansUpAnEntryRemovedElsewhere();
    void worksFromAWorkerThread();
    void resolverReadsEnvironment();
    void resolverReadsKeychain();
    void noKeychainGivesClearAdvice();
};

void TestSecretStore::roundTripWriteReadListDelete()
{
    SecretStore store(test::uniqueService());
    QVERIFY2(store.list().ok(), qPrintable(store.list().errorMessage()));
    QCOMPARE(store.list().value(), QStringList());

    const Result<void> first = store.write(QStringLiteral("openai"), QStringLiteral("sk-one"));
    QVERIFY2(first.ok(), qPrintable(first.errorMessage()));
    QVERIFY(store.write(QStringLiteral("anthropic"), QStringLiteral("sk-ant-two")).ok());

    QCOMPARE(store.read(QStringLiteral("openai")).value(), QStringLiteral("sk-one"));
    QCOMPARE(store.read(QStringLiteral("anthropic")).value(), QStringLiteral("sk-ant-two"));
    QCOMPARE(store.list().value(), (QStringList {QStringLiteral("anthropic"), QStringLiteral("openai")}));

    // Setting an existing name replaces the value and keeps a single list entry.
    QVERIFY(store.write(QStringLiteral("openai"), QStringLiteral("sk-rotated")).ok());
    QCOMPARE(store.read(QStringLiteral("openai")).value(), QStringLiteral("sk-rotated"));
    QCOMPARE(store.list().value(), (QStringList {QStringLiteral("anthropic"), QStringLiteral("openai")}));

    const Result<void> removed = store.remove(QStringLiteral("openai"));
    QVERIFY2(removed.ok(), qPrintable(removed.errorMessage()));
    QVERIFY(!store.read(QStringLiteral("openai")).ok());
    QCOMPARE(store.list().value(), QStringList {QStringLiteral("anthropic")});
    QCOMPARE(store.read(QStringLiteral("anthropic")).value(), QStringLiteral("sk-ant-two"));

    QVERIFY(store.remove(QStringLiteral("anthropic")).ok());
    QCOMPARE(store.list().value(), QStringList());
}

void TestSecretStore::readMissingSaysHowToAddIt()
{
    SecretStore store(test::uniqueService());
    const Result<QString> missing = store.read(QStringLiteral("openai"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.errorMessage(),
             QStringLiteral("No key named 'openai' in the keychain; add it with `sluice key set openai`"));
}

void TestSecretStore::deleteMissingIsAnError()
{
    SecretStore store(test::uniqueService());
    const Result<void> removed = store.remove(QStringLiteral("never-stored"));
    QVERIFY(!removed.ok());
    QVERIFY2(removed.errorMessage().contains(QLatin1String("No key named 'never-stored'")),
             qPrintable(removed.errorMessage()));
}

void TestSecretStore::secretsKeepEveryCharacter()
{
    SecretStore store(test::uniqueService());
    const QString value = QStringLiteral("  pässwörd ✓ with spaces, quotes \" ' and = signs  ");
    QVERIFY(store.write(QStringLiteral("odd.name_1-2"), value).ok());
    QCOMPARE(store.read(QStringLiteral("odd.name_1-2")).value(), value);
}

void TestSecretStore::servicesAreSeparate()
{
    SecretStore first(test::uniqueService());
    SecretStore second(test::uniqueService());
    QVERIFY(first.write(QStringLiteral("shared"), QStringLiteral("first-value")).ok());
    QVERIFY(!second.read(QStringLiteral("shared")).ok());
    QCOMPARE(second.list().value(), QStringList());
    QVERIFY(second.write(QStringLiteral("shared"), QStringLiteral("second-value")).ok());
    QCOMPARE(first.read(QStringLiteral("shared")).value(), QStringLiteral("first-value"));
}

void TestSecretStore::invalidNamesAndEmptySecretsAreRefused()
{
    SecretStore store(test::uniqueService());
    const Result<void> badName = store.write(QStringLiteral("sk-abc/def ghi"), QStringLiteral("value"));
    QVERIFY(!badName.ok());
    QVERIFY(badName.errorMessage().contains(QLatin1String("letters, digits")));
    QVERIFY(!badName.errorMessage().contains(QLatin1String("sk-abc")));

    const Result<void> empty = store.write(QStringLiteral("openai"), QString());
    QVERIFY(!empty.ok());
    QVERIFY(empty.errorMessage().contains(QLatin1String("empty")));
    QVERIFY(!store.read(QStringLiteral("openai")).ok());
    QCOMPARE(store.list().value(), QStringList());
}

void TestSecretStore::storedInTheSecretServiceNotInFiles()
{
    const QString service = test::uniqueService();
    const QString value = QStringLiteral("sk-plaintext-canary-") + QString::number(QDateTime::currentMSecsSinceEpoch());
    SecretStore store(service);
    QVERIFY(store.write(QStringLiteral("canary"), value).ok());

    // Nothing under the (throw-away) home holds the value in plain text: no insecure fallback file.
    const QStringList leaks = filesContaining(QDir::homePath(), value.toUtf8());
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char(' '))));

    const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (secretTool.isEmpty())
        QSKIP("secret-tool (libsecret-tools) is not installed; cannot look at the Secret Service directly");
    QProcess lookup;
    lookup.start(secretTool,
                 {QStringLiteral("lookup"), QStringLiteral("server"), service, QStringLiteral("user"),
                  QStringLiteral("canary")});
    QVERIFY(lookup.waitForFinished(30'000));
    QCOMPARE(QString::fromUtf8(lookup.readAllStandardOutput()), value);
}

void TestSecretStore::deleteCleansUpAnEntryRemovedElsewhere()
{
    const QString service = test::uniqueService();
    SecretStore store(service);
    QVERIFY(store.write(QStringLiteral("stale"), QStringLiteral("value")).ok());

    QKeychain::DeletePasswordJob job(service);
    job.setKey(QStringLiteral("stale"));
    job.setAutoDelete(false);
    QSignalSpy finished(&job, &QKeychain::Job::finished);
    job.start();
    QVERIFY(finished.wait(30'000));
    QCOMPARE(job.error(), QKeychain::NoError);

    QCOMPARE(store.list().value(), QStringList {QStringLiteral("stale")});
    QVERIFY(store.remove(QStringLiteral("stale")).ok());
    QCOMPARE(store.list().value(), QStringList());
}

void TestSecretStore::worksFromAWorkerThread()
{
    // The UI calls the store off the GUI thread while the GUI thread's event loop runs.
    SecretStore store(test::uniqueService());
    QString readBack;
    QString failure;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        if (const Result<void> written = store.write(QStringLiteral("threaded"), QStringLiteral("sk-threaded"));
            !written)
            failure = written.errorMessage();
        else
            readBack = store.read(QStringLiteral("threaded")).value();
    }));
    worker->start();
    QTRY_VERIFY_WITH_TIMEOUT(worker->isFinished(), 30'000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(readBack, QStringLiteral("sk-threaded"));
}

void TestSecretStore::resolverReadsEnvironment()
{
    SecretResolver resolver(nullptr);
    const QByteArray var = "SLUICE_TEST_RESOLVER_KEY";

    qputenv(var.constData(), "sk-from-env");
    Result<QString> value = resolver.resolve(SecretRef {SecretRef::Kind::Env, QString::fromLatin1(var)});
    QVERIFY2(value.ok(), qPrintable(value.errorMessage()));
    QCOMPARE(value.value(), QStringLiteral("sk-from-env"));

    qputenv(var.constData(), "");
    value = resolver.resolve(SecretRef {SecretRef::Kind::Env, QString::fromLatin1(var)});
    QVERIFY(!value.ok());
    QVERIFY2(value.errorMessage().contains(QString::fromLatin1(var)), qPrintable(value.errorMessage()));

    qunsetenv(var.constData());
    value = resolver.resolve(SecretRef {SecretRef::Kind::Env, QString::fromLatin1(var)});
    QVERIFY(!value.ok());
    QVERIFY(value.errorMessage().contains(QLatin1String("environment variable SLUICE_TEST_RESOLVER_KEY")));

    // A provider without a key (a local server) resolves to no key at all.
    value = resolver.resolve(SecretRef {});
    QVERIFY(value.ok());
    QVERIFY(value.value().isEmpty());

    value = resolver.resolve(SecretRef {SecretRef::Kind::Keychain, QStringLiteral("openai")});
    QVERIFY(!value.ok());
    QVERIFY(value.errorMessage().contains(QLatin1String("keychain:openai")));
}

void TestSecretStore::resolverReadsKeychain()
{
    SecretStore store(test::uniqueService());
    QVERIFY(store.write(QStringLiteral("openai"), QStringLiteral("sk-from-keychain")).ok());
    SecretResolver resolver(&store);

    const Result<QString> value = resolver.resolve(SecretRef::parse(QStringLiteral("keychain:openai")));
    QVERIFY2(value.ok(), qPrintable(value.errorMessage()));
    QCOMPARE(value.value(), QStringLiteral("sk-from-keychain"));

    const Result<QString> missing = resolver.resolve(SecretRef::parse(QStringLiteral("keychain:anthropic")));
    QVERIFY(!missing.ok());
    QVERIFY(missing.errorMessage().contains(QLatin1String("sluice key set anthropic")));
}

void TestSecretStore::noKeychainGivesClearAdvice()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
               QStringLiteral("unix:path=") + dir.filePath(QStringLiteral("no-bus")));
    env.remove(QStringLiteral("DISPLAY"));
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(), {QString::fromLatin1(ProbeNoBackend)});
    QVERIFY(child.waitForFinished(60'000));
    const QString output = QString::fromUtf8(child.readAllStandardOutput());
    QVERIFY2(child.exitCode() == 0, qPrintable(output + QString::fromUtf8(child.readAllStandardError())));

    const QStringList lines = output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    for (const QString &line : lines) {
        QVERIFY2(line.contains(QLatin1String("No OS keychain is available")), qPrintable(line));
        QVERIFY2(line.contains(QLatin1String("Secret Service")), qPrintable(line));
        QVERIFY2(line.contains(QLatin1String("env:VAR")), qPrintable(line));
        QVERIFY(!line.contains(ProbeSecret));
    }
}

int main(int argc, char **argv)
{
    test::ensureTestKeyring(argc, argv);
    QCoreApplication app(argc, argv);
    if (argc == 2 && qstrcmp(argv[1], ProbeNoBackend) == 0)
        return probeNoBackend();
    TestSecretStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_secretstore.moc"
