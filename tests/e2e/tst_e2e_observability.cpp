#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "E2eSupport.h"
#include "store/RequestLogReader.h"
#include "support/OtlpReceiver.h"
#include "support/PrometheusText.h"

using namespace sluice;
using namespace sluice::test;

namespace {
constexpr auto GatewayToken = "sk-sluice-e2e-observability";
constexpr auto MetricsToken = "sk-sluice-e2e-metrics-scrape";
constexpr auto LangfuseSecret = "sk-lf-e2e-secret";

QProcessEnvironment environment()
{
    QProcessEnvironment env = e2eEnvironment(GatewayToken, "sk-provider-e2e-observability");
    env.insert(QStringLiteral("SLUICE_E2E_METRICS_TOKEN"), QString::fromLatin1(MetricsToken));
    env.insert(QStringLiteral("SLUICE_E2E_LANGFUSE_SECRET"), QString::fromLatin1(LangfuseSecret));
    return env;
}

struct Answer
{
    int status = 0;
    QByteArray body;
};

// One request, waited for with an event loop (the OTLP receiver in this process keeps answering meanwhile).
Answer exchange(QNetworkAccessManager &network, const QUrl &url, const QByteArray &body,
                const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(url);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = body.isNull() ? network.get(request) : [&] {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        return network.post(request, body);
    }();
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Answer answer {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
    reply->deleteLater();
    return answer;
}

QByteArray chatBody(const char *model, bool stream = false)
{
    return QByteArray("{\"model\":\"") + model + "\",\"stream\":" + (stream ? "true" : "false")
        + ",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
}

RequestRecords waitForRows(const QString &database, int count)
{
    RequestLogReader reader(database);
    if (!reader.open().ok())
        return {};
    RequestRecords rows;
    (void)QTest::qWaitFor(
        [&] {
            const Result<RequestRecords> recent = reader.recent(1000);
            rows = recent.ok() ? recent.value() : RequestRecords();
            return rows.size() >= count;
        },
        10000);
    RequestRecords whole;
    for (const RequestRecord &row : std::as_const(rows)) {
        const Result<RequestRecord> full = reader.byId(row.id);
        whole.append(full.ok() ? full.value() : row);
    }
    return whole;
}

QJsonObject serverSpanOf(const QJsonArray &spans, const QString &requestId)
{
    for (const QJsonValue &span : spans) {
        if (span[QLatin1String("kind")].toInt() == 2
            && OtlpReceiver::attribute(span.toObject(), QStringLiteral("sluice.request_id")).toString() == requestId)
            return span.toObject();
    }
    return {};
}
} // namespace

// A run of mixed traffic through `sluice --headless` (same-format and translated, streamed and not, a fallback,
// refusals) with metrics and trace export on: the Prometheus scrape and the spans at a local OTLP receiver (and a
// Langfuse-shaped one) carry the same counts, tokens and cost as the request log.
class TestE2eObservability : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void metricsAndTracesMatchTheLog();
    void langfuseReceivesGenerations();
};

