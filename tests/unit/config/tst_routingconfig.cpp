#include <QFile>
#include <QTest>

#include "config/ConfigLoader.h"

using namespace sluice;

namespace {
const QByteArray Providers = R"(
providers:
  - {name: openai, type: openai, base_url: https://api.openai.com/v1, api_key: keychain:openai}
  - {name: azure-east, type: openai, base_url: https://east.example/v1, api_key: env:AZURE_KEY}
  - {name: anthropic, type: openai, base_url: https://anthropic.example/v1, api_key: keychain:anthropic}
  - {name: ollama, type: openai, base_url: http://127.0.0.1:11434/v1}
)";

Result<Config> load(const QByteArray &yaml)
{
    return ConfigLoader::loadString(yaml, QStringLiteral("sluice.yaml"));
}

QString errorOf(const QByteArray &yaml)
{
    const Result<Config> result = load(yaml);
    return result.ok() ? QString() : result.errorMessage();
}
} // namespace

class TestRoutingConfig : public QObject
{
    Q_OBJECT

private slots:
    void fullRoutingExample();
    void simpleFormStillWorks();
    void routingDefaults();
    void modelRetryStartsFromRoutingRetry();
    void dropUnsupportedParams();
    void providerKeyList();
    void validationErrors_data();
    void validationErrors();
    void literalKeysInTheListAreNotEchoed();
    void routingDocExamplesLoad();
};

void TestRoutingConfig::fullRoutingExample()
{
    const Result<Config> result = load(Providers + R"(
models:
  - name: smart
    deployments:
      - {provider: openai, model: gpt-4.1, weight: 3}
      - provider: azure-east
        model: gpt-4.1
        weight: 1
        api_key: keychain:azure-east-2
        timeouts: {connect_ms: 2000, first_byte_ms: 30000}
    balance: least-latency
    fallbacks: [claude-sonnet, local-llama]
    retry: {attempts: 3, backoff_ms: 100, max_backoff_ms: 4000}
    fallback_on: [rate_limit, server_error, context_window]
  - name: claude-sonnet
    provider: anthropic
    upstream_model: claude-sonnet-4
  - name: local-llama
    provider: ollama
    upstream_model: llama3.1:8b
routing:
  default_fallbacks: [local-llama]
  breaker: {failures: 3, window_s: 120, cooldown_s: 10}
  deadline_ms: 90000
  retry: {attempts: 1}
  fallback_on: [timeout]
)");
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    const Config &config = result.value();
    const ModelRoute *smart = config.model(QStringLiteral("smart"));
    QVERIFY(smart);
    QCOMPARE(smart->deployments.size(), 2);
    const ModelDeployment &first = smart->deployments.at(0);
    QCOMPARE(first.provider, QStringLiteral("openai"));
    QCOMPARE(first.upstreamModel, QStringLiteral("gpt-4.1"));
    QCOMPARE(first.weight, 3);
    QVERIFY(first.apiKey.isNull());
    QCOMPARE(first.connectTimeoutMs, 0);
    QCOMPARE(first.id(), QStringLiteral("openai/gpt-4.1"));
    const ModelDeployment &second = smart->deployments.at(1);
    QCOMPARE(second.provider, QStringLiteral("azure-east"));
    QCOMPARE(second.apiKey.toString(), QStringLiteral("keychain:azure-east-2"));
    QCOMPARE(second.connectTimeoutMs, 2000);
    QCOMPARE(second.firstByteTimeoutMs, 30000);
    QCOMPARE(second.totalTimeoutMs, 0);
    QCOMPARE(second.id(), QStringLiteral("azure-east/gpt-4.1@keychain:azure-east-2"));
    QCOMPARE(second.configLine, 12);
    // The simple fields name the first deployment, for code that knows only one.
    QCOMPARE(smart->provider, QStringLiteral("openai"));
    QCOMPARE(smart->upstreamModel, QStringLiteral("gpt-4.1"));
    QCOMPARE(smart->balance, BalanceStrategy::LeastLatency);
    QCOMPARE(smart->fallbacks, QStringList({QStringLiteral("claude-sonnet"), QStringLiteral("local-llama")}));
    QVERIFY(smart->retry.has_value());
    QCOMPARE(smart->retry->attempts, 3);
    QCOMPARE(smart->retry->backoffMs, 100);
    QCOMPARE(smart->retry->maxBackoffMs, 4000);
    QCOMPARE(smart->fallbackOn.value_or(QStringList()),
             QStringList({QStringLiteral("rate_limit"), QStringLiteral("server_error"),
                          QStringLiteral("context_window_exceeded")}));

    const RoutingSettings &routing = config.routing;
    QCOMPARE(routing.defaultFallbacks, QStringList({QStringLiteral("local-llama")}));
    QCOMPARE(routing.breaker.failures, 3);
    QCOMPARE(routing.breaker.windowS, 120);
    QCOMPARE(routing.breaker.cooldownS, 10);
    QCOMPARE(routing.deadlineMs, 90000);
    QCOMPARE(routing.retry.attempts, 1);
    QCOMPARE(routing.fallbackOn, QStringList({QStringLiteral("timeout")}));
    QVERIFY(!config.model(QStringLiteral("claude-sonnet"))->retry.has_value());
    QVERIFY(!config.model(QStringLiteral("claude-sonnet"))->fallbackOn.has_value());
}

void TestRoutingConfig::simpleFormStillWorks()
{
    const Result<Config> result = load(Providers + R"(
models:
  - name: gpt-4o-mini
    provider: openai
  - name: llama
    provider: ollama
    upstream_model: llama3.1:8b
)");
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    const ModelRoute *mini = result->model(QStringLiteral("gpt-4o-mini"));
    QCOMPARE(mini->provider, QStringLiteral("openai"));
    QCOMPARE(mini->upstreamModel, QStringLiteral("gpt-4o-mini"));
    QCOMPARE(mini->deployments.size(), 1);
    QCOMPARE(mini->deployments.first().provider, QStringLiteral("openai"));
    QCOMPARE(mini->deployments.first().upstreamModel, QStringLiteral("gpt-4o-mini"));
    QCOMPARE(mini->deployments.first().weight, 1);
    QCOMPARE(mini->balance, BalanceStrategy::Weighted);
    QVERIFY(mini->fallbacks.isEmpty());
    const ModelRoute *llama = result->model(QStringLiteral("llama"));
    QCOMPARE(llama->deployments.first().upstreamModel, QStringLiteral("llama3.1:8b"));
    QCOMPARE(llama->deployments.first().id(), QStringLiteral("ollama/llama3.1:8b"));
}

void TestRoutingConfig::routingDefaults()
{
    const Result<Config> result = load(Providers);
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    const RoutingSettings &routing = result->routing;
    QVERIFY(routing.defaultFallbacks.isEmpty());
    QCOMPARE(routing.breaker, BreakerSettings());
    QCOMPARE(routing.breaker.failures, 5);
    QCOMPARE(routing.deadlineMs, 600000);
    QCOMPARE(routing.retry, RetrySettings());
    QCOMPARE(routing.retry.attempts, 2);
    QVERIFY(routing.fallbackOn.contains(QStringLiteral("server_error")));
    QVERIFY(routing.fallbackOn.contains(QStringLiteral("context_window_exceeded")));
    QVERIFY(!routing.fallbackOn.contains(QStringLiteral("client_error")));
    QVERIFY(!routing.fallbackOn.contains(QStringLiteral("content_policy")));
}

void TestRoutingConfig::modelRetryStartsFromRoutingRetry()
{
    // routing: may come after models: in the file; a model's partial retry still starts from it.
    const Result<Config> result = load(Providers + R"(
models:
  - name: smart
    provider: openai
    retry: {attempts: 4}
routing:
  retry: {attempts: 1, backoff_ms: 500, max_backoff_ms: 2000}
)");
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    const RetrySettings &retry = *result->model(QStringLiteral("smart"))->retry;
    QCOMPARE(retry.attempts, 4);
    QCOMPARE(retry.backoffMs, 500);
    QCOMPARE(retry.maxBackoffMs, 2000);
}

void TestRoutingConfig::dropUnsupportedParams()
{
    const Result<Config> result = load(Providers + R"(
models:
  - {name: lenient, provider: openai, drop_unsupported_params: true}
  - {name: strict, provider: openai, drop_unsupported_params: false}
  - {name: plain, provider: openai}
routing:
  drop_unsupported_params: true
)");
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    QCOMPARE(result->model(QStringLiteral("lenient"))->dropUnsupportedParams, std::optional<bool>(true));
    QCOMPARE(result->model(QStringLiteral("strict"))->dropUnsupportedParams, std::optional<bool>(false));
    QVERIFY(!result->model(QStringLiteral("plain"))->dropUnsupportedParams.has_value());
    QVERIFY(result->routing.dropUnsupportedParams);
    QVERIFY(!load(Providers)->routing.dropUnsupportedParams); // refusing is the default

    const QString message
        = errorOf(Providers + "models:\n  - {name: smart, provider: openai, drop_unsupported_params: maybe}\n");
    QVERIFY2(
        message.contains(QLatin1String("models[0].drop_unsupported_params: expected true or false, found 'maybe'")),
        qPrintable(message));
}

void TestRoutingConfig::providerKeyList()
{
    const Result<Config> result = load(R"(
providers:
  - name: openai
    type: openai
    base_url: https://api.openai.com/v1
    api_keys: [keychain:openai-1, keychain:openai-2, env:OPENAI_KEY_3]
  - {name: single, type: openai, base_url: https://x.example/v1, api_key: keychain:single}
  - {name: none, type: openai, base_url: http://127.0.0.1:1234/v1}
)");
    QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
    const ProviderConfig *openai = result->provider(QStringLiteral("openai"));
    QCOMPARE(openai->apiKeys.size(), 3);
    QCOMPARE(openai->apiKeys.at(2).toString(), QStringLiteral("env:OPENAI_KEY_3"));
    QCOMPARE(openai->apiKey.toString(), QStringLiteral("keychain:openai-1"));
    const ProviderConfig *single = result->provider(QStringLiteral("single"));
    QCOMPARE(single->apiKeys.size(), 1);
    QCOMPARE(single->apiKeys.first(), single->apiKey);
    QVERIFY(result->provider(QStringLiteral("none"))->apiKeys.isEmpty());
}

void TestRoutingConfig::validationErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected");

    QTest::newRow("unknown fallback model, with a suggestion")
        << Providers
            + "models:\n  - {name: smart, provider: openai, fallbacks: [claude-sonet]}\n"
              "  - {name: claude-sonnet, provider: anthropic}\n"
        << QStringLiteral("sluice.yaml:8: models[0].fallbacks[0]: 'claude-sonet' is not a configured model; did you "
                          "mean 'claude-sonnet'?");
    QTest::newRow("fallback to itself")
        << Providers + "models:\n  - {name: smart, provider: openai, fallbacks: [smart]}\n"
        << QStringLiteral("sluice.yaml:8: models[0].fallbacks[0]: a model cannot fall back to itself");
    QTest::newRow("fallback listed twice")
        << Providers + "models:\n  - {name: a, provider: openai, fallbacks: [b, b]}\n  - {name: b, provider: openai}\n"
        << QStringLiteral("sluice.yaml:8: models[0].fallbacks[1]: 'b' is listed twice");
    QTest::newRow("unknown default fallback")
        << Providers + "routing:\n  default_fallbacks: [local]\n"
        << QStringLiteral("sluice.yaml:8: routing.default_fallbacks[0]: 'local' is not a configured model");
    QTest::newRow("provider and deployments")
        << Providers
            + "models:\n  - name: smart\n    provider: openai\n    deployments: [{provider: openai, model: x}]\n"
        << QStringLiteral("sluice.yaml:8: models[0]: has both provider and deployments");
    QTest::newRow("neither provider nor deployments")
        << Providers + "models:\n  - name: smart\n    balance: weighted\n"
        << QStringLiteral("sluice.yaml:8: models[0]: 'provider' is missing; add the name of one of the providers, "
                          "or deployments:");
    QTest::newRow("upstream_model with deployments")
        << Providers
            + "models:\n  - name: smart\n    upstream_model: x\n    deployments: [{provider: openai, model: x}]\n"
        << QStringLiteral("sluice.yaml:8: models[0]: upstream_model does not apply with deployments");
    QTest::newRow("empty deployments")
        << Providers + "models:\n  - name: smart\n    deployments: []\n"
        << QStringLiteral("sluice.yaml:9: models[0].deployments: is empty; list at least one deployment");
    QTest::newRow("deployment without model")
        << Providers + "models:\n  - name: smart\n    deployments:\n      - {provider: openai}\n"
        << QStringLiteral("sluice.yaml:10: models[0].deployments[0]: 'model' is missing; add e.g. model: gpt-4.1");
    QTest::newRow("deployment with an unknown provider")
        << Providers + "models:\n  - name: smart\n    deployments:\n      - {provider: azure-west, model: gpt-4.1}\n"
        << QStringLiteral("sluice.yaml:10: models[0].deployments[0].provider: 'azure-west' is not a configured "
                          "provider; did you mean 'azure-east'?");
    QTest::newRow("deployment field typo")
        << Providers + "models:\n  - name: smart\n    deployments:\n      - {provider: openai, model: x, wieght: 2}\n"
        << QStringLiteral("sluice.yaml:10: models[0].deployments[0].wieght: unknown field 'wieght'; did you mean "
                          "'weight'?");
    QTest::newRow("negative weight")
        << Providers + "models:\n  - name: smart\n    deployments:\n      - {provider: openai, model: x, weight: -1}\n"
        << QStringLiteral("sluice.yaml:10: models[0].deployments[0].weight: -1 is out of range; use a whole number "
                          "from 0 to 1000000");
    QTest::newRow("same deployment twice")
        << Providers
            + "models:\n  - name: smart\n    deployments:\n      - {provider: openai, model: x}\n"
              "      - {provider: openai, model: x}\n"
        << QStringLiteral("sluice.yaml:11: models[0].deployments[1]: is the same deployment as the one on line 10");
    QTest::newRow("bad deployment timeout")
        << Providers
            + "models:\n  - name: smart\n    deployments:\n      - {provider: openai, model: x, timeouts: "
              "{connect_ms: 0}}\n"
        << QStringLiteral("sluice.yaml:10: models[0].deployments[0].timeouts.connect_ms: 0 is out of range");
    QTest::newRow("unknown balance")
        << Providers + "models:\n  - {name: smart, provider: openai, balance: round-robin}\n"
        << QStringLiteral("sluice.yaml:8: models[0].balance: 'round-robin' is not a balancing strategy; use one of: "
                          "weighted, least-latency, least-in-flight");
    QTest::newRow("unknown failure class")
        << Providers + "models:\n  - {name: smart, provider: openai, fallback_on: [server_errors]}\n"
        << QStringLiteral("sluice.yaml:8: models[0].fallback_on[0]: 'server_errors' is not a failure class; did "
                          "you mean 'server_error'?");
    QTest::newRow("retry attempts zero")
        << Providers + "models:\n  - {name: smart, provider: openai, retry: {attempts: 0}}\n"
        << QStringLiteral("sluice.yaml:8: models[0].retry.attempts: 0 is out of range; use a whole number from 1 "
                          "to 10");
    QTest::newRow("backoff above its cap")
        << Providers + "routing:\n  retry: {backoff_ms: 9000, max_backoff_ms: 8000}\n"
        << QStringLiteral("sluice.yaml:8: routing.retry: backoff_ms (9000) is larger than max_backoff_ms (8000)");
    QTest::newRow("retry field typo")
        << Providers + "routing:\n  retry: {atempts: 3}\n"
        << QStringLiteral("sluice.yaml:8: routing.retry.atempts: unknown field 'atempts'; did you mean 'attempts'?");
    QTest::newRow("breaker failures out of range")
        << Providers + "routing:\n  breaker: {failures: -2}\n"
        << QStringLiteral("sluice.yaml:8: routing.breaker.failures: -2 is out of range");
    QTest::newRow("deadline not a number")
        << Providers + "routing:\n  deadline_ms: ten minutes\n"
        << QStringLiteral("sluice.yaml:8: routing.deadline_ms: 'ten minutes' is not a whole number");
    QTest::newRow("unknown routing field")
        << Providers + "routing:\n  fallbacks: [a]\n"
        << QStringLiteral("sluice.yaml:8: routing.fallbacks: unknown field 'fallbacks'");
    QTest::newRow("api_key and api_keys")
        << QByteArray("providers:\n  - name: openai\n    type: openai\n    base_url: https://api.openai.com/v1\n"
                      "    api_key: keychain:a\n    api_keys: [keychain:b]\n")
        << QStringLiteral("sluice.yaml:2: providers[0]: has both api_key and api_keys");
    QTest::newRow("api_keys not a list")
        << QByteArray("providers:\n  - name: openai\n    type: openai\n    base_url: https://api.openai.com/v1\n"
                      "    api_keys: keychain:a\n")
        << QStringLiteral("sluice.yaml:5: providers[0].api_keys: expected a list of key references such as "
                          "[keychain:openai-1, keychain:openai-2], found text");
    QTest::newRow("api_keys repeated")
        << QByteArray("providers:\n  - name: openai\n    type: openai\n    base_url: https://api.openai.com/v1\n"
                      "    api_keys:\n      - keychain:a\n      - keychain:a\n")
        << QStringLiteral("sluice.yaml:7: providers[0].api_keys[1]: keychain:a is already listed on line 6");
}

void TestRoutingConfig::validationErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    const QString message = errorOf(yaml);
    QVERIFY2(message.contains(expected), qPrintable(QStringLiteral("got: ") + message));
}

void TestRoutingConfig::literalKeysInTheListAreNotEchoed()
{
    const QString message = errorOf("providers:\n  - name: openai\n    type: openai\n"
                                    "    base_url: https://api.openai.com/v1\n"
                                    "    api_keys: [keychain:a, sk-proj-abcdef1234567890]\n");
    QVERIFY(message.contains(QLatin1String("sluice.yaml:5: providers[0].api_keys[1]: secrets must not be written")));
    QVERIFY(!message.contains(QLatin1String("sk-proj")));
    const QString deploymentKey = errorOf(Providers
                                          + "models:\n  - name: smart\n    deployments:\n"
                                            "      - {provider: openai, model: x, api_key: sk-live-999999999}\n");
    QVERIFY(deploymentKey.contains(QLatin1String("models[0].deployments[0].api_key: secrets must not be written")));
    QVERIFY(!deploymentKey.contains(QLatin1String("sk-live")));
}

void TestRoutingConfig::routingDocExamplesLoad()
{
    QFile doc(QStringLiteral(SLUICE_ROUTING_DOC));
    QVERIFY2(doc.open(QIODevice::ReadOnly), qPrintable(doc.fileName()));
    const QByteArray text = doc.readAll();
    int blocks = 0;
    qsizetype from = 0;
    for (;;) {
        const qsizetype start = text.indexOf("```yaml\n", from);
        if (start < 0)
            break;
        const qsizetype end = text.indexOf("```", start + 8);
        QVERIFY(end > start);
        const int line = int(text.left(start).count('\n')) + 2;
        const Result<Config> result = ConfigLoader::loadString(text.mid(start + 8, end - start - 8),
                                                               QStringLiteral("routing.md block at line %1").arg(line));
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        ++blocks;
        from = end + 3;
    }
    QVERIFY(blocks >= 5);
}

QTEST_GUILESS_MAIN(TestRoutingConfig)
#include "tst_routingconfig.moc"
