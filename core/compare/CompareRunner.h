#pragma once

#include <memory>
#include <vector>

#include <QElapsedTimer>
#include <QObject>
#include <QUrl>

#include "compare/CompareRun.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace sluice {

class StreamDecoder;

// Runs one comparison: every model at once, each as a streamed request to a running gateway (so routing, keys,
// budgets, pricing and the log apply as to any client), marked with x-sluice-compare so its rows name the run.
// Columns fill in as their streams arrive; one column's failure stays in that column. Lives on one thread (the
// GUI's or the command line's), never blocks it.
class CompareRunner : public QObject
{
    Q_OBJECT
public:
    explicit CompareRunner(QObject *parent = nullptr);
    ~CompareRunner() override;

    // The gateway's base address, e.g. http://127.0.0.1:8787; a gateway listening on every address (0.0.0.0, ::) is
    // called on the loopback.
    void setGateway(const QUrl &baseUrl);
    QUrl gateway() const { return m_baseUrl; }

    // Starts every column (an error when the request is invalid or a run is going); runId empty: a new one.
    Result<void> start(const CompareRequest &request, const QString &runId = {});
    // Aborts every column's call (the gateway then cancels its upstream call); finished() follows.
    void cancel();
    bool isRunning() const { return m_running; }

    const CompareRunResult &result() const { return m_result; }
    static QString newRunId();

signals:
    void columnUpdated(int column); // text, tool calls, ttft or state changed
    void columnFinished(int column);
    void finished();

private:
    struct Call;
    void onReadyRead(int column);
    void onFinished(int column);
    void apply(int column, const QList<struct CanonicalEvent> &events);
    void fail(int column, const QString &message);
    void finishIfDone();

    QUrl m_baseUrl;
    QNetworkAccessManager *m_network = nullptr;
    CompareRunResult m_result;
    std::vector<std::unique_ptr<Call>> m_calls;
    QElapsedTimer m_clock;
    bool m_running = false;
};

} // namespace sluice
