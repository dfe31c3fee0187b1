// Observability export, unit by unit: the OTLP encodings (protobuf read back by an independent reader and by
// protoc, JSON field by field), W3C trace context, the spans a logged request becomes, the Prometheus metrics
// (checked by promtool) and the batching exporter against a local receiver (batches, retry, drops).
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "config/ConfigLoader.h"
#include "support/OtlpReceiver.h"
#include "support/PrometheusText.h"
#include "support/ProtobufReader.h"
#include "telemetry/GatewayMetrics.h"
#include "telemetry/OtlpEncoder.h"
#include "telemetry/SpanBuilder.h"
#include "telemetry/Telemetry.h"
#include "telemetry/TraceContext.h"
#include "telemetry/TraceExporter.h"

using namespace sluice;
using sluice::test::OtlpReceiver;
using sluice::test::prometheusSum;

namespace {

Config configFrom(const QByteArray &yaml)
{
    Result<Config> config = ConfigLoader::loadString(yaml, QStringLiteral("test.yaml"));
    if (!config)
        qWarning("%s", qPrintable(config.errorMessage()));
    return config ? config.value() : Config();
}

const QByteArray BaseConfig = "providers:\n"
                              "  - name: openai\n    type: openai\n    api_key: env:OPENAI_API_KEY\n"
                              "  - name: claude\n    type: anthropic\n    base_url: http://127.0.0.1:9999\n"
                              "    api_key: env:ANTHROPIC_API_KEY\n"
                              "models:\n  - name: fast\n    provider: openai\n    upstream_model: gpt-4.1-mini\n"
                              "    fallbacks: [smart]\n"
                              "  - name: smart\n    provider: claude\n    upstream_model: claude-sonnet-4-5\n";

RequestRecord fallbackRecord()
{
    RequestRecord record;
    record.id = QStringLiteral("0190aaaa-0000-7000-8000-000000000001");
    record.startedAt = QDateTime(QDate(2026, 12, 6), QTime(10, 0, 0, 250), Qt::UTC);
    record.tokenName = QStringLiteral("editor");
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.requestedModel = QStringLiteral("fast");
    record.provider = QStringLiteral("claude");
    record.upstreamModel = QStringLiteral("claude-sonnet-4-5");
    record.servedModel = QStringLiteral("claude-sonnet-4-5-20250929");
    record.stream = true;
    record.httpStatus = 200;
    record.latencyUs = 1'500'000;
    record.timeToFirstTokenUs = 400'000;
    record.inputTokens = 1200;
    record.outputTokens = 300;
    record.cachedTokens = 1000;
    record.reasoningTokens = 50;
    record.cacheWriteTokens = 0;
    record.finishReason = QStringLiteral("stop");
    record.costUsd = 0.0123;
    record.costStatus = QString::fromLatin1(CostStatus::Exact);
    record.client = QStringLiteral("Claude Code");
    record.tags = {QStringLiteral("ci"), QStringLiteral("nightly")};
    record.project = QStringLiteral("editor");
    record.sessionId = QStringLiteral("session-42");
    record.promptName = QStringLiteral("review");
    record.promptVersion = 3;
    record.deployment = QStringLiteral("claude/claude-sonnet-4-5");
    AttemptRecord first;
    first.model = QStringLiteral("fast");
    first.deployment = QStringLiteral("openai/gpt-4.1-mini");
    first.provider = QStringLiteral("openai");
    first.upstreamModel = QStringLiteral("gpt-4.1-mini");
    first.startedAtMs = 1;
    first.latencyMs = 200;
    first.httpStatus = 503;
    first.errorClass = QStringLiteral("server_error");
    first.decision = QStringLiteral("fallback");
    first.reason = QStringLiteral("Provider 'openai' answered 503.");
    AttemptRecord second;
    second.model = QStringLiteral("smart");
    second.deployment = QStringLiteral("claude/claude-sonnet-4-5");
    second.provider = QStringLiteral("claude");
    second.upstreamModel = QStringLiteral("claude-sonnet-4-5");
    second.startedAtMs = 210;
    second.latencyMs = 1280;
    second.httpStatus = 200;
    second.decision = QStringLiteral("done");
    record.attempts = {first, second};
    return record;
}

QString attr(const QJsonObject &span, const char *key)
{
    return OtlpReceiver::attribute(span, QString::fromLatin1(key)).toVariant().toString();
}

} // namespace

class TelemetryTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void protobufEncodingReadsBackFieldByField();
    void protobufEncodingIsValidForProtoc();
    void jsonEncodingFollowsTheOtlpMapping();
    void traceparentParsing_data();
    void traceparentParsing();
    void ratioSamplingIsDeterministicPerTrace();
    void requestBecomesServerAndClientSpans();
    void callerTraceContinuesAndUnsampledCallerIsRespected();
    void langfusePresetAddsItsAttributesAndAuth();
    void contentIsCapturedOnlyWhenEnabled();
    void configErrorsSayWhatToFix_data();
    void configErrorsSayWhatToFix();
    void metricsCountRecordsAndPassPromtool();
    void metricLabelsStayBounded();
    void exporterBatchesSpans();
    void exporterRetriesTransientFailuresOnly();
    void exporterDropsWhenTheQueueIsFull();
    void telemetryThreadFeedsMetricsAndExport();
};

