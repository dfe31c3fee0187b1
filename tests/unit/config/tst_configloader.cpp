#include <algorithm>

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "config/ConfigLoader.h"

using namespace sluice;

namespace {
QString errorOf(const QByteArray &yaml)
{
    const Result<Config> result = ConfigLoader::loadString(yaml, QStringLiteral("sluice.yaml"));
    return result.ok() ? QString() : result.errorMessage();
}

const QByteArray ValidProvider = "providers:\n"
                                 "  - name: openai\n"
                                 "    type: openai\n"
                                 "    base_url: https://api.openai.com/v1\n"
                                 "    api_key: keychain:openai\n";
} // namespace

class TestConfigLoader : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void exampleFileLoads();
    void providerPresetsFillDefaults();
    void documentedExampleLoads();
    void everyFieldIsRead();
    void emptyFileGivesDefaults();
    void lookupsByName();
    void secretRefText();
    void validationErrors_data();
    void validationErrors();
    void literalSecretsAreRefusedWithoutEchoingThem_data();
    void literalSecretsAreRefusedWithoutEchoingThem();
    void severalProblemsAreReportedTogether();
    void missingFileSaysWhatToDo();
    void loadFileNamesTheFileInErrors();
    void defaultPathIsInTheConfigLocation();
    void budgetsAndTokenLimitsAreRead();
    void retentionIsRead();
    void postgresStoreIsRead();
};

void TestConfigLoader::postgresStoreIsRead()
{
    const Result<Config> none = ConfigLoader::loadString("logging:\n  store_bodies: true\n", QStringLiteral("s.yaml"));
    QVERIFY(none.ok());
    QVERIFY(!none->store.postgres); // SQLite in the data folder
    const Result<Config> team = ConfigLoader::loadString(
        "store:\n  postgresql: postgresql://sluice@db.internal:6543/team\n  password: env:SLUICE_DB_PASSWORD\n"
        "  tls: verify-full\n",
        QStringLiteral("s.yaml"));
    QVERIFY2(team.ok(), qPrintable(team.errorMessage()));
    QVERIFY(team->store.postgres);
    QCOMPARE(team->store.host, QStringLiteral("db.internal"));
    QCOMPARE(team->store.port, 6543);
    QCOMPARE(team->store.user, QStringLiteral("sluice"));
    QCOMPARE(team->store.database, QStringLiteral("team"));
    QCOMPARE(team->store.password.toString(), QStringLiteral("env:SLUICE_DB_PASSWORD"));
    QCOMPARE(team->store.tlsMode, QStringLiteral("verify-full"));
    const Result<Config> defaults
        = ConfigLoader::loadString("store:\n  postgresql: postgres://me@localhost/db\n", QStringLiteral("s.yaml"));
    QVERIFY2(defaults.ok(), qPrintable(defaults.errorMessage()));
    QCOMPARE(defaults->store.port, 5432);
    QCOMPARE(defaults->store.tlsMode, QStringLiteral("prefer"));
    QVERIFY(defaults->store.password.isNull());

    const QString inUrl = errorOf("store:\n  postgresql: postgresql://sluice:hunter2@db/team\n");
    QVERIFY2(inUrl.startsWith(QLatin1String("sluice.yaml:2: store.postgresql:")), qPrintable(inUrl));
    QVERIFY2(inUrl.contains(QLatin1String("password: keychain:NAME")), qPrintable(inUrl));
    QVERIFY(!inUrl.contains(QLatin1String("hunter2")));
    QVERIFY(errorOf("store:\n  postgresql: postgresql://sluice@db/team\n  password: hunter2\n")
                .contains(QLatin1String("must not be written in the config file")));
    QVERIFY(errorOf("store:\n  postgresql: mysql://sluice@db/team\n").contains(QLatin1String("not a postgresql://")));
    QVERIFY(errorOf("store:\n  postgresql: postgresql://db/team\n").contains(QLatin1String("must name a user")));
    QVERIFY(errorOf("store:\n  postgresql: postgresql://sluice@db/team?sslmode=require\n")
                .contains(QLatin1String("TLS is set with tls:")));
    QVERIFY(errorOf("store:\n  postgresql: postgresql://sluice@db/team\n  tls: yes-please\n")
                .contains(QLatin1String("verify-full")));
    QVERIFY(errorOf("store:\n  password: env:X\n").contains(QLatin1String("add postgresql:")));
    QVERIFY(errorOf("store:\n  postgres: postgresql://sluice@db/team\n").contains(QLatin1String("postgresql")));
}

