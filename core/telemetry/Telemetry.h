#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include <QObject>
#include <QThread>

#include "common/RequestRecord.h"
#include "config/Config.h"

namespace sluice {

class GatewayMetrics;
class SpanBuilder;
class TraceExporter;

// Observability export (docs/observability.md): the Prometheus metrics behind GET /metrics and the OTLP trace
// export, fed with every logged request. submit() only copies the record into a queue; the telemetry thread
// takes the queue every DrainIntervalMs, updates the metrics, builds the spans and exports them: nothing of it
// runs on the request path, not even waking that thread.
class Telemetry
{
public:
    static constexpr int DrainIntervalMs = 20;

    // secretOf: the value of a keychain:/env: reference the config names (resolved at start-up).
    Telemetry(const Config &config, const std::function<QString(const SecretRef &)> &secretOf, const QString &version);
    ~Telemetry(); // flushes (see shutdown) if not done yet

    // Null unless metrics.enabled.
    std::shared_ptr<GatewayMetrics> metrics() const { return m_metrics; }
    bool exportsTraces() const { return m_exporter != nullptr; }
    // Thread-safe and cheap: the record (priced) is queued for the telemetry thread.
    void submit(const RequestRecord &record);
    // Waits until every submitted record is counted, then exports the queued spans within timeoutMs and stops
    // the thread. Further submits are ignored.
    void shutdown(int timeoutMs);
    // Records counted and spans queued so far (for tests and the benchmark): blocks until the thread caught up.
    qint64 processedCount();

private:
    void drain();

    std::shared_ptr<GatewayMetrics> m_metrics;
    std::unique_ptr<SpanBuilder> m_spans;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread: queued calls run there
    TraceExporter *m_exporter = nullptr; // lives on m_thread
    bool m_captureContent = false;
    std::mutex m_mutex;
    RequestRecords m_pending;
    qint64 m_processed = 0;
    bool m_stopped = false;
};

} // namespace sluice
