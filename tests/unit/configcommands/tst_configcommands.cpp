#include <QCoreApplication>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include "ModelCommand.h"
#include "ProviderCommand.h"
#include "TestKeyring.h"
#include "config/ConfigLoader.h"
#include "secrets/SecretStore.h"
#include "support/MockUpstream.h"

using namespace sluice;
using namespace sluice::test;

namespace {

constexpr auto ProviderKey = "sk-test-provider-key-0123456789";

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run provider(const QStringList &args, SecretStore &store, const QByteArray &stdinBytes = {})
{
    QByteArray inBytes = stdinBytes;
    QByteArray outBytes;
    QByteArray errBytes;
    Run run;
    {
        QTextStream in(&inBytes, QIODevice::ReadOnly);
        QTextStream out(&outBytes, QIODevice::WriteOnly);
        QTextStream err(&errBytes, QIODevice::WriteOnly);
        run.exitCode = runProviderCommand(args, in, out, err, store);
    }
    run.out = QString::fromUtf8(outBytes);
    run.err = QString::fromUtf8(errBytes);
    return run;
}

Run model(const QStringList &args)
{
    QByteArray outBytes;
    QByteArray errBytes;
    Run run;
    {
        QTextStream out(&outBytes, QIODevice::WriteOnly);
        QTextStream err(&errBytes, QIODevice::WriteOnly);
        run.exitCode = runModelCommand(args, out, err);
    }
    run.out = QString::fromUtf8(outBytes);
    run.err = QString::fromUtf8(errBytes);
    return run;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// An upstream that answers every request with one fixed HTTP response.
class FixedUpstream : public QTcpServer
{
public:
    explicit FixedUpstream(QByteArray response)
        : m_response(std::move(response))
    {
        listen(QHostAddress::LocalHost);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_received += socket->readAll();
                    if (m_received.contains("\r\n\r\n")) {
                        socket->write(m_response);
                        socket->disconnectFromHost();
                    }
                });
            }
        });
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(serverPort()); }
    QByteArray received() const { return m_received; }

private:
    QByteArray m_response;
    QByteArray m_received;
};

} // namespace

class TestConfigCommands : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void addStoresTheKeyAndTestUsesIt();
    void testSaysWhatTheProviderSaid();
    void testSaysWhenTheProviderCannotBeReached();
    void listShowsKeysWithoutValues();
    void removeTakesTheProviderAndItsKey();
    void localProviderNeedsNoKey();
    void modelAddListRemove();
    void refusedChangesLeaveTheFileAlone();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SecretStore> m_store;
    QString m_config;
    MockUpstream m_mock;
};

void TestConfigCommands::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<SecretStore>(uniqueService());
    m_config = m_dir->filePath(QStringLiteral("sluice.yaml"));
    if (!m_mock.isListening())
        QVERIFY(m_mock.listen().ok());
}

void TestConfigCommands::cleanup()
{
    if (Result<QStringList> names = m_store->list(); names) {
        for (const QString &name : *names)
            (void)m_store->remove(name);
    }
}

void TestConfigCommands::addStoresTheKeyAndTestUsesIt()
{
    const QString base = m_mock.baseUrl().toString() + QStringLiteral("/v1");
    const Run added
        = provider({QStringLiteral("add"), QStringLiteral("mock"), QStringLiteral("--type"), QStringLiteral("openai"),
                    QStringLiteral("--base-url"), base, QStringLiteral("--config"), m_config},
                   *m_store, QByteArray(ProviderKey) + '\n');
    QVERIFY2(added.exitCode == 0, qPrintable(added.err));
    QVERIFY(added.out.contains(QLatin1String("keychain")));
    // The key went to the keychain; the file only names it.
    const QByteArray text = readAll(m_config);
    QVERIFY(!text.contains(ProviderKey));
    QVERIFY2(text.contains(QByteArray("  - name: mock\n    type: openai\n    base_url: " + base.toUtf8()
                                      + "\n    api_key: keychain:mock\n")),
             text.constData());
    QCOMPARE(m_store->read(QStringLiteral("mock")).value(), QString::fromLatin1(ProviderKey));
    const Result<Config> config = ConfigLoader::loadFile(m_config);
    QVERIFY2(config.ok(), qPrintable(config.errorMessage()));

    const Run tested
        = provider({QStringLiteral("test"), QStringLiteral("mock"), QStringLiteral("--config"), m_config}, *m_store);
    QVERIFY2(tested.exitCode == 0, qPrintable(tested.err));
    QVERIFY2(tested.out.contains(QLatin1String("mock works")), qPrintable(tested.out));
    QVERIFY(tested.out.contains(QLatin1String("openai-")));
    const ReceivedRequest request = m_mock.lastRequest();
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.path, QByteArray("/v1/models"));
    QCOMPARE(request.headers.value("Authorization"), QByteArray("Bearer ") + ProviderKey);
}