void TelemetryTest::protobufEncodingReadsBackFieldByField()
{
    OtlpResource resource;
    resource.attributes = {{QStringLiteral("service.name"), QStringLiteral("sluice")}};
    resource.scopeVersion = QStringLiteral("0.1.0");
    OtlpSpan span;
    span.traceId = QByteArray::fromHex("0af7651916cd43dd8448eb211c80319c");
    span.spanId = QByteArray::fromHex("b7ad6b7169203331");
    span.parentSpanId = QByteArray::fromHex("00f067aa0ba902b7");
    span.name = QStringLiteral("chat fast");
    span.kind = OtlpSpan::Server;
    span.startNs = 1'780'000'000'123'456'789ULL;
    span.endNs = 1'780'000'001'123'456'789ULL;
    span.attributes = {{QStringLiteral("s"), QStringLiteral("täxt")},
                       {QStringLiteral("b"), true},
                       {QStringLiteral("i"), qint64(-5)},
                       {QStringLiteral("big"), qint64(1) << 40},
                       {QStringLiteral("d"), 0.0123},
                       {QStringLiteral("l"), QStringList {QStringLiteral("a"), QStringLiteral("b")}}};
    span.status = OtlpSpan::Error;
    span.statusMessage = QStringLiteral("failed");

    const QJsonObject decoded = OtlpReceiver::decodeProtobuf(OtlpEncoder::protobuf(resource, {span}));
    QVERIFY2(!decoded.contains(QLatin1String("error")), qPrintable(decoded.value(QLatin1String("error")).toString()));
    const QJsonObject resourceSpans = decoded[QLatin1String("resourceSpans")][0].toObject();
    QCOMPARE(resourceSpans[QLatin1String("resource")][QLatin1String("attributes")][0][QLatin1String("key")].toString(),
             QStringLiteral("service.name"));
    const QJsonObject scopeSpans = resourceSpans[QLatin1String("scopeSpans")][0].toObject();
    QCOMPARE(scopeSpans[QLatin1String("scope")][QLatin1String("name")].toString(), QStringLiteral("sluice"));
    QCOMPARE(scopeSpans[QLatin1String("scope")][QLatin1String("version")].toString(), QStringLiteral("0.1.0"));
    const QJsonObject out = scopeSpans[QLatin1String("spans")][0].toObject();
    QCOMPARE(out[QLatin1String("traceId")].toString(), QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
    QCOMPARE(out[QLatin1String("spanId")].toString(), QStringLiteral("b7ad6b7169203331"));
    QCOMPARE(out[QLatin1String("parentSpanId")].toString(), QStringLiteral("00f067aa0ba902b7"));
    QCOMPARE(out[QLatin1String("name")].toString(), QStringLiteral("chat fast"));
    QCOMPARE(out[QLatin1String("kind")].toInt(), 2);
    QCOMPARE(out[QLatin1String("startTimeUnixNano")].toString(), QStringLiteral("1780000000123456789"));
    QCOMPARE(out[QLatin1String("endTimeUnixNano")].toString(), QStringLiteral("1780000001123456789"));
    QCOMPARE(out[QLatin1String("status")][QLatin1String("code")].toInt(), 2);
    QCOMPARE(out[QLatin1String("status")][QLatin1String("message")].toString(), QStringLiteral("failed"));
    QCOMPARE(out[QLatin1String("flags")].toInt(), 0x101);
    QCOMPARE(attr(out, "s"), QStringLiteral("täxt"));
    QCOMPARE(OtlpReceiver::attribute(out, QStringLiteral("b")).toBool(), true);
    QCOMPARE(OtlpReceiver::attribute(out, QStringLiteral("i")).toInteger(), -5);
    QCOMPARE(OtlpReceiver::attribute(out, QStringLiteral("big")).toInteger(), qint64(1) << 40);
    QCOMPARE(OtlpReceiver::attribute(out, QStringLiteral("d")).toDouble(), 0.0123);
    QCOMPARE(OtlpReceiver::attribute(out, QStringLiteral("l")).toArray(),
             QJsonArray({QStringLiteral("a"), QStringLiteral("b")}));
}

void TelemetryTest::protobufEncodingIsValidForProtoc()
{
    const QString protoc = QStandardPaths::findExecutable(QStringLiteral("protoc"));
    QVERIFY2(!protoc.isEmpty(), "protoc (protobuf-compiler) is missing: scripts/install-deps.sh installs it");
    SpanBuilder builder(configFrom(BaseConfig + "telemetry:\n  endpoint: http://127.0.0.1:4318\n"));
    const QByteArray payload = OtlpEncoder::protobuf(builder.resource(), builder.build(fallbackRecord()));
    QProcess process;
    process.start(protoc, {QStringLiteral("--decode_raw")});
    QVERIFY(process.waitForStarted());
    process.write(payload);
    process.closeWriteChannel();
    QVERIFY(process.waitForFinished());
    QCOMPARE(process.exitCode(), 0);
    const QByteArray text = process.readAllStandardOutput();
    // protoc's own reading: the span names and a fixed64 timestamp field (7) where OTLP has them.
    QVERIFY(text.contains("5: \"chat fast\""));
    QVERIFY(text.contains("5: \"chat gpt-4.1-mini\""));
    QVERIFY(text.contains("7: 0x"));
}

void TelemetryTest::jsonEncodingFollowsTheOtlpMapping()
{
    SpanBuilder builder(configFrom(BaseConfig + "telemetry:\n  endpoint: http://127.0.0.1:4318\n"));
    const QJsonObject json
        = QJsonDocument::fromJson(OtlpEncoder::json(builder.resource(), builder.build(fallbackRecord()))).object();
    const QJsonArray spans
        = json[QLatin1String("resourceSpans")][0][QLatin1String("scopeSpans")][0][QLatin1String("spans")].toArray();
    QCOMPARE(spans.size(), 3);
    const QJsonObject server = spans[0].toObject();
    QVERIFY(server[QLatin1String("traceId")].isString());
    QCOMPARE(server[QLatin1String("traceId")].toString().size(), 32);
    QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{16}$"))
                .match(server[QLatin1String("spanId")].toString())
                .hasMatch());
    QVERIFY(server[QLatin1String("kind")].isDouble()); // an integer enum, not "SPAN_KIND_SERVER"
    QVERIFY(server[QLatin1String("startTimeUnixNano")].isString()); // 64-bit integers as decimal strings
    QCOMPARE(server[QLatin1String("startTimeUnixNano")].toString(), QStringLiteral("1796551200250000000"));
    QCOMPARE(server[QLatin1String("endTimeUnixNano")].toString(), QStringLiteral("1796551201750000000"));
    const QJsonArray attributes = server[QLatin1String("attributes")].toArray();
    QVERIFY(!attributes.isEmpty());
    for (const QJsonValue &item : attributes) {
        QVERIFY(item[QLatin1String("key")].isString());
        QVERIFY(item[QLatin1String("value")].isObject());
    }
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("gen_ai.usage.input_tokens")).toInteger(), 1200);
}

