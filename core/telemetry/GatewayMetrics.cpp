#include "GatewayMetrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "telemetry/GenAiConventions.h"

namespace sluice {

namespace {
using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Histogram;
using prometheus::Labels;

// The GenAI semantic conventions' explicit bucket boundaries: seconds for durations, tokens for usage.
const Histogram::BucketBoundaries DurationBuckets
    = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
const Histogram::BucketBoundaries TokenBuckets
    = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};

std::string utf8(const QString &text)
{
    return text.toStdString();
}

template<typename Builder>
auto &registered(Builder builder, prometheus::Registry &registry, const char *name, const char *help)
{
    return builder.Name(name).Help(help).Register(registry);
}
} // namespace

struct GatewayMetrics::Families
{
    explicit Families(prometheus::Registry &r)
        : requests(
            registered(prometheus::BuildCounter(), r, "sluice_requests_total",
                       "Requests logged, by client-facing model, provider, client, HTTP status and error class."))
        , tokens(registered(prometheus::BuildCounter(), r, "sluice_tokens_total",
                            "Tokens the providers reported, by type (input includes cached and cache_write)."))
        , cost(registered(prometheus::BuildCounter(), r, "sluice_cost_usd_total",
                          "Cost in USD of priced requests (unpriced ones are in sluice_unpriced_requests_total)."))
        , unpriced(registered(prometheus::BuildCounter(), r, "sluice_unpriced_requests_total",
                              "Requests whose model has no known price: never counted as $0."))
        , attempts(registered(prometheus::BuildCounter(), r, "sluice_attempts_total",
                              "Upstream attempts, by deployment and the router's decision after each."))
        , retries(registered(prometheus::BuildCounter(), r, "sluice_retries_total",
                             "Attempts that were retried on the same deployment."))
        , fallbacks(registered(prometheus::BuildCounter(), r, "sluice_fallbacks_total",
                               "Requests answered by another deployment or fallback model than the first tried."))
        , cacheHits(registered(prometheus::BuildCounter(), r, "sluice_cache_hits_total",
                               "Requests answered from Sluice's response cache."))
        , cacheSaved(registered(prometheus::BuildCounter(), r, "sluice_cache_saved_usd_total",
                                "USD the response cache saved (the cached answers' cost at today's price)."))
        , tagRequests(registered(prometheus::BuildCounter(), r, "sluice_tag_requests_total",
                                 "Requests carrying a tag listed in metrics.tag_labels."))
        , tagCost(registered(prometheus::BuildCounter(), r, "sluice_tag_cost_usd_total",
                             "Cost in USD of priced requests carrying a tag listed in metrics.tag_labels."))
        , duration(registered(prometheus::BuildHistogram(), r, "sluice_request_duration_seconds",
                              "Time from a request's arrival to its last byte sent."))
        , firstToken(registered(prometheus::BuildHistogram(), r, "sluice_time_to_first_token_seconds",
                                "Streams: time from a request's arrival to its first content sent."))
        , genAiDuration(registered(prometheus::BuildHistogram(), r, "gen_ai_client_operation_duration_seconds",
                                   "GenAI operation duration (OpenTelemetry gen_ai.client.operation.duration)."))
        , genAiTokens(registered(prometheus::BuildHistogram(), r, "gen_ai_client_token_usage",
                                 "Tokens used per operation (OpenTelemetry gen_ai.client.token.usage)."))
        , genAiFirstChunk(registered(prometheus::BuildHistogram(), r,
                                     "gen_ai_client_operation_time_to_first_chunk_seconds",
                                     "Time to the first streamed chunk (OpenTelemetry "
                                     "gen_ai.client.operation.time_to_first_chunk)."))
        , breakerState(registered(prometheus::BuildGauge(), r, "sluice_deployment_breaker_state",
                                  "Circuit breaker state per deployment: 1 for the current state, 0 for the others."))
        , breakerFailures(registered(prometheus::BuildGauge(), r, "sluice_deployment_recent_failures",
                                     "Failures within the breaker's window, per deployment."))
        , budgetLimit(registered(prometheus::BuildGauge(), r, "sluice_budget_limit_usd",
                                 "Each spend budget's hard limit in USD for its current period."))
        , budgetSpent(registered(prometheus::BuildGauge(), r, "sluice_budget_spent_usd",
                                 "Spend booked against each budget in its current period."))
        , budgetRemaining(registered(prometheus::BuildGauge(), r, "sluice_budget_remaining_usd",
                                     "Limit minus spend and reservations of requests in flight, per budget."))
        , inFlight(registered(prometheus::BuildGauge(), r, "sluice_requests_in_flight", "Requests being handled."))
        , logQueue(registered(prometheus::BuildGauge(), r, "sluice_log_queue_records",
                              "Requests waiting to be written to the request log."))
        , logQueueBytes(registered(prometheus::BuildGauge(), r, "sluice_log_queue_body_bytes",
                                   "Bytes of bodies waiting to be written to the request log."))
        , spanQueue(
              registered(prometheus::BuildGauge(), r, "sluice_telemetry_queue_spans", "Spans waiting for OTLP export."))
        , spansExported(registered(prometheus::BuildCounter(), r, "sluice_telemetry_spans_exported_total",
                                   "Spans the OTLP receiver accepted."))
        , spansDropped(registered(prometheus::BuildCounter(), r, "sluice_telemetry_spans_dropped_total",
                                  "Spans dropped: the export queue was full or the receiver refused them."))
        , exportFailures(registered(prometheus::BuildCounter(), r, "sluice_telemetry_export_failures_total",
                                    "OTLP export requests that failed (each retry counts)."))
    { }