void TestConfigCommands::testSaysWhatTheProviderSaid()
{
    const QByteArray refusal
        = R"({"error":{"message":"Incorrect API key provided: sk-test-provider-key-0123456789."}})";
    FixedUpstream refusing("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n"
                           "Content-Length: "
                           + QByteArray::number(refusal.size()) + "\r\n\r\n" + refusal);
    QVERIFY(writeAll(m_config,
                     "providers:\n  - name: picky\n    type: openai\n    base_url: " + refusing.url().toUtf8()
                         + "\n    api_key: keychain:picky\n"));
    QVERIFY(m_store->write(QStringLiteral("picky"), QString::fromLatin1(ProviderKey)).ok());
    const Run tested
        = provider({QStringLiteral("test"), QStringLiteral("picky"), QStringLiteral("--config"), m_config}, *m_store);
    QCOMPARE(tested.exitCode, 1);
    QVERIFY2(tested.err.contains(QLatin1String("refused the key (HTTP 401)")), qPrintable(tested.err));
    QVERIFY(tested.err.contains(QLatin1String("sluice key set picky")));
    QVERIFY(tested.err.contains(QLatin1String("Incorrect API key provided")));
    QVERIFY2(!tested.err.contains(QLatin1String(ProviderKey)), qPrintable(tested.err)); // never echoed
    QVERIFY(refusing.received().contains(QByteArray("Authorization: Bearer " + QByteArray(ProviderKey))));
}

void TestConfigCommands::testSaysWhenTheProviderCannotBeReached()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    QVERIFY(writeAll(m_config,
                     "providers:\n  - name: gone\n    type: ollama\n    base_url: http://127.0.0.1:"
                         + QByteArray::number(port) + "/v1\n"));
    const Run tested
        = provider({QStringLiteral("test"), QStringLiteral("gone"), QStringLiteral("--config"), m_config}, *m_store);
    QCOMPARE(tested.exitCode, 1);
    QVERIFY2(tested.err.contains(QLatin1String("Cannot reach gone")), qPrintable(tested.err));
    QVERIFY(tested.err.contains(QLatin1String("Is the server running")));
}

void TestConfigCommands::listShowsKeysWithoutValues()
{
    QVERIFY(writeAll(m_config,
                     "providers:\n"
                     "  - name: stored\n    type: openai\n    api_key: keychain:stored\n"
                     "  - name: missing\n    type: anthropic\n    api_key: keychain:missing\n"
                     "models:\n  - name: work\n    provider: stored\n    upstream_model: gpt-4.1\n"));
    QVERIFY(m_store->write(QStringLiteral("stored"), QString::fromLatin1(ProviderKey)).ok());
    const Run listed = provider({QStringLiteral("list"), QStringLiteral("--config"), m_config}, *m_store);
    QCOMPARE(listed.exitCode, 0);
    QVERIFY2(listed.out.contains(QLatin1String("key:    keychain:stored (stored)")), qPrintable(listed.out));
    QVERIFY(listed.out.contains(QLatin1String("key:    keychain:missing (missing)")));
    QVERIFY(listed.out.contains(QLatin1String("models: work")));
    QVERIFY(listed.out.contains(QLatin1String("url:    https://api.openai.com/v1")));
    QVERIFY(!listed.out.contains(QLatin1String(ProviderKey)));
}

void TestConfigCommands::removeTakesTheProviderAndItsKey()
{
    const QByteArray original = "# my providers\nproviders:\n"
                                "  - name: keep   # the one I use\n    type: ollama\n"
                                "  - name: gone\n    type: openai\n    api_key: keychain:gone\n";
    QVERIFY(writeAll(m_config, original));
    QVERIFY(m_store->write(QStringLiteral("gone"), QString::fromLatin1(ProviderKey)).ok());
    const Run removed
        = provider({QStringLiteral("remove"), QStringLiteral("gone"), QStringLiteral("--config"), m_config}, *m_store);
    QVERIFY2(removed.exitCode == 0, qPrintable(removed.err));
    QCOMPARE(readAll(m_config),
             QByteArray("# my providers\nproviders:\n"
                        "  - name: keep   # the one I use\n    type: ollama\n"));
    QVERIFY(!m_store->read(QStringLiteral("gone")).ok());
    QVERIFY(removed.out.contains(QLatin1String("Deleted its key")));
}

void TestConfigCommands::localProviderNeedsNoKey()
{
    // Nothing on stdin: a local server's key is not asked for.
    const Run added = provider({QStringLiteral("add"), QStringLiteral("ollama"), QStringLiteral("--type"),
                                QStringLiteral("ollama"), QStringLiteral("--config"), m_config},
                               *m_store);
    QVERIFY2(added.exitCode == 0, qPrintable(added.err));
    const Result<Config> config = ConfigLoader::loadFile(m_config);
    QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
    QVERIFY(config->provider(QStringLiteral("ollama"))->apiKey.isNull());
    QCOMPARE(config->provider(QStringLiteral("ollama"))->baseUrl.toString(),
             QStringLiteral("http://127.0.0.1:11434/v1"));
    // The default config was written first (the file did not exist): its comments are there.
    QVERIFY(readAll(m_config).startsWith("# Sluice's config"));
}

