#include "StreamEncoder.h"

namespace sluice {

StreamEncoder::StreamEncoder(StreamEncoderOptions options)
    : m_options(std::move(options))
{ }

StreamEncoder::~StreamEncoder() = default;

QByteArray StreamEncoder::encode(const CanonicalEvent &event)
{
    if (m_terminated)
        return {};
    if (event.isTerminal())
        m_terminated = true;
    return onEvent(event);
}

QByteArray StreamEncoder::encode(const CanonicalEvents &events)
{
    QByteArray out;
    for (const CanonicalEvent &event : events)
        out += encode(event);
    return out;
}

QByteArray StreamEncoder::finish()
{
    if (m_terminated)
        return {};
    return encode(CanonicalEvent::failure(
        CanonicalError::make(502,
                             QStringLiteral("The provider's stream ended before the answer was complete; the "
                                            "answer is incomplete."),
                             QStringLiteral("stream_truncated"))));
}

} // namespace sluice