void TestE2eObservability::metricsAndTracesMatchTheLog()
{
    QTemporaryDir dir;
    ListeningProcess mock;
    const QUrl upstream = mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(upstream.isValid(), qPrintable(mock.output()));
    OtlpReceiver receiver;
    QVERIFY(receiver.listen());
    const QByteArray config = "providers:\n" + recordedProvider("openai", upstream.toString().toUtf8())
        + recordedProvider("anthropic", upstream.toString().toUtf8())
        + "models:\n"
          "  - name: chat\n    provider: recorded-openai\n    upstream_model: openai-text\n"
          "  - name: claude\n    provider: recorded-anthropic\n    upstream_model: anthropic-text\n"
          "  - name: flaky\n    provider: recorded-openai\n    upstream_model: \"openai-text~status;code=503\"\n"
          "    retry: {attempts: 1}\n    fallbacks: [claude]\n"
          "tokens:\n  - name: e2e\n    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n"
          "metrics:\n  enabled: true\n  token: env:SLUICE_E2E_METRICS_TOKEN\n"
          "telemetry:\n  endpoint: "
        + receiver.url().toString().toUtf8()
        + "\n  export_interval_ms: 100\n  environment: e2e\n  service_name: sluice-e2e\n";
    const QString configPath = dir.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeFile(configPath, config));
    ListeningProcess sluice;
    const QUrl gateway = startHeadlessSluice(sluice, configPath, dir.path(), environment());
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));

    QNetworkAccessManager network;
    const QUrl chat = gateway.resolved(QUrl(QStringLiteral("/v1/chat/completions")));
    const QUrl messages = gateway.resolved(QUrl(QStringLiteral("/v1/messages")));
    const QList<QPair<QByteArray, QByteArray>> auth {{"Authorization", QByteArray("Bearer ") + GatewayToken}};
    for (int i = 0; i < 3; ++i)
        QCOMPARE(exchange(network, chat, chatBody("chat"), auth).status, 200);
    QCOMPARE(exchange(network, chat, chatBody("chat", true), auth).status, 200);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(exchange(network, messages, chatBody("claude", true), {{"x-api-key", GatewayToken}}).status, 200);
    QCOMPARE(exchange(network, chat, chatBody("claude"), auth).status, 200); // translated
    QCOMPARE(exchange(network, chat, chatBody("flaky"), auth).status, 200); // falls back to claude
    QCOMPARE(exchange(network, chat, chatBody("no-such-model"), auth).status, 404);
    QCOMPARE(exchange(network, chat, chatBody("chat"), {{"Authorization", "Bearer wrong"}}).status, 401);
    const QByteArray traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    QCOMPARE(exchange(network, chat, chatBody("chat"), {auth.first(), {"traceparent", traceparent}}).status, 200);
    constexpr int Requests = 11;

    const RequestRecords rows = waitForRows(dir.filePath(QStringLiteral("sluice.db")), Requests);
    QCOMPARE(rows.size(), Requests);

    // The scrape: refused without a token, accepted with the metrics token or a gateway token.
    const QUrl metricsUrl = gateway.resolved(QUrl(QStringLiteral("/metrics")));
    const Answer anonymous = exchange(network, metricsUrl, QByteArray(), {});
    QCOMPARE(anonymous.status, 401);
    QVERIFY(!anonymous.body.contains(MetricsToken));
    QCOMPARE(exchange(network, metricsUrl, QByteArray(), {{"Authorization", "Bearer wrong"}}).status, 401);
    QCOMPARE(exchange(network, metricsUrl, QByteArray(), auth).status, 200);
    QByteArray scrape;
    // The telemetry thread counts a record right after the log gets it: wait for all of them.
    QVERIFY(QTest::qWaitFor(
        [&] {
            scrape
                = exchange(network, metricsUrl, QByteArray(), {{"Authorization", QByteArray("Bearer ") + MetricsToken}})
                      .body;
            return prometheusSum(scrape, "sluice_requests_total") >= Requests;
        },
        10000));
    QVERIFY(!scrape.contains(GatewayToken));
    QVERIFY(!scrape.contains(MetricsToken));

    double cost = 0;
    qint64 input = 0;
    qint64 output = 0;
    int unpriced = 0;
    int attempts = 0;
    int failed = 0;
    for (const RequestRecord &row : rows) {
        if (row.costStatus == QLatin1String(CostStatus::Unpriced))
            ++unpriced;
        else if (row.costUsd > 0)
            cost += row.costUsd;
        input += qMax<qint64>(0, row.inputTokens);
        output += qMax<qint64>(0, row.outputTokens);
        failed += row.errorClass.isEmpty() ? 0 : 1;
        for (const AttemptRecord &attempt : row.attempts)
            attempts += attempt.decision == QLatin1String("skipped") ? 0 : 1;
    }
    QVERIFY(input > 0 && output > 0);
    QCOMPARE(failed, 2);
    QCOMPARE(prometheusSum(scrape, "sluice_requests_total"), double(Requests));
    QCOMPARE(prometheusSum(scrape, "sluice_requests_total", {"status=\"404\""}), 1.0);
    QCOMPARE(prometheusSum(scrape, "sluice_requests_total", {"error_class=\"authentication\""}), 1.0);
    QCOMPARE(prometheusSum(scrape, "sluice_tokens_total", {"type=\"input\""}), double(input));
    QCOMPARE(prometheusSum(scrape, "sluice_tokens_total", {"type=\"output\""}), double(output));
    QVERIFY(qAbs(prometheusSum(scrape, "sluice_cost_usd_total") - cost) < 1e-9);
    QCOMPARE(prometheusSum(scrape, "sluice_unpriced_requests_total"), double(unpriced));
    QCOMPARE(prometheusSum(scrape, "sluice_attempts_total"), double(attempts));
    QCOMPARE(prometheusSum(scrape, "sluice_fallbacks_total", {"model=\"flaky\""}), 1.0);
    QCOMPARE(prometheusSum(scrape, "sluice_request_duration_seconds_count"), double(Requests));
    QCOMPARE(prometheusSum(scrape, "gen_ai_client_operation_duration_seconds_count"),
             double(Requests - 2)); // not the 401, 404
    QCOMPARE(prometheusSum(scrape, "gen_ai_client_operation_time_to_first_chunk_seconds_count"), 3.0); // the streams
    QVERIFY(scrape.contains("sluice_deployment_breaker_state{deployment=\"recorded-openai/openai-text\""));
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    QVERIFY2(!promtool.isEmpty(), "promtool (Debian package prometheus) is missing");
    QProcess check;
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(check.waitForStarted());
    check.write(scrape);
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished());
    QVERIFY2(check.exitCode() == 0, check.readAllStandardOutput().constData());

    // The traces: one SERVER span per logged request, one CLIENT span per attempt sent, the same numbers.
    QVERIFY(receiver.waitForSpans(Requests + attempts, 15000));
    const QJsonArray spans = receiver.spans();
    QCOMPARE(spans.size(), Requests + attempts);
    for (const RequestRecord &row : rows) {
        const QJsonObject span = serverSpanOf(spans, row.id);
        QVERIFY2(!span.isEmpty(), qPrintable(row.id));
        QVERIFY(!span.contains(QLatin1String("decodeError")));
        QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("gen_ai.request.model")).toString(), row.requestedModel);
        if (row.inputTokens >= 0)
            QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("gen_ai.usage.input_tokens")).toInteger(),
                     row.inputTokens);
        if (row.outputTokens >= 0)
            QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("gen_ai.usage.output_tokens")).toInteger(),
                     row.outputTokens);
        if (row.costUsd >= 0)
            QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("sluice.cost_usd")).toDouble(), row.costUsd);
        QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("http.response.status_code")).toInteger(),
                 row.httpStatus);
        QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("error.type")).toString(), row.errorClass);
        QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("service.name")).toString(), QString());
        QCOMPARE(OtlpReceiver::attribute(QJsonObject {{QStringLiteral("attributes"), span[QLatin1String("resource")]}},
                                         QStringLiteral("service.name"))
                     .toString(),
                 QStringLiteral("sluice-e2e"));
        int children = 0;
        for (const QJsonValue &other : spans) {
            if (other[QLatin1String("parentSpanId")] == span[QLatin1String("spanId")]) {
                ++children;
                QCOMPARE(other[QLatin1String("traceId")], span[QLatin1String("traceId")]);
                QCOMPARE(other[QLatin1String("kind")].toInt(), 3);
            }
        }
        int sent = 0;
        for (const AttemptRecord &attempt : row.attempts)
            sent += attempt.decision == QLatin1String("skipped") ? 0 : 1;
        QCOMPARE(children, sent);
        if (row.requestedModel == QLatin1String("claude") && row.stream) {
            QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("gen_ai.provider.name")).toString(),
                     QStringLiteral("anthropic"));
            QVERIFY(OtlpReceiver::attribute(span, QStringLiteral("gen_ai.response.time_to_first_chunk")).toDouble()
                    > 0);
            QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("gen_ai.response.finish_reasons")).toArray(),
                     QJsonArray({QStringLiteral("stop")}));
        }
    }
    // The caller's trace goes on through Sluice.
    int continued = 0;
    for (const QJsonValue &span : spans) {
        if (span[QLatin1String("traceId")].toString() == QLatin1String("4bf92f3577b34da6a3ce929d0e0e4736")) {
            ++continued;
            if (span[QLatin1String("kind")].toInt() == 2)
                QCOMPARE(span[QLatin1String("parentSpanId")].toString(), QStringLiteral("00f067aa0ba902b7"));
        }
    }
    QCOMPARE(continued, 2); // the request and its one attempt
    for (const ReceivedRequest &request : receiver.requests()) {
        QCOMPARE(request.headers.value("content-type"), QByteArray("application/x-protobuf"));
        QVERIFY(!request.body.contains(GatewayToken));
        QVERIFY(!request.body.contains("sk-provider-e2e-observability"));
    }
    const QByteArray afterExport
        = exchange(network, metricsUrl, QByteArray(), {{"Authorization", QByteArray("Bearer ") + MetricsToken}}).body;
    QCOMPARE(prometheusSum(afterExport, "sluice_telemetry_spans_exported_total"), double(Requests + attempts));
    QCOMPARE(prometheusSum(afterExport, "sluice_telemetry_spans_dropped_total"), 0.0);

    sluice.process().terminate();
    QVERIFY(QTest::qWaitFor([&] { return sluice.process().state() == QProcess::NotRunning; }, 10000));
    QCOMPARE(sluice.process().exitCode(), 0);
}

