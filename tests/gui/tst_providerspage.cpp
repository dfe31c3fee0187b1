#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "GuiTestRecords.h"
#include "TestKeyring.h"
#include "config/ConfigLoader.h"
#include "secrets/SecretStore.h"
#include "store/TokenStore.h"
#include "support/MockUpstream.h"
#include "ui/ClientsPage.h"
#include "ui/MainWindow.h"
#include "ui/ProvidersPage.h"
#include "ui/ThemeSetting.h"

using namespace sluice;
using namespace sluice::test;

namespace {

constexpr auto ProviderKey = "sk-gui-provider-key-0123456789";

const QByteArray StartConfig = "# my config, by hand\n"
                               "providers:\n"
                               "  - name: local   # the box under the desk\n"
                               "    type: ollama\n"
                               "models:\n"
                               "  - name: llama\n"
                               "    provider: local\n"
                               "    upstream_model: llama3.1:8b\n";

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

template<typename T>
T *child(QWidget *parent, const char *name)
{
    T *found = parent->findChild<T *>(QLatin1String(name));
    if (!found)
        qWarning("no child %s", name);
    return found;
}

int rowOf(QTableView *table, const QString &text)
{
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        if (table->model()->index(row, 0).data().toString() == text)
            return row;
    }
    return -1;
}

QString screenshotPath(const char *name)
{
    return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
}

} // namespace

class TestProvidersPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR)));
        QVERIFY(m_mock.listen().ok());
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_service = uniqueService();
        m_config = m_dir->filePath(QStringLiteral("sluice.yaml"));
        QVERIFY(writeAll(m_config, StartConfig));
    }

    void cleanup()
    {
        SecretStore store(m_service);
        if (const Result<QStringList> names = store.list(); names) {
            for (const QString &name : *names)
                (void)store.remove(name);
        }
    }

    void addTestAndRemoveAProvider()
    {
        MainWindow window;
        ProvidersPage *page = preparedPage(window);
        auto *providers = child<QTableView>(page, "providerTable");
        QCOMPARE(providers->model()->rowCount(), 1);
        QCOMPARE(providers->model()->index(0, 3).data().toString(), QStringLiteral("llama"));
        QVERIFY(!child<QLabel>(page, "providersEmptyState")->isVisible());

        // A preset fills the name and shows its default address; the key goes to the keychain only.
        auto *type = child<QComboBox>(page, "providerType");
        type->setCurrentIndex(type->findData(QStringLiteral("openai")));
        QCOMPARE(child<QLineEdit>(page, "providerName")->text(), QStringLiteral("openai"));
        QCOMPARE(child<QLineEdit>(page, "providerBaseUrl")->placeholderText(),
                 QStringLiteral("https://api.openai.com/v1"));
        QVERIFY(child<QLabel>(page, "providerKeyHint")->text().contains(QLatin1String("Get a key")));
        child<QLineEdit>(page, "providerName")->setText(QStringLiteral("cloud"));
        child<QLineEdit>(page, "providerBaseUrl")->setText(m_mock.baseUrl().toString() + QStringLiteral("/v1"));
        child<QLineEdit>(page, "providerKey")->setText(QString::fromLatin1(ProviderKey));
        QSignalSpy changed(page, &ProvidersPage::configChanged);
        QSignalSpy idle(page, &ProvidersPage::idle);
        child<QPushButton>(page, "addProvider")->click();
        QVERIFY(QTest::qWaitFor([&] { return rowOf(providers, QStringLiteral("cloud")) >= 0; }, 10000));
        QCOMPARE(changed.count(), 1);
        const QByteArray text = readAll(m_config);
        QVERIFY2(text.startsWith(StartConfig.left(StartConfig.indexOf("models:"))), text.constData());
        QVERIFY(text.contains("api_key: keychain:cloud"));
        QVERIFY(!text.contains(ProviderKey));
        QCOMPARE(SecretStore(m_service).read(QStringLiteral("cloud")).value(), QString::fromLatin1(ProviderKey));
        QVERIFY(child<QLineEdit>(page, "providerKey")->text().isEmpty());
        QCOMPARE(providers->selectionModel()->selectedRows().value(0).row(), rowOf(providers, QStringLiteral("cloud")));

        // Test: a real call with the stored key, answered by the mock's model list.
        idle.clear();
        child<QPushButton>(page, "testProvider")->click();
        auto *status = child<QLabel>(page, "providersStatus");
        QVERIFY(QTest::qWaitFor([&] { return status->text().contains(QLatin1String("works")); }, 10000));
        QVERIFY(status->text().contains(QLatin1String("lists")));
        QCOMPARE(m_mock.lastRequest().headers.value("Authorization"), QByteArray("Bearer ") + ProviderKey);

        // Edit: a new key replaces the stored one (the file already names it), the address stays.
        child<QPushButton>(page, "editProvider")->click();
        QCOMPARE(child<QLineEdit>(page, "providerName")->text(), QStringLiteral("cloud"));
        QVERIFY(child<QLineEdit>(page, "providerName")->isReadOnly());
        QCOMPARE(child<QLineEdit>(page, "providerBaseUrl")->text(),
                 m_mock.baseUrl().toString() + QStringLiteral("/v1"));
        child<QLineEdit>(page, "providerKey")->setText(QStringLiteral("sk-gui-rotated-key-9876543210"));
        const QByteArray beforeEdit = readAll(m_config);
        idle.clear();
        child<QPushButton>(page, "addProvider")->click(); // "Save changes"
        QVERIFY(QTest::qWaitFor([&] { return status->text().contains(QLatin1String("Saved cloud")); }, 10000));
        QCOMPARE(SecretStore(m_service).read(QStringLiteral("cloud")).value(),
                 QStringLiteral("sk-gui-rotated-key-9876543210"));
        QCOMPARE(readAll(m_config), beforeEdit);
        QCOMPARE(child<QPushButton>(page, "addProvider")->text(), QStringLiteral("Add provider"));
        providers->selectRow(rowOf(providers, QStringLiteral("cloud")));
        child<QPushButton>(page, "testProvider")->click();
        QVERIFY(QTest::qWaitFor(
            [&] {
                return m_mock.lastRequest().headers.value("Authorization")
                    == QByteArray("Bearer sk-gui-rotated-key-9876543210");
            },
            10000));
        QVERIFY(QTest::qWaitFor([&] { return status->text().contains(QLatin1String("works")); }, 10000));

        // A model name for it.
        child<QLineEdit>(page, "modelName")->setText(QStringLiteral("work"));
        auto *modelProvider = child<QComboBox>(page, "modelProvider");
        modelProvider->setCurrentIndex(modelProvider->findText(QStringLiteral("cloud")));
        child<QLineEdit>(page, "upstreamModel")->setText(QStringLiteral("gpt-4.1-mini"));
        child<QPushButton>(page, "addModel")->click();
        auto *models = child<QTableView>(page, "modelTable");
        QVERIFY(QTest::qWaitFor([&] { return rowOf(models, QStringLiteral("work")) >= 0; }, 10000));
        QCOMPARE(models->model()->index(rowOf(models, QStringLiteral("work")), 1).data().toString(),
                 QStringLiteral("cloud/gpt-4.1-mini"));
        const Result<Config> loaded = ConfigLoader::loadFile(m_config);
        QVERIFY2(loaded.ok(), qPrintable(loaded.errorMessage()));
        QCOMPARE(loaded->model(QStringLiteral("work"))->provider, QStringLiteral("cloud"));

        // A second name that falls back to llama; an unknown fallback is the loader's error, beside the form.
        child<QLineEdit>(page, "modelName")->setText(QStringLiteral("smart"));
        child<QLineEdit>(page, "upstreamModel")->setText(QStringLiteral("gpt-4.1"));
        child<QLineEdit>(page, "modelFallbacks")->setText(QStringLiteral("nope"));
        idle.clear();
        child<QPushButton>(page, "addModel")->click();
        QVERIFY(idle.wait(10000));
        auto *modelError = child<QLabel>(page, "modelFormError");
        QVERIFY2(modelError->isVisible() && modelError->text().contains(QLatin1String("fallbacks")),
                 qPrintable(modelError->text()));
        child<QLineEdit>(page, "modelFallbacks")->setText(QStringLiteral("llama"));
        child<QPushButton>(page, "addModel")->click();
        QVERIFY(QTest::qWaitFor([&] { return rowOf(models, QStringLiteral("smart")) >= 0; }, 10000));
        QCOMPARE(models->model()->index(rowOf(models, QStringLiteral("smart")), 2).data().toString(),
                 QStringLiteral("llama"));

        // An existing name with another provider: one more deployment of it, balanced with the first.
        child<QLineEdit>(page, "modelFallbacks")->clear();
        child<QLineEdit>(page, "modelName")->setText(QStringLiteral("work"));
        QCOMPARE(child<QPushButton>(page, "addModel")->text(), QStringLiteral("Serve it from this provider too"));
        modelProvider->setCurrentIndex(modelProvider->findText(QStringLiteral("local")));
        child<QLineEdit>(page, "upstreamModel")->setText(QStringLiteral("llama3.1:8b"));
        child<QPushButton>(page, "addModel")->click();
        QVERIFY(QTest::qWaitFor(
            [&] {
                return models->model()->index(rowOf(models, QStringLiteral("work")), 1).data().toString()
                    == QLatin1String("cloud/gpt-4.1-mini, local/llama3.1:8b");
            },
            10000));
        const Result<Config> balanced = ConfigLoader::loadFile(m_config);
        QVERIFY2(balanced.ok(), qPrintable(balanced.errorMessage()));
        QCOMPARE(balanced->model(QStringLiteral("work"))->deployments.size(), 2);
        QVERIFY(readAll(m_config).startsWith("# my config, by hand\n"));
        QCOMPARE(child<QPushButton>(page, "addModel")->text(), QStringLiteral("Add model"));

        QTest::qWait(50);
        QVERIFY(window.grab().save(screenshotPath("providers-page.png")));

        // Removing a provider that serves a model is refused with the reason; after the model goes, it goes.
        providers->selectRow(rowOf(providers, QStringLiteral("cloud")));
        idle.clear();
        child<QPushButton>(page, "removeProvider")->click();
        QVERIFY(idle.wait(10000));
        QVERIFY2(status->text().contains(QLatin1String("serves the models work")), qPrintable(status->text()));
        for (const QString &name : {QStringLiteral("smart"), QStringLiteral("work")}) {
            models->selectRow(rowOf(models, name));
            child<QPushButton>(page, "removeModel")->click();
            QVERIFY(QTest::qWaitFor([&] { return rowOf(models, name) < 0; }, 10000));
        }
        providers->selectRow(rowOf(providers, QStringLiteral("cloud")));
        child<QPushButton>(page, "removeProvider")->click();
        QVERIFY(QTest::qWaitFor([&] { return rowOf(providers, QStringLiteral("cloud")) < 0; }, 10000));
        QCOMPARE(readAll(m_config), StartConfig); // byte for byte, comments included
        QVERIFY(!SecretStore(m_service).read(QStringLiteral("cloud")).ok());
    }

    void errorsShowNextToTheirField()
    {
        MainWindow window;
        ProvidersPage *page = preparedPage(window);
        auto *type = child<QComboBox>(page, "providerType");
        type->setCurrentIndex(type->findData(QStringLiteral("openai-compatible")));
        child<QLineEdit>(page, "providerName")->setText(QStringLiteral("mine"));
        child<QLineEdit>(page, "providerBaseUrl")->setText(QStringLiteral("ftp://llm.example.com"));
        QSignalSpy idle(page, &ProvidersPage::idle);
        child<QPushButton>(page, "addProvider")->click();
        QVERIFY(idle.wait(10000));
        // The loader's own words, beside the address field; the file is untouched.
        auto *urlError = child<QLabel>(page, "providerBaseUrlError");
        QVERIFY(urlError->isVisible());
        QVERIFY2(urlError->text().contains(QLatin1String("base_url")), qPrintable(urlError->text()));
        QCOMPARE(readAll(m_config), StartConfig);

        // A name already taken, beside the name field.
        type->setCurrentIndex(type->findData(QStringLiteral("ollama")));
        child<QLineEdit>(page, "providerName")->setText(QStringLiteral("local"));
        child<QLineEdit>(page, "providerBaseUrl")->clear();
        QVERIFY(!child<QLineEdit>(page, "providerKey")->isEnabled()); // a local server takes no key
        idle.clear();
        child<QPushButton>(page, "addProvider")->click();
        QVERIFY(idle.wait(10000));
        auto *nameError = child<QLabel>(page, "providerNameError");
        QVERIFY(nameError->isVisible());
        QVERIFY(nameError->text().contains(QLatin1String("already a provider named 'local'")));
        QVERIFY(!urlError->isVisible());

        // A hosted provider without a key is stopped before anything is written.
        type->setCurrentIndex(type->findData(QStringLiteral("anthropic")));
        child<QLineEdit>(page, "providerName")->setText(QStringLiteral("claude"));
        child<QPushButton>(page, "addProvider")->click();
        QVERIFY(child<QLabel>(page, "providerKeyError")->isVisible());
        QCOMPARE(readAll(m_config), StartConfig);
        QTest::qWait(50); // the form's new layout
        QVERIFY(window.grab().save(screenshotPath("providers-page-errors.png")));
    }

    void emptyAndBrokenConfigsSayWhatToDo()
    {
        MainWindow window;
        QVERIFY(writeAll(m_config, "gateway:\n  port: 7341\n"));
        ProvidersPage *page = preparedPage(window);
        QVERIFY(child<QLabel>(page, "providersEmptyState")->isVisible());
        QVERIFY(child<QLabel>(page, "modelsEmptyState")->isVisible());
        QVERIFY(!child<QPushButton>(page, "addModel")->isEnabled()); // no provider to serve it yet

        QVERIFY(writeAll(m_config, "providers:\n  - name: x\n    type: nope\n"));
        page->reload();
        auto *status = child<QLabel>(page, "providersStatus");
        QVERIFY2(QTest::qWaitFor([&] { return status->text().contains(QLatin1String("does not load")); }, 10000),
                 qPrintable(status->text()));
        QVERIFY(status->text().contains(QLatin1String("type")));
        QVERIFY(!child<QPushButton>(page, "addProvider")->isEnabled());
    }

    void gettingStartedOffersALocalServer()
    {
        // A local Ollama (its /api/tags) on a free port.
        QTcpServer ollama;
        QVERIFY(ollama.listen(QHostAddress::LocalHost));
        connect(&ollama, &QTcpServer::newConnection, &ollama, [&ollama] {
            QTcpSocket *socket = ollama.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                if (!socket->readAll().contains("\r\n\r\n"))
                    return;
                const QByteArray body = R"({"models":[{"name":"llama3.1:8b"},{"name":"qwen2.5-coder:7b"}]})";
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                              "Content-Length: "
                              + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                socket->disconnectFromHost();
            });
        });
        QVERIFY(writeAll(m_config, "gateway:\n  port: 7341\n"));
        MainWindow window;
        ProvidersPage *page = preparedPage(window, ollama.serverPort());
        auto *found = child<QLabel>(page, "discoveredServers");
        QVERIFY(QTest::qWaitFor([&] { return found->text().contains(QLatin1String("Ollama (2 models)")); }, 10000));
        QVERIFY(child<QWidget>(page, "gettingStarted")->isVisible());
        QVERIFY(child<QLabel>(page, "gettingStartedSteps")->text().contains(QLatin1String("set up Claude Code")));
        QTest::qWait(50);
        QVERIFY(window.grab().save(screenshotPath("providers-getting-started.png")));

        child<QPushButton>(page, "addDiscovered")->click();
        auto *models = child<QTableView>(page, "modelTable");
        QVERIFY(QTest::qWaitFor([&] { return models->model()->rowCount() == 2; }, 10000));
        const Result<Config> config = ConfigLoader::loadFile(m_config);
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        QCOMPARE(config->provider(QStringLiteral("ollama"))->baseUrl.port(), int(ollama.serverPort()));
        QCOMPARE(config->model(QStringLiteral("qwen2.5-coder:7b"))->provider, QStringLiteral("ollama"));
        // With a provider and a model, the steps are done and go away.
        QVERIFY(QTest::qWaitFor([&] { return !child<QWidget>(page, "gettingStarted")->isVisible(); }, 5000));
    }

    void gettingStartedCanBeSkipped()
    {
        QVERIFY(writeAll(m_config, "gateway:\n  port: 7341\n"));
        MainWindow window;
        ProvidersPage *page = preparedPage(window);
        QVERIFY(child<QWidget>(page, "gettingStarted")->isVisible());
        QSignalSpy clients(page, &ProvidersPage::clientsWanted);
        emit child<QLabel>(page, "gettingStartedSteps")->linkActivated(QStringLiteral("clients"));
        QCOMPARE(clients.count(), 1);
        QVERIFY(window.clientsPage()->isVisible()); // the window moved to the Clients page
        window.showPage(MainWindow::Page::Providers);
        child<QPushButton>(page, "skipGettingStarted")->click();
        QVERIFY(!child<QWidget>(page, "gettingStarted")->isVisible());
    }

    void gettingStartedMakesAGatewayToken()
    {
        // A provider and a model, but no gateway token yet: the steps stay, with the token step to do.
        MainWindow window;
        ProvidersPage *page = preparedPage(window);
        const QString database = m_dir->filePath(QStringLiteral("sluice.db"));
        QSignalSpy idle(page, &ProvidersPage::idle);
        page->setDatabasePath(database);
        page->reload();
        QVERIFY(idle.wait(10000));
        QVERIFY(child<QWidget>(page, "gettingStarted")->isVisible());
        auto *steps = child<QLabel>(page, "gettingStartedSteps");
        QVERIFY2(steps->text().contains(QStringLiteral("○ Make a gateway token")), qPrintable(steps->text()));
        auto *make = child<QPushButton>(page, "makeGatewayToken");
        QVERIFY(make->isVisible());

        idle.clear();
        make->click();
        auto *secret = child<QLineEdit>(page, "newGatewayToken");
        QVERIFY(QTest::qWaitFor([&] { return !secret->text().isEmpty(); }, 10000));
        QVERIFY(secret->text().startsWith(QLatin1String("sk-sluice-")));
        QVERIFY(secret->isVisible());
        QVERIFY(child<QLabel>(page, "newGatewayTokenNote")->text().contains(QLatin1String("keeps only its hash")));
        // Stored as every gateway token is: its hash in the database, never the secret, never in the config.
        {
            TokenStore store;
            QVERIFY(store.open(database, SqliteConnection::Mode::ReadOnly).ok());
            const Result<QList<StoredToken>> tokens = store.list();
            QVERIFY(tokens.ok());
            QCOMPARE(tokens->size(), 1);
            QCOMPARE(tokens->first().name, QStringLiteral("my-tools"));
            QCOMPARE(tokens->first().secretSha256, TokenStore::digest(secret->text().toUtf8()));
        }
        QVERIFY(!readAll(m_config).contains(secret->text().toUtf8()));
        QVERIFY(
            QTest::qWaitFor([&] { return !steps->text().contains(QStringLiteral("○ Make a gateway token")); }, 5000));
        QCOMPARE(make->text(), QStringLiteral("Make another gateway token"));
        QTest::qWait(50);
        QVERIFY(window.grab().save(screenshotPath("providers-gateway-token.png")));
        {
            // The Settings page's dark theme, switched to while the page is up.
            ThemeSetting::apply(ThemeSetting::Choice::Dark);
            QTest::qWait(50);
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath("providers-gateway-token-dark.png")));
            QVERIFY(
                shot.pixelColor(secret->mapTo(&window, QPoint(secret->width() - 20, secret->height() / 2))).lightnessF()
                < 0.3);
            QVERIFY(steps->text().contains(QLatin1String("<a ")));
            ThemeSetting::apply(ThemeSetting::Choice::System);
        }

        // Copied: the secret goes, and with every step done the steps go too, until asked for again.
        child<QPushButton>(page, "hideGatewayToken")->click();
        QVERIFY(secret->text().isEmpty());
        QVERIFY(!child<QWidget>(page, "gettingStarted")->isVisible());
        auto *again = child<QPushButton>(page, "showGettingStarted");
        QVERIFY(again->isVisible());
        again->click();
        QVERIFY(child<QWidget>(page, "gettingStarted")->isVisible());
        make->click();
        QVERIFY(QTest::qWaitFor([&] { return !secret->text().isEmpty(); }, 10000));
        QVERIFY(child<QLabel>(page, "newGatewayTokenNote")->text().contains(QLatin1String("my-tools-2")));

        // Skipped: gone, and the way back stays.
        child<QPushButton>(page, "skipGettingStarted")->click();
        QVERIFY(!child<QWidget>(page, "gettingStarted")->isVisible());
        QVERIFY(secret->text().isEmpty());
        QVERIFY(again->isVisible());
    }

    void followsADarkPalette()
    {
        const QPalette original = QApplication::palette();
        QApplication::setPalette(GuiTestRecords::darkPalette());
        {
            MainWindow window;
            ProvidersPage *page = preparedPage(window);
            auto *type = child<QComboBox>(page, "providerType");
            type->setCurrentIndex(type->findData(QStringLiteral("anthropic")));
            child<QPushButton>(page, "addProvider")->click(); // no key: the error shows in the failure colour
            QTest::qWait(50);
            const QImage shot = window.grab().toImage();
            QVERIFY(shot.save(screenshotPath("providers-page-dark.png")));
            auto *table = child<QTableView>(page, "providerTable");
            QVERIFY(shot.pixelColor(table->mapTo(&window, QPoint(table->width() / 2, table->height() - 4))).lightnessF()
                    < 0.3);
        }
        QApplication::setPalette(original);
    }

