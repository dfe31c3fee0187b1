#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <QByteArray>
#include <QList>
#include <QtGlobal>

#include "api/CanonicalEvent.h"

// Shared by the libFuzzer targets in fuzz/ (see docs/reliability.md, "Fuzzing"). A broken documented contract
// aborts, so libFuzzer reports it like a crash, with the input that caused it.
namespace sluice::fuzz {

// Silences Qt's logging (the code under test logs refusals at info level, once per input) but keeps qFatal.
void quietQtLogging();

[[noreturn]] inline void contractBroken(const char *what)
{
    std::fprintf(stderr, "fuzz: contract broken: %s\n", what);
    std::abort();
}

inline QByteArray bytesOf(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// The input cut into pieces whose sizes come from a small generator seeded by the input itself, so the same
// input always splits the same way: the code under test must not care where the network split its bytes.
inline QList<QByteArray> splitPieces(const QByteArray &bytes)
{
    QList<QByteArray> pieces;
    quint32 state = 2166136261u;
    for (const char c : bytes.left(64))
        state = (state ^ quint8(c)) * 16777619u;
    qsizetype offset = 0;
    while (offset < bytes.size()) {
        state = state * 1664525u + 1013904223u;
        // 1..17 bytes in the first KiB (every boundary case of the framing), then up to 1 KiB (speed).
        const qsizetype length = qsizetype((state >> 16) % (offset < 1024 ? 17 : 1024)) + 1;
        pieces.append(bytes.mid(offset, length));
        offset += length;
    }
    return pieces;
}

// StreamDecoder's documented contract: Start first and once, nothing after the terminal event, and once the
// stream is finished exactly one terminal event (Finish or Error).
inline void checkEventContract(const CanonicalEvents &events, bool finished)
{
    bool started = false;
    bool terminated = false;
    for (const CanonicalEvent &event : events) {
        if (terminated)
            contractBroken("an event after the terminal event");
        if (event.type == CanonicalEvent::Type::Start) {
            if (started)
                contractBroken("a second Start event");
            started = true;
        } else if (!started) {
            contractBroken("an event before Start");
        }
        if (event.isTerminal())
            terminated = true;
    }
    if (finished && !terminated)
        contractBroken("a finished stream without a terminal event (Finish or Error)");
}

// What two decodings of the same bytes must agree on, whatever the split (not tool call ids: a decoder makes one
// up, at random, when the provider sends none).
inline QByteArray eventDigest(const CanonicalEvents &events)
{
    QByteArray digest;
    for (const CanonicalEvent &event : events) {
        digest += QByteArray::number(int(event.type)) + ' ' + event.text.toUtf8() + ' ' + event.toolName.toUtf8() + ' '
            + QByteArray::number(event.index) + ' ' + QByteArray::number(event.usage.input) + ' '
            + QByteArray::number(event.usage.output) + ' ' + QByteArray::number(int(event.finishReason)) + ' '
            + event.error.message.toUtf8() + '\n';
    }
    return digest;
}

} // namespace sluice::fuzz
