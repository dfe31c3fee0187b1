#pragma once

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QQueue>
#include <QUrl>

#include "ReceivedRequest.h"

class QTcpServer;

namespace sluice::test {

// A local OTLP/HTTP trace receiver (also shaped as Langfuse's /api/public/otel/v1/traces when asked): keeps
// every export request and answers 200, or the statuses queued with enqueueStatus() first. spans() decodes what
// arrived, protobuf (with ProtobufReader, independent of Sluice's encoder) or JSON, into OTLP's JSON mapping, so
// tests check one shape whatever the encoding.
class OtlpReceiver : public QObject
{
    Q_OBJECT
public:
    explicit OtlpReceiver(QObject *parent = nullptr);
    ~OtlpReceiver() override;

    // Listens on 127.0.0.1, a free port.
    bool listen();
    QUrl url(const QString &path = QStringLiteral("/v1/traces")) const;
    // The next export requests get these statuses (with Retry-After when retryAfterS > 0), in order.
    void enqueueStatus(int status, int retryAfterS = 0);

    const QList<ReceivedRequest> &requests() const { return m_requests; }
    // Every span received in an accepted (2xx) request, in OTLP JSON form ("traceId" hex, "kind" integer,
    // "attributes" as key/value lists), each with "resource" (its resource's attributes) added.
    QJsonArray spans() const;
    // Waits (running the event loop) until at least count spans were accepted, or timeoutMs passed.
    bool waitForSpans(int count, int timeoutMs = 10000);

    // One attribute's value from an OTLP attribute list: a string, bool, integer (from intValue), double, or a
    // list of strings; an undefined QJsonValue when absent.
    static QJsonValue attribute(const QJsonObject &span, const QString &key);
    // A protobuf ExportTraceServiceRequest in OTLP's JSON mapping.
    static QJsonObject decodeProtobuf(const QByteArray &body);

private:
    QTcpServer *m_server;
    QElapsedTimer m_clock;
    QQueue<QPair<int, int>> m_statuses;
    QList<ReceivedRequest> m_requests;
    QList<int> m_answered; // status given to each request
    int m_nextId = 1;
};

} // namespace sluice::test
