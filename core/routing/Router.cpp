#include "Router.h"

#include <QRandomGenerator>
#include <QSet>

#include "routing/RoutingLogging.h"
#include "routing/RoutingState.h"
#include "routing/SteadyClock.h"

namespace sluice {

namespace {
void applyConfig(RoutingState &state)
{
    QSet<QString> ids;
    for (const ModelRoute &model : std::as_const(state.config.models)) {
        for (const ModelDeployment &deployment : model.deployments)
            ids.insert(deployment.id());
        if (model.deployments.isEmpty())
            ids.insert(model.provider + QLatin1Char('/')
                       + (model.upstreamModel.isEmpty() ? model.name : model.upstreamModel));
    }
    state.breakers.setSettings(state.config.routing.breaker);
    state.breakers.retain(ids);
    // Every configured deployment has a breaker from the start, so the admin endpoint and the UI list them all.
    for (const QString &id : std::as_const(ids))
        state.breakers.breaker(id);
    state.balancer.retain(ids);
    QStringList providers;
    for (const ProviderConfig &provider : std::as_const(state.config.providers)) {
        providers.append(provider.name);
        if (!provider.apiKeys.isEmpty())
            state.keys.setKeys(provider.name, provider.apiKeys);
        else if (!provider.apiKey.isNull())
            state.keys.setKeys(provider.name, {provider.apiKey});
        else
            state.keys.setKeys(provider.name, {});
    }
    state.keys.retainProviders(providers);
}
} // namespace

Router::Router(const Config &config, std::shared_ptr<const Clock> clock, std::optional<quint32> seed)
    : m_state(std::make_shared<RoutingState>(config, clock ? std::move(clock) : std::make_shared<SteadyClock>(),
                                             seed.value_or(QRandomGenerator::global()->generate())))
{
    applyConfig(*m_state);
}

Router::~Router() = default;

void Router::setConfig(const Config &config)
{
    m_state->config = config;
    applyConfig(*m_state);
    qCDebug(lcRouter) << "Routing config applied:" << config.models.size() << "models";
}

const Config &Router::config() const
{
    return m_state->config;
}

Result<RoutePlanner> Router::plan(const QString &model)
{
    if (m_state->config.models.isEmpty())
        return makeError(QStringLiteral("Sluice has no models configured yet, so it cannot serve '%1'. Add a provider "
                                        "and a model on the Providers & keys page of Sluice's window, or with "
                                        "`sluice provider add NAME --type TYPE` and `sluice model add NAME "
                                        "--provider NAME`, or under 'providers:' and 'models:' in %2 "
                                        "(docs/configuration.md); Sluice applies the change without a restart.")
                             .arg(model,
                                  m_state->config.sourcePath.isEmpty() ? QStringLiteral("the config file")
                                                                       : m_state->config.sourcePath));
    if (!m_state->config.model(model)) {
        QStringList names;
        for (const ModelRoute &route : std::as_const(m_state->config.models))
            names.append(route.name);
        return makeError(QStringLiteral("The model '%1' is not configured in Sluice. Configured models: %2.")
                             .arg(model, names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "))));
    }
    return RoutePlanner(m_state, model);
}

QList<BreakerSnapshot> Router::breakerSnapshot() const
{
    return m_state->breakers.snapshot();
}

QList<KeyRotator::KeyStatus> Router::keyStatus(const QString &provider) const
{
    return m_state->keys.status(provider);
}

CircuitBreakers &Router::circuitBreakers()
{
    return m_state->breakers;
}

LoadBalancer &Router::loadBalancer()
{
    return m_state->balancer;
}

KeyRotator &Router::keyRotator()
{
    return m_state->keys;
}

} // namespace sluice