    prometheus::Family<Counter> &requests, &tokens, &cost, &unpriced, &attempts, &retries, &fallbacks, &cacheHits,
        &cacheSaved, &tagRequests, &tagCost;
    prometheus::Family<Histogram> &duration, &firstToken, &genAiDuration, &genAiTokens, &genAiFirstChunk;
    prometheus::Family<Gauge> &breakerState, &breakerFailures, &budgetLimit, &budgetSpent, &budgetRemaining, &inFlight,
        &logQueue, &logQueueBytes, &spanQueue;
    prometheus::Family<Counter> &spansExported, &spansDropped, &exportFailures;
};

GatewayMetrics::GatewayMetrics(const Config &config)
    : m_registry(std::make_shared<prometheus::Registry>())
    , m_families(std::make_unique<Families>(*m_registry))
{
    for (const ProviderConfig &provider : config.providers)
        m_providerTypes.insert(provider.name, provider.type);
    for (const QString &tag : config.metrics.tagLabels)
        m_tagLabels.insert(tag);
    // Series that exist from the start, so a rate() over them works before the first event.
    m_families->spansExported.Add({});
    m_families->spansDropped.Add({});
    m_families->exportFailures.Add({});
}

GatewayMetrics::~GatewayMetrics() = default;

std::string GatewayMetrics::bounded(const QString &label, const QString &value)
{
    std::lock_guard lock(m_boundMutex);
    QSet<QString> &seen = m_seenValues[label];
    if (seen.contains(value))
        return utf8(value);
    if (seen.size() >= MaxValuesPerLabel)
        return "other";
    seen.insert(value);
    return utf8(value);
}

void GatewayMetrics::observe(const RequestRecord &record)
{
    Families &f = *m_families;
    const std::string model = bounded(QStringLiteral("model"), record.requestedModel);
    const std::string provider = bounded(QStringLiteral("provider"), record.provider);
    const std::string client = bounded(QStringLiteral("client"), record.client);
    f.requests
        .Add({{"model", model},
              {"provider", provider},
              {"client", client},
              {"status", std::to_string(record.httpStatus)},
              {"error_class", utf8(record.errorClass)}})
        .Increment();

    const std::pair<const char *, qint64> tokenCounts[] = {{"input", record.inputTokens},
                                                           {"output", record.outputTokens},
                                                           {"cached", record.cachedTokens},
                                                           {"reasoning", record.reasoningTokens},
                                                           {"cache_write", record.cacheWriteTokens}};
    for (const auto &[type, count] : tokenCounts) {
        if (count > 0)
            f.tokens.Add({{"model", model}, {"provider", provider}, {"type", type}}).Increment(double(count));
    }
    if (record.costStatus == QLatin1String(CostStatus::Unpriced))
        f.unpriced.Add({{"model", model}, {"provider", provider}}).Increment();
    else if (record.costUsd > 0)
        f.cost.Add({{"model", model}, {"provider", provider}, {"client", client}}).Increment(record.costUsd);
    if (record.cacheHit) {
        f.cacheHits.Add({{"model", model}}).Increment();
        if (record.savedUsd > 0)
            f.cacheSaved.Add({{"model", model}}).Increment(record.savedUsd);
    }
    for (const QString &tag : record.tags) {
        if (!m_tagLabels.contains(tag))
            continue;
        f.tagRequests.Add({{"tag", utf8(tag)}}).Increment();
        if (record.costUsd > 0 && record.costStatus != QLatin1String(CostStatus::Unpriced))
            f.tagCost.Add({{"tag", utf8(tag)}}).Increment(record.costUsd);
    }

    // The deployment tried first and the one that answered (the writer fills record.deployment later).
    QString firstSent;
    QString lastSent;
    for (const AttemptRecord &attempt : record.attempts) {
        const std::string deployment = bounded(QStringLiteral("deployment"), attempt.deployment);
        f.attempts
            .Add({{"provider", bounded(QStringLiteral("provider"), attempt.provider)},
                  {"deployment", deployment},
                  {"decision", utf8(attempt.decision)}})
            .Increment();
        if (attempt.decision == QLatin1String("retry"))
            f.retries.Add({{"model", model}}).Increment();
        if (attempt.decision == QLatin1String("skipped"))
            continue;
        if (firstSent.isEmpty())
            firstSent = attempt.deployment;
        lastSent = attempt.deployment;
    }
    if (record.errorClass.isEmpty() && firstSent != lastSent)
        f.fallbacks.Add({{"model", model}}).Increment();

    const double seconds = double(record.latencyUs) / 1e6;
    f.duration.Add({{"model", model}, {"provider", provider}}, DurationBuckets).Observe(seconds);
    if (record.timeToFirstTokenUs >= 0)
        f.firstToken.Add({{"model", model}, {"provider", provider}}, DurationBuckets)
            .Observe(double(record.timeToFirstTokenUs) / 1e6);

    // The GenAI client metrics, for operations that call a model.
    const QString operation = GenAiConventions::operationName(record.endpoint);
    if (!GenAiConventions::callsModel(operation) || record.provider.isEmpty())
        return;
    const QString served = record.servedModel.isEmpty() ? record.upstreamModel : record.servedModel;
    const Labels common {
        {"gen_ai_operation_name", utf8(operation)},
        {"gen_ai_provider_name", utf8(GenAiConventions::providerName(m_providerTypes.value(record.provider)))},
        {"gen_ai_request_model", model},
        {"gen_ai_response_model", bounded(QStringLiteral("response_model"), served)}};
    Labels withError = common;
    if (!record.errorClass.isEmpty())
        withError.emplace("error_type", utf8(record.errorClass));
    f.genAiDuration.Add(withError, DurationBuckets).Observe(seconds);
    if (record.timeToFirstTokenUs >= 0)
        f.genAiFirstChunk.Add(common, DurationBuckets).Observe(double(record.timeToFirstTokenUs) / 1e6);
    for (const auto &[type, count] : {std::pair {"input", record.inputTokens}, {"output", record.outputTokens}}) {
        if (count < 0)
            continue;
        Labels labels = common;
        labels.emplace("gen_ai_token_type", type);
        f.genAiTokens.Add(labels, TokenBuckets).Observe(double(count));
    }
}