void TestConfigCommands::modelAddListRemove()
{
    QVERIFY(writeAll(m_config, "providers:\n  - name: local\n    type: ollama\n"));
    const auto config = [this] {
        return QStringList {QStringLiteral("--config"), m_config};
    };
    Run run
        = model(QStringList {QStringLiteral("add"), QStringLiteral("llama"), QStringLiteral("--provider"),
                             QStringLiteral("local"), QStringLiteral("--upstream-model"), QStringLiteral("llama3.1:8b")}
                + config());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = model(QStringList {QStringLiteral("add"), QStringLiteral("smart"), QStringLiteral("--provider"),
                             QStringLiteral("local"), QStringLiteral("--fallback"), QStringLiteral("llama")}
                + config());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = model(QStringList {QStringLiteral("list")} + config());
    QCOMPARE(run.out, QStringLiteral("llama -> local/llama3.1:8b\nsmart -> local/smart (falls back to llama)\n"));
    // An existing name with another provider: one more deployment, balanced with the first.
    QVERIFY(writeAll(m_config, readAll(m_config).replace("providers:\n", "providers:\n  - {name: box, type: vllm}\n")));
    run = model(QStringList {QStringLiteral("add"), QStringLiteral("llama"), QStringLiteral("--provider"),
                             QStringLiteral("box"), QStringLiteral("--upstream-model"),
                             QStringLiteral("meta/llama-3.1")}
                + config());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QLatin1String("now served by local/llama3.1:8b, box/meta/llama-3.1")),
             qPrintable(run.out));
    run = model(QStringList {QStringLiteral("add"), QStringLiteral("llama"), QStringLiteral("--provider"),
                             QStringLiteral("box"), QStringLiteral("--fallback"), QStringLiteral("smart")}
                + config());
    QCOMPARE(run.exitCode, 1); // fallbacks of an existing model are not changed this way
    run = model(QStringList {QStringLiteral("list")} + config());
    QVERIFY2(run.out.startsWith(QLatin1String("llama -> local/llama3.1:8b, box/meta/llama-3.1\n")),
             qPrintable(run.out));
    // llama is smart's fallback: refused, with the reason.
    run = model(QStringList {QStringLiteral("remove"), QStringLiteral("llama")} + config());
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("fallback of smart")), qPrintable(run.err));
    run = model(QStringList {QStringLiteral("remove"), QStringLiteral("smart")} + config());
    QCOMPARE(run.exitCode, 0);
    run = model(QStringList {QStringLiteral("remove"), QStringLiteral("llama")} + config());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(readAll(m_config),
             QByteArray("providers:\n  - {name: box, type: vllm}\n  - name: local\n    type: ollama\n\nmodels:\n"));
    QVERIFY(ConfigLoader::loadFile(m_config).ok());
}

void TestConfigCommands::refusedChangesLeaveTheFileAlone()
{
    const QByteArray original = "providers:\n  - name: local\n    type: ollama\n"
                                "models:\n  - name: m\n    provider: local\n";
    QVERIFY(writeAll(m_config, original));
    Run run = model({QStringLiteral("add"), QStringLiteral("x"), QStringLiteral("--provider"), QStringLiteral("nope"),
                     QStringLiteral("--config"), m_config});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QLatin1String("no provider named 'nope'")));
    run = model({QStringLiteral("add"), QStringLiteral("x"), QStringLiteral("--provider"), QStringLiteral("local"),
                 QStringLiteral("--fallback"), QStringLiteral("unknown"), QStringLiteral("--config"), m_config});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("was not written")), qPrintable(run.err));
    const Run removed
        = provider({QStringLiteral("remove"), QStringLiteral("local"), QStringLiteral("--config"), m_config}, *m_store);
    QCOMPARE(removed.exitCode, 1);
    QVERIFY(removed.err.contains(QLatin1String("serves the models m")));
    // An empty key is not stored and the provider not added.
    const Run keyless = provider({QStringLiteral("add"), QStringLiteral("cloud"), QStringLiteral("--type"),
                                  QStringLiteral("openai"), QStringLiteral("--config"), m_config},
                                 *m_store, "\n");
    QCOMPARE(keyless.exitCode, 1);
    QVERIFY2(keyless.err.contains(QLatin1String("empty")), qPrintable(keyless.err));
    QCOMPARE(readAll(m_config), original);
    QVERIFY(!m_store->read(QStringLiteral("cloud")).ok());
}

int main(int argc, char **argv)
{
    ensureTestKeyring(argc, argv);
    QCoreApplication app(argc, argv);
    TestConfigCommands test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_configcommands.moc"