void TestConfigLoader::retentionIsRead()
{
    const Result<Config> none = ConfigLoader::loadString("logging:\n  store_bodies: true\n", QStringLiteral("s.yaml"));
    QVERIFY(none.ok());
    QCOMPARE(none->logging.retentionDays, 0); // kept for ever unless said
    QCOMPARE(none->logging.maxDatabaseBytes, 0);
    const Result<Config> set = ConfigLoader::loadString("logging:\n  retention_days: 30\n  max_database_mb: 500\n",
                                                        QStringLiteral("s.yaml"));
    QVERIFY2(set.ok(), qPrintable(set.errorMessage()));
    QCOMPARE(set->logging.retentionDays, 30);
    QCOMPARE(set->logging.maxDatabaseBytes, 500LL * 1024 * 1024);
    QVERIFY(errorOf("logging:\n  retention_days: -1\n").contains(QLatin1String("logging.retention_days")));
    QVERIFY(errorOf("logging:\n  retention_day: 3\n").contains(QLatin1String("did you mean 'retention_days'")));
}

void TestConfigLoader::exampleFileLoads()
{
    const Result<Config> result = ConfigLoader::loadFile(QStringLiteral(SLUICE_EXAMPLE_CONFIG));
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    const Config &config = result.value();
    QVERIFY(config.sourcePath.endsWith(QLatin1String("sluice.example.yaml")));
    QCOMPARE(config.gateway.listenAddress, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(config.gateway.port, DefaultGatewayPort);
    QVERIFY(config.providers.size() >= 2);
    QVERIFY(!config.models.isEmpty());
    QVERIFY(!config.tokens.isEmpty());
    for (const ModelRoute &model : config.models)
        QVERIFY2(config.provider(model.provider), qPrintable(model.name));
    // The example shows a keyless local server, an env: key and a keychain: key.
    QVERIFY(std::any_of(config.providers.cbegin(), config.providers.cend(),
                        [](const ProviderConfig &p) { return p.apiKey.kind == SecretRef::Kind::None; }));
    QVERIFY(std::any_of(config.providers.cbegin(), config.providers.cend(),
                        [](const ProviderConfig &p) { return p.apiKey.kind == SecretRef::Kind::Env; }));
    QVERIFY(std::any_of(config.providers.cbegin(), config.providers.cend(),
                        [](const ProviderConfig &p) { return p.apiKey.kind == SecretRef::Kind::Keychain; }));
}

void TestConfigLoader::documentedExampleLoads()
{
    QFile doc(QStringLiteral(SLUICE_CONFIGURATION_DOC));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QByteArray text = doc.readAll();
    const qsizetype start = text.indexOf("```yaml\n");
    QVERIFY(start >= 0);
    const qsizetype end = text.indexOf("```", start + 8);
    QVERIFY(end > start);
    const Result<Config> result
        = ConfigLoader::loadString(text.mid(start + 8, end - start - 8), QStringLiteral("configuration.md"));
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    QCOMPARE(result->providers.size(), 2);
    QCOMPARE(result->model(QStringLiteral("llama3"))->upstreamModel, QStringLiteral("llama3.1:8b"));
}

void TestConfigLoader::everyFieldIsRead()
{
    const QByteArray yaml = "gateway:\n"
                            "  listen: 0.0.0.0\n"
                            "  port: 8123\n"
                            "  allowed_hosts: [Sluice.LAN, '*', 'fe80::1', '[::2]', 192.168.1.5]\n"
                            "  allowed_origins: ['http://localhost:3000', 'https://App.Example.com:443/']\n"
                            "  max_header_bytes: 8192\n"
                            "  max_body_bytes: 1048576\n"
                            "providers:\n"
                            "  - name: openai\n"
                            "    type: openai\n"
                            "    base_url: https://api.openai.com/v1/\n"
                            "    api_key: env:OPENAI_API_KEY\n"
                            "    timeouts: {connect_ms: 1000, first_byte_ms: 2000, idle_ms: 3000, total_ms: 4000}\n"
                            "  - name: local\n"
                            "    type: openai\n"
                            "    base_url: http://127.0.0.1:11434/v1\n"
                            "models:\n"
                            "  - name: gpt-4o-mini\n"
                            "    provider: openai\n"
                            "  - name: llama3\n"
                            "    provider: local\n"
                            "    upstream_model: llama3.1:8b\n"
                            "tokens:\n"
                            "  - name: editor\n"
                            "    secret: keychain:token-editor\n"
                            "logging:\n"
                            "  store_bodies: false\n"
                            "  max_body_bytes: 1000\n";
    const Result<Config> result = ConfigLoader::loadString(yaml, QStringLiteral("sluice.yaml"));
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    const Config &c = result.value();

    QCOMPARE(c.gateway.listenAddress, QHostAddress(QHostAddress::AnyIPv4));
    QCOMPARE(c.gateway.port, quint16(8123));
    QCOMPARE(c.gateway.allowedHosts,
             (QStringList {QStringLiteral("sluice.lan"), QStringLiteral("*"), QStringLiteral("[fe80::1]"),
                           QStringLiteral("[::2]"), QStringLiteral("192.168.1.5")}));
    QCOMPARE(c.gateway.allowedOrigins,
             (QStringList {QStringLiteral("http://localhost:3000"), QStringLiteral("https://app.example.com")}));
    QCOMPARE(c.gateway.maxHeaderBytes, qint64(8192));
    QCOMPARE(c.gateway.maxBodyBytes, qint64(1048576));

    QCOMPARE(c.providers.size(), 2);
    const ProviderConfig &openai = c.providers.at(0);
    QCOMPARE(openai.name, QStringLiteral("openai"));
    QCOMPARE(openai.type, QStringLiteral("openai"));
    QCOMPARE(openai.baseUrl, QUrl(QStringLiteral("https://api.openai.com/v1")));
    QCOMPARE(openai.apiKey.kind, SecretRef::Kind::Env);
    QCOMPARE(openai.apiKey.name, QStringLiteral("OPENAI_API_KEY"));
    QCOMPARE(openai.connectTimeoutMs, 1000);
    QCOMPARE(openai.firstByteTimeoutMs, 2000);
    QCOMPARE(openai.idleTimeoutMs, 3000);
    QCOMPARE(openai.totalTimeoutMs, 4000);
    QCOMPARE(openai.configLine, 9);
    const ProviderConfig &local = c.providers.at(1);
    QCOMPARE(local.apiKey.kind, SecretRef::Kind::None);
    QCOMPARE(local.connectTimeoutMs, 10'000);
    QCOMPARE(local.totalTimeoutMs, 600'000);
    QCOMPARE(local.configLine, 14);

    QCOMPARE(c.models.size(), 2);
    QCOMPARE(c.models.at(0).upstreamModel, QStringLiteral("gpt-4o-mini"));
    QCOMPARE(c.models.at(0).configLine, 18);
    QCOMPARE(c.models.at(1).provider, QStringLiteral("local"));
    QCOMPARE(c.models.at(1).upstreamModel, QStringLiteral("llama3.1:8b"));

    QCOMPARE(c.tokens.size(), 1);
    QCOMPARE(c.tokens.at(0).name, QStringLiteral("editor"));
    QCOMPARE(c.tokens.at(0).secret.toString(), QStringLiteral("keychain:token-editor"));
    QCOMPARE(c.tokens.at(0).configLine, 24);

    QCOMPARE(c.logging.storeBodies, false);
    QCOMPARE(c.logging.maxBodyBytes, qint64(1000));
}

void TestConfigLoader::emptyFileGivesDefaults()
{
    for (const QByteArray &yaml : {QByteArray(), QByteArray("# nothing yet\n"), QByteArray("gateway:\nproviders:\n")}) {
        const Result<Config> result = ConfigLoader::loadString(yaml, QStringLiteral("sluice.yaml"));
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        const Config &c = result.value();
        QCOMPARE(c.gateway.listenAddress, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(c.gateway.port, quint16(7341));
        QVERIFY(c.gateway.allowedHosts.isEmpty());
        QVERIFY(c.gateway.allowedOrigins.isEmpty());
        QCOMPARE(c.gateway.maxHeaderBytes, qint64(65536));
        QCOMPARE(c.gateway.maxBodyBytes, qint64(33554432));
        QVERIFY(c.providers.isEmpty());
        QCOMPARE(c.logging.storeBodies, true);
        QCOMPARE(c.logging.maxBodyBytes, qint64(262144));
    }
}

void TestConfigLoader::lookupsByName()
{
    const QByteArray yaml
        = ValidProvider + "models:\n  - name: fast\n    provider: openai\n    upstream_model: gpt-4o-mini\n";
    const Result<Config> result = ConfigLoader::loadString(yaml, QStringLiteral("sluice.yaml"));
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    QVERIFY(result->provider(QStringLiteral("openai")));
    QCOMPARE(result->provider(QStringLiteral("openai"))->baseUrl.host(), QStringLiteral("api.openai.com"));
    QCOMPARE(result->provider(QStringLiteral("anthropic")), nullptr);
    QVERIFY(result->model(QStringLiteral("fast")));
    QCOMPARE(result->model(QStringLiteral("fast"))->upstreamModel, QStringLiteral("gpt-4o-mini"));
    QCOMPARE(result->model(QStringLiteral("gpt-4o-mini")), nullptr);
}

void TestConfigLoader::secretRefText()
{
    QCOMPARE((SecretRef {SecretRef::Kind::Keychain, QStringLiteral("openai")}.toString()),
             QStringLiteral("keychain:openai"));
    QCOMPARE((SecretRef {SecretRef::Kind::Env, QStringLiteral("OPENAI_API_KEY")}.toString()),
             QStringLiteral("env:OPENAI_API_KEY"));
    QCOMPARE(SecretRef {}.toString(), QString());
    QCOMPARE(SecretRef::parse(QStringLiteral("keychain:a.b-c_d")),
             (SecretRef {SecretRef::Kind::Keychain, QStringLiteral("a.b-c_d")}));
    QCOMPARE(SecretRef::parse(QStringLiteral("env:HOME")), (SecretRef {SecretRef::Kind::Env, QStringLiteral("HOME")}));
    QVERIFY(SecretRef::parse(QStringLiteral("sk-1234")).isNull());
    QVERIFY(SecretRef::parse(QStringLiteral("keychain:")).isNull());
    QVERIFY(SecretRef::parse(QStringLiteral("keychain:has space")).isNull());
    QVERIFY(SecretRef::parse(QStringLiteral("env:1ABC")).isNull());
}

void TestConfigLoader::validationErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("where"); // "file:line: field:" the message must start with
    QTest::addColumn<QString>("what"); // a part of the advice

    QTest::newRow("malformed YAML") << QByteArray("gateway:\n  port: 7341\n  allowed_hosts: [a, b\nlogging:\n")
                                    << QStringLiteral("sluice.yaml:4: invalid YAML") << QStringLiteral("indentation");
    QTest::newRow("top level is a list") << QByteArray("- gateway\n")
                                         << QStringLiteral("sluice.yaml:1: expected sections")
                                         << QStringLiteral("found a list");
    QTest::newRow("unknown section") << QByteArray("gateway:\n  port: 7341\nprovider:\n  - name: x\n")
                                     << QStringLiteral("sluice.yaml:3: provider:")
                                     << QStringLiteral("unknown field 'provider'; did you mean 'providers'?");
    QTest::newRow("unknown gateway field")
        << QByteArray("gateway:\n  listen: 127.0.0.1\n  prot: 8000\n") << QStringLiteral("sluice.yaml:3: gateway.prot:")
        << QStringLiteral("did you mean 'port'?");
    QTest::newRow("unknown field, nothing close")
        << QByteArray("gateway:\n  colour: blue\n") << QStringLiteral("sluice.yaml:2: gateway.colour:")
        << QStringLiteral("known fields here: listen, port");
    QTest::newRow("duplicate key") << QByteArray("gateway:\n  port: 7341\n  port: 7342\n")
                                   << QStringLiteral("sluice.yaml:3: gateway.port:")
                                   << QStringLiteral("appears twice (first on line 2)");
    QTest::newRow("port not a number") << QByteArray("gateway:\n  port: seven\n")
                                       << QStringLiteral("sluice.yaml:2: gateway.port:")
                                       << QStringLiteral("'seven' is not a whole number from 1 to 65535");
    QTest::newRow("port too large") << QByteArray("gateway:\n\n  port: 70000\n")
                                    << QStringLiteral("sluice.yaml:3: gateway.port:")
                                    << QStringLiteral("70000 is out of range; use a whole number from 1 to 65535");
    QTest::newRow("port zero") << QByteArray("gateway:\n  port: 0\n") << QStringLiteral("sluice.yaml:2: gateway.port:")
                               << QStringLiteral("out of range");
    QTest::newRow("port is a list") << QByteArray("gateway:\n  port: [1]\n")
                                    << QStringLiteral("sluice.yaml:2: gateway.port:") << QStringLiteral("found a list");
    QTest::newRow("bad listen address") << QByteArray("gateway:\n  listen: 300.1.1.1\n")
                                        << QStringLiteral("sluice.yaml:2: gateway.listen:")
                                        << QStringLiteral("'300.1.1.1' is not an IP address; use 127.0.0.1");
    QTest::newRow("gateway is a list") << QByteArray("gateway:\n  - port: 1\n")
                                       << QStringLiteral("sluice.yaml:2: gateway:") << QStringLiteral("found a list");
    QTest::newRow("allowed_hosts not a list")
        << QByteArray("gateway:\n  allowed_hosts: sluice.lan\n")
        << QStringLiteral("sluice.yaml:2: gateway.allowed_hosts:") << QStringLiteral("expected a list");
    QTest::newRow("allowed host is a URL")
        << QByteArray("gateway:\n  allowed_hosts:\n    - ok.lan\n    - http://x.lan\n")
        << QStringLiteral("sluice.yaml:4: gateway.allowed_hosts[1]:") << QStringLiteral("write the host name only");
    QTest::newRow("allowed origin with path")
        << QByteArray("gateway:\n  allowed_origins: [http://localhost:3000/app]\n")
        << QStringLiteral("sluice.yaml:2: gateway.allowed_origins[0]:") << QStringLiteral("scheme://host[:port]");
    QTest::newRow("header limit too small")
        << QByteArray("gateway:\n  max_header_bytes: 10\n")
        << QStringLiteral("sluice.yaml:2: gateway.max_header_bytes:") << QStringLiteral("out of range");
    QTest::newRow("providers not a list")
        << QByteArray("providers:\n  name: openai\n") << QStringLiteral("sluice.yaml:2: providers:")
        << QStringLiteral("expected a list of entries starting with '- '");
    QTest::newRow("base_url not http") << QByteArray("# comment\n\nproviders:\n  - name: x\n    type: openai\n\n"
                                                     "    base_url: ftp://x\n")
                                       << QStringLiteral("sluice.yaml:7: providers[0].base_url:")
                                       << QStringLiteral("'ftp://x' is not an http:// or https:// URL");
    QTest::newRow("base_url with password")
        << QByteArray("providers:\n  - name: x\n    type: openai\n    base_url: https://u:hunter2@h.example/v1\n")
        << QStringLiteral("sluice.yaml:4: providers[0].base_url:") << QStringLiteral("must not contain a user name");
    QTest::newRow("provider type unknown") << QByteArray(ValidProvider).replace("type: openai", "type: azur")
                                           << QStringLiteral("sluice.yaml:3: providers[0].type:")
                                           << QStringLiteral("'azur' is not a supported provider type");
    QTest::newRow("provider field typo") << QByteArray(ValidProvider).replace("base_url", "baseurl")
                                         << QStringLiteral("sluice.yaml:4: providers[0].baseurl:")
                                         << QStringLiteral("did you mean 'base_url'?");
    QTest::newRow("provider missing base_url")
        << QByteArray("providers:\n  - name: x\n    type: openai-compatible\n")
        << QStringLiteral("sluice.yaml:2: providers[0]:") << QStringLiteral("'base_url' is missing");
    QTest::newRow("provider name with space")
        << QByteArray(ValidProvider).replace("name: openai", "name: my openai")
        << QStringLiteral("sluice.yaml:2: providers[0].name:") << QStringLiteral("'my openai' is not a valid name");
    QTest::newRow("duplicate provider") << ValidProvider
            + "  - name: openai\n    type: openai\n    base_url: http://h\n"
                                        << QStringLiteral("sluice.yaml:6: providers[1].name:")
                                        << QStringLiteral("already the name of the provider on line 2");
    QTest::newRow("timeout typo") << ValidProvider + "    timeouts: {conect_ms: 5}\n"
                                  << QStringLiteral("sluice.yaml:6: providers[0].timeouts.conect_ms:")
                                  << QStringLiteral("did you mean 'connect_ms'?");
    QTest::newRow("timeout negative") << ValidProvider + "    timeouts:\n      idle_ms: -5\n"
                                      << QStringLiteral("sluice.yaml:7: providers[0].timeouts.idle_ms:")
                                      << QStringLiteral("out of range");
    QTest::newRow("bad env name") << QByteArray(ValidProvider).replace("keychain:openai", "env:OPENAI-KEY")
                                  << QStringLiteral("sluice.yaml:5: providers[0].api_key:")
                                  << QStringLiteral("environment variable name");
    QTest::newRow("model with unknown provider")
        << ValidProvider + "models:\n  - name: gpt-4o\n    provider: opneai\n"
        << QStringLiteral("sluice.yaml:8: models[0].provider:")
        << QStringLiteral("'opneai' is not a configured provider; did you mean 'openai'?");
    QTest::newRow("model before its provider")
        << "models:\n  - name: m\n    provider: nowhere\n" + ValidProvider
        << QStringLiteral("sluice.yaml:3: models[0].provider:") << QStringLiteral("configured providers: openai");
    QTest::newRow("duplicate model") << ValidProvider
            + "models:\n  - name: m\n    provider: openai\n  - name: m\n    provider: openai\n"
                                     << QStringLiteral("sluice.yaml:9: models[1].name:")
                                     << QStringLiteral("already the name of the model on line 7");
    QTest::newRow("model missing provider")
        << ValidProvider + "models:\n  - name: m\n"
        << QStringLiteral("sluice.yaml:7: models[0]:") << QStringLiteral("'provider' is missing");
    QTest::newRow("duplicate token") << QByteArray(
        "tokens:\n  - name: a\n    secret: keychain:t1\n  - name: a\n    secret: keychain:t2\n")
                                     << QStringLiteral("sluice.yaml:4: tokens[1].name:")
                                     << QStringLiteral("already the name of the token on line 2");
    QTest::newRow("token shares a secret")
        << QByteArray("tokens:\n  - name: a\n    secret: env:TOKEN\n  - name: b\n    secret: env:TOKEN\n")
        << QStringLiteral("sluice.yaml:5: tokens[1].secret:") << QStringLiteral("already the secret of token 'a'");
    QTest::newRow("token missing secret")
        << QByteArray("tokens:\n  - name: a\n") << QStringLiteral("sluice.yaml:2: tokens[0]:")
        << QStringLiteral("'secret' is missing");
    QTest::newRow("store_bodies not a boolean")
        << QByteArray("logging:\n  store_bodies: sometimes\n") << QStringLiteral("sluice.yaml:2: logging.store_bodies:")
        << QStringLiteral("expected true or false, found 'sometimes'");
    QTest::newRow("budget period unknown")
        << QByteArray("budgets:\n  limits:\n    - {period: yearly, usd: 5}\n")
        << QStringLiteral("sluice.yaml:3: budgets.limits[0].period:") << QStringLiteral("use daily, weekly or monthly");
    QTest::newRow("budget two scopes") << QByteArray(
        "budgets:\n  limits:\n    - {token: a, model: b, period: daily, usd: 5}\n")
                                       << QStringLiteral("sluice.yaml:3: budgets.limits[0]:")
                                       << QStringLiteral("at most one of token, provider");
    QTest::newRow("budget without usd") << QByteArray("budgets:\n  limits:\n    - {period: daily}\n")
                                        << QStringLiteral("sluice.yaml:3: budgets.limits[0]:")
                                        << QStringLiteral("'usd' is missing");
    QTest::newRow("budget soft threshold above 1")
        << QByteArray("budgets:\n  soft_threshold: 80\n") << QStringLiteral("sluice.yaml:2: budgets.soft_threshold:")
        << QStringLiteral("at most 1 (e.g. 0.8)");
    QTest::newRow("token rpm negative") << QByteArray("tokens:\n  - name: a\n    secret: env:T\n    rpm: -1\n")
                                        << QStringLiteral("sluice.yaml:4: tokens[0].rpm:")
                                        << QStringLiteral("out of range");
    QTest::newRow("empty value") << QByteArray("logging:\n  max_body_bytes:\n")
                                 << QStringLiteral("sluice.yaml:2: logging.max_body_bytes:")
                                 << QStringLiteral("found nothing");
}

void TestConfigLoader::validationErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, where);
    QFETCH(QString, what);
    const QString message = errorOf(yaml);
    QVERIFY2(!message.isEmpty(), "the config was accepted");
    QVERIFY2(message.startsWith(where), qPrintable(message));
    QVERIFY2(message.contains(what), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1String("hunter2")), qPrintable(message));
}

