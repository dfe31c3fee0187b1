#include "ParameterGate.h"

#include "api/CanonicalRequest.h"
#include "api/CodecJson.h"

namespace sluice {

ParameterGate::ParameterGate(ApiFormat target, bool dropUnsupported)
    : m_target(target)
    , m_drop(dropUnsupported)
{ }

void ParameterGate::refuse(const QString &name, const QString &reason)
{
    if (m_drop) {
        if (!m_dropped.contains(name))
            m_dropped.append(name);
        return;
    }
    const QString entry = QStringLiteral("'%1' (%2)").arg(name, reason);
    if (!m_refused.contains(entry))
        m_refused.append(entry);
}

void ParameterGate::omit(const QString &name)
{
    if (!m_dropped.contains(name))
        m_dropped.append(name);
}

bool ParameterGate::sameFormat(const CanonicalRequest &request) const
{
    return request.sourceFormat == m_target;
}

void ParameterGate::checkExtras(const CanonicalRequest &request)
{
    if (sameFormat(request))
        return;
    for (auto it = request.extras.begin(); it != request.extras.end(); ++it) {
        if (!isHarmlessToOmit(request.sourceFormat, it.key(), it.value()))
            refuse(it.key(), QStringLiteral("%1 has no such parameter").arg(apiFormatName(m_target)));
    }
}

Error ParameterGate::error() const
{
    return makeError(QStringLiteral("The request cannot be translated for the %1 format: %2 %3 no equivalent there. "
                                    "Remove %4 from the request, or configure the route to drop unsupported "
                                    "parameters.")
                         .arg(apiFormatName(m_target), m_refused.join(QStringLiteral(", ")),
                              m_refused.size() == 1 ? QStringLiteral("has") : QStringLiteral("have"),
                              m_refused.size() == 1 ? QStringLiteral("it") : QStringLiteral("them")));
}

bool ParameterGate::isHarmlessToOmit(ApiFormat source, const QString &key, const QJsonValue &value)
{
    if (codec::isEmptyValue(value))
        return true;
    // Hints and bookkeeping for the client's own service; another provider's answer is the same without them.
    static const QStringList anywhere = {QStringLiteral("store"),
                                         QStringLiteral("service_tier"),
                                         QStringLiteral("prompt_cache_key"),
                                         QStringLiteral("prompt_cache_retention"),
                                         QStringLiteral("safety_identifier"),
                                         QStringLiteral("client_metadata"),
                                         QStringLiteral("background"),
                                         QStringLiteral("stream_options")};
    if (anywhere.contains(key))
        return true;
    switch (source) {
    case ApiFormat::OpenAiChat:
        return (key == QLatin1String("n") && value.toDouble() == 1) || key == QLatin1String("verbosity");
    case ApiFormat::AnthropicMessages:
        // Server-side context editing only trims old turns; another provider simply sees them all.
        return key == QLatin1String("context_management");
    case ApiFormat::Gemini:
        return key == QLatin1String("safetySettings") || key == QLatin1String("labels");
    case ApiFormat::OpenAiCompletions:
        // One completion is what every chat target gives anyway.
        return (key == QLatin1String("n") || key == QLatin1String("best_of")) && value.toDouble() == 1;
    case ApiFormat::OpenAiEmbeddings:
        return false;
    case ApiFormat::OpenAiResponses:
        if (key == QLatin1String("include") || key == QLatin1String("truncation"))
            return true;
        if (key == QLatin1String("text")) {
            const QJsonObject text = value.toObject();
            return text.size() == 1 && text.contains(QLatin1String("verbosity"));
        }
        return false;
    case ApiFormat::BedrockConverse:
        return false;
    }
    return false;
}

} // namespace sluice