void TelemetryTest::traceparentParsing_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("sampled");
    QTest::newRow("sampled") << QByteArray("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") << true << true;
    QTest::newRow("not sampled") << QByteArray("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00") << true
                                 << false;
    QTest::newRow("future version with more")
        << QByteArray("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x") << true << true;
    QTest::newRow("version 00 with more")
        << QByteArray("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x") << false << false;
    QTest::newRow("zero trace") << QByteArray("00-00000000000000000000000000000000-b7ad6b7169203331-01") << false
                                << false;
    QTest::newRow("zero parent") << QByteArray("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01") << false
                                 << false;
    QTest::newRow("uppercase") << QByteArray("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01") << false
                               << false;
    QTest::newRow("version ff") << QByteArray("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") << false
                                << false;
    QTest::newRow("short") << QByteArray("00-0af7651916cd43dd-b7ad6b7169203331-01") << false << false;
    QTest::newRow("empty") << QByteArray() << false << false;
}

void TelemetryTest::traceparentParsing()
{
    QFETCH(QByteArray, header);
    QFETCH(bool, valid);
    QFETCH(bool, sampled);
    const std::optional<TraceContext> context = TraceContext::parse(header);
    QCOMPARE(context.has_value(), valid);
    if (valid) {
        QCOMPARE(context->traceId.toHex(), header.mid(3, 32));
        QCOMPARE(context->parentSpanId.toHex(), header.mid(36, 16));
        QCOMPARE(context->sampled, sampled);
    }
}

void TelemetryTest::ratioSamplingIsDeterministicPerTrace()
{
    int kept = 0;
    for (int i = 0; i < 4000; ++i) {
        const QByteArray id = TraceContext::newTraceId();
        QCOMPARE(id.size(), 16);
        const bool first = TraceContext::sampledByRatio(id, 0.25);
        QCOMPARE(TraceContext::sampledByRatio(id, 0.25), first);
        kept += first ? 1 : 0;
        QVERIFY(TraceContext::sampledByRatio(id, 1.0));
        QVERIFY(!TraceContext::sampledByRatio(id, 0.0));
    }
    QVERIFY2(kept > 800 && kept < 1200, qPrintable(QString::number(kept)));
}

