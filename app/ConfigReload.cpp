#include "ConfigReload.h"

#include <QDir>
#include <QFile>
#include <QPointer>

#include "gateway/GatewayService.h"
#include "secrets/SecretStore.h"
#include "store/RequestLogWriter.h"

namespace sluice {

namespace {

QByteArray fileText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

ConfigReload::ConfigReload(const Config &config, const GatewaySecrets &secrets, GatewayService *service,
                           RequestLogWriter *writer, std::shared_ptr<Config> pricingConfig, QObject *parent)
    : QObject(parent)
    , m_watcher(config.sourcePath, fileText(config.sourcePath))
    , m_service(service)
    , m_writer(writer)
    , m_pricingConfig(std::move(pricingConfig))
    , m_everySecret(secrets)
{
    connect(&m_watcher, &ConfigWatcher::changed, this, &ConfigReload::apply);
    connect(&m_watcher, &ConfigWatcher::invalid, this, [this](const QString &message) {
        Q_EMIT failed(
            QStringLiteral("the changed config was not applied, the previous one stays in force: %1").arg(message));
    });
}

void ConfigReload::apply(const Config &config)
{
    // Keychain reads run on this (the main) thread, the only one SecretStore uses.
    SecretStore store;
    SecretResolver resolver(&store);
    Result<GatewaySecrets> secrets = GatewaySecrets::resolve(config, resolver);
    if (!secrets) {
        Q_EMIT failed(QStringLiteral("the changed config was not applied, the previous one stays in force: %1")
                          .arg(secrets.errorMessage()));
        return;
    }
    for (auto it = secrets->keys.cbegin(); it != secrets->keys.cend(); ++it)
        m_everySecret.keys.insert(it.key(), it.value());
    for (const auto &token : secrets->tokens) {
        if (!m_everySecret.tokens.contains(token))
            m_everySecret.tokens.append(token);
    }
    if (m_writer)
        m_writer->setSecretScrubber(std::make_shared<const SecretScrubber>(m_everySecret.scrubber()));

    const QString summary = QStringLiteral("config reloaded from %1: %2 providers, %3 models")
                                .arg(QDir::toNativeSeparators(config.sourcePath))
                                .arg(config.providers.size())
                                .arg(config.models.size());
    QMetaObject::invokeMethod(
        m_service,
        [service = m_service, config, secrets = std::move(secrets).value(), pricing = m_pricingConfig,
         self = QPointer<ConfigReload>(this), summary] {
            const QStringList restart = service->reconfigure(config, secrets);
            *pricing = config;
            QString message = summary;
            if (!restart.isEmpty())
                message += QStringLiteral("; %1 take effect at the next start").arg(restart.join(QStringLiteral(", ")));
            QMetaObject::invokeMethod(self, [self, message] {
                if (self)
                    Q_EMIT self->applied(message);
            });
        });
}

} // namespace sluice
