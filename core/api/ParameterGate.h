#pragma once

#include <QJsonValue>
#include <QStringList>

#include "api/ApiFormat.h"
#include "common/Result.h"

namespace sluice {

struct CanonicalRequest;

// Collects what an outbound encoder cannot express for its target format: refused with one error naming every
// such parameter, or dropped (and listed) when the route allows dropping.
class ParameterGate
{
public:
    ParameterGate(ApiFormat target, bool dropUnsupported);

    // `name` is the parameter as the client wrote it (e.g. "top_k", "messages[2].content[1]").
    void refuse(const QString &name, const QString &reason);
    // Something optional the target cannot run (a provider's hosted tool): always left out, and listed.
    void omit(const QString &name);
    // The request's extras: kept when it comes from the target format; otherwise each key is refused, except
    // hints that change nothing about the answer (store, service_tier...), which are left out silently.
    void checkExtras(const CanonicalRequest &request);
    bool sameFormat(const CanonicalRequest &request) const;

    bool refused() const { return !m_refused.isEmpty(); }
    Error error() const;
    QStringList dropped() const { return m_dropped; }

    // Extras a format may leave out silently when translating to another format.
    static bool isHarmlessToOmit(ApiFormat source, const QString &key, const QJsonValue &value);

private:
    ApiFormat m_target;
    bool m_drop;
    QStringList m_refused; // "name (reason)"
    QStringList m_dropped;
};

} // namespace sluice
