#pragma once

#include <memory>

#include <QObject>

#include "config/Config.h"
#include "config/ConfigWatcher.h"
#include "gateway/GatewaySecrets.h"

namespace sluice {

class GatewayService;
class RequestLogWriter;

// Keeps the running gateway on its config file: a valid change (ConfigWatcher) has its secrets resolved and is
// applied with GatewayService::reconfigure on the gateway's thread, requests in flight untouched; a broken one,
// or one whose keys cannot be read, is reported and the config in force stays.
class ConfigReload : public QObject
{
    Q_OBJECT
public:
    // pricingConfig: the config the record sink prices with (read on the gateway thread, replaced there too).
    ConfigReload(const Config &config, const GatewaySecrets &secrets, GatewayService *service, RequestLogWriter *writer,
                 std::shared_ptr<Config> pricingConfig, QObject *parent = nullptr);

Q_SIGNALS:
    void applied(const QString &message);
    // The config now in force (after applied()).
    void configApplied(const sluice::Config &config);
    void failed(const QString &message);

private:
    void apply(const Config &config);

    ConfigWatcher m_watcher;
    GatewayService *m_service;
    RequestLogWriter *m_writer;
    std::shared_ptr<Config> m_pricingConfig;
    GatewaySecrets m_everySecret; // of every config in force so far: still scrubbed from records finishing late
};

} // namespace sluice