void TestConfigLoader::literalSecretsAreRefusedWithoutEchoingThem_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("where");
    QTest::addColumn<QString>("advice");

    QTest::newRow("provider key") << QByteArray(ValidProvider).replace("keychain:openai", "sk-live-1234567890abcdef")
                                  << QStringLiteral("sluice.yaml:5: providers[0].api_key:")
                                  << QStringLiteral("`sluice key set openai` and write api_key: keychain:openai");
    QTest::newRow("quoted provider key")
        << QByteArray(ValidProvider).replace("keychain:openai", "\"sk-live-1234567890abcdef\"")
        << QStringLiteral("sluice.yaml:5: providers[0].api_key:") << QStringLiteral("keychain:openai");
    QTest::newRow("prefix in the wrong case")
        << QByteArray(ValidProvider).replace("keychain:openai", "Keychain:sk-live-1234567890abcdef")
        << QStringLiteral("sluice.yaml:5: providers[0].api_key:") << QStringLiteral("keychain:openai");
    QTest::newRow("bad keychain name")
        << QByteArray(ValidProvider).replace("keychain:openai", "keychain:sk-live-1234567890abcdef/x")
        << QStringLiteral("sluice.yaml:5: providers[0].api_key:") << QStringLiteral("the name after keychain:");
    QTest::newRow("token secret") << QByteArray("tokens:\n  - name: editor\n    secret: sk-live-1234567890abcdef\n")
                                  << QStringLiteral("sluice.yaml:3: tokens[0].secret:")
                                  << QStringLiteral(
                                         "`sluice key set token-editor` and write secret: keychain:token-editor");
}

