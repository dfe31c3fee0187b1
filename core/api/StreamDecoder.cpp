#include "StreamDecoder.h"

namespace sluice {

StreamDecoder::~StreamDecoder() = default;

CanonicalEvents StreamDecoder::feed(const QByteArray &bytes)
{
    CanonicalEvents out;
    m_out = &out;
    if (!m_terminated)
        onBytes(bytes);
    m_out = nullptr;
    return out;
}

void StreamDecoder::onBytes(const QByteArray &bytes)
{
    m_sse.clear();
    m_parser.feed(bytes, m_sse);
    for (const SseEvent &event : std::as_const(m_sse)) {
        if (!m_terminated)
            onEvent(event);
    }
    if (m_parser.overflowed() && !m_terminated)
        emitError(502,
                  QStringLiteral("The provider sent a stream event larger than %1 MiB; Sluice stopped reading the "
                                 "stream.")
                      .arg(m_parser.maxEventBytes() / (1024 * 1024)),
                  QStringLiteral("upstream_protocol"));
}

void StreamDecoder::onFlush()
{
    // An event not followed by its blank line still counts once the body is over.
    onBytes(QByteArrayLiteral("\n\n"));
}

CanonicalEvents StreamDecoder::decodeEvent(const SseEvent &event)
{
    CanonicalEvents out;
    m_out = &out;
    if (!m_terminated)
        onEvent(event);
    m_out = nullptr;
    return out;
}

CanonicalEvents StreamDecoder::finish()
{
    CanonicalEvents out;
    m_out = &out;
    if (!m_terminated)
        onFlush();
    if (!m_terminated)
        onEnd();
    if (!m_terminated) {
        emitError(502,
                  QStringLiteral("The provider's stream ended before the answer was complete; the answer is "
                                 "incomplete."),
                  QStringLiteral("stream_truncated"));
    }
    m_out = nullptr;
    return out;
}

void StreamDecoder::emitEvent(CanonicalEvent event)
{
    if (m_terminated || !m_out)
        return;
    if (!m_started && event.type != CanonicalEvent::Type::Start)
        emitStart({}, m_model, 0);
    switch (event.type) {
    case CanonicalEvent::Type::Start:
        if (m_started)
            return;
        m_started = true;
        if (!event.model.isEmpty())
            m_model = event.model;
        m_usage.mergeFrom(event.usage);
        break;
    case CanonicalEvent::Type::Usage:
        m_usage.mergeFrom(event.usage);
        event.usage = m_usage;
        break;
    case CanonicalEvent::Type::Finish:
    case CanonicalEvent::Type::Error:
        m_terminated = true;
        break;
    default:
        break;
    }
    m_out->append(std::move(event));
}

void StreamDecoder::emitStart(const QString &id, const QString &model, qint64 created, const TokenUsage &usage)
{
    CanonicalEvent start = CanonicalEvent::start(id, model, created);
    start.usage = usage;
    emitEvent(std::move(start));
}

void StreamDecoder::emitError(int status, const QString &message, const QString &code)
{
    emitEvent(CanonicalEvent::failure(CanonicalError::make(status, message, code)));
}

} // namespace sluice
