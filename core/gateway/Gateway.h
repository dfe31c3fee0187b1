#pragma once

#include <functional>

#include <QHash>
#include <QObject>

#include "common/RequestRecord.h"
#include "config/Config.h"
#include "gateway/GatewaySecrets.h"
#include "gateway/HostGuard.h"
#include "gateway/TokenAuthenticator.h"
#include "http/HttpRequestHandler.h"
#include "providers/OpenAiCompatibleProvider.h"

namespace sluice {

class UpstreamClient;
struct OpenAiError;

// The request pipeline behind the HTTP server. Order, for every request:
//   host/origin guard -> pause check -> endpoint -> token -> body validation -> route -> upstream exchange
// and a RequestRecord handed to the record sink once per request (health checks excepted).
class Gateway : public QObject, public HttpRequestHandler
{
    Q_OBJECT
public:
    using RecordSink = std::function<void(RequestRecord &&)>;

    Gateway(const Config &config, const GatewaySecrets &secrets, UpstreamClient *client, QObject *parent = nullptr);
    ~Gateway() override;

    void handle(const HttpRequest &request, HttpResponder *responder) override;

    void setRecordSink(RecordSink sink) { m_sink = std::move(sink); }
    void setPaused(bool paused) { m_paused = paused; }
    bool isPaused() const { return m_paused; }
    int inFlight() const { return m_inFlight; }

private:
    void handleChatCompletions(const HttpRequest &request, HttpResponder *responder, RequestRecord record);
    void handleModels(HttpResponder *responder, RequestRecord record);
    void handleHealth(HttpResponder *responder);
    void respondError(HttpResponder *responder, RequestRecord record, const OpenAiError &error, const char *errorClass);
    RequestRecord newRecord(const HttpRequest &request) const;
    void complete(RequestRecord &&record);

    Config m_config;
    HostGuard m_hostGuard;
    TokenAuthenticator m_tokens;
    QHash<QString, OpenAiCompatibleProvider> m_providers;
    UpstreamClient *m_client;
    RecordSink m_sink;
    bool m_paused = false;
    int m_inFlight = 0;
    qint64 m_arrivedNs = 0; // of the request being handled synchronously (errors and /v1/models answer at once)
};

} // namespace sluice