void TestConfigLoader::literalSecretsAreRefusedWithoutEchoingThem()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, where);
    QFETCH(QString, advice);
    const QString message = errorOf(yaml);
    QVERIFY2(message.startsWith(where), qPrintable(message));
    QVERIFY2(message.contains(advice), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1String("1234567890abcdef")), qPrintable(message));
}

void TestConfigLoader::severalProblemsAreReportedTogether()
{
    const QString message = errorOf("gateway:\n  port: 99999\nlogging:\n  store_bodies: perhaps\n");
    const QStringList lines = message.split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines.at(0).startsWith(QLatin1String("sluice.yaml:2: gateway.port:")));
    QVERIFY(lines.at(1).startsWith(QLatin1String("sluice.yaml:4: logging.store_bodies:")));
}

void TestConfigLoader::missingFileSaysWhatToDo()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("absent.yaml"));
    const Result<Config> result = ConfigLoader::loadFile(path);
    QVERIFY(!result.ok());
    QVERIFY2(result.errorMessage().startsWith(path + QStringLiteral(" does not exist")),
             qPrintable(result.errorMessage()));
    QVERIFY(result.errorMessage().contains(QLatin1String("--config")));
    QVERIFY(result.errorMessage().contains(QLatin1String("docs/configuration.md")));
}