private:
    ProvidersPage *preparedPage(MainWindow &window, quint16 ollamaPort = 0)
    {
        window.setEndpoint(QUrl(QStringLiteral("http://127.0.0.1:7341/v1")));
        window.setGatewayState(GatewayState::Running);
        ProvidersPage *page = window.providersPage();
        page->setKeychainService(m_service);
        page->setConfirmRemovals(false);
        // Never the real local servers: a free port, or the test's own.
        QTcpServer closed;
        [[maybe_unused]] const bool listening = closed.listen(QHostAddress::LocalHost);
        const quint16 nobody = closed.serverPort();
        closed.close();
        page->setDiscoveryTargets(LocalDiscovery::targets(ollamaPort ? ollamaPort : nobody, nobody));
        window.resize(1280, 720);
        window.show();
        [[maybe_unused]] const bool exposed = QTest::qWaitForWindowExposed(&window);
        QSignalSpy idle(page, &ProvidersPage::idle);
        window.showPage(MainWindow::Page::Providers);
        page->setConfigPath(m_config);
        [[maybe_unused]] const bool loaded = QTest::qWaitFor([&] { return idle.count() >= 1; }, 10000);
        return page;
    }

    MockUpstream m_mock;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_service;
    QString m_config;
};

int main(int argc, char **argv)
{
    ensureTestKeyring(argc, argv);
    QApplication app(argc, argv);
    TestProvidersPage test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_providerspage.moc"