void TestE2eObservability::langfuseReceivesGenerations()
{
    QTemporaryDir dir;
    ListeningProcess mock;
    const QUrl upstream = mock.start(QStringLiteral(SLUICE_MOCK_BINARY), {}, environment());
    QVERIFY2(upstream.isValid(), qPrintable(mock.output()));
    OtlpReceiver langfuse;
    QVERIFY(langfuse.listen());
    const QByteArray config = oneProviderConfig("anthropic", upstream.toString().toUtf8(),
                                                "  - name: claude\n    provider: recorded-anthropic\n"
                                                "    upstream_model: anthropic-text\n")
        + "telemetry:\n  export_interval_ms: 100\n  environment: e2e\n  langfuse:\n    host: "
        + langfuse.url(QString()).toString().toUtf8()
        + "\n    public_key: pk-lf-e2e\n    secret_key: env:SLUICE_E2E_LANGFUSE_SECRET\n";
    const QString configPath = dir.filePath(QStringLiteral("sluice.yaml"));
    QVERIFY(writeFile(configPath, config));
    ListeningProcess sluice;
    const QUrl gateway = startHeadlessSluice(sluice, configPath, dir.path(), environment());
    QVERIFY2(gateway.isValid(), qPrintable(sluice.output()));
    QNetworkAccessManager network;
    const Answer answer
        = exchange(network, gateway.resolved(QUrl(QStringLiteral("/v1/messages"))), chatBody("claude", true),
                   {{"x-api-key", GatewayToken}, {"x-sluice-session", "session-e2e"}});
    QCOMPARE(answer.status, 200);
    const RequestRecords rows = waitForRows(dir.filePath(QStringLiteral("sluice.db")), 1);
    QCOMPARE(rows.size(), 1);
    QVERIFY(langfuse.waitForSpans(2, 15000));
    const ReceivedRequest &request = langfuse.requests().first();
    QCOMPARE(request.path, QByteArray("/api/public/otel/v1/traces"));
    QCOMPARE(request.headers.value("authorization"),
             "Basic " + QByteArray(QByteArray("pk-lf-e2e:") + LangfuseSecret).toBase64());
    const QJsonObject span = serverSpanOf(langfuse.spans(), rows.first().id);
    QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("langfuse.observation.type")).toString(),
             QStringLiteral("generation"));
    QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("langfuse.session.id")).toString(),
             QStringLiteral("session-e2e"));
    QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("langfuse.user.id")).toString(), QStringLiteral("e2e"));
    QCOMPARE(OtlpReceiver::attribute(span, QStringLiteral("langfuse.environment")).toString(), QStringLiteral("e2e"));
    const QJsonObject usage
        = QJsonDocument::fromJson(
              OtlpReceiver::attribute(span, QStringLiteral("langfuse.observation.usage_details")).toString().toUtf8())
              .object();
    QCOMPARE(usage[QLatin1String("output")].toInteger(), rows.first().outputTokens);
    if (rows.first().costUsd >= 0)
        QCOMPARE(
            QJsonDocument::fromJson(
                OtlpReceiver::attribute(span, QStringLiteral("langfuse.observation.cost_details")).toString().toUtf8())
                .object()[QLatin1String("total")]
                .toDouble(),
            rows.first().costUsd);
    // /metrics stays off unless enabled: an unknown path.
    QCOMPARE(exchange(network, gateway.resolved(QUrl(QStringLiteral("/metrics"))), QByteArray(),
                      {{"Authorization", QByteArray("Bearer ") + GatewayToken}})
                 .status,
             404);
}

QTEST_GUILESS_MAIN(TestE2eObservability)
#include "tst_e2e_observability.moc"