void TestConfigLoader::loadFileNamesTheFileInErrors()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mine.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("gateway:\n  port: 7341\n  listen: nowhere\n");
    file.close();
    const Result<Config> result = ConfigLoader::loadFile(path);
    QVERIFY(!result.ok());
    QVERIFY2(result.errorMessage().startsWith(path + QStringLiteral(":3: gateway.listen:")),
             qPrintable(result.errorMessage()));
}

void TestConfigLoader::defaultPathIsInTheConfigLocation()
{
    const QString path = ConfigLoader::defaultPath();
    QCOMPARE(path,
             QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
                 + QStringLiteral("/sluice/sluice.yaml"));
}

void TestConfigLoader::budgetsAndTokenLimitsAreRead()
{
    const Result<Config> result = ConfigLoader::loadString(ValidProvider
                                                               + "tokens:\n"
                                                                 "  - name: ci\n"
                                                                 "    secret: env:CI_TOKEN\n"
                                                                 "    models: [gpt-4.1-mini, o4-mini]\n"
                                                                 "    rpm: 60\n"
                                                                 "    tpm: 200000\n"
                                                                 "budgets:\n"
                                                                 "  soft_threshold: 0.9\n"
                                                                 "  default_max_tokens: 2048\n"
                                                                 "  limits:\n"
                                                                 "    - {period: monthly, usd: 50}\n"
                                                                 "    - {token: ci, period: daily, usd: 2.5, "
                                                                 "soft_threshold: 0.5}\n"
                                                                 "    - {provider: openai, period: weekly, usd: 20}\n"
                                                                 "    - {model: gpt-4.1, period: Daily, usd: 1}\n",
                                                           QStringLiteral("sluice.yaml"));
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    const GatewayToken &token = result->tokens.at(0);
    QCOMPARE(token.models, (QStringList {QStringLiteral("gpt-4.1-mini"), QStringLiteral("o4-mini")}));
    QCOMPARE(token.rpm, 60);
    QCOMPARE(token.tpm, 200000);
    const BudgetSettings &budgets = result->budgets;
    QCOMPARE(budgets.softFraction, 0.9);
    QCOMPARE(budgets.defaultMaxOutputTokens, 2048);
    QCOMPARE(budgets.limits.size(), 4);
    QCOMPARE(budgets.limits.at(0).scope, BudgetLimit::Scope::Overall);
    QCOMPARE(budgets.limits.at(0).period, BudgetPeriod::Monthly);
    QCOMPARE(budgets.limits.at(0).limitUsd, 50.0);
    QCOMPARE(budgets.limits.at(1).scope, BudgetLimit::Scope::Token);
    QCOMPARE(budgets.limits.at(1).name, QStringLiteral("ci"));
    QCOMPARE(budgets.limits.at(1).softFraction, 0.5);
    QCOMPARE(budgets.limits.at(1).configLine, 17);
    QCOMPARE(budgets.limits.at(2).scope, BudgetLimit::Scope::Provider);
    QCOMPARE(budgets.limits.at(2).period, BudgetPeriod::Weekly);
    QCOMPARE(budgets.limits.at(3).scope, BudgetLimit::Scope::Model);
    QCOMPARE(budgets.limits.at(3).period, BudgetPeriod::Daily);
}