void TelemetryTest::requestBecomesServerAndClientSpans()
{
    SpanBuilder builder(configFrom(BaseConfig
                                   + "telemetry:\n  endpoint: http://127.0.0.1:4318\n"
                                     "  environment: production\n"),
                        QStringLiteral("0.1.0"));
    const OtlpSpans spans = builder.build(fallbackRecord());
    QCOMPARE(spans.size(), 3);
    const QJsonArray json
        = QJsonDocument::fromJson(OtlpEncoder::json(builder.resource(), spans))
              .object()[QLatin1String("resourceSpans")][0][QLatin1String("scopeSpans")][0][QLatin1String("spans")]
              .toArray();
    const QJsonObject server = json[0].toObject();
    QCOMPARE(server[QLatin1String("name")].toString(), QStringLiteral("chat fast"));
    QCOMPARE(server[QLatin1String("kind")].toInt(), 2);
    QVERIFY(!server.contains(QLatin1String("parentSpanId")));
    QCOMPARE(attr(server, "gen_ai.operation.name"), QStringLiteral("chat"));
    QCOMPARE(attr(server, "gen_ai.provider.name"), QStringLiteral("anthropic"));
    QCOMPARE(attr(server, "gen_ai.system"), QStringLiteral("anthropic"));
    QCOMPARE(attr(server, "gen_ai.request.model"), QStringLiteral("fast"));
    QCOMPARE(attr(server, "gen_ai.response.model"), QStringLiteral("claude-sonnet-4-5-20250929"));
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("gen_ai.usage.input_tokens")).toInteger(), 1200);
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("gen_ai.usage.output_tokens")).toInteger(), 300);
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("gen_ai.usage.cache_read.input_tokens")).toInteger(), 1000);
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("gen_ai.usage.reasoning.output_tokens")).toInteger(), 50);
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("gen_ai.response.finish_reasons")).toArray(),
             QJsonArray({QStringLiteral("stop")}));
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("gen_ai.response.time_to_first_chunk")).toDouble(), 0.4);
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("sluice.cost_usd")).toDouble(), 0.0123);
    QCOMPARE(attr(server, "sluice.client"), QStringLiteral("Claude Code"));
    QCOMPARE(attr(server, "sluice.token"), QStringLiteral("editor"));
    QCOMPARE(attr(server, "sluice.prompt.name"), QStringLiteral("review"));
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("sluice.prompt.version")).toInteger(), 3);
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("sluice.tags")).toArray(),
             QJsonArray({QStringLiteral("ci"), QStringLiteral("nightly")}));
    QCOMPARE(attr(server, "server.address"), QStringLiteral("127.0.0.1"));
    QVERIFY(OtlpReceiver::attribute(server, QStringLiteral("error.type")).isUndefined());
    QVERIFY(OtlpReceiver::attribute(server, QStringLiteral("gen_ai.input.messages")).isUndefined());
    QVERIFY(OtlpReceiver::attribute(server, QStringLiteral("langfuse.observation.type")).isUndefined());

    const QJsonObject failed = json[1].toObject();
    QCOMPARE(failed[QLatin1String("kind")].toInt(), 3);
    QCOMPARE(failed[QLatin1String("name")].toString(), QStringLiteral("chat gpt-4.1-mini"));
    QCOMPARE(failed[QLatin1String("traceId")], server[QLatin1String("traceId")]);
    QCOMPARE(failed[QLatin1String("parentSpanId")], server[QLatin1String("spanId")]);
    QCOMPARE(attr(failed, "gen_ai.provider.name"), QStringLiteral("openai"));
    QCOMPARE(attr(failed, "server.address"), QStringLiteral("api.openai.com"));
    QCOMPARE(OtlpReceiver::attribute(failed, QStringLiteral("server.port")).toInteger(), 443);
    QCOMPARE(attr(failed, "error.type"), QStringLiteral("server_error"));
    QCOMPARE(attr(failed, "sluice.attempt.decision"), QStringLiteral("fallback"));
    QCOMPARE(failed[QLatin1String("status")][QLatin1String("code")].toInt(), 2);
    QCOMPARE(failed[QLatin1String("startTimeUnixNano")].toString(), QStringLiteral("1796551200251000000"));
    QCOMPARE(failed[QLatin1String("endTimeUnixNano")].toString(), QStringLiteral("1796551200451000000"));

    const QJsonObject served = json[2].toObject();
    QCOMPARE(attr(served, "server.address"), QStringLiteral("127.0.0.1"));
    QCOMPARE(OtlpReceiver::attribute(served, QStringLiteral("server.port")).toInteger(), 9999);
    QCOMPARE(attr(served, "sluice.attempt.decision"), QStringLiteral("done"));
    QVERIFY(!served[QLatin1String("status")].toObject().contains(QLatin1String("code")));

    const QJsonArray resource
        = QJsonDocument::fromJson(OtlpEncoder::json(builder.resource(), spans))
              .object()[QLatin1String("resourceSpans")][0][QLatin1String("resource")][QLatin1String("attributes")]
              .toArray();
    QCOMPARE(OtlpReceiver::attribute(QJsonObject {{QStringLiteral("attributes"), resource}},
                                     QStringLiteral("deployment.environment.name"))
                 .toString(),
             QStringLiteral("production"));

    RequestRecord error = fallbackRecord();
    error.httpStatus = 502;
    error.errorClass = QString::fromLatin1(ErrorClass::UpstreamError);
    error.errorMessage = QStringLiteral("Every deployment failed.");
    const OtlpSpan failedServer = builder.build(error).first();
    QCOMPARE(failedServer.status, OtlpSpan::Error);
    QCOMPARE(failedServer.statusMessage, error.errorMessage);
}

