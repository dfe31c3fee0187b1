#include "Telemetry.h"

#include <QTimer>

#include "telemetry/GatewayMetrics.h"
#include "telemetry/SpanBuilder.h"
#include "telemetry/TraceExporter.h"

namespace sluice {

namespace {
QList<QPair<QByteArray, QByteArray>> exportHeaders(const TelemetrySettings &settings,
                                                   const std::function<QString(const SecretRef &)> &secretOf)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    for (const auto &[name, ref] : settings.headers)
        headers.append({name.toLatin1(), secretOf(ref).toUtf8()});
    if (settings.langfuse) {
        const QString publicKey = settings.langfusePublicKeyRef.isNull() ? settings.langfusePublicKey
                                                                         : secretOf(settings.langfusePublicKeyRef);
        const QByteArray credentials = (publicKey + QLatin1Char(':') + secretOf(settings.langfuseSecretKey)).toUtf8();
        headers.append({QByteArrayLiteral("Authorization"), QByteArrayLiteral("Basic ") + credentials.toBase64()});
    }
    return headers;
}
} // namespace

Telemetry::Telemetry(const Config &config, const std::function<QString(const SecretRef &)> &secretOf,
                     const QString &version)
    : m_captureContent(config.telemetry.captureContent)
{
    if (config.metrics.enabled)
        m_metrics = std::make_shared<GatewayMetrics>(config);
    if (!m_metrics && !config.telemetry.enabled())
        return; // nothing to feed: no thread
    m_thread.setObjectName(QStringLiteral("telemetry"));
    m_context = new QObject;
    // The thread takes what was submitted every DrainIntervalMs: a request never pays for waking it.
    auto *drainTimer = new QTimer(m_context);
    drainTimer->setInterval(DrainIntervalMs);
    QObject::connect(drainTimer, &QTimer::timeout, m_context, [this] { drain(); });
    m_context->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::started, drainTimer, qOverload<>(&QTimer::start));
    QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    if (config.telemetry.enabled()) {
        m_spans = std::make_unique<SpanBuilder>(config, version);
        m_exporter
            = new TraceExporter(config.telemetry, m_spans->resource(), exportHeaders(config.telemetry, secretOf));
        m_exporter->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_exporter, &QObject::deleteLater);
        if (m_metrics) {
            m_exporter->setCounterSink([metrics = m_metrics](qint64 exported, qint64 dropped, bool failed) {
                if (exported > 0)
                    metrics->spansExported(exported);
                if (dropped > 0)
                    metrics->spansDropped(dropped);
                if (failed)
                    metrics->exportFailed();
            });
        }
    }
    m_thread.start();
}

Telemetry::~Telemetry()
{
    shutdown(2000);
}

void Telemetry::submit(const RequestRecord &record)
{
    if (!m_metrics && !m_exporter)
        return;
    std::lock_guard lock(m_mutex);
    if (m_stopped)
        return;
    m_pending.append(record);
    if (!m_captureContent) {
        // Bodies are shared, not copied, but need not be kept alive for the telemetry thread.
        m_pending.last().requestBody.clear();
        m_pending.last().responseBody.clear();
    }
}

void Telemetry::drain()
{
    RequestRecords records;
    {
        std::lock_guard lock(m_mutex);
        records.swap(m_pending);
    }
    for (const RequestRecord &record : std::as_const(records)) {
        if (m_metrics)
            m_metrics->observe(record);
        if (m_exporter)
            m_exporter->enqueue(m_spans->build(record));
    }
    std::lock_guard lock(m_mutex);
    m_processed += records.size();
}

qint64 Telemetry::processedCount()
{
    if (m_thread.isRunning())
        QMetaObject::invokeMethod(
            m_context, [this] { drain(); }, Qt::BlockingQueuedConnection);
    std::lock_guard lock(m_mutex);
    return m_processed;
}

void Telemetry::shutdown(int timeoutMs)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped)
            return;
        m_stopped = true;
    }
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_context,
        [this, timeoutMs] {
            drain();
            if (m_exporter)
                m_exporter->flush(timeoutMs);
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace sluice
