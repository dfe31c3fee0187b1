#pragma once

#include <QHash>

#include "common/RequestRecord.h"
#include "config/Config.h"
#include "telemetry/OtlpSpan.h"

namespace sluice {

// Turns one logged request into its spans: a SERVER span for the request and a CLIENT span per attempt sent
// upstream, named "{gen_ai.operation.name} {model}", with the GenAI semantic-convention attributes (registry
// v1.41), Sluice's own (sluice.*) and, for the Langfuse preset, the langfuse.* ones. A caller's traceparent makes
// the request span its child; otherwise a new trace starts, kept at telemetry.sample_ratio.
class SpanBuilder
{
public:
    explicit SpanBuilder(const Config &config, const QString &serviceVersion = QString());

    // Empty when the trace is not sampled.
    OtlpSpans build(const RequestRecord &record) const;
    const OtlpResource &resource() const { return m_resource; }

private:
    struct ProviderInfo
    {
        QString type;
        QString host;
        int port = 0;
    };
    void addContent(const RequestRecord &record, OtlpAttributes &attributes) const;

    TelemetrySettings m_settings;
    QHash<QString, ProviderInfo> m_providers;
    QString m_listenAddress;
    int m_listenPort = 0;
    OtlpResource m_resource;
};

} // namespace sluice
