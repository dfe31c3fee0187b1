#pragma once

#include <functional>

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include "config/ConfigLoader.h"
#include "gateway/GatewayService.h"
#include "routing/Clock.h"
#include "support/MockUpstream.h"

namespace sluice::test {

inline constexpr auto TestToken = "sk-sluice-test-token";

// Additions to the fixture's config and set-up, for tests that need more than extraYaml can append.
struct FixtureExtras
{
    QByteArray providers; // list items appended to providers: ($UPSTREAM is the mock upstream's base URL)
    QByteArray models; // list items appended to models:
    std::function<void(GatewayService &)> beforeStart; // e.g. setDatabasePath, setPriceCatalog
    std::shared_ptr<const Clock> clock; // routing and admission; a steady clock when null
};

// A gateway on a free loopback port in front of a MockUpstream, with the records it logs collected in memory.
// extraModels: more "  - name: ..." entries for the models list; extraYaml: more top-level sections.
class GatewayFixture
{
public:
    // extraModels: list entries appended under models:; clock: what routing decisions (breakers, key rests) and
    // admission run on, a steady clock when null.
    explicit GatewayFixture(const QByteArray &extraYaml = {}, const QByteArray &extraModels = {},
                            std::shared_ptr<const Clock> clock = nullptr)
        : GatewayFixture(extraYaml, FixtureExtras {{}, extraModels, {}, std::move(clock)})
    { }

