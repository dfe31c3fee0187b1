#pragma once

#include <QByteArray>

#include "api/CanonicalEvent.h"
#include "api/SseParser.h"

namespace sluice {

// Turns one provider's streamed answer (SSE bytes by default; other framings override onBytes) into canonical
// events. Stateful: one per upstream stream.
// Enforces the CanonicalEvent contract: Start first, one terminal event, nothing after it.
class StreamDecoder
{
public:
    virtual ~StreamDecoder();

    // Upstream body bytes as they arrive, split anywhere; returns the events they complete.
    CanonicalEvents feed(const QByteArray &bytes);
    // One SSE event the caller already parsed.
    CanonicalEvents decodeEvent(const SseEvent &event);
    // The upstream body ended: returns the pending Finish, or an Error when the provider stopped before
    // saying the answer was complete (a cut stream is never a silent success).
    CanonicalEvents finish();

    bool terminated() const { return m_terminated; }
    // Everything reported so far, for the request record.
    const TokenUsage &usage() const { return m_usage; }
    QString model() const { return m_model; }

protected:
    // Raw body bytes: the default splits them into SSE events for onEvent; binary or line framings override it.
    virtual void onBytes(const QByteArray &bytes);
    // The body ended: the default completes an SSE event left without its blank line.
    virtual void onFlush();
    virtual void onEvent(const SseEvent &event) = 0;
    // The body ended without a terminal event: emit the pending Finish if the provider said it was done.
    virtual void onEnd() = 0;

    // Emits one event: a Start is synthesized first if none went out, Usage is made cumulative, and nothing
    // passes after a terminal event.
    void emitEvent(CanonicalEvent event);
    void emitStart(const QString &id, const QString &model, qint64 created, const TokenUsage &usage = {});
    void emitError(int status, const QString &message, const QString &code = {});
    bool started() const { return m_started; }

private:
    SseParser m_parser;
    QList<SseEvent> m_sse;
    CanonicalEvents *m_out = nullptr;
    bool m_started = false;
    bool m_terminated = false;
    TokenUsage m_usage;
    QString m_model;
};

} // namespace sluice
