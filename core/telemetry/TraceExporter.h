#pragma once

#include <functional>
#include <memory>

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include "config/Config.h"
#include "telemetry/OtlpSpan.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace sluice {

// Batched OTLP/HTTP export of spans, on the thread it lives on (never the gateway's). Spans wait in a bounded
// queue: past telemetry.queue_size new ones are dropped and counted, never blocking anyone. A batch goes out when
// it is full or after export_interval_ms, one request at a time. 429, 502, 503, 504 and connection failures are
// retried with exponential backoff (Retry-After honoured up to a minute), at most MaxTries times; any other
// refusal drops the batch with one warning naming the status. flush() sends what is queued before shutdown.
class TraceExporter : public QObject
{
    Q_OBJECT
public:
    static constexpr int MaxTries = 5;

    struct Counters
    {
        qint64 exported = 0;
        qint64 dropped = 0;
        qint64 failedRequests = 0;
    };

    // headers: name -> value, secrets already resolved (never logged).
    TraceExporter(const TelemetrySettings &settings, const OtlpResource &resource,
                  QList<QPair<QByteArray, QByteArray>> headers, QObject *parent = nullptr);
    ~TraceExporter() override;

    void enqueue(const OtlpSpans &spans);
    qsizetype queued() const { return m_queue.size() + m_inFlight.size(); }
    const Counters &counters() const { return m_counters; }
    // Called with each change: exported spans, dropped spans, a failed request.
    void setCounterSink(std::function<void(qint64 exported, qint64 dropped, bool failed)> sink)
    {
        m_counterSink = std::move(sink);
    }
    // Exports everything queued (and what is being retried) within timeoutMs, running this thread's event loop.
    void flush(int timeoutMs);
    // First backoff before a retry; tests shorten it.
    void setBaseBackoffMs(int ms) { m_baseBackoffMs = ms; }

private:
    void sendNext();
    void finished(QNetworkReply *reply);
    void retryOrDrop(const QString &why, int retryAfterS);
    void count(qint64 exported, qint64 dropped, bool failed);

    TelemetrySettings m_settings;
    OtlpResource m_resource;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QNetworkAccessManager *m_network;
    QTimer m_interval; // children of this exporter (so they follow it to its thread)
    QTimer m_backoff;
    OtlpSpans m_queue;
    OtlpSpans m_inFlight; // the batch being sent or waiting for its retry
    QByteArray m_payload;
    int m_tries = 0;
    bool m_sending = false;
    int m_baseBackoffMs = 1000;
    bool m_warned = false; // one warning per failure streak
    Counters m_counters;
    std::function<void(qint64, qint64, bool)> m_counterSink;
};

} // namespace sluice