void TelemetryTest::callerTraceContinuesAndUnsampledCallerIsRespected()
{
    SpanBuilder builder(configFrom(BaseConfig
                                   + "telemetry:\n  endpoint: http://127.0.0.1:4318\n"
                                     "  sample_ratio: 0\n"));
    RequestRecord record = fallbackRecord();
    QVERIFY(builder.build(record).isEmpty()); // a new trace at ratio 0
    record.traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const OtlpSpans spans = builder.build(record);
    QCOMPARE(spans.size(), 3);
    QCOMPARE(spans.first().traceId.toHex(), QByteArray("0af7651916cd43dd8448eb211c80319c"));
    QCOMPARE(spans.first().parentSpanId.toHex(), QByteArray("b7ad6b7169203331"));
    QCOMPARE(spans.first().flags, 0x301u);
    QCOMPARE(spans.at(1).traceId, spans.first().traceId);
    record.traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    SpanBuilder everything(configFrom(BaseConfig + "telemetry:\n  endpoint: http://127.0.0.1:4318\n"));
    QVERIFY(everything.build(record).isEmpty()); // the caller decided not to sample
}

void TelemetryTest::langfusePresetAddsItsAttributesAndAuth()
{
    const Config config = configFrom(BaseConfig
                                     + "telemetry:\n  environment: staging\n  langfuse:\n"
                                       "    host: https://langfuse.example.org/\n    public_key: pk-lf-123\n"
                                       "    secret_key: env:LANGFUSE_SECRET\n");
    QVERIFY(config.telemetry.langfuse);
    QCOMPARE(config.telemetry.endpoint.toString(),
             QStringLiteral("https://langfuse.example.org/api/public/otel/v1/traces"));
    SpanBuilder builder(config);
    const OtlpSpans spans = builder.build(fallbackRecord());
    const QJsonObject server
        = QJsonDocument::fromJson(OtlpEncoder::json(builder.resource(), spans))
              .object()[QLatin1String("resourceSpans")][0][QLatin1String("scopeSpans")][0][QLatin1String("spans")][0]
              .toObject();
    QCOMPARE(attr(server, "langfuse.observation.type"), QStringLiteral("generation"));
    QCOMPARE(attr(server, "langfuse.observation.model.name"), QStringLiteral("claude-sonnet-4-5-20250929"));
    QCOMPARE(attr(server, "langfuse.user.id"), QStringLiteral("editor"));
    QCOMPARE(attr(server, "langfuse.session.id"), QStringLiteral("session-42"));
    QCOMPARE(attr(server, "langfuse.environment"), QStringLiteral("staging"));
    QCOMPARE(attr(server, "langfuse.observation.prompt.name"), QStringLiteral("review"));
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("langfuse.observation.prompt.version")).toInteger(), 3);
    QCOMPARE(OtlpReceiver::attribute(server, QStringLiteral("langfuse.trace.tags")).toArray(),
             QJsonArray({QStringLiteral("ci"), QStringLiteral("nightly")}));
    QCOMPARE(QJsonDocument::fromJson(attr(server, "langfuse.observation.usage_details").toUtf8()).object(),
             QJsonObject({{QStringLiteral("input"), 200},
                          {QStringLiteral("input_cached_tokens"), 1000},
                          {QStringLiteral("output"), 300}}));
    QCOMPARE(QJsonDocument::fromJson(attr(server, "langfuse.observation.cost_details").toUtf8())
                 .object()[QLatin1String("total")]
                 .toDouble(),
             0.0123);

    // The exporter sends Basic auth made of both keys, to the Langfuse path.
    OtlpReceiver receiver;
    QVERIFY(receiver.listen());
    Config local = config;
    local.telemetry.endpoint = receiver.url(QStringLiteral("/api/public/otel/v1/traces"));
    local.telemetry.exportIntervalMs = 20;
    qputenv("LANGFUSE_SECRET", "sk-lf-secret");
    Telemetry telemetry(
        local, [](const SecretRef &ref) { return qEnvironmentVariable(qPrintable(ref.name)); }, QString());
    telemetry.submit(fallbackRecord());
    QVERIFY(receiver.waitForSpans(3));
    const sluice::test::ReceivedRequest &request = receiver.requests().first();
    QCOMPARE(request.path, QByteArray("/api/public/otel/v1/traces"));
    QCOMPARE(request.headers.value("authorization"), "Basic " + QByteArray("pk-lf-123:sk-lf-secret").toBase64());
    QCOMPARE(request.headers.value("content-type"), QByteArray("application/x-protobuf"));
    telemetry.shutdown(1000);
}

void TelemetryTest::contentIsCapturedOnlyWhenEnabled()
{
    RequestRecord record = fallbackRecord();
    record.stream = false;
    record.requestBody = R"({"model":"fast","messages":[{"role":"system","content":"Be brief."},)"
                         R"({"role":"user","content":"Hi there"}]})";
    record.responseBody = R"({"id":"c1","object":"chat.completion","created":1,"model":"x","choices":[{"index":0,)"
                          R"("message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}]})";
    SpanBuilder off(configFrom(BaseConfig + "telemetry:\n  endpoint: http://127.0.0.1:4318\n"));
    const OtlpSpans withoutContent = off.build(record);
    for (const OtlpAttribute &attribute : withoutContent.first().attributes)
        QVERIFY(!attribute.key.startsWith(QLatin1String("gen_ai.input")));
    SpanBuilder on(configFrom(BaseConfig + "telemetry:\n  endpoint: http://127.0.0.1:4318\n  capture_content: true\n"));
    QString input;
    QString output;
    const OtlpSpans withContent = on.build(record);
    for (const OtlpAttribute &attribute : withContent.first().attributes) {
        if (attribute.key == QLatin1String("gen_ai.input.messages"))
            input = std::get<QString>(attribute.value);
        if (attribute.key == QLatin1String("gen_ai.output.messages"))
            output = std::get<QString>(attribute.value);
    }
    const QJsonArray messages = QJsonDocument::fromJson(input.toUtf8()).array();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0][QLatin1String("role")].toString(), QStringLiteral("system"));
    QCOMPARE(messages[1][QLatin1String("parts")][0][QLatin1String("content")].toString(), QStringLiteral("Hi there"));
    const QJsonArray answer = QJsonDocument::fromJson(output.toUtf8()).array();
    QCOMPARE(answer[0][QLatin1String("role")].toString(), QStringLiteral("assistant"));
    QCOMPARE(answer[0][QLatin1String("parts")][0][QLatin1String("content")].toString(), QStringLiteral("Hello!"));
    QCOMPARE(answer[0][QLatin1String("finish_reason")].toString(), QStringLiteral("stop"));
}

