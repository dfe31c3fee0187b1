#include "UpstreamClient.h"

#include "http/UpstreamConnectionPool.h"
#include "http/UpstreamExchange.h"

namespace sluice {

UpstreamClient::UpstreamClient(QObject *parent)
    : QObject(parent)
    , m_pool(new UpstreamConnectionPool(this))
{ }

UpstreamClient::~UpstreamClient() = default;

UpstreamCall *UpstreamClient::send(const UpstreamRequest &request)
{
    return new UpstreamExchange(request, m_pool, this);
}

void UpstreamClient::setMaxIdlePerOrigin(int count)
{
    m_pool->setMaxIdlePerOrigin(count);
}

int UpstreamClient::idleConnectionCount() const
{
    return m_pool->idleCount();
}

} // namespace sluice