void TestConfigLoader::providerPresetsFillDefaults()
{
    const Result<Config> config = ConfigLoader::loadString("providers:\n"
                                                           "  - {name: claude, type: anthropic, api_key: env:A}\n"
                                                           "  - {name: google, type: gemini, api_key: env:G}\n"
                                                           "  - {name: local, type: ollama}\n"
                                                           "  - {name: paid-local, type: lmstudio, free: false}\n",
                                                           QStringLiteral("sluice.yaml"));
    QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
    QCOMPARE(config->provider(QStringLiteral("claude"))->baseUrl, QUrl(QStringLiteral("https://api.anthropic.com")));
    QCOMPARE(config->provider(QStringLiteral("google"))->baseUrl,
             QUrl(QStringLiteral("https://generativelanguage.googleapis.com")));
    QVERIFY(!config->provider(QStringLiteral("claude"))->free);
    QVERIFY(config->provider(QStringLiteral("local"))->free); // local servers cost nothing by default
    QVERIFY(!config->provider(QStringLiteral("paid-local"))->free);

    const Result<Config> unknown
        = ConfigLoader::loadString("providers:\n  - {name: x, type: closedai}\n", QStringLiteral("sluice.yaml"));
    QVERIFY(!unknown.ok());
    QVERIFY2(unknown.errorMessage().contains(QLatin1String("anthropic, gemini")), qPrintable(unknown.errorMessage()));
}

QTEST_GUILESS_MAIN(TestConfigLoader)
#include "tst_configloader.moc"
