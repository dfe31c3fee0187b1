#include <QtTest>

#include "config/ConfigLoader.h"
#include "cost/PriceCatalog.h"
#include "gateway/GatewaySecrets.h"
#include "secrets/SecretStore.h"

using namespace sluice;

namespace {
Result<Config> load(const QByteArray &providerFields)
{
    return ConfigLoader::loadString("providers:\n  - name: aws\n" + providerFields, QStringLiteral("test.yaml"));
}

} // namespace

class TestBedrockConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void credentialsAndRegionAreRead()
    {
        const Result<Config> config = load("    type: bedrock\n"
                                           "    region: eu-central-1\n"
                                           "    access_key_id: env:SLUICE_TEST_AWS_ID\n"
                                           "    api_key: env:SLUICE_TEST_AWS_SECRET\n"
                                           "    session_token: env:SLUICE_TEST_AWS_TOKEN\n");
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        const ProviderConfig &aws = config->providers.first();
        QCOMPARE(aws.region, QStringLiteral("eu-central-1"));
        QCOMPARE(aws.baseUrl.toString(), QStringLiteral("https://bedrock-runtime.eu-central-1.amazonaws.com"));
        QCOMPARE(aws.accessKeyId.toString(), QStringLiteral("env:SLUICE_TEST_AWS_ID"));
        QCOMPARE(aws.sessionToken.toString(), QStringLiteral("env:SLUICE_TEST_AWS_TOKEN"));
        QCOMPARE(aws.apiKey.toString(), QStringLiteral("env:SLUICE_TEST_AWS_SECRET"));
        QVERIFY(!aws.free);

        // The gateway resolves the access key id and session token like keys, at start-up.
        qputenv("SLUICE_TEST_AWS_ID", "AKIDTEST");
        qputenv("SLUICE_TEST_AWS_SECRET", "secret");
        qputenv("SLUICE_TEST_AWS_TOKEN", "token");
        SecretResolver resolver(nullptr);
        const Result<GatewaySecrets> secrets = GatewaySecrets::resolve(config.value(), resolver);
        QVERIFY2(secrets.ok(), qPrintable(secrets.errorMessage()));
        QCOMPARE(secrets->key(aws.accessKeyId), QStringLiteral("AKIDTEST"));
        QCOMPARE(secrets->key(aws.sessionToken), QStringLiteral("token"));
    }

    // The regional endpoint is the price catalog's AWS provider, so Bedrock requests are priced.
    void bedrockModelsArePricedFromTheCatalog()
    {
        const Result<Config> config = load("    type: bedrock\n    region: us-east-1\n    api_key: env:K\n");
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        const Result<PriceCatalog> catalog = PriceCatalog::builtIn();
        QVERIFY2(catalog.ok(), qPrintable(catalog.errorMessage()));
        const std::optional<PriceMatch> match = catalog->find(
            config.value(), QStringLiteral("aws"), QStringLiteral("global.anthropic.claude-haiku-4-5-20251001-v1:0"),
            QDateTime::currentDateTimeUtc());
        QVERIFY(match.has_value());
        QCOMPARE(match->providerId, QStringLiteral("aws"));
    }

    void baseUrlOverridesTheRegionalEndpoint()
    {
        const Result<Config> config
            = load("    type: bedrock\n    region: us-east-1\n    base_url: https://vpce-1.bedrock-runtime.example\n");
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        QCOMPARE(config->providers.first().baseUrl.host(), QStringLiteral("vpce-1.bedrock-runtime.example"));
    }

    void mistakesAreExplained_data()
    {
        QTest::addColumn<QByteArray>("fields");
        QTest::addColumn<QString>("message");
        QTest::newRow("no region") << QByteArray("    type: bedrock\n    api_key: env:K\n") << QStringLiteral("region");
        QTest::newRow("bad region") << QByteArray("    type: bedrock\n    region: Frankfurt\n")
                                    << QStringLiteral("is not an AWS region");
        QTest::newRow("token without id")
            << QByteArray("    type: bedrock\n    region: us-east-1\n    api_key: env:K\n    session_token: env:T\n")
            << QStringLiteral("session_token without access_key_id");
        QTest::newRow("id without secret")
            << QByteArray("    type: bedrock\n    region: us-east-1\n    access_key_id: env:ID\n")
            << QStringLiteral("no api_key");
        QTest::newRow("id with several secrets")
            << QByteArray("    type: bedrock\n    region: us-east-1\n    access_key_id: env:ID\n"
                          "    api_keys: [env:A, env:B]\n")
            << QStringLiteral("one provider per AWS key pair");
        QTest::newRow("aws fields elsewhere")
            << QByteArray("    type: openai\n    region: us-east-1\n") << QStringLiteral("Amazon Bedrock settings");
        QTest::newRow("secret as a value") << QByteArray(
            "    type: bedrock\n    region: us-east-1\n    access_key_id: AKIAEXAMPLE\n    api_key: env:K\n")
                                           << QStringLiteral("access_key_id");
    }

    void mistakesAreExplained()
    {
        QFETCH(QByteArray, fields);
        QFETCH(QString, message);
        const Result<Config> config = load(fields);
        QVERIFY(!config.ok());
        QVERIFY2(config.errorMessage().contains(message), qPrintable(config.errorMessage()));
        QVERIFY(!config.errorMessage().contains(QLatin1String("AKIAEXAMPLE"))); // a pasted secret is never echoed
    }

    void documentedBedrockExampleLoads()
    {
        QFile doc(QStringLiteral(SLUICE_CONFIGURATION_DOC));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        const QByteArray text = doc.readAll();
        const qsizetype section = text.indexOf("### Amazon Bedrock");
        QVERIFY(section >= 0);
        const qsizetype start = text.indexOf("```yaml\n", section);
        const qsizetype end = text.indexOf("```", start + 8);
        QVERIFY(start > section && end > start);
        const Result<Config> config
            = ConfigLoader::loadString(text.mid(start + 8, end - start - 8), QStringLiteral("doc"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        QCOMPARE(config->providers.size(), 2);
        QVERIFY(!config->providers[0].accessKeyId.isNull());
        QVERIFY(config->providers[1].accessKeyId.isNull());
        QCOMPARE(config->providers[1].baseUrl.toString(),
                 QStringLiteral("https://bedrock-runtime.us-west-2.amazonaws.com"));
    }
};

QTEST_GUILESS_MAIN(TestBedrockConfig)
#include "tst_bedrockconfig.moc"
