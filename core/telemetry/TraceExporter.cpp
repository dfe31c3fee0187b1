#include "TraceExporter.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>

#include "telemetry/OtlpEncoder.h"

namespace sluice {

namespace {
Q_LOGGING_CATEGORY(lcTelemetry, "sluice.telemetry")

bool retryable(int status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}
} // namespace

TraceExporter::TraceExporter(const TelemetrySettings &settings, const OtlpResource &resource,
                             QList<QPair<QByteArray, QByteArray>> headers, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_resource(resource)
    , m_headers(std::move(headers))
    , m_network(new QNetworkAccessManager(this))
    , m_interval(this)
    , m_backoff(this)
{
    m_network->setAutoDeleteReplies(true);
    connect(m_network, &QNetworkAccessManager::finished, this, &TraceExporter::finished);
    m_interval.setInterval(settings.exportIntervalMs);
    connect(&m_interval, &QTimer::timeout, this, &TraceExporter::sendNext);
    m_backoff.setSingleShot(true);
    connect(&m_backoff, &QTimer::timeout, this, [this] {
        m_sending = false;
        sendNext();
    });
}

TraceExporter::~TraceExporter() = default;

void TraceExporter::count(qint64 exported, qint64 dropped, bool failed)
{
    m_counters.exported += exported;
    m_counters.dropped += dropped;
    m_counters.failedRequests += failed ? 1 : 0;
    if (m_counterSink)
        m_counterSink(exported, dropped, failed);
}

void TraceExporter::enqueue(const OtlpSpans &spans)
{
    if (spans.isEmpty())
        return;
    if (!m_interval.isActive())
        m_interval.start(); // here, not in the constructor: on the thread the exporter was moved to
    if (m_queue.size() + spans.size() > m_settings.queueSize) {
        // A request's spans are kept or dropped together, so a trace is never half there.
        count(0, spans.size(), false);
        return;
    }
    m_queue.append(spans);
    if (m_queue.size() >= m_settings.batchSize)
        sendNext();
}

void TraceExporter::sendNext()
{
    if (m_sending)
        return;
    if (m_inFlight.isEmpty()) {
        if (m_queue.isEmpty())
            return;
        const qsizetype size = qMin<qsizetype>(m_settings.batchSize, m_queue.size());
        m_inFlight = m_queue.first(size);
        m_queue.remove(0, size);
        const bool json = m_settings.encoding == TelemetrySettings::Encoding::Json;
        m_payload = json ? OtlpEncoder::json(m_resource, m_inFlight) : OtlpEncoder::protobuf(m_resource, m_inFlight);
        m_tries = 0;
    }
    QNetworkRequest request(m_settings.endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      m_settings.encoding == TelemetrySettings::Encoding::Json
                          ? QByteArrayLiteral("application/json")
                          : QByteArrayLiteral("application/x-protobuf"));
    for (const auto &[name, value] : std::as_const(m_headers))
        request.setRawHeader(name, value);
    request.setTransferTimeout(m_settings.timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    m_sending = true;
    ++m_tries;
    m_network->post(request, m_payload);
}

void TraceExporter::finished(QNetworkReply *reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300) {
        if (m_warned)
            qCInfo(lcTelemetry).noquote() << QStringLiteral("Trace export to %1 works again.")
                                                 .arg(m_settings.endpoint.toDisplayString(QUrl::RemovePath));
        m_warned = false;
        count(m_inFlight.size(), 0, false);
        m_inFlight.clear();
        m_payload.clear();
        m_sending = false;
        if (m_queue.size() >= m_settings.batchSize)
            sendNext();
        return;
    }
    if (status == 0) {
        retryOrDrop(QStringLiteral("could not reach it (%1)").arg(reply->errorString()), 0);
        return;
    }
    if (retryable(status)) {
        bool ok = false;
        const int retryAfter = reply->rawHeader(QByteArrayLiteral("Retry-After")).trimmed().toInt(&ok);
        retryOrDrop(QStringLiteral("it answered HTTP %1").arg(status), ok ? qBound(0, retryAfter, 60) : 0);
        return;
    }
    // Refused for good (bad auth, bad payload, wrong URL): retrying would only repeat it.
    if (!m_warned)
        qCWarning(lcTelemetry).noquote()
            << QStringLiteral("Trace export to %1 was refused with HTTP %2; %3 spans were dropped. Check "
                              "telemetry.endpoint and its headers (docs/observability.md).")
                   .arg(m_settings.endpoint.toDisplayString(QUrl::RemoveUserInfo))
                   .arg(status)
                   .arg(m_inFlight.size());
    m_warned = true;
    count(0, m_inFlight.size(), true);
    m_inFlight.clear();
    m_payload.clear();
    m_sending = false;
}

void TraceExporter::retryOrDrop(const QString &why, int retryAfterS)
{
    if (m_tries >= MaxTries) {
        if (!m_warned)
            qCWarning(lcTelemetry).noquote() << QStringLiteral("Trace export to %1 failed %2 times (%3); %4 spans were "
                                                               "dropped.")
                                                    .arg(m_settings.endpoint.toDisplayString(QUrl::RemoveUserInfo))
                                                    .arg(m_tries)
                                                    .arg(why)
                                                    .arg(m_inFlight.size());
        m_warned = true;
        count(0, m_inFlight.size(), true);
        m_inFlight.clear();
        m_payload.clear();
        m_sending = false;
        return;
    }
    count(0, 0, true);
    // Exponential backoff with jitter: base, 2x, 4x, ... (full jitter on the upper half).
    const int ceiling = m_baseBackoffMs << (m_tries - 1);
    int waitMs = ceiling / 2 + int(QRandomGenerator::global()->bounded(quint32(ceiling / 2 + 1)));
    if (retryAfterS > 0)
        waitMs = qMax(waitMs, retryAfterS * 1000);
    m_backoff.start(waitMs); // m_sending stays true until then: nothing else goes out meanwhile
}

void TraceExporter::flush(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QEventLoop loop;
    QTimer tick;
    tick.setInterval(5);
    connect(&tick, &QTimer::timeout, &loop, [&] {
        if (m_queue.isEmpty() && m_inFlight.isEmpty())
            loop.quit();
        else if (deadline.hasExpired())
            loop.quit();
        else if (!m_sending)
            sendNext();
        else if (m_backoff.isActive() && m_backoff.remainingTime() > int(deadline.remainingTime()))
            loop.quit(); // the retry would come too late
    });
    tick.start();
    sendNext();
    if (!m_queue.isEmpty() || !m_inFlight.isEmpty())
        loop.exec();
    const qsizetype left = m_queue.size() + m_inFlight.size();
    if (left > 0) {
        qCWarning(lcTelemetry).noquote() << QStringLiteral("Stopping with %1 spans not exported to %2.")
                                                .arg(left)
                                                .arg(m_settings.endpoint.toDisplayString(QUrl::RemoveUserInfo));
        count(0, left, false);
        m_queue.clear();
        m_inFlight.clear();
    }
}

} // namespace sluice
