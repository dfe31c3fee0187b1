#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include "common/RequestRecord.h"
#include "config/Config.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template<typename T>
class Family;
} // namespace prometheus

namespace sluice {

// What a scrape reads from the running gateway at that moment (filled on the gateway thread).
struct MetricsSnapshot
{
    struct Breaker
    {
        QString deployment;
        QString state; // "closed", "open", "half_open"
        int recentFailures = 0;
    };
    struct Budget
    {
        QString scope; // "overall", "token", "provider", "model"
        QString name;
        QString period; // "daily", "weekly", "monthly"
        double limitUsd = 0;
        double spentUsd = 0;
        double reservedUsd = 0;
    };
    QList<Breaker> breakers;
    QList<Budget> budgets;
    int requestsInFlight = 0;
};

// The Prometheus metrics of GET /metrics (docs/observability.md), kept with prometheus-cpp's core: Sluice's own
// (sluice_*) and the OpenTelemetry GenAI client metrics under their Prometheus names and bucket boundaries
// (gen_ai_client_operation_duration_seconds, gen_ai_client_token_usage,
// gen_ai_client_operation_time_to_first_chunk_seconds). Label values are bounded: at most MaxValuesPerLabel
// distinct models, clients, providers or deployments get series; the rest are counted as "other". Request ids and
// free tags never become labels (only the tags listed in metrics.tag_labels). Thread-safe.
class GatewayMetrics
{
public:
    static constexpr int MaxValuesPerLabel = 100;

    explicit GatewayMetrics(const Config &config);
    ~GatewayMetrics();

    // One logged request (priced): counted once.
    void observe(const RequestRecord &record);
    // The trace exporter's bookkeeping.
    void spansExported(qint64 count);
    void spansDropped(qint64 count);
    void exportFailed();
    // Read at every scrape (any thread may call them): the log writer's and the trace exporter's queues.
    void setQueueSources(std::function<qint64()> logRecords, std::function<qint64()> logBodyBytes,
                         std::function<qint64()> spanQueue);

    // The whole exposition in text format 0.0.4, the snapshot's gauges included.
    QByteArray exposition(const MetricsSnapshot &snapshot);
    static QByteArray contentType() { return QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"); }

private:
    struct Families;
    // value, or "other" once MaxValuesPerLabel distinct values of that label have series.
    std::string bounded(const QString &label, const QString &value);

    std::shared_ptr<prometheus::Registry> m_registry;
    std::unique_ptr<Families> m_families;
    QHash<QString, QString> m_providerTypes; // provider name -> type
    QSet<QString> m_tagLabels;
    std::mutex m_boundMutex;
    QHash<QString, QSet<QString>> m_seenValues; // label -> values with series
    std::mutex m_sourceMutex;
    std::function<qint64()> m_logRecords;
    std::function<qint64()> m_logBodyBytes;
    std::function<qint64()> m_spanQueue;
};

} // namespace sluice