void TelemetryTest::configErrorsSayWhatToFix_data()
{
    QTest::addColumn<QByteArray>("section");
    QTest::addColumn<QString>("expected");
    QTest::newRow("literal token") << QByteArray("metrics:\n  enabled: true\n  token: abc123\n")
                                   << QStringLiteral("secrets must not be written in the config file");
    QTest::newRow("enabled not bool") << QByteArray("metrics:\n  enabled: maybe\n")
                                      << QStringLiteral("expected true or false");
    QTest::newRow("no endpoint") << QByteArray("telemetry:\n  sample_ratio: 0.5\n")
                                 << QStringLiteral("says where to export to");
    QTest::newRow("bad endpoint") << QByteArray("telemetry:\n  endpoint: ftp://x\n")
                                  << QStringLiteral("is not an http:// or https:// URL");
    QTest::newRow("credentials in url") << QByteArray("telemetry:\n  endpoint: http://u:p@x:4318\n")
                                        << QStringLiteral("must not contain a user name or password");
    QTest::newRow("literal header") << QByteArray("telemetry:\n  endpoint: http://x:4318\n  headers:\n"
                                                  "    x-api-key: abc\n")
                                    << QStringLiteral("secrets must not be written");
    QTest::newRow("bad encoding") << QByteArray("telemetry:\n  endpoint: http://x:4318\n  encoding: grpc\n")
                                  << QStringLiteral("use protobuf or json");
    QTest::newRow("ratio") << QByteArray("telemetry:\n  endpoint: http://x:4318\n  sample_ratio: 2\n")
                           << QStringLiteral("fraction of the requests from 0 to 1");
    QTest::newRow("langfuse without keys")
        << QByteArray("telemetry:\n  langfuse:\n    host: https://x\n") << QStringLiteral("needs public_key");
    QTest::newRow("literal langfuse secret")
        << QByteArray("telemetry:\n  langfuse:\n    public_key: pk-lf-1\n    secret_key: sk-lf-2\n")
        << QStringLiteral("secrets must not be written");
    QTest::newRow("both") << QByteArray("telemetry:\n  endpoint: http://x:4318\n  langfuse:\n    public_key: pk\n"
                                        "    secret_key: env:S\n")
                          << QStringLiteral("has both endpoint and langfuse");
    QTest::newRow("typo") << QByteArray("telemetry:\n  endpont: http://x:4318\n")
                          << QStringLiteral("did you mean 'endpoint'?");
}

void TelemetryTest::configErrorsSayWhatToFix()
{
    QFETCH(QByteArray, section);
    QFETCH(QString, expected);
    const Result<Config> config = ConfigLoader::loadString(BaseConfig + section, QStringLiteral("test.yaml"));
    QVERIFY(!config);
    QVERIFY2(config.errorMessage().contains(expected), qPrintable(config.errorMessage()));
    QVERIFY(!config.errorMessage().contains(QLatin1String("sk-lf-2")));
    QVERIFY(!config.errorMessage().contains(QLatin1String("abc123")));
}