    GatewayFixture(const QByteArray &extraYaml, const FixtureExtras &extras)
    {
        QVERIFY(m_upstream.listen().ok());
        const QByteArray upstream = m_upstream.baseUrl().toString().toUtf8();
        const QByteArray yaml = "providers:\n"
                                "  - name: mock\n"
                                "    type: openai\n"
                                "    base_url: "
            + upstream
            + "/v1\n"
              "    api_key: env:SLUICE_TEST_PROVIDER_KEY\n"
              "    timeouts: {connect_ms: 2000, first_byte_ms: 3000, idle_ms: 3000, total_ms: 10000}\n"
              "  - name: mock-anthropic\n"
              "    type: anthropic\n"
              "    base_url: "
            + upstream
            + "\n"
              "    api_key: env:SLUICE_TEST_PROVIDER_KEY\n"
              "  - name: mock-impatient\n"
              "    type: openai\n"
              "    base_url: "
            + upstream
            + "/v1\n"
              "    timeouts: {connect_ms: 1000, first_byte_ms: 300, idle_ms: 300, total_ms: 5000}\n"
              "  - name: mock-azure\n"
              "    type: azure\n"
              "    base_url: "
            + upstream
            + "\n"
              "    api_key: env:SLUICE_TEST_PROVIDER_KEY\n"
              "  - name: mock-gemini\n"
              "    type: gemini\n"
              "    base_url: "
            + upstream
            + "\n"
              "    api_key: env:SLUICE_TEST_PROVIDER_KEY\n"
              "  - name: mock-two-keys\n"
              "    type: openai\n"
              "    base_url: "
            + upstream
            + "/v1\n"
              "    api_keys: [env:SLUICE_TEST_PROVIDER_KEY, env:SLUICE_TEST_PROVIDER_KEY_2]\n"
              "  - name: mock-groq\n"
              "    type: groq\n"
              "    base_url: "
            + upstream
            + "/v1\n"
              "    api_key: env:SLUICE_TEST_PROVIDER_KEY\n"
            + QByteArray(extras.providers).replace("$UPSTREAM", upstream)
            + "models:\n"
              "  - name: gpt-test\n"
              "    provider: mock\n"
              "    upstream_model: openai-text\n"
              "  - name: openai-text\n"
              "    provider: mock\n"
              "  - name: claude-test\n"
              "    provider: mock-anthropic\n"
              "    upstream_model: anthropic-text\n"
              "  - name: gemini-test\n"
              "    provider: mock-gemini\n"
              "    upstream_model: google-text\n"
              "  - name: primary\n"
              "    deployments:\n"
              "      - {provider: mock, model: \"openai-text~status;code=500\"}\n"
              "    fallbacks: [claude-test]\n"
              "    retry: {attempts: 2, backoff_ms: 10, max_backoff_ms: 20}\n"
              "  - name: flaky-start\n"
              "    deployments:\n"
              "      - {provider: mock, model: \"openai-text~reset\"}\n"
              "    fallbacks: [gpt-test]\n"
              "    retry: {attempts: 1}\n"
              "  - name: refused\n"
              "    deployments:\n"
              "      - {provider: mock, model: \"openai-text~status;code=400\"}\n"
              "    fallbacks: [gpt-test]\n"
              "  - name: azure-test\n"
              "    provider: mock-azure\n"
              "    upstream_model: openai-text\n"
              "  - name: resilient\n"
              "    deployments:\n"
              "      - {provider: mock-impatient, model: openai-text}\n"
              "    retry: {attempts: 2, backoff_ms: 10, max_backoff_ms: 100}\n"
              "    fallback_on: [rate_limit, server_error, timeout, connection, content_policy]\n"
              "  - name: guarded\n"
              "    provider: mock\n"
              "    upstream_model: openai-text\n"
              "    retry: {attempts: 1}\n"
              "    fallbacks: [claude-test]\n"
              "  - name: two-keys\n"
              "    provider: mock-two-keys\n"
              "    upstream_model: openai-text\n"
            + extras.models
            + "tokens:\n"
              "  - name: editor\n"
              "    secret: env:SLUICE_TEST_GATEWAY_TOKEN\n"
            + extraYaml;
        Result<Config> config = ConfigLoader::loadString(yaml, QStringLiteral("test.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        GatewaySecrets secrets;
        secrets.keys.insert(QStringLiteral("env:SLUICE_TEST_PROVIDER_KEY"), QStringLiteral("sk-provider-secret-value"));
        secrets.keys.insert(QStringLiteral("env:SLUICE_TEST_PROVIDER_KEY_2"), QStringLiteral("sk-provider-second-key"));
        secrets.tokens.append({QStringLiteral("editor"), QString::fromLatin1(TestToken)});
        m_service = std::make_unique<GatewayService>(config.value(), secrets);
        m_service->setRecordSink([this](RequestRecord &&record) { records.append(std::move(record)); });
        m_service->setRoutingClock(extras.clock);
        if (extras.beforeStart)
            extras.beforeStart(*m_service);
        Result<QUrl> url = m_service->start(0);
        QVERIFY2(url.ok(), qPrintable(url.errorMessage()));
        m_base = url.value();
    }

    MockUpstream &upstream() { return m_upstream; }
    GatewayService &service() { return *m_service; }
    QUrl url(const QString &path) const { return m_base.resolved(QUrl(path)); }
    quint16 port() const { return quint16(m_base.port()); }

    QNetworkRequest request(const QString &path, const QByteArray &token = TestToken) const
    {
        QNetworkRequest request(url(path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        return request;
    }

    struct Reply
    {
        int status = 0;
        QByteArray body;
        QNetworkReply::NetworkError error = QNetworkReply::NoError;
        QList<QNetworkReply::RawHeaderPair> headers;
        QByteArray header(const QByteArray &name) const
        {
            for (const auto &[key, value] : headers) {
                if (key.compare(name, Qt::CaseInsensitive) == 0)
                    return value;
            }
            return {};
        }
    };

    Reply post(const QNetworkRequest &request, const QByteArray &body) { return finish(m_network.post(request, body)); }
    Reply get(const QNetworkRequest &request) { return finish(m_network.get(request)); }

    // Waits until the gateway has handed over `count` records.
    bool waitForRecords(int count)
    {
        return QTest::qWaitFor([&] { return records.size() >= count; }, 5000);
    }

    QList<RequestRecord> records;

private:
    Reply finish(QNetworkReply *reply)
    {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Reply result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.error = reply->error();
        result.headers = reply->rawHeaderPairs();
        reply->deleteLater();
        return result;
    }

    MockUpstream m_upstream;
    std::unique_ptr<GatewayService> m_service;
    QUrl m_base;
    QNetworkAccessManager m_network;
};

} // namespace sluice::test
