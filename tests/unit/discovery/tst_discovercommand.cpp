#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include "DiscoverCommand.h"
#include "config/ConfigLoader.h"
#include "providers/LocalDiscovery.h"

using namespace sluice;

namespace {

// A local server that answers every request with one fixed HTTP response, recording what was asked.
class CannedServer : public QObject
{
public:
    explicit CannedServer(QByteArray response)
        : m_response(std::move(response))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_received += socket->readAll();
                    if (m_received.contains("\r\n\r\n")) {
                        socket->write(m_response);
                        socket->disconnectFromHost();
                    }
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray received() const { return m_received; }

private:
    QTcpServer m_server;
    QByteArray m_response;
    QByteArray m_received;
};

QByteArray jsonResponse(const QByteArray &body, int status = 200)
{
    return "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// A port nothing listens on: bound once to get a free number, then released.
quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

// The shape of Ollama's documented GET /api/tags answer.
const QByteArray OllamaTags = R"({"models":[
  {"name":"qwen3:8b","model":"qwen3:8b","modified_at":"2025-05-01T10:00:00Z","size":5200000000,
   "digest":"a1b2","details":{"format":"gguf","family":"qwen3","parameter_size":"8.2B","quantization_level":"Q4_K_M"}},
  {"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2025-04-01T10:00:00Z","size":2000000000,
   "digest":"c3d4","details":{"format":"gguf","family":"llama","parameter_size":"3.2B","quantization_level":"Q4_K_M"}}]})";
// LM Studio's OpenAI-compatible GET /v1/models answer.
const QByteArray LmStudioModels = R"({"object":"list","data":[
  {"id":"qwen3:8b","object":"model","owned_by":"organization_owner"},
  {"id":"google/gemma-3-12b","object":"model","owned_by":"organization_owner"}]})";

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run discover(const QStringList &args)
{
    Run run;
    QTextStream out(&run.out);
    QTextStream err(&run.err);
    run.exitCode = runDiscoverCommand(args, out, err);
    return run;
}

QString snippetOf(const QString &output)
{
    const qsizetype start = output.indexOf(QLatin1String("providers:\n"));
    return start < 0 ? QString() : output.mid(start);
}

} // namespace

class TestDiscoverCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void findsBothServersAndPrintsConfigThatLoads()
    {
        CannedServer ollama(jsonResponse(OllamaTags));
        CannedServer lmStudio(jsonResponse(LmStudioModels));
        const Run run = discover({QStringLiteral("--ollama-port"), QString::number(ollama.port()),
                                  QStringLiteral("--lmstudio-port"), QString::number(lmStudio.port())});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(ollama.received().startsWith("GET /api/tags HTTP/1.1"));
        QVERIFY(lmStudio.received().startsWith("GET /v1/models HTTP/1.1"));
        QVERIFY2(run.out.contains(QStringLiteral("Ollama (127.0.0.1:%1): found, 2 models").arg(ollama.port())),
                 qPrintable(run.out));
        QVERIFY(run.out.contains(QLatin1String("  llama3.2:latest\n")));
        QVERIFY(run.out.contains(QStringLiteral("LM Studio (127.0.0.1:%1): found, 2 models").arg(lmStudio.port())));
        QVERIFY(run.out.contains(QLatin1String("never edits")));

        // The snippet is a config Sluice accepts, with a provider per server and a model per served model.
        const QString snippet = snippetOf(run.out);
        const Result<Config> config = ConfigLoader::loadString(snippet.toUtf8(), QStringLiteral("snippet"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage() + QLatin1Char('\n') + snippet));
        QCOMPARE(config->providers.size(), 2);
        QCOMPARE(config->providers[0].type, QStringLiteral("ollama"));
        QCOMPARE(config->providers[0].baseUrl.toString(), QStringLiteral("http://127.0.0.1:%1/v1").arg(ollama.port()));
        QVERIFY(config->providers[0].free);
        QCOMPARE(config->providers[1].type, QStringLiteral("lmstudio"));
        QStringList names;
        for (const ModelRoute &model : config->models)
            names << model.name + QLatin1String(" -> ") + model.provider + QLatin1Char('/') + model.upstreamModel;
        names.sort();
        // A model both servers offer gets the provider as a prefix so the names stay unique.
        QCOMPARE(names,
                 QStringList({QStringLiteral("google/gemma-3-12b -> lmstudio/google/gemma-3-12b"),
                              QStringLiteral("llama3.2:latest -> ollama/llama3.2:latest"),
                              QStringLiteral("lmstudio/qwen3:8b -> lmstudio/qwen3:8b"),
                              QStringLiteral("ollama/qwen3:8b -> ollama/qwen3:8b")}));
    }

    void reportsAServerThatIsNotRunning()
    {
        CannedServer lmStudio(jsonResponse(LmStudioModels));
        const quint16 port = closedPort();
        const Run run = discover({QStringLiteral("--ollama-port"), QString::number(port),
                                  QStringLiteral("--lmstudio-port"), QString::number(lmStudio.port())});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("Ollama (127.0.0.1:%1): not running").arg(port)), qPrintable(run.out));
        const Result<Config> config = ConfigLoader::loadString(snippetOf(run.out).toUtf8(), QStringLiteral("snippet"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        QCOMPARE(config->providers.size(), 1);
        QCOMPARE(config->providers[0].name, QStringLiteral("lmstudio"));
        QCOMPARE(config->models.size(), 2);
    }

    void garbageAnswersAreNotMistakenForModelServers()
    {
        CannedServer html("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: "
                          "close\r\n\r\n<html></html>");
        CannedServer notFound(jsonResponse(R"({"error":"no such route"})", 404));
        const Run run = discover({QStringLiteral("--ollama-port"), QString::number(html.port()),
                                  QStringLiteral("--lmstudio-port"), QString::number(notFound.port())});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.contains(QLatin1String("is not Ollama's model list")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QLatin1String("answered HTTP 404")), qPrintable(run.out));
        QVERIFY(run.out.contains(QLatin1String("No local model server found")));
        QVERIFY(!run.out.contains(QLatin1String("providers:")));
    }

    void badFlagsAreUsageErrors()
    {
        QCOMPARE(discover({QStringLiteral("--ollama-port"), QStringLiteral("0")}).exitCode, 2);
        QCOMPARE(discover({QStringLiteral("--bogus")}).exitCode, 2);
    }

    void parsesModelLists()
    {
        QCOMPARE(LocalDiscovery::parseOllamaTags(OllamaTags).value(),
                 QStringList({QStringLiteral("llama3.2:latest"), QStringLiteral("qwen3:8b")}));
        QVERIFY(!LocalDiscovery::parseOllamaTags(LmStudioModels).ok());
        QVERIFY(!LocalDiscovery::parseOpenAiModels("not json").ok());
        QCOMPARE(LocalDiscovery::parseOpenAiModels(R"({"data":[]})").value(), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestDiscoverCommand)
#include "tst_discovercommand.moc"