void TelemetryTest::metricsCountRecordsAndPassPromtool()
{
    const Config config = configFrom(BaseConfig + "metrics:\n  enabled: true\n  tag_labels: [ci]\n");
    QVERIFY(config.metrics.enabled);
    GatewayMetrics metrics(config);
    metrics.setQueueSources([] { return qint64(7); }, [] { return qint64(4096); }, [] { return qint64(3); });
    metrics.observe(fallbackRecord());
    RequestRecord unpriced = fallbackRecord();
    unpriced.costUsd = -1;
    unpriced.costStatus = QString::fromLatin1(CostStatus::Unpriced);
    unpriced.attempts.removeFirst();
    metrics.observe(unpriced);
    RequestRecord refused;
    refused.endpoint = QStringLiteral("/v1/messages");
    refused.requestedModel = QStringLiteral("fast");
    refused.httpStatus = 401;
    refused.errorClass = QString::fromLatin1(ErrorClass::Authentication);
    refused.latencyUs = 80;
    metrics.observe(refused);

    MetricsSnapshot snapshot;
    snapshot.breakers = {{QStringLiteral("openai/gpt-4.1-mini"), QStringLiteral("open"), 5},
                         {QStringLiteral("claude/claude-sonnet-4-5"), QStringLiteral("closed"), 0}};
    snapshot.budgets = {{QStringLiteral("overall"), QString(), QStringLiteral("monthly"), 100, 30, 5}};
    snapshot.requestsInFlight = 2;
    const QByteArray text = metrics.exposition(snapshot);

    QCOMPARE(prometheusSum(text, "sluice_requests_total"), 3.0);
    QCOMPARE(prometheusSum(text, "sluice_requests_total", {"status=\"200\"", "client=\"Claude Code\""}), 2.0);
    QCOMPARE(prometheusSum(text, "sluice_requests_total", {"error_class=\"authentication\""}), 1.0);
    QCOMPARE(prometheusSum(text, "sluice_tokens_total", {"type=\"input\""}), 2400.0);
    QCOMPARE(prometheusSum(text, "sluice_tokens_total", {"type=\"cached\""}), 2000.0);
    QCOMPARE(prometheusSum(text, "sluice_cost_usd_total"), 0.0123);
    QCOMPARE(prometheusSum(text, "sluice_unpriced_requests_total"), 1.0);
    QCOMPARE(prometheusSum(text, "sluice_fallbacks_total"), 1.0);
    QCOMPARE(prometheusSum(text, "sluice_attempts_total", {"decision=\"fallback\""}), 1.0);
    QCOMPARE(prometheusSum(text, "sluice_tag_requests_total", {"tag=\"ci\""}), 2.0);
    QCOMPARE(prometheusSum(text, "sluice_tag_requests_total", {"tag=\"nightly\""}), 0.0); // not listed: never a label
    QVERIFY(!text.contains("nightly"));
    QCOMPARE(prometheusSum(text, "sluice_deployment_breaker_state", {"openai/gpt-4.1-mini", "state=\"open\""}), 1.0);
    QCOMPARE(prometheusSum(text, "sluice_deployment_breaker_state", {"openai/gpt-4.1-mini", "state=\"closed\""}), 0.0);
    QCOMPARE(prometheusSum(text, "sluice_budget_remaining_usd", {"scope=\"overall\""}), 65.0);
    QCOMPARE(prometheusSum(text, "sluice_log_queue_records"), 7.0);
    QCOMPARE(prometheusSum(text, "sluice_telemetry_queue_spans"), 3.0);
    QCOMPARE(prometheusSum(text, "sluice_requests_in_flight"), 2.0);
    // The GenAI metrics: only the two model calls, with the convention's bucket boundaries.
    QCOMPARE(prometheusSum(text, "gen_ai_client_operation_duration_seconds_count"), 2.0);
    QVERIFY(text.contains("gen_ai_client_operation_duration_seconds_bucket{"));
    QVERIFY(text.contains("le=\"81.92\""));
    QVERIFY(text.contains("le=\"67108864\""));
    QCOMPARE(prometheusSum(text, "gen_ai_client_token_usage_sum", {"gen_ai_token_type=\"output\""}), 600.0);
    QCOMPARE(prometheusSum(text, "gen_ai_client_operation_time_to_first_chunk_seconds_count"), 2.0);
    QVERIFY(text.contains("gen_ai_provider_name=\"anthropic\""));
    QVERIFY(!text.contains("0190aaaa")); // request ids never become labels

    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    QVERIFY2(!promtool.isEmpty(),
             "promtool (Debian package prometheus) is missing: scripts/install-deps.sh installs it");
    QProcess check;
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(check.waitForStarted());
    check.write(text);
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished());
    QVERIFY2(check.exitCode() == 0,
             qPrintable(QString::fromUtf8(check.readAllStandardOutput() + check.readAllStandardError())));
}

void TelemetryTest::metricLabelsStayBounded()
{
    GatewayMetrics metrics(configFrom(BaseConfig + "metrics:\n  enabled: true\n"));
    for (int i = 0; i < GatewayMetrics::MaxValuesPerLabel + 50; ++i) {
        RequestRecord record;
        record.endpoint = QStringLiteral("/v1/chat/completions");
        record.requestedModel = QStringLiteral("model-%1").arg(i);
        record.httpStatus = 404;
        record.errorClass = QString::fromLatin1(ErrorClass::NotFound);
        metrics.observe(record);
    }
    const QByteArray text = metrics.exposition({});
    QCOMPARE(prometheusSum(text, "sluice_requests_total"), double(GatewayMetrics::MaxValuesPerLabel + 50));
    QCOMPARE(prometheusSum(text, "sluice_requests_total", {"model=\"other\""}), 50.0);
    QVERIFY(!text.contains("model-120"));
}