void GatewayMetrics::spansExported(qint64 count)
{
    m_families->spansExported.Add({}).Increment(double(count));
}

void GatewayMetrics::spansDropped(qint64 count)
{
    m_families->spansDropped.Add({}).Increment(double(count));
}

void GatewayMetrics::exportFailed()
{
    m_families->exportFailures.Add({}).Increment();
}

void GatewayMetrics::setQueueSources(std::function<qint64()> logRecords, std::function<qint64()> logBodyBytes,
                                     std::function<qint64()> spanQueue)
{
    std::lock_guard lock(m_sourceMutex);
    m_logRecords = std::move(logRecords);
    m_logBodyBytes = std::move(logBodyBytes);
    m_spanQueue = std::move(spanQueue);
}

QByteArray GatewayMetrics::exposition(const MetricsSnapshot &snapshot)
{
    Families &f = *m_families;
    for (const MetricsSnapshot::Breaker &breaker : snapshot.breakers) {
        const std::string deployment = bounded(QStringLiteral("deployment"), breaker.deployment);
        for (const char *state : {"closed", "open", "half_open"})
            f.breakerState.Add({{"deployment", deployment}, {"state", state}})
                .Set(breaker.state == QLatin1String(state) ? 1 : 0);
        f.breakerFailures.Add({{"deployment", deployment}}).Set(breaker.recentFailures);
    }
    for (const MetricsSnapshot::Budget &budget : snapshot.budgets) {
        const Labels labels {
            {"scope", utf8(budget.scope)}, {"name", utf8(budget.name)}, {"period", utf8(budget.period)}};
        f.budgetLimit.Add(labels).Set(budget.limitUsd);
        f.budgetSpent.Add(labels).Set(budget.spentUsd);
        f.budgetRemaining.Add(labels).Set(qMax(0.0, budget.limitUsd - budget.spentUsd - budget.reservedUsd));
    }
    f.inFlight.Add({}).Set(snapshot.requestsInFlight);
    {
        std::lock_guard lock(m_sourceMutex);
        f.logQueue.Add({}).Set(m_logRecords ? double(m_logRecords()) : 0);
        f.logQueueBytes.Add({}).Set(m_logBodyBytes ? double(m_logBodyBytes()) : 0);
        f.spanQueue.Add({}).Set(m_spanQueue ? double(m_spanQueue()) : 0);
    }
    const std::string text = prometheus::TextSerializer().Serialize(m_registry->Collect());
    return QByteArray::fromStdString(text);
}

} // namespace sluice