void TelemetryTest::exporterBatchesSpans()
{
    OtlpReceiver receiver;
    QVERIFY(receiver.listen());
    Config config = configFrom(BaseConfig
                               + "telemetry:\n  endpoint: http://127.0.0.1:1\n  batch_size: 4\n"
                                 "  export_interval_ms: 60000\n  encoding: json\n");
    config.telemetry.endpoint = receiver.url();
    SpanBuilder builder(config);
    TraceExporter exporter(config.telemetry, builder.resource(), {{"x-test", "yes"}});
    exporter.enqueue(builder.build(fallbackRecord())); // 3 spans: below the batch, nothing sent
    exporter.enqueue(builder.build(fallbackRecord())); // 6: one full batch of 4 goes out
    QVERIFY(receiver.waitForSpans(4));
    QCOMPARE(receiver.requests().size(), 1);
    QCOMPARE(receiver.requests().first().headers.value("x-test"), QByteArray("yes"));
    QCOMPARE(receiver.requests().first().headers.value("content-type"), QByteArray("application/json"));
    QTRY_COMPARE(exporter.queued(), 2); // once the answer is in
    exporter.flush(5000); // the rest, before the interval
    QCOMPARE(receiver.spans().size(), 6);
    QCOMPARE(receiver.requests().size(), 2);
    QCOMPARE(exporter.counters().exported, 6);
    QCOMPARE(exporter.counters().dropped, 0);
}

void TelemetryTest::exporterRetriesTransientFailuresOnly()
{
    OtlpReceiver receiver;
    QVERIFY(receiver.listen());
    Config config = configFrom(BaseConfig + "telemetry:\n  endpoint: http://127.0.0.1:1\n  batch_size: 3\n");
    config.telemetry.endpoint = receiver.url();
    SpanBuilder builder(config);
    TraceExporter exporter(config.telemetry, builder.resource(), {});
    exporter.setBaseBackoffMs(10);
    receiver.enqueueStatus(503);
    receiver.enqueueStatus(429, 1);
    exporter.enqueue(builder.build(fallbackRecord()));
    QVERIFY(receiver.waitForSpans(3, 15000));
    QCOMPARE(receiver.requests().size(), 3); // 503, 429 (Retry-After: 1), then accepted
    QCOMPARE(receiver.requests().at(0).body, receiver.requests().at(2).body); // the same batch, resent
    QVERIFY(receiver.requests().at(2).arrivedMs - receiver.requests().at(1).arrivedMs >= 900);
    QTRY_COMPARE(exporter.counters().exported, 3); // once the answer is read
    QCOMPARE(exporter.counters().failedRequests, 2);

    receiver.enqueueStatus(400); // refused for good: not retried
    exporter.enqueue(builder.build(fallbackRecord()));
    QTRY_COMPARE(receiver.requests().size(), 4);
    QTRY_COMPARE(exporter.counters().dropped, 3);
    QTest::qWait(100);
    QCOMPARE(receiver.requests().size(), 4);

    for (int i = 0; i < TraceExporter::MaxTries; ++i)
        receiver.enqueueStatus(502); // gives up after MaxTries
    exporter.enqueue(builder.build(fallbackRecord()));
    QTRY_COMPARE_WITH_TIMEOUT(exporter.counters().dropped, 6, 15000);
    QCOMPARE(receiver.requests().size(), 4 + TraceExporter::MaxTries);
    QCOMPARE(exporter.counters().exported, 3);
}

void TelemetryTest::exporterDropsWhenTheQueueIsFull()
{
    Config config = configFrom(BaseConfig
                               + "telemetry:\n  endpoint: http://127.0.0.1:1\n  queue_size: 7\n"
                                 "  batch_size: 100\n  export_interval_ms: 60000\n");
    SpanBuilder builder(config);
    TraceExporter exporter(config.telemetry, builder.resource(), {});
    exporter.enqueue(builder.build(fallbackRecord()));
    exporter.enqueue(builder.build(fallbackRecord()));
    exporter.enqueue(builder.build(fallbackRecord())); // 9 > 7: this request's spans are dropped whole
    QCOMPARE(exporter.queued(), 6);
    QCOMPARE(exporter.counters().dropped, 3);
}

void TelemetryTest::telemetryThreadFeedsMetricsAndExport()
{
    OtlpReceiver receiver;
    QVERIFY(receiver.listen());
    Config config = configFrom(BaseConfig
                               + "metrics:\n  enabled: true\ntelemetry:\n  endpoint: http://127.0.0.1:1\n"
                                 "  export_interval_ms: 50\n");
    config.telemetry.endpoint = receiver.url();
    Telemetry telemetry(
        config, [](const SecretRef &) { return QString(); }, QStringLiteral("0.1.0"));
    QVERIFY(telemetry.metrics());
    QVERIFY(telemetry.exportsTraces());
    for (int i = 0; i < 20; ++i)
        telemetry.submit(fallbackRecord());
    QCOMPARE(telemetry.processedCount(), 20);
    QVERIFY(receiver.waitForSpans(60));
    // The receiver answers on this thread: let it, before shutdown() blocks it.
    QTRY_COMPARE(prometheusSum(telemetry.metrics()->exposition({}), "sluice_telemetry_spans_exported_total"), 60.0);
    telemetry.shutdown(2000);
    telemetry.submit(fallbackRecord()); // after shutdown: ignored, no crash
    const QByteArray text = telemetry.metrics()->exposition({});
    QCOMPARE(prometheusSum(text, "sluice_requests_total"), 20.0);
    QCOMPARE(prometheusSum(text, "sluice_telemetry_spans_exported_total"), 60.0);
    QCOMPARE(prometheusSum(text, "sluice_telemetry_spans_dropped_total"), 0.0);
}

QTEST_GUILESS_MAIN(TelemetryTest)
#include "tst_telemetry.moc"
